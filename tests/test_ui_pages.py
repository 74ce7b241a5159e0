"""Every HTML page and its error paths, through Flask's test client, on a real SQLite index."""

from __future__ import annotations

import re
import socket
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_ui_corpus import all_letters, build_index, close_app, make_app

from mappings.facets import FACETS
from search_ui import create_app
from search_ui.security import CSP

TOTAL = sum(len(letter.items) for letter in all_letters())


def text_of(html: str) -> str:
    """Visible text, whitespace collapsed (for assertions that ignore markup)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def links(html: str) -> list[str]:
    return [m.replace("&amp;", "&") for m in re.findall(r'href="([^"]+)"', html)]


# --- search page ------------------------------------------------------------------------------


def test_empty_query_browses_the_collection_with_every_facet(client: FlaskClient) -> None:
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert f"{TOTAL} decisions" in text_of(html)
    for spec in FACETS:
        assert f'id="facet-{spec.name}"' in html
        assert f"<legend>{spec.label}" in html.replace("&#39;", "'")
    assert 'name="outcome" value="Upheld"' in html
    assert client.get("/search").status_code == 200


def test_phrase_search_finds_and_highlights(client: FlaskClient) -> None:
    html = client.get('/search?q=rationale:"hardware block"').get_data(as_text=True)
    assert "1 decision " in text_of(html) + " "
    assert "Removal of hardware L4-S1" in text_of(html)
    assert "<mark>hardware block</mark>" in html or "<mark>hardware</mark>" in html
    assert 'value="rationale:&#34;hardware block&#34;"' in html  # the box keeps it, escaped
    # Without the field scope the letter's summary (shared by both its items) matches too.
    assert "2 decisions" in text_of(client.get('/search?q="hardware block"').get_data(as_text=True))


def test_result_shows_everything_a_reader_needs(client: FlaskClient) -> None:
    html = client.get("/search?q=omeprazole").get_data(as_text=True)
    page = text_of(html)
    for expected in (
        "Overturned",
        "Medication",
        "Specialty: Pain Medicine",
        "Jan 20, 2015",
        "CM15-0000103",
        "MTUS Chronic Pain Medical Treatment Guidelines (2009)",  # the canonical name
        "proton pump",
    ):
        assert expected in page, expected
    assert "/item/CM15-0000103-2?q=omeprazole" in html


def test_repeated_filter_params_tick_checkboxes_and_show_chips(client: FlaskClient) -> None:
    html = client.get("/search?outcome=Upheld&outcome=Overturned&category=surgery").get_data(
        as_text=True
    )
    assert "2 decisions" in text_of(html)
    for value in ("Upheld", "Overturned"):
        assert re.search(rf'name="outcome" value="{value}" id="[^"]+" checked', html)
    chip_links = [u for u in links(html) if "category=surgery" not in u and "outcome=" in u]
    assert "/search?outcome=Upheld&outcome=Overturned" in chip_links  # removes surgery
    assert "Clear all filters" in html


def test_facet_counts_stay_right_under_multi_select(client: FlaskClient) -> None:
    html = client.get("/search?outcome=Upheld").get_data(as_text=True)
    # The outcome facet still offers Overturned with its own count (not zero).
    m = re.search(r'value="Overturned"[^>]*>\s*<label[^>]*>.*?class="count">([\d,]+)<', html, re.S)
    assert m and int(m.group(1).replace(",", "")) > 0


def test_sort_and_pagination_links_keep_the_state(client: FlaskClient) -> None:
    html = client.get("/search?outcome=Upheld&sort=date&per_page=5").get_data(as_text=True)
    assert 'aria-label="Result pages"' in html
    nxt = next(u for u in links(html) if "page=2" in u)
    params = parse_qs(urlsplit(nxt).query)
    assert params == {"outcome": ["Upheld"], "sort": ["date"], "per_page": ["5"], "page": ["2"]}
    page2 = client.get(nxt).get_data(as_text=True)
    assert "Showing 6–10" in text_of(page2)
    assert 'aria-current="page">2<' in page2
    dates = re.findall(r"Decided (\w{3} \d+, \d{4})", text_of(page2))
    assert len(dates) == 5


def test_sort_choices_and_date_range_form(client: FlaskClient) -> None:
    from imr_search.contract import SORT_LABELS

    html = client.get("/search?q=hardware&sort=oldest").get_data(as_text=True)
    options = re.findall(r'<option value="(\w+)"( selected)?>([^<]+)</option>', html)
    sorts = [(value, label) for value, _, label in options if value in SORT_LABELS]
    assert sorts == list(SORT_LABELS.items())
    assert ("oldest", " selected") in [(v, s) for v, s, _ in options]
    assert 'type="date" id="date_from" name="date_from" form="search" value=""' in html
    dated = client.get("/search?date_from=2015-01-01&date_to=2015-12-31&sort=date")
    html = dated.get_data(as_text=True)
    assert 'name="date_from" form="search" value="2015-01-01"' in html
    everything = client.get("/search").get_data(as_text=True)
    assert "Decided on or after: 2015-01-01" in text_of(html)
    years = set(re.findall(r"Decided \w{3} \d+, (\d{4})", text_of(html)))
    assert years == {"2015"}
    assert text_of(html) != text_of(everything)
    chip = next(u for u in links(html) if "date_from" not in u and "date_to=2015-12-31" in u)
    assert parse_qs(urlsplit(chip).query) == {"date_to": ["2015-12-31"], "sort": ["date"]}


def test_bad_dates_are_400_with_the_parameter(client: FlaskClient) -> None:
    resp = client.get("/search?date_from=2016-01-01&date_to=2015-01-01")
    assert resp.status_code == 400
    assert "date_from" in resp.get_data(as_text=True)
    assert "is after date_to" in resp.get_data(as_text=True)


def test_a_query_without_words_says_so(client: FlaskClient) -> None:
    from imr_search.contract import NO_WORDS_NOTICE

    html = client.get("/search?q=-").get_data(as_text=True)
    assert f"{TOTAL} decisions" in text_of(html)
    assert NO_WORDS_NOTICE.replace("'", "&#39;") in html


def test_did_you_mean_links_the_corrected_search(client: FlaskClient) -> None:
    html = client.get("/search?q=omeprazle&sort=date").get_data(as_text=True)
    assert "No decisions match" in html
    assert "Did you mean omeprazole ?" in text_of(html)
    link = next(u for u in links(html) if "q=omeprazole" in u)
    assert parse_qs(urlsplit(link).query) == {"q": ["omeprazole"], "sort": ["date"]}
    assert "Did you mean" not in client.get("/search?q=omeprazole").get_data(as_text=True)


def test_zero_results_suggest_dropping_a_filter(client: FlaskClient) -> None:
    resp = client.get("/search?q=hardware&category=medication")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "No decisions match" in html
    assert "Drop Treatment type: Medication" in text_of(html)
    assert "/search?q=hardware" in links(html)


@pytest.mark.parametrize(
    ("qs", "message"),
    [
        ('q="unclosed', "Unclosed quote"),
        ("q=knee OR", "OR at character"),
        ("q=-knee", "not only exclusions"),
        ("q=colour:red", "Unknown field"),
    ],
)
def test_bad_syntax_shows_the_parser_message_with_400(
    client: FlaskClient, qs: str, message: str
) -> None:
    resp = client.get("/search?" + qs)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html
    assert 'role="alert"' in html
    assert 'id="q"' in html  # the form is still there to fix the query


@pytest.mark.parametrize(
    ("qs", "parameter"),
    [
        ("page=abc", "page"),
        ("per_page=1000", "per_page"),
        ("sort=random", "sort"),
        ("breakdown=colour", "breakdown"),
        ("colour=red", "colour"),
        ("page=600", "page"),
        ("q=" + "a" * 1001, "q"),
        ("facet_size=101", "facet_size"),
    ],
)
def test_bad_parameters_are_400_with_a_message(
    client: FlaskClient, qs: str, parameter: str
) -> None:
    resp = client.get("/search?" + qs)
    assert resp.status_code == 400
    assert f"Invalid parameter &#39;{parameter}&#39;" in resp.get_data(as_text=True)


def test_outcome_bar_and_breakdown_chart(client: FlaskClient) -> None:
    html = client.get("/search").get_data(as_text=True)
    assert re.search(r'<svg class="bar" role="img" aria-label="All results: upheld \d+', html)
    assert 'class="breakdown-table"' in html
    assert "ODG: Low Back" in html  # default breakdown: the reviewer's guideline
    by_category = client.get("/search?breakdown=category").get_data(as_text=True)
    assert "Outcomes by Treatment type" in by_category
    assert "breakdown=category" in " ".join(links(by_category))  # filter links keep it
    assert 'class="breakdown-table"' not in client.get("/search?breakdown=none").get_data(
        as_text=True
    )


def test_query_injection_comes_back_escaped(client: FlaskClient) -> None:
    payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    for url in (f"/search?q={payload}", f"/search?q=knee&outcome={payload}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_stored_text_comes_back_escaped(client: FlaskClient) -> None:
    html = client.get("/search?q=lidocaine").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html
    assert "<script>alert(" not in html
    assert "<img src=x" not in html
    item = client.get("/item/CM15-0000104-1?q=lidocaine").get_data(as_text=True)
    assert "<script>alert(" not in item and "<img src=x" not in item and "<b>bold" not in item
    assert "&lt;img src=x onerror=" in item
    assert "<mark>lidocaine</mark>" in item
    assert "&lt;i&gt;Journal&lt;/i&gt;" in item


# --- item page --------------------------------------------------------------------------------


def test_item_page_shows_the_whole_item_and_its_letter(client: FlaskClient) -> None:
    resp = client.get('/item/CM14-0000101-1?q="hardware block"')
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    page = text_of(html)
    for expected in (
        "Removal of hardware L4-S1",
        "Upheld",
        "Decision rationale",
        "Guidelines relied on",
        "Claims administrator",
        "Reviewer",
        "Hardware implant removal",
        "Clinical case summary",
        "tenderness over the screw tops",
        "CM14-0000101",
        "Mar 12, 2014",
        "Orthopedic Surgery",
        "California",
        "Items in this letter",
        "Similar cases",  # "Similar prior cases" with the option on
        "Find similar cases",
    ):
        assert expected in page, expected
    assert "<mark>hardware</mark> <mark>block</mark>" in html
    assert "/item/CM14-0000101-2?q=%22hardware+block%22" in html  # sibling item keeps q
    assert 'aria-label="Why it is similar"' in html  # each case says why, in words


def test_item_page_says_who_cited_nothing(client: FlaskClient) -> None:
    page = text_of(client.get("/item/CM14-0000101-2").get_data(as_text=True))
    assert "Cited no medical evidence" in page
    assert "(this item)" in page


def test_following_a_similar_case_opens_its_page(client: FlaskClient) -> None:
    html = client.get("/item/CM14-0000101-1").get_data(as_text=True)
    similar = html.split('id="similar-heading"', 1)[1]
    first = re.search(r'class="similar-title" href="([^"]+)"', similar)
    assert first
    assert client.get(first.group(1)).status_code == 200


def test_unknown_item_is_404(client: FlaskClient) -> None:
    resp = client.get("/item/NO-SUCH-1")
    assert resp.status_code == 404
    assert "Not found" in resp.get_data(as_text=True)
    assert client.get("/item/CM14-0000101-1?colour=red").status_code == 400


# --- find similar -----------------------------------------------------------------------------


def test_find_similar_by_pasted_text(client: FlaskClient) -> None:
    text = "Request for lumbar epidural steroid injection for radiculopathy at L4-L5."
    resp = client.post("/similar", data={"text": text})
    assert resp.status_code == 200
    page = text_of(resp.get_data(as_text=True))
    assert "similar cases" in page
    assert "epidural steroid injection" in page.lower()
    assert "same kind of request: Epidural steroid injection" in page  # read from the text
    get = client.get("/similar", query_string={"text": text, "category": "injection"})
    assert get.status_code == 200
    assert "Lumbar epidural steroid injection" in get.get_data(as_text=True)


def test_find_similar_form_and_bounds(client: FlaskClient) -> None:
    form = client.get("/similar")
    assert form.status_code == 200
    assert '<textarea id="similar-text" name="text"' in form.get_data(as_text=True)
    empty = client.post("/similar", data={"text": "   "})
    assert empty.status_code == 400 and "is empty" in empty.get_data(as_text=True)
    long = client.post("/similar", data={"text": "knee " * 2001})
    assert long.status_code == 400 and "limit is 10,000" in long.get_data(as_text=True)
    assert client.get("/similar?text=knee&k=0").status_code == 400
    assert client.post("/similar", data={"text": "x" * 70_000}).status_code == 413


# --- site-wide: help, headers, markup rules, errors --------------------------------------------


def test_help_page_documents_the_syntax(client: FlaskClient) -> None:
    page = text_of(client.get("/help").get_data(as_text=True))
    for expected in (
        '"hardware block"',
        "OR",
        "-radiculopathy",
        "therap*",
        "treatment:",
        "5,000",
        "/api/search",
    ):
        assert expected in page, expected


PAGES = (
    "/",
    "/search?q=knee",
    "/search?q=%22open",
    "/item/CM14-0000101-1",
    "/similar",
    "/help",
    "/item/NOPE",
    "/no-such-page",
    "/search?page=x",
)


@pytest.mark.parametrize("url", PAGES)
def test_security_headers_on_every_page(client: FlaskClient, url: str) -> None:
    resp = client.get(url)
    assert resp.headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert "frame-ancestors 'none'" in CSP
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"]
    assert "Server" not in resp.headers or "Python" not in resp.headers["Server"]


class _MarkupAudit(HTMLParser):
    """Collects what a strict CSP forbids and what accessibility needs."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts = 0
        self.style_attrs: list[str] = []
        self.event_handlers: list[str] = []
        self.style_elements = 0
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.ids: list[str] = []
        self.h1 = 0
        self.landmarks: set[str] = set()
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "script" and not a.get("src"):
            self.inline_scripts += 1
        if tag == "style":
            self.style_elements += 1
        if "style" in a:
            self.style_attrs.append(tag)
        self.event_handlers += [k for k in a if k.startswith("on")]
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a)
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"] or "")
        if tag == "h1":
            self.h1 += 1
        if tag in ("main", "nav", "header", "footer", "aside"):
            self.landmarks.add(tag)
        if a.get("role") == "search":
            self.landmarks.add("search")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/search?q=hardware&outcome=Upheld",
        '/search?q="open',
        "/item/CM14-0000101-1",
        "/similar",
        "/similar?text=knee+arthroscopy",
        "/help",
        "/item/NOPE",
        "/search?q=zzzzqqq",
    ],
)
def test_markup_is_csp_clean_and_accessible(client: FlaskClient, url: str) -> None:
    audit = _MarkupAudit()
    audit.feed(client.get(url).get_data(as_text=True))
    assert audit.inline_scripts == 0 and audit.style_elements == 0
    assert audit.style_attrs == [] and audit.event_handlers == []
    assert audit.lang == "en"
    assert audit.h1 == 1
    assert {"main", "nav", "header", "footer"} <= audit.landmarks
    assert len(audit.ids) == len(set(audit.ids)), "duplicate ids"
    for control in audit.controls:
        labelled = control.get("id") in audit.label_for or control.get("aria-label")
        assert labelled, f"unlabelled control {control}"
    assert "main" in audit.ids  # skip link target


def test_static_files_are_served(client: FlaskClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200 and ":focus-visible" in css.get_data(as_text=True)
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "javascript" in js.content_type
    for resp in (css, js):
        resp.close()


def test_unknown_page_and_method(client: FlaskClient) -> None:
    assert client.get("/no-such-page").status_code == 404
    assert client.post("/search").status_code == 405


def test_unexpected_error_is_a_generic_500_that_is_logged(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from imr_search.sqlite.engine import SqliteEngine

    def boom(self: object, request: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(SqliteEngine, "search", boom)
    resp = client.get("/search?q=knee")
    assert resp.status_code == 500
    body = resp.get_data(as_text=True)
    assert "Something went wrong" in body
    assert "secret internal detail" not in body and "Traceback" not in body
    assert "secret internal detail" in caplog.text
    api = client.get("/api/search?q=knee")
    assert api.status_code == 500 and api.json["error"]["status"] == 500


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_engine_unavailable_is_503_for_elasticsearch_down() -> None:
    app = create_app({"IMR_SEARCH_INDEX": f"http://127.0.0.1:{_closed_port()}/imr-items"})
    client = app.test_client()
    resp = client.get("/search?q=knee")
    assert resp.status_code == 503
    assert resp.headers["Retry-After"]
    assert "not available" in resp.get_data(as_text=True)
    api = client.get("/api/search?q=knee")
    assert api.status_code == 503
    assert api.json["error"]["status"] == 503
    close_app(app)


def test_app_recovers_when_the_index_comes_back(tmp_path: Path) -> None:
    target = tmp_path / "later.sqlite3"
    app = create_app({"IMR_SEARCH_INDEX": str(target)})
    client = app.test_client()
    assert client.get("/").status_code == 503
    assert client.get("/api/health").status_code == 503
    letters = all_letters()[:3]
    build_index(target, letters)
    assert client.get("/").status_code == 200
    assert client.get("/api/health").json["items"] == sum(len(lt.items) for lt in letters)
    close_app(app)


def test_one_engine_per_request_mode_works_too() -> None:
    app = make_app({"IMR_SEARCH_ENGINE_PER_REQUEST": True})
    client = app.test_client()
    for _ in range(3):
        assert client.get("/search?q=knee").status_code == 200
    assert client.get("/export.csv").status_code == 200
    close_app(app)


def test_nothing_is_opened_at_import_or_create_time(tmp_path: Path) -> None:
    target = tmp_path / "never.sqlite3"
    app = create_app({"IMR_SEARCH_INDEX": str(target)})
    assert app.test_client().get("/help").status_code == 200  # no engine needed
    assert not target.exists()


def test_engines_are_per_thread_and_closed_when_their_thread_ends() -> None:
    import threading

    from search_ui.backend import EngineHolder

    holder = EngineHolder(str(make_app().config["IMR_SEARCH_INDEX"]))
    main = holder.acquire()
    assert holder.acquire() is main  # reused within a thread
    seen = []
    opened = threading.Barrier(4)
    done = threading.Event()

    def work() -> None:
        seen.append(holder.acquire())
        opened.wait()
        done.wait(10)

    workers = [threading.Thread(target=work) for _ in range(3)]
    for t in workers:
        t.start()
    opened.wait()
    assert len({id(e) for e in seen}) == 3 and main not in seen
    assert holder.open_engines() == 4  # one per live thread
    done.set()
    for t in workers:
        t.join()
    other = threading.Thread(target=holder.acquire)  # opening one sweeps the ended threads'
    other.start()
    other.join()
    assert holder.open_engines() == 2
    for engine in seen:  # closed: using them fails
        with pytest.raises(Exception):  # noqa: B017 - sqlite3.ProgrammingError
            engine.count()
    assert main.count() == TOTAL
    holder.close_all()
    assert holder.open_engines() == 0


def test_a_page_past_the_end_says_so_and_links_back(client: FlaskClient) -> None:
    resp = client.get("/search?outcome=Upheld&page=40")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "No results on this page" in html
    assert "/search?outcome=Upheld" in links(html)

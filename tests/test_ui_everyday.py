"""Everyday use of the search and item pages (Flask test client over real SQLite indexes):
"more values" of one facet, results per page, the search form's hidden state, selected values
beyond the listed ones, and the original letter file of an item (served only when the index
holds it). The browser side is tests/test_browser_everyday.py.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from imr_search.contract import SearchRequest
from imr_search.engines import open_engine
from indexer.pipeline import run_index
from search_ui import create_app
from search_ui.params import MORE_FACET_SIZE

FIXTURES = Path(__file__).parent / "fixtures" / "letters"


def checkboxes(html: str, facet: str) -> list[tuple[str, bool]]:
    """(value, ticked) of a facet's checkboxes, in page order."""
    found = re.findall(
        rf'<input type="checkbox" form="search" name="{facet}" value="([^"]*)"[^>]*>', html
    )
    ticked = re.findall(
        rf'<input type="checkbox" form="search" name="{facet}" value="([^"]*)"[^>]*checked>', html
    )
    return [(unescape(v), v in ticked) for v in found]


def hidden_inputs(html: str) -> list[tuple[str, str]]:
    return [
        (name, unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    ]


# --- facets: more values of one facet --------------------------------------------------------


def test_more_values_lists_one_facet_longer(client: FlaskClient) -> None:
    html = client.get("/search").get_data(as_text=True)
    assert len(checkboxes(html, "concept")) == 10
    more = re.findall(r'<a class="facet-more" href="([^"]+)">More values', html)
    assert [unescape(u) for u in more] == ["/search?more=concept", "/search?more=finding"]
    expanded = client.get("/search?more=concept").get_data(as_text=True)
    assert len(checkboxes(expanded, "concept")) == 14  # every value, up to MORE_FACET_SIZE
    assert MORE_FACET_SIZE >= 14
    # Only that facet: the others keep their ten values, and their own "more" keeps it.
    assert len(checkboxes(expanded, "finding")) == 10
    assert '<a class="facet-more" href="/search?more=concept&amp;more=finding">' in expanded
    assert '<a class="facet-fewer" href="/search">Fewer values' in expanded
    # The state stays in the form: ticking a filter keeps the facet expanded.
    assert ("more", "concept") in hidden_inputs(expanded)
    assert 'data-filter="Kind of request"' in expanded  # long: app.js adds its search box
    assert 'data-filter="Outcome"' not in expanded


def test_guideline_sections_are_counted_when_asked_for(client: FlaskClient) -> None:
    """Sections (hundreds of values) are not counted until the reader asks: the block shows a
    "Show values" link, the same search with more=<facet>, and the JSON twin says so."""
    html = client.get("/search").get_data(as_text=True)
    for name in ("reviewer_section", "admin_section"):
        assert checkboxes(html, name) == []
        assert f'<a class="facet-show" href="/search?more={name}">Show values' in html
    shown = client.get("/search?more=reviewer_section").get_data(as_text=True)
    sections = checkboxes(shown, "reviewer_section")
    assert sections and not any(ticked for _, ticked in sections)
    assert '<a class="facet-show" href="/search?more=reviewer_section">' not in shown
    assert '<a class="facet-fewer" href="/search">Fewer values' in shown
    assert checkboxes(shown, "admin_section") == []  # only the one asked for
    blocks = {b["name"]: b for b in client.get("/api/search?per_page=0").get_json()["facets"]}
    assert not blocks["reviewer_section"]["counted"] and blocks["reviewer_section"]["values"] == []
    assert blocks["concept"]["counted"] and blocks["concept"]["values"]
    api = client.get("/api/search?per_page=0&more=reviewer_section").get_json()
    asked = {b["name"]: b for b in api["facets"]}["reviewer_section"]
    assert asked["counted"] and [v["value"] for v in asked["values"]] == [
        value for value, _ in sections
    ]


def test_more_is_checked_like_every_parameter(client: FlaskClient) -> None:
    resp = client.get("/search?more=nope")
    assert resp.status_code == 400
    text = resp.get_data(as_text=True)
    assert "more" in text and "not a facet" in text
    api = client.get("/api/search?more=category&more=category&per_page=0").get_json()
    assert api["request"]["more"] == ["category"]
    assert client.get("/api/search?more=").status_code == 400


def test_selected_values_show_beyond_the_listed_ones(client: FlaskClient) -> None:
    everything = client.get("/api/search?per_page=0&facet_size=100").get_json()
    blocks = {b["name"]: b for b in everything["facets"]}
    rare = blocks["category"]["values"][-1]["value"]  # the least frequent category
    html = client.get(f"/search?facet_size=1&category={rare}").get_data(as_text=True)
    listed = checkboxes(html, "category")
    assert (rare, True) in listed and len(listed) == 2  # the top one, and the selected one


# --- results per page and the form's hidden state ------------------------------------------


def test_results_per_page_choice(client: FlaskClient) -> None:
    html = client.get("/search").get_data(as_text=True)
    menu = re.search(
        r'<select id="per_page" name="per_page" form="search"[^>]*>(.*?)</select>', html, re.S
    )
    assert menu is not None
    options = re.findall(r'<option value="(\d+)"( selected)?>', menu.group(1))
    assert [(v, bool(s)) for v, s in options] == [
        ("10", False), ("20", True), ("50", False), ("100", False)
    ]  # fmt: skip
    assert '<label for="per_page">' in html
    ten = client.get("/search?per_page=10").get_data(as_text=True)
    assert ten.count('<li class="hit">') == 10
    assert 'value="10" selected' in ten
    assert "Showing 1–10" in ten
    odd = client.get("/search?per_page=7").get_data(as_text=True)  # the API's any size
    assert 'value="7" selected' in odd and odd.count('<li class="hit">') == 7


def test_the_search_form_carries_what_its_controls_do_not(client: FlaskClient) -> None:
    html = client.get(
        "/search?q=knee&decisions=about&facet_size=5&per_page=50&sort=date&more=category"
    ).get_data(as_text=True)
    # sort, breakdown and per_page have their own menus on a page with results
    assert hidden_inputs(html) == [
        ("decisions", "about"),
        ("facet_size", "5"),
        ("more", "category"),
    ]
    empty = client.get("/search?q=zzzzqqq&per_page=50&sort=date").get_data(as_text=True)
    assert hidden_inputs(empty) == [("sort", "date"), ("per_page", "50")]
    assert 'autocomplete="off"' in html.split('<form id="search"', 1)[1].split(">", 1)[0]


def test_filters_are_a_disclosure_that_counts_the_selection(client: FlaskClient) -> None:
    html = client.get("/search?outcome=Upheld&category=surgery").get_data(as_text=True)
    summary = re.search(r'<summary class="filters-summary">(.*?)</summary>', html, re.S)
    assert summary is not None
    assert re.sub(r"<[^>]+>", "", summary.group(1)) == "Filters (2 selected)"
    assert '<details class="filters" id="filters">' in html  # closed: app.js opens it when wide
    assert html.index('id="filters"') < html.index('id="results-heading"')


# --- the original letter file ----------------------------------------------------------------


@pytest.fixture(scope="module")
def letters_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """Two letters indexed from files (a text and a PDF) and the app over them."""
    folder = tmp_path_factory.mktemp("letters")
    corpus = folder / "letters"
    (corpus / "2015").mkdir(parents=True)
    shutil.copy(FIXTURES / "professional_review.txt", corpus / "2015" / "review.txt")
    shutil.copy(FIXTURES / "pdf" / "notice_2013.pdf", corpus / "notice.pdf")
    shutil.copy(FIXTURES / "standard_credentials_lines.txt", corpus / "moved.txt")
    index = folder / "index.sqlite3"
    summary = run_index([corpus], str(index), workers=1)
    assert summary.items_indexed and summary.exit_status == 0, summary.lines()
    app = create_app({"IMR_SEARCH_INDEX": str(index)})
    yield app, corpus
    app.extensions["imr_search_engine"].close_all()


def _item_of(app: Any, name: str) -> str:
    engine = open_engine(app.config["IMR_SEARCH_INDEX"])
    try:
        response = engine.search(SearchRequest(per_page=100))
        return next(h.id for h in response.hits if h.doc.letter.source == name)
    finally:
        engine.close()


def test_an_indexed_letter_file_is_served_inline(letters_app: tuple[Any, Path]) -> None:
    app, corpus = letters_app
    client = app.test_client()
    item = _item_of(app, "2015/review.txt")
    page = client.get(f"/item/{item}").get_data(as_text=True)
    assert f'<a href="/item/{item}/letter">Open the original letter</a>' in page
    assert "(2015/review.txt, text)" in page
    assert str(corpus) not in page  # never the indexing machine's path
    resp = client.get(f"/item/{item}/letter")
    assert resp.status_code == 200
    assert resp.content_type == "text/plain; charset=utf-8"
    assert resp.headers["Content-Disposition"] == "inline; filename=review.txt"
    assert resp.data == (corpus / "2015" / "review.txt").read_bytes()
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]

    pdf = _item_of(app, "notice.pdf")
    assert "(notice.pdf, PDF)" in client.get(f"/item/{pdf}").get_data(as_text=True)
    resp = client.get(f"/item/{pdf}/letter")
    assert resp.status_code == 200 and resp.content_type == "application/pdf"
    assert resp.headers["Content-Disposition"] == "inline; filename=notice.pdf"
    assert (
        resp.data.startswith(b"%PDF")
        and "object-src 'self'" in resp.headers["Content-Security-Policy"]
    )


@pytest.mark.parametrize(
    "address",
    [
        "/item/..%2F..%2F..%2Fetc%2Fpasswd/letter",
        "/item/%2Fetc%2Fpasswd/letter",
        "/item/../../etc/passwd/letter",
        "/item/CM00-0000000-1/letter",  # no such item: nothing indexed
        "/item/" + "x" * 300 + "/letter",
        "/letters/etc/passwd",
    ],
)
def test_nothing_but_an_indexed_file_is_served(letters_app: tuple[Any, Path], address: str) -> None:
    resp = letters_app[0].test_client().get(address)
    assert resp.status_code == 404
    assert "root:" not in resp.get_data(as_text=True)


def test_a_letter_file_gone_since_indexing_is_a_404_with_a_message(
    letters_app: tuple[Any, Path],
) -> None:
    app, corpus = letters_app
    client = app.test_client()
    item = _item_of(app, "moved.txt")
    assert client.get(f"/item/{item}/letter").status_code == 200
    (corpus / "moved.txt").rename(corpus / "elsewhere.txt")
    resp = client.get(f"/item/{item}/letter")
    assert resp.status_code == 404
    text = resp.get_data(as_text=True)
    assert "not available on this server" in text and str(corpus) not in text
    assert "Open the original letter" not in client.get(f"/item/{item}").get_data(as_text=True)


def test_an_index_without_letter_files_links_none(client: FlaskClient) -> None:
    """The UI fixture index names its letters without a folder (no file to serve)."""
    page = client.get("/item/CM14-0000101-1").get_data(as_text=True)
    assert "Open the original letter" not in page
    resp = client.get("/item/CM14-0000101-1/letter")
    assert resp.status_code == 404 and "not available" in resp.get_data(as_text=True)


def test_item_page_prints_without_the_site_controls(client: FlaskClient) -> None:
    css = client.get("/static/style.css").get_data(as_text=True)
    rules = css.split("@media print {", 1)[1]
    for hidden in (".site-header", ".searchbar", ".site-footer", ".similar-options"):
        assert hidden in rules.split("display: none", 1)[0]
    page = client.get("/item/CM14-0000101-1").get_data(as_text=True)
    assert 'class="print-only' in page

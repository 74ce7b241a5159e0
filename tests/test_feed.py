"""The Atom feed of a search, read back with a real feed parser (feedparser) and as XML.

Every search has a feed of its newest decisions: same parameters as /search, newest first,
bounded, entries linking their item pages by absolute addresses, ids stable across hosts and
requests, the feed's title describing the search; bad parameters are a 400 as on the page.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_ui_corpus import XSS_TREATMENT, all_letters, build_index, close_app, make_app

from imr_search.engines import open_engine
from search_ui import feed as feed_module

ATOM = "{http://www.w3.org/2005/Atom}"
TOTAL = sum(len(letter.items) for letter in all_letters())


def parsed(client: FlaskClient, url: str, **kw: Any) -> Any:
    resp = client.get(url, **kw)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/atom+xml"
    document = feedparser.parse(resp.data)
    assert not document.bozo, document.bozo_exception  # well-formed, and read as Atom
    assert document.version == "atom10"
    return document


def test_a_search_feed_lists_its_newest_decisions(client: FlaskClient) -> None:
    doc = parsed(client, "/feed.atom?q=injection&outcome=Overturned")
    expected = client.get("/api/search?q=injection&outcome=Overturned&sort=date&per_page=50").json
    assert [e.link for e in doc.entries] == [
        "http://localhost" + i["html_url"].split("?")[0] for i in expected["items"]
    ]
    dates = [e.updated_parsed for e in doc.entries]
    assert dates == sorted(dates, reverse=True) and len(dates) == expected["total"] > 1
    first, item = doc.entries[0], expected["items"][0]
    assert first.title == f"{item['treatment']}: Overturned"
    assert first.updated.startswith(item["decision_date"])
    assert "Outcome: Overturned" in first.summary and "Request: " in first.summary
    assert "relied on: " in first.summary
    assert {t.term for t in first.tags} >= {"Overturned"}
    # The feed describes the search, links itself and the search page (absolute addresses).
    assert doc.feed.title == "IMR decisions: “injection”; Outcome: Overturned"
    links = {link.rel: link.href for link in doc.feed.links}
    assert links["self"] == "http://localhost/feed.atom?q=injection&outcome=Overturned"
    assert links["alternate"] == "http://localhost/search?q=injection&outcome=Overturned"
    assert doc.feed.id.startswith("urn:uuid:") and doc.feed.updated == first.updated


def test_entry_links_open_the_item_pages(client: FlaskClient) -> None:
    doc = parsed(client, "/feed.atom?outcome=Upheld&limit=3")
    assert len(doc.entries) == 3
    for entry in doc.entries:
        parts = urlsplit(entry.link)
        assert parts.scheme == "http" and parts.netloc == "localhost"
        page = client.get(parts.path)
        assert page.status_code == 200
        assert entry.title.rsplit(":", 1)[0] in page.get_data(as_text=True).replace("&#39;", "'")


def test_ids_are_stable_across_requests_hosts_and_searches(client: FlaskClient) -> None:
    one = parsed(client, "/feed.atom?q=knee")
    again = parsed(client, "/feed.atom?q=knee", base_url="https://imr.example.org")
    assert [e.id for e in one.entries] == [e.id for e in again.entries]
    assert one.feed.id == again.feed.id
    assert again.entries[0].link.startswith("https://imr.example.org/item/")
    ids = [e.id for e in one.entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    # The same decision has the same id in every feed it appears in; feeds differ by search.
    other = parsed(client, "/feed.atom?q=knee&outcome=Overturned")
    shared = {e.link: e.id for e in one.entries}
    assert all(shared[e.link] == e.id for e in other.entries)
    assert other.feed.id != one.feed.id
    # A search URL's paging and presentation do not make another feed.
    paged = parsed(client, "/feed.atom?q=knee&page=2&per_page=5&sort=relevance&breakdown=year")
    assert paged.feed.id == one.feed.id and len(paged.entries) == len(one.entries)


def test_feed_is_bounded_and_limit_is_checked(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(parsed(client, "/feed.atom").entries) == TOTAL < feed_module.FEED_MAX_ENTRIES
    monkeypatch.setattr(feed_module, "FEED_MAX_ENTRIES", 7)
    everything = parsed(client, "/feed.atom")
    assert len(everything.entries) == 7
    assert everything.feed.title == "IMR decisions: all decisions"
    assert str(TOTAL) in everything.feed.subtitle
    assert len(parsed(client, "/feed.atom?limit=2").entries) == 2
    for url, parameter in [
        ("/feed.atom?limit=8", "limit"),
        ("/feed.atom?limit=0", "limit"),
        ("/feed.atom?colour=red", "colour"),
        ("/feed.atom?sort=sideways", "sort"),
        ('/feed.atom?q="unclosed', "q"),
    ]:
        resp = client.get(url)
        assert resp.status_code == 400, url
        assert parameter in resp.get_data(as_text=True) or parameter == "q", url
    assert "Unclosed quote" in client.get('/feed.atom?q="unclosed').get_data(as_text=True)


def test_empty_feed_is_still_valid_atom(client: FlaskClient) -> None:
    doc = parsed(client, "/feed.atom?q=zzzzunknownword")
    assert doc.entries == [] and doc.feed.updated
    root = ET.fromstring(client.get("/feed.atom?q=zzzzunknownword").data)
    for required in ("id", "title", "updated", "author"):  # RFC 4287 4.1.1
        assert root.find(ATOM + required) is not None, required


def test_stored_text_is_escaped_and_control_characters_dropped(app: Flask) -> None:
    client = app.test_client()
    raw = client.get("/feed.atom?q=lidoderm").data
    root = ET.fromstring(raw)  # well-formed XML
    entry = root.find(ATOM + "entry")
    assert entry is not None
    assert entry.findtext(ATOM + "title") == f"{XSS_TREATMENT}: Upheld"  # text, as stored
    summary = entry.find(ATOM + "summary")
    assert summary is not None and summary.get("type") == "html"
    assert "<script>" not in (summary.text or "")  # the HTML the reader renders is escaped
    assert "&lt;script&gt;" in (summary.text or "")
    # A PDF's form feed or NUL in stored text never makes the XML invalid.
    engine = open_engine(app.config["IMR_SEARCH_INDEX"])
    try:
        doc = engine.get_item("CM14-0000101-1")
    finally:
        engine.close()
    noisy = dataclasses.replace(doc, treatment="Removal\x0c of hardware\x00")
    assert "\x0c" not in feed_module.summary(noisy)
    assert feed_module.xml_text("a\x0cb\x00c\td") == "abc\td"


def test_unchanged_feed_is_not_modified(client: FlaskClient) -> None:
    first = client.get("/feed.atom?q=knee")
    etag = first.headers["ETag"]
    again = client.get("/feed.atom?q=knee", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    assert client.head("/feed.atom?q=knee").status_code == 200


def test_search_page_and_api_point_to_the_feed(client: FlaskClient) -> None:
    resp = client.get("/search?q=injection&outcome=Upheld&page=2&per_page=2&sort=date")
    html = resp.get_data(as_text=True).replace("&amp;", "&")
    assert 'class="hit"' in html  # the link under the results
    feed = "/feed.atom?q=injection&outcome=Upheld"
    assert (
        f'<link rel="alternate" type="application/atom+xml" '
        f'title="IMR decisions: “injection”; Outcome: Upheld" href="{feed}">'
    ) in html
    assert f'href="{feed}" type="application/atom+xml">Follow this search (Atom)</a>' in html
    assert f'<{feed}>; rel="alternate"; type="application/atom+xml"' in resp.headers["Link"]
    assert client.get("/api/search?q=injection&outcome=Upheld").json["links"]["feed"] == feed
    assert client.get("/api").json["endpoints"]["feed"] == "/feed.atom"
    # A search without results yet can be followed too: that is what alerts are for.
    empty = client.get("/search?q=zzzzunknownword").get_data(as_text=True)
    assert 'href="/feed.atom?q=zzzzunknownword" type="application/atom+xml">Follow' in empty
    # A search that could not run has no feed to follow.
    bad = client.get('/search?q="open').get_data(as_text=True)
    assert "application/atom+xml" not in bad


def test_feed_is_the_same_on_every_engine(engine_target: str) -> None:
    build_index(engine_target, all_letters())  # type: ignore[arg-type]
    app = make_app({"IMR_SEARCH_INDEX": engine_target})
    try:
        client = app.test_client()
        doc = parsed(client, "/feed.atom?q=epidural&outcome=Overturned&limit=5")
        expected = client.get(
            "/api/search?q=epidural&outcome=Overturned&sort=date&per_page=5"
        ).json["items"]
        assert [e.link for e in doc.entries] == [
            "http://localhost" + i["html_url"].split("?")[0] for i in expected
        ]
        assert len(doc.entries) == min(5, len(expected)) > 0
    finally:
        close_app(app)

"""Following, reading and sharing in a real Chromium: the feed link of a search, the API
reference (checked with axe-core), and the API read from a page of another origin (CORS).

Reuses test_browser's Chromium fixtures; the servers here are real werkzeug servers on
loopback ports: the app over the fixture index (CORS open to every origin), and a bare page
on another port, whose origin is "another site" to the browser.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from test_browser import browser, page, shoot  # noqa: F401 - fixtures used by name
from test_ui_corpus import close_app, make_app

pytestmark = pytest.mark.browser


def _serve(app: Any) -> tuple[Any, threading.Thread, str]:
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    return srv, thread, f"http://127.0.0.1:{srv.server_port}"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = make_app({"CORS_ORIGINS": "*", "TESTING": False})
    srv, thread, url = _serve(app)
    try:
        yield url
    finally:
        srv.shutdown()
        thread.join(10)
        close_app(app)


@pytest.fixture(scope="module")
def other_site() -> Iterator[str]:
    """A page of another origin, without this app's CSP: what a third-party tool would be."""

    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [b"<!doctype html><html lang='en'><title>Another site</title><p>probe</p></html>"]

    srv, thread, url = _serve(app)
    try:
        yield url
    finally:
        srv.shutdown()
        thread.join(10)


def test_a_search_can_be_followed_by_its_feed(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto(server + "/search?q=injection&outcome=Overturned")
    alternate = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert alternate.count() == 1
    assert alternate.get_attribute("title") == "IMR decisions: “injection”; Outcome: Overturned"
    visible = page.get_by_role("link", name="Follow this search (Atom)")
    assert visible.is_visible()
    href = visible.get_attribute("href")
    assert href == alternate.get_attribute("href")
    shoot(page, tmp_path, "share-01-feed-link")
    resp = page.request.get(server + href)  # the link resolves, with the browser's own client
    assert resp.status == 200 and resp.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(resp.body())
    assert not feed.bozo and feed.entries
    assert all(e.link.startswith(server + "/item/") for e in feed.entries)
    page.goto(feed.entries[0].link)  # an entry opens its decision
    assert page.locator("h1.item-title").is_visible()
    assert not page.problems, page.problems


def test_api_reference_is_the_api_link_and_passes_axe(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    page.goto(server + "/")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Site").get_by_role("link", name="API").click()
    assert page.url == server + "/help/api"
    assert page.get_by_role("heading", name="API reference", level=1).is_visible()
    assert page.locator("section.api-op").count() >= 20
    shoot(page, tmp_path, "share-02-api-reference")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    # The contents lead to an operation; its example opens a working JSON answer.
    page.get_by_role("link", name="GET /api/search", exact=True).first.click()
    example = page.locator("#get--api-search").locator("xpath=..").locator(".api-example a")
    href = example.get_attribute("href")
    resp = page.request.get(server + href)
    assert resp.status == 200 and resp.json()["total"] >= 0
    assert not page.problems, page.problems  # no CSP report: nothing inline, nothing remote


def test_another_site_reads_the_api_but_not_the_pages(server: str, other_site: str, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto(other_site + "/")
    result = page.evaluate(
        """async (server) => {
            const out = {};
            const search = await fetch(server + "/api/search?q=knee&per_page=2");
            out.total = (await search.json()).total;
            const csv = await fetch(server + "/export.csv?q=knee&columns=id,url");
            out.count = csv.headers.get("X-Total-Count");
            out.name = csv.headers.get("Content-Disposition");
            out.csv = (await csv.text()).split("\\n")[0];
            const similar = await fetch(server + "/api/similar", {
                method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({text: "lumbar epidural steroid injection", k: 2}),
            });
            out.similar = (await similar.json()).similar.length;
            try {
                await fetch(server + "/search?q=knee");
                out.page = "read";
            } catch (e) {
                out.page = "blocked";
            }
            return out;
        }""",
        server,
    )
    assert result["total"] > 0
    assert int(result["count"]) == result["total"]
    assert result["name"].startswith('attachment; filename="imr-knee-')
    assert result["csv"].strip() == "id,url"
    assert result["similar"] == 2
    assert result["page"] == "blocked"  # HTML pages are never shared

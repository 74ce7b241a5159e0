"""Read-only CORS for the JSON API, the exports and the feeds; never for the HTML pages.

Off by default; IMR_SEARCH_CORS_ORIGINS (or CORS_ORIGINS) turns it on for `*` or a list of
origins. Checked with the Origin headers browsers send, on a real SQLite index.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_ui_corpus import close_app, make_app

from search_ui import cors

OTHER = "https://tool.example.org"
SHARED = [
    "/api",
    "/api/search?q=knee",
    "/api/items/CM14-0000101-1",
    "/api/guidelines",
    "/api/reasons?q=knee",
    "/api/openapi.json",
    "/export.csv?q=knee",
    "/export.json?q=knee&limit=2",
    "/export/breakdown.csv?q=knee",
    "/export/guidelines.csv",
    "/feed.atom?q=knee",
]
PAGES = ["/", "/search?q=knee", "/item/CM14-0000101-1", "/help", "/help/api", "/guidelines"]


@pytest.fixture
def open_app() -> Iterator[Flask]:
    app = make_app({"CORS_ORIGINS": "*"})
    yield app
    close_app(app)


@pytest.fixture
def listed_app() -> Iterator[Flask]:
    app = make_app({"CORS_ORIGINS": f"{OTHER}, http://localhost:8080"})
    yield app
    close_app(app)


def get(client: FlaskClient, url: str, origin: str = OTHER, **kw: Any) -> Any:
    resp = client.get(url, headers={"Origin": origin}, **kw)
    resp.get_data()  # a streamed export gives its slot back once read
    resp.close()
    return resp


def preflight(client: FlaskClient, url: str, method: str, origin: str = OTHER) -> Any:
    return client.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_off_by_default(client: FlaskClient) -> None:
    for url in ("/api/search?q=knee", "/export.csv", "/feed.atom"):
        resp = get(client, url)
        assert resp.status_code == 200
        assert "Access-Control-Allow-Origin" not in resp.headers
    assert "Access-Control-Allow-Methods" not in preflight(client, "/api/search", "GET").headers


def test_any_origin_reads_the_api_exports_and_feeds(open_app: Flask) -> None:
    client = open_app.test_client()
    for url in SHARED:
        resp = get(client, url)
        assert resp.status_code == 200, url
        assert resp.headers["Access-Control-Allow-Origin"] == "*", url
        assert "Access-Control-Allow-Credentials" not in resp.headers
        exposed = resp.headers["Access-Control-Expose-Headers"]
        assert "X-Total-Count" in exposed and "Content-Disposition" in exposed
    assert get(client, "/export.csv").headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    # One answer for every asker (a shared cache may keep it): "*" without an Origin too.
    plain = client.get("/api/search?q=knee")
    assert plain.headers["Access-Control-Allow-Origin"] == "*" and "Vary" not in plain.headers
    assert client.head("/api/search", headers={"Origin": OTHER}).headers[
        "Access-Control-Allow-Origin"
    ] == "*"  # fmt: skip


def test_never_on_html_pages(open_app: Flask) -> None:
    client = open_app.test_client()
    for url in PAGES:
        resp = get(client, url)
        assert resp.status_code == 200, url
        assert not any(h.startswith("Access-Control-") for h, _ in resp.headers), url
        assert resp.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "Access-Control-Allow-Origin" not in preflight(client, "/search", "GET").headers


def test_errors_are_readable_too(open_app: Flask) -> None:
    client = open_app.test_client()
    for url, status in [
        ('/api/search?q="open', 400),
        ("/api/items/NOPE-1", 404),
        ("/export.csv?columns=colour", 400),
        ("/api/nope", 404),
    ]:
        resp = get(client, url)
        assert resp.status_code == status and resp.is_json, url
        assert resp.headers["Access-Control-Allow-Origin"] == "*", url


def test_preflight_allows_reads_and_the_read_only_posts(open_app: Flask) -> None:
    client = open_app.test_client()
    resp = preflight(client, "/api/similar", "POST")
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST"
    assert "Content-Type" in resp.headers["Access-Control-Allow-Headers"]
    assert int(resp.headers["Access-Control-Max-Age"]) > 0
    assert (
        "POST" in preflight(client, "/api/estimate", "POST").headers["Access-Control-Allow-Methods"]
    )
    search = preflight(client, "/api/search", "GET")
    assert search.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    for url, method in [
        ("/api/search", "POST"),
        ("/export.csv", "DELETE"),
        ("/api/similar", "PUT"),
    ]:
        assert "Access-Control-Allow-Methods" not in preflight(client, url, method).headers
    # The POST itself answers the other origin (the text is read, never stored).
    resp = client.post(
        "/api/similar",
        json={"text": "lumbar epidural steroid injection", "k": 2},
        headers={"Origin": OTHER},
    )
    assert resp.status_code == 200 and resp.headers["Access-Control-Allow-Origin"] == "*"


def test_a_list_of_origins_answers_only_those(listed_app: Flask) -> None:
    client = listed_app.test_client()
    resp = get(client, "/api/search?q=knee")
    assert resp.headers["Access-Control-Allow-Origin"] == OTHER
    assert "Origin" in resp.headers["Vary"]
    assert get(client, "/feed.atom", "http://LOCALHOST:8080").headers[
        "Access-Control-Allow-Origin"
    ] == "http://LOCALHOST:8080"  # fmt: skip
    for stranger in ("https://evil.example", "https://tool.example.org.evil.example", "null"):
        resp = get(client, "/api/search?q=knee", stranger)
        assert resp.status_code == 200
        assert "Access-Control-Allow-Origin" not in resp.headers, stranger
        assert "Origin" in resp.headers["Vary"]  # a cache keeps the answers apart
    assert (
        "Access-Control-Allow-Methods"
        not in preflight(client, "/api/search", "GET", "https://evil.example").headers
    )


def test_the_setting_is_read_from_the_environment_and_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(cors.CORS_ENV, "https://a.example https://b.example:8443")
    app = make_app()
    try:
        resp = get(app.test_client(), "/api/health", "https://b.example:8443")
        assert resp.headers["Access-Control-Allow-Origin"] == "https://b.example:8443"
    finally:
        close_app(app)
    assert cors.parse_origins(None) is None and cors.parse_origins(" ") is None
    assert cors.parse_origins("*") == {"*"}
    assert cors.parse_origins(["https://A.example/"]) == {"https://a.example"}
    for bad in ("https://a.example/path", "a.example", "ftp://a.example", "* https://a.example"):
        with pytest.raises(ValueError, match=cors.CORS_ENV):
            cors.parse_origins(bad)
    monkeypatch.setenv(cors.CORS_ENV, "example.org")
    with pytest.raises(ValueError, match="not an origin"):
        make_app()

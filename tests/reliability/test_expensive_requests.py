"""Expensive requests are bounded per process, both engines (issue 12): eight concurrent large
exports took every thread and delayed an ordinary search by 8 s.

Exports and similar-to-text requests each have a few slots per process (search_ui.limits);
one that finds none free within BUSY_WAIT_S gets a 429 with Retry-After and a message (JSON
for /api and /export, a page otherwise) while searches go on; a slot comes back when its
export ends or is closed. Exports stop producing rows after EXPORT_TIMEOUT_S. Per-client rate
limits are off by default and on with IMR_SEARCH_RATE_LIMIT.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from search_ui import create_app, limits

from .helpers import generated_index

LETTERS = 40


@pytest.fixture(scope="module", params=["sqlite", "elasticsearch"])
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A small generated index per engine."""
    with generated_index(request, tmp_path_factory, "busy", LETTERS, 21) as target:
        yield target


@pytest.fixture
def app(target: str) -> Iterator[Flask]:
    application = create_app({"IMR_SEARCH_INDEX": target, "BUSY_WAIT_S": 0.0})
    yield application
    application.extensions["imr_search_engine"].close_all()


def assert_busy(resp: Any, html: bool = False) -> None:
    assert resp.status_code == 429, (resp.status_code, resp.get_data(as_text=True)[:300])
    assert int(resp.headers["Retry-After"]) > 0
    if html:
        assert resp.mimetype == "text/html" and "busy" in resp.get_data(as_text=True)
    else:
        assert "busy" in resp.json["error"]["message"]


def test_exports_beyond_their_slots_get_429_while_searches_go_on(app: Flask) -> None:
    client = app.test_client()
    assert app.config["EXPORT_CONCURRENCY"] == 1
    running = client.get("/export.csv", buffered=False)  # streaming, not read yet
    assert running.status_code == 200
    assert_busy(client.get("/export.json?q=knee"))
    assert_busy(client.get("/export.csv"))
    assert client.get("/api/search?q=knee").status_code == 200
    assert client.get("/search?q=knee").status_code == 200
    assert client.get("/export/breakdown.csv").status_code == 200  # one search: not gated
    rows = running.get_data(as_text=True).splitlines()
    running.close()  # the server closes a finished response: the slot comes back
    assert len(rows) > 1
    body = json.loads(client.get("/export.json").get_data(as_text=True))
    assert body["items"] and "stopped" not in body
    assert client.get("/export.csv").status_code == 200  # read to its end: free again


def test_an_export_closed_before_it_is_read_gives_its_slot_back(app: Flask) -> None:
    client = app.test_client()
    for _ in range(3):
        client.get("/export.json", buffered=False).close()  # the client went away
    assert client.get("/export.json").status_code == 200


def test_similar_text_beyond_its_slots_gets_429(app: Flask) -> None:
    client = app.test_client()
    gate = app.extensions[limits.EXTENSION]["similar_text"]
    for _ in range(gate.slots):  # as many similar-text requests running as allowed
        gate.acquire()
    try:
        assert_busy(client.post("/api/similar", json={"text": "lumbar fusion denied"}))
        assert_busy(client.get("/similar?text=lumbar+fusion+denied"), html=True)
        assert client.get("/api/search?q=lumbar").status_code == 200
    finally:
        for _ in range(gate.slots):
            gate.release()
    assert client.get("/api/similar?text=lumbar+fusion+denied").status_code == 200


def test_an_export_stops_at_its_time_limit(target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from search_ui import export

    monkeypatch.setattr(export, "EXPORT_PAGE", 5)
    app = create_app({"IMR_SEARCH_INDEX": target, "EXPORT_TIMEOUT_S": 0})
    try:
        body = json.loads(app.test_client().get("/export.json").get_data(as_text=True))
    finally:
        app.extensions["imr_search_engine"].close_all()
    assert len(body["items"]) == 5 < body["total"]
    assert "stopped after" in body["stopped"]


def test_rate_limits_are_off_by_default_and_on_by_environment(
    target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app({"IMR_SEARCH_INDEX": target})
    client = app.test_client()
    assert all(client.get("/api/search?q=knee").status_code == 200 for _ in range(12))
    app.extensions["imr_search_engine"].close_all()

    monkeypatch.setenv(limits.RATE_LIMIT_ENV, "3/minute")
    app = create_app({"IMR_SEARCH_INDEX": target})
    client = app.test_client()
    try:
        assert [client.get("/api/search?q=knee").status_code for _ in range(3)] == [200] * 3
        resp = client.get("/api/search?q=knee")
        assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
        assert "Too many requests" in resp.json["error"]["message"]
        page = client.get("/search?q=knee")
        assert page.status_code == 429 and "Too many requests" in page.get_data(as_text=True)
        assert client.get("/api/health").status_code == 200  # health checks are not limited
        assert client.get("/static/style.css").status_code == 200
    finally:
        app.extensions["imr_search_engine"].close_all()

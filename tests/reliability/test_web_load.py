"""The web app served for real (werkzeug's threaded server on loopback) under concurrent clients
for a bounded time, on both engines: zero errors, zero 5xx, and every answer the same as when
the URL was fetched alone (a cache or connection shared across threads would show here as a
wrong total or wrong items, not only as an error; an export or similar-to-text request may be
turned away with a 429 while others run). benchmarks/load_web.py measures latency;
this only asserts correctness under concurrency.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from imr_search.contract import SearchRequest
from imr_search.engines import open_engine
from search_ui import create_app

from .helpers import generated_index, http_get, serve

LETTERS = 150
SEED = 8
CLIENTS = 12
SECONDS = 10.0
QUERIES = [
    "knee",
    '"physical therapy"',
    "PT",
    "treatment:injection",
    "knee -arthroscopy",
    "ther*",
    "(knee OR shoulder) pain",
    "citation:ODG",
    "",
    "lumbar",
]


@pytest.fixture(scope="module", params=["sqlite", "elasticsearch"])
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A small generated index per engine."""
    with generated_index(request, tmp_path_factory, "load", LETTERS, SEED) as target:
        yield target


def url_mix(target: str) -> list[str]:
    """Searches, facets, filters, pages, items, similar cases, exports, a 400, static files."""
    engine = open_engine(target)
    try:
        ids = [h.id for h in engine.search(SearchRequest(per_page=5, sort="date")).hits]
    finally:
        engine.close()
    urls = [
        "/help",
        "/static/style.css",
        "/api/openapi.json",
        "/api/health",
        "/search?q=%28knee",
        "/api/search?q=%28knee",  # bad syntax: a 400, every time
        "/similar?text=lumbar+fusion+denied",
        "/api/similar?text=knee+injection&k=5",
    ]
    for q in QUERIES:
        encoded = quote(q)
        urls += [
            f"/search?q={encoded}",
            f"/api/search?q={encoded}",
            f"/api/search?q={encoded}&outcome=Upheld&sort=date",
            f"/api/facets?q={encoded}&outcome=Overturned&reviewer_source=ODG",
            f"/search?q={encoded}&page=2&per_page=10",
        ]
    for item in ids:
        urls += [f"/item/{item}?q=knee", f"/api/items/{item}", f"/api/items/{item}/similar?k=5"]
    urls += ["/export.csv?q=knee", "/export.json?q=pain&outcome=Upheld"]
    return urls


GATED = ("/export.", "/api/similar?text=", "/similar?text=")  # a few at once per process


def busy(url: str, status: int, headers: dict[str, str], body: bytes) -> bool:
    """An export or similar-to-text request turned away while others run: 429, Retry-After and
    a message (issue 12) instead of queueing behind them."""
    if status != 429 or not url.startswith(GATED):
        return False
    assert int(headers["Retry-After"]) > 0, headers
    assert b"busy" in body, body[:300]
    return True


TIMINGS = ("took_ms", "exported_at")  # how long a search took; when an export was made


def fingerprint(url: str, status: int, body: bytes) -> Any:
    """What must not change between two fetches of one URL (timings left out)."""
    if "/api/" in url or url.startswith("/export"):
        if url.startswith("/export.csv"):
            return status, body
        return status, _without_timings(json.loads(body))
    return status, len(body) > 0


def _without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_concurrent_clients_see_no_errors_and_consistent_answers(target: str) -> None:
    urls = url_mix(target)
    app = create_app({"IMR_SEARCH_INDEX": target})
    holder = app.extensions["imr_search_engine"]
    try:
        with serve(app) as base:
            expected: dict[str, Any] = {}
            for url in urls:  # alone first: the reference answers
                status, _, body = http_get(base + url)
                assert status < 500, (url, status, body[:300])
                expected[url] = fingerprint(url, status, body)
            assert Counter(s for s, _ in expected.values())[200] >= len(urls) - 2

            errors: list[str] = []
            done = Counter[str]()
            turned_away = Counter[str]()
            lock = threading.Lock()
            deadline = time.monotonic() + SECONDS

            def client(number: int) -> None:
                rng = random.Random(SEED * 100 + number)
                while time.monotonic() < deadline:
                    url = rng.choice(urls)
                    try:
                        status, headers, body = http_get(base + url, timeout=60)
                        got = fingerprint(url, status, body)
                        if busy(url, status, headers, body):
                            got = expected[url]  # a right answer too (search_ui.limits)
                            with lock:
                                turned_away[url] += 1
                    except Exception as exc:  # any failure to get an answer is an error
                        got, status = f"{type(exc).__name__}: {exc}", 0
                    with lock:
                        done[url] += 1
                        if got != expected[url]:
                            errors.append(f"{url}: HTTP {status}, answer differs from alone")

            threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=SECONDS + 120)
            assert not any(thread.is_alive() for thread in threads), "a client hung"
    finally:
        open_engines = holder.open_engines()
        holder.close_all()
    total = sum(done.values())
    assert not errors, f"{len(errors)} of {total} requests went wrong:\n" + "\n".join(errors[:20])
    assert total >= 100, f"only {total} requests in {SECONDS:.0f} s"
    assert len(done) >= len(urls) * 0.8, "the clients did not cover the URL mix"
    # Engines are per thread (SQLite) or shared (Elasticsearch): never one per request kept open.
    assert open_engines <= CLIENTS + 2, open_engines


def test_fingerprints_leave_out_timings_only() -> None:
    """A fingerprint keeps the parts of an answer that depend on the index, and only those."""
    body = json.dumps({"total": 3, "took_ms": 1.5, "items": [{"id": "a", "took_ms": 2}]})
    assert fingerprint("/api/search?q=x", 200, body.encode()) == (
        200,
        {"total": 3, "items": [{"id": "a"}]},
    )
    export = json.dumps({"search": {"q": "x", "exported_at": "2026-12-06T17:03:12Z"}})
    assert fingerprint("/export.json?q=x", 200, export.encode()) == (200, {"search": {"q": "x"}})

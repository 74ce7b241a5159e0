"""Slow and idle clients against `imr-search serve` for real, both engines (issue 12).

Under gunicorn's threaded workers a worker thread that starts reading a request blocks until
the client sends it: eight connections that sent half a request line froze the server. Now
connections wait on an event loop (search_ui.asgi, search_ui.worker): 100 stalled connections,
half of them silent and half stopped inside their request line, must not delay a normal
request, and the server closes them once the header (or body) deadline passes.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import time
from collections.abc import Iterator

import pytest

from search_ui.asgi import BODY_TIMEOUT_S
from search_ui.worker import HEADER_TIMEOUT_S

from .helpers import generated_index, http_get, serve_cli

STALLED = 100
LETTERS = 60


@pytest.fixture(scope="module", params=["sqlite", "elasticsearch"])
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A small generated index per engine."""
    with generated_index(request, tmp_path_factory, "slow", LETTERS, 12) as target:
        yield target


STALLS = (
    b"",  # connects, sends nothing
    b"GET /api/search?q=kn",  # stops inside the request line
    b"GET /search HTTP/1.1\r\nHost: x\r\nUser-Ag",  # ... inside the headers
    b"POST /api/similar HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b'Content-Length: 200\r\n\r\n{"text": "kn',  # ... inside the body
)


def stall(port: int, n: int) -> list[socket.socket]:
    """`n` connections, each stopped at one of STALLS in turn."""
    socks = []
    for i in range(n):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(STALLS[i % len(STALLS)])
        socks.append(sock)
    return socks


def closed_by_server(sock: socket.socket, wait: float) -> bool:
    """Whether the server closes the connection within `wait` seconds (after an answer such
    as a 408, or without one)."""
    deadline = time.monotonic() + wait
    while True:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            if sock.recv(4096) == b"":
                return True
        except TimeoutError:
            return False
        except OSError:  # reset: closed too
            return True


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_stalled_connections_do_not_block_normal_requests(target: str) -> None:
    with serve_cli(target) as base:
        port = int(base.rpartition(":")[2])
        urls = ["/api/health", "/search?q=knee", "/api/search?q=knee&outcome=Upheld", "/help"]
        for url in urls:  # warm: the first answers build caches
            assert http_get(base + url)[0] == 200
        socks = stall(port, STALLED)
        try:
            time.sleep(0.5)  # the server has taken them all in
            for url in urls:
                started = time.monotonic()
                status, _, body = http_get(base + url, timeout=10)
                took = time.monotonic() - started
                assert status == 200, (url, status, body[:200])
                assert took < 1.0, f"{url} took {took:.2f} s behind {STALLED} stalled connections"
            # The header and body deadlines close every stalled connection (only then).
            deadline = time.monotonic() + max(HEADER_TIMEOUT_S, BODY_TIMEOUT_S) + 10
            still_open = [s for s in socks if not closed_by_server(s, 0)]
            assert len(still_open) == STALLED, "closed before the header deadline"
            still_open = [
                s for s in socks if not closed_by_server(s, max(0.0, deadline - time.monotonic()))
            ]
            assert not still_open, f"{len(still_open)} stalled connections still open"
            assert http_get(base + "/api/health", timeout=5)[0] == 200
        finally:
            for sock in socks:
                sock.close()


def post(base: str, path: str, body: bytes, chunked: bool) -> tuple[int, dict[str, object]]:
    """POST a JSON body, with a Content-Length or in chunks."""
    host, _, port = base.removeprefix("http://").partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        headers = {"Content-Type": "application/json"}
        if chunked:
            conn.request("POST", path, body=iter([body[:100], body[100:]]), headers=headers,
                         encode_chunked=True)  # fmt: skip
        else:
            conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


@pytest.mark.timeout(120)
def test_json_bodies_through_the_real_server(target: str) -> None:
    """The event loop hands the app the whole body, chunked or not (a2wsgi alone would give
    a chunked body as empty), and a chunked body over the limit is a 413."""
    text = json.dumps({"text": "lumbar epidural steroid injection for radiculopathy"}).encode()
    big = json.dumps({"text": "x" * 70_000}).encode()
    with serve_cli(target) as base:
        for chunked in (False, True):
            status, body = post(base, "/api/similar", text, chunked)
            assert status == 200 and "similar" in body, (chunked, status, body)
            status, body = post(base, "/api/similar", big, chunked)
            assert status == 413 and "too large" in str(body), (chunked, status, body)


@pytest.mark.timeout(120)
def test_oversized_headers_get_431(target: str) -> None:
    """uvicorn alone read 2 MB of headers; the request line and headers are bounded."""
    padding = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"a" * 100) for i in range(2000))
    with serve_cli(target) as base:
        port = int(base.rpartition(":")[2])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            with contextlib.suppress(OSError):  # the server may close while we still send
                sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n" + padding + b"\r\n")
            answer = sock.recv(200)
        assert answer.startswith(b"HTTP/1.1 431 "), answer
        assert http_get(base + "/api/health", timeout=5)[0] == 200

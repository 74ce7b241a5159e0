"""The Flask app behind an event loop: slow clients wait on the loop, never on a thread.

    gunicorn -k search_ui.worker.Worker 'search_ui.asgi:create_asgi_app()'

Why: a WSGI server's worker thread that starts reading a request blocks until the client has
sent it, so a few clients that open connections and send half a request line (slowloris) hold
every thread (eight froze `imr-search serve` under gunicorn's gthread workers). Here uvicorn's
event loop reads each request, its headers bounded in time by search_ui.worker and its body
bounded in size and time by `BufferedBody`, and only a request that has fully arrived goes to
a fixed pool of threads (a2wsgi) that run the Flask app as before: per thread, one SQLite
connection (search_ui.backend), as with gunicorn's threads.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from a2wsgi import WSGIMiddleware

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_TIMEOUT_S = 10.0  # a request body must arrive within this once its headers have


def create_asgi_app(config: Mapping[str, Any] | None = None, threads: int | None = None) -> ASGIApp:
    """The app of search_ui.create_app as ASGI, run on `threads` threads (by default as many
    as search_ui.threads.default_threads gives the index)."""
    from search_ui import create_app
    from search_ui.threads import default_threads

    app = create_app(config)
    workers = threads or default_threads(app.config["IMR_SEARCH_INDEX"])
    wsgi: Any = WSGIMiddleware(app, workers=workers)  # type: ignore[arg-type]
    return BufferedBody(wsgi, limit=app.config["MAX_CONTENT_LENGTH"])


class BufferedBody:
    """Reads a request's whole body on the event loop before a thread sees the request.

    At most `limit` + 1 bytes are kept (the app answers 413 from the Content-Length given to
    it); a body that does not arrive within BODY_TIMEOUT_S gets a 408. The app then sees a
    body with a Content-Length, chunked or not (a2wsgi would hand a chunked body over as
    empty: it does not mark the input terminated).
    """

    def __init__(self, app: ASGIApp, limit: int | None, timeout: float = BODY_TIMEOUT_S) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.timeout):
                body = await self._read(receive)
        except TimeoutError:
            await _error(send, scope, 408, "The request body did not arrive in time.")
            return
        if body is None:  # the client went away
            return
        headers = [(k, v) for k, v in scope["headers"] if k not in _FRAMING]
        if body or len(headers) < len(scope["headers"]):  # it said how its body is framed
            headers.append((b"content-length", str(len(body)).encode()))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # what comes after the body: a disconnect
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": headers}, replay, send)

    async def _read(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if self.limit is not None and size > self.limit:
                return b"".join(chunks)[: self.limit + 1]
            if not message.get("more_body", False):
                return b"".join(chunks)


_FRAMING = (b"content-length", b"transfer-encoding")


async def _error(send: Send, scope: Scope, status: int, message: str) -> None:
    """An error answered before the app is involved: JSON under /api and /export, as the
    app's own errors are (search_ui.security), else a short HTML page."""
    path = scope.get("path", "")
    if path == "/api" or path.startswith(("/api/", "/export")):
        payload = {"error": {"status": status, "message": message, "parameter": None}}
        body, kind = json.dumps(payload).encode(), b"application/json"
    else:
        body = f"<!doctype html><title>{status}</title><p>{message}</p>\n".encode()
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})

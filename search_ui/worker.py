"""The gunicorn worker class of `imr-search serve`: uvicorn's event loop, with a header deadline.

    gunicorn -k search_ui.worker.Worker 'search_ui.asgi:create_asgi_app()'

uvicorn reads requests on an event loop, so a slow or idle connection costs a socket, not a
thread (search_ui.asgi). It closes a kept-alive connection that stays idle (gunicorn's
`keepalive` seconds), but it has no deadline for a request's headers: a connection that sends
nothing, or half a request line, is kept for ever, and headers of any size are read (2 MB
were). `HeaderDeadline` closes a connection whose request headers have not all arrived within
HEADER_TIMEOUT_S of its opening or of its previous response, so stalled connections cannot
pile up to the file-descriptor limit, and answers 431 to headers over MAX_HEADER_BYTES.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

HEADER_TIMEOUT_S = 10.0
MAX_HEADER_BYTES = 64 * 1024  # request line and headers (gunicorn's limits: ~8 KB a line)
_TOO_LARGE_BODY = b"The request's headers are too large.\n"
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_TOO_LARGE_BODY), _TOO_LARGE_BODY)
)


class HeaderDeadline(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol (httptools), closing connections slow to send headers."""

    header_timeout: ClassVar[float] = HEADER_TIMEOUT_S
    max_header_bytes: ClassVar[int] = MAX_HEADER_BYTES
    _deadline: asyncio.TimerHandle | None = None
    _header_bytes = 0  # received since the deadline was armed (headers still to come)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        reading_headers = self._deadline is not None
        super().data_received(data)
        if reading_headers and self._deadline is not None:  # and still not all there
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes and not self.transport.is_closing():
                self._disarm()
                self.transport.write(_TOO_LARGE)
                self.transport.close()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this kept-alive connection has as long

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_bytes = 0
        self._deadline = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        busy = self.cycle is not None and not self.cycle.response_complete
        if not busy and not self.transport.is_closing():
            self.transport.close()


class Worker(UvicornWorker):
    """uvicorn under gunicorn (process management, graceful restarts), with HeaderDeadline."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {"loop": "auto", "http": HeaderDeadline}

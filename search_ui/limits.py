"""Bounds on expensive requests: exports and similar-to-text, per process; optional rate limits.

Why: each process runs the app on two to four threads (search_ui.server). Eight concurrent
5,000-row exports took them all and delayed an ordinary search by 8 s. So each kind of
expensive request has a few slots per process (`Gate`): a request that finds none free within
BUSY_WAIT_S is answered 429 with Retry-After and a message instead of queueing without limit,
and at least one thread stays free for searches and pages. Exports also stop producing rows
after EXPORT_TIMEOUT_S.

Per-client rate limits (flask-limiter) are off by default; a public deployment turns them on
with IMR_SEARCH_RATE_LIMIT (e.g. "120/minute;2000/hour", by client address) and may share the
counts between processes with IMR_SEARCH_RATE_LIMIT_STORAGE (e.g. redis://host:6379; default
memory://, per process).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app

from imr_search.errors import ImrSearchError

EXTENSION = "imr_search_gates"
RATE_LIMIT_ENV = "IMR_SEARCH_RATE_LIMIT"
RATE_LIMIT_STORAGE_ENV = "IMR_SEARCH_RATE_LIMIT_STORAGE"
DEFAULTS: dict[str, Any] = {
    "EXPORT_CONCURRENCY": 1,  # exports running at once, per process
    "SIMILAR_TEXT_CONCURRENCY": 2,  # similar-to-pasted-text requests at once, per process
    "BUSY_WAIT_S": 0.0,  # how long a request waits for a slot (holding a thread) before its 429
    "BUSY_RETRY_AFTER_S": 10,  # the Retry-After of that 429
    "EXPORT_TIMEOUT_S": 120.0,  # an export stops producing rows after this
    "RATE_LIMIT": None,  # flask-limiter limits, e.g. "120/minute"; None: off
    "RATE_LIMIT_STORAGE": "memory://",
}
GATES = {"export": "EXPORT_CONCURRENCY", "similar_text": "SIMILAR_TEXT_CONCURRENCY"}
WHAT = {"export": "exports", "similar_text": "searches for similar cases to a text"}


class Busy(ImrSearchError):
    """Every slot of a gate is taken: answered 429 with Retry-After (search_ui.security)."""

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(
            f"The server is busy with other {what}; please try again in {retry_after} seconds."
        )
        self.retry_after = retry_after


class Gate:
    """At most `slots` requests of one kind at once in this process."""

    def __init__(self, name: str, slots: int, wait_s: float, retry_after: int) -> None:
        self.name = name
        self.slots = slots
        self.wait_s = wait_s
        self.retry_after = retry_after
        self._free = threading.BoundedSemaphore(slots)

    def acquire(self) -> None:
        """Take a slot, waiting at most `wait_s`; Busy when none comes free."""
        if not self._free.acquire(timeout=self.wait_s):
            raise Busy(WHAT.get(self.name, self.name), self.retry_after)

    def release(self) -> None:
        self._free.release()

    def slot(self) -> Slot:
        """Take a slot (as `acquire`), to be given back by `Slot.release`, once."""
        self.acquire()
        return Slot(self)

    @contextmanager
    def held(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()


class Slot:
    """A slot of a gate held by a streamed response: released when the stream ends or when
    the server closes the response, whichever comes first (a test client may never close)."""

    def __init__(self, gate: Gate) -> None:
        self._gate: Gate | None = gate
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            gate, self._gate = self._gate, None
        if gate is not None:
            gate.release()


def gate(name: str) -> Gate:
    """The current app's gate `name` ("export", "similar_text")."""
    gates: dict[str, Gate] = current_app.extensions[EXTENSION]
    return gates[name]


def init_app(app: Flask) -> None:
    """The gates of this app (one set per process), and the rate limits when configured."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if app.config["RATE_LIMIT"] is None and os.environ.get(RATE_LIMIT_ENV):
        app.config["RATE_LIMIT"] = os.environ[RATE_LIMIT_ENV]
    if os.environ.get(RATE_LIMIT_STORAGE_ENV):
        app.config["RATE_LIMIT_STORAGE"] = os.environ[RATE_LIMIT_STORAGE_ENV]
    wait_s = float(app.config["BUSY_WAIT_S"])
    retry_after = int(app.config["BUSY_RETRY_AFTER_S"])
    app.extensions[EXTENSION] = {
        name: Gate(name, max(1, int(app.config[key])), wait_s, retry_after)
        for name, key in GATES.items()
    }
    if app.config["RATE_LIMIT"]:
        _rate_limits(app)


def _rate_limits(app: Flask) -> None:
    """flask-limiter over every route but /static and /api/health, keyed by client address."""
    from flask import request
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        application_limits=[app.config["RATE_LIMIT"]],  # one budget over every route
        storage_uri=app.config["RATE_LIMIT_STORAGE"],
        headers_enabled=True,
    )
    limiter.request_filter(lambda: request.path.startswith("/static/"))
    limiter.request_filter(lambda: request.path == "/api/health")

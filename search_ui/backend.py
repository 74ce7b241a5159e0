"""The app's engine: opened lazily from config, reused where safe, never cached broken.

A SQLite engine is one connection that serialises its reads, so each thread gets its own (kept
for the thread's life: gunicorn's worker threads reuse theirs across requests; the engines of
threads that have ended, e.g. werkzeug's thread-per-request server, are closed the next time an
engine is opened). A thread-safe engine (Elasticsearch: an HTTP client) is shared by the whole
app. A failure to open is never cached, and an engine that raised EngineUnavailable is closed
and dropped, so the app recovers by itself when the index comes back.
`IMR_SEARCH_ENGINE_PER_REQUEST` opens one per request and closes it at teardown instead (the
Flask-tutorial pattern: simplest, slower).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g

from imr_search.contract import Engine
from imr_search.engines import engine_class, open_engine
from imr_search.errors import EngineUnavailable

T = TypeVar("T")
log = logging.getLogger(__name__)
EXTENSION = "imr_search_engine"


class EngineHolder:
    """Opens the engine for `target` on demand; per thread (SQLite) or shared (Elasticsearch)."""

    def __init__(
        self,
        target: str,
        *,
        per_request: bool = False,
        opener: Callable[[str], Engine] = open_engine,
    ) -> None:
        self.target = target
        self.per_request = per_request
        self.shared = engine_class(target).thread_safe
        self._opener = opener
        self._lock = threading.Lock()
        self._shared_engine: Engine | None = None
        self._by_thread: dict[int, tuple[threading.Thread, Engine]] = {}

    def _open(self) -> Engine:
        try:
            return self._opener(self.target)
        except EngineUnavailable:
            raise
        except Exception as exc:  # a corrupt file, a missing driver: a 503 with a reason, not a 500
            log.exception("opening the search index %s failed", self.target)
            raise EngineUnavailable(self.target, f"{type(exc).__name__}: {exc}") from exc

    def acquire(self) -> Engine:
        """An engine for the current request."""
        if self.per_request:
            return self._open()
        if self.shared:
            with self._lock:
                if self._shared_engine is None:
                    self._shared_engine = self._open()
                return self._shared_engine
        me = threading.current_thread()
        with self._lock:
            entry = self._by_thread.get(me.ident or 0)
        if entry is not None and entry[0] is me:
            return entry[1]
        engine = self._open()
        with self._lock:
            ended = [k for k, (t, _) in self._by_thread.items() if t is not me and not t.is_alive()]
            stale = [self._by_thread.pop(k)[1] for k in ended]
            if entry is not None:  # a thread id reused by a new thread: the old engine goes
                stale.append(entry[1])
            self._by_thread[me.ident or 0] = (me, engine)
        for old in stale:
            _close_quietly(old)
        return engine

    def release(self, engine: Engine) -> None:
        """End of request: close only per-request engines."""
        if self.per_request:
            _close_quietly(engine)

    def discard(self, engine: Engine) -> None:
        """Drop an engine that failed: the next request opens a fresh one."""
        with self._lock:
            if self._shared_engine is engine:
                self._shared_engine = None
            for key, (_, e) in list(self._by_thread.items()):
                if e is engine:
                    del self._by_thread[key]
        _close_quietly(engine)

    def open_engines(self) -> int:
        """How many engines are open (tests, diagnostics)."""
        with self._lock:
            return len(self._by_thread) + (self._shared_engine is not None)

    def close_all(self) -> None:
        """Close every engine still open (tests, worker shutdown)."""
        with self._lock:
            engines = [e for _, e in self._by_thread.values()]
            if self._shared_engine is not None:
                engines.append(self._shared_engine)
            self._by_thread.clear()
            self._shared_engine = None
        for engine in engines:
            _close_quietly(engine)


def _close_quietly(engine: Engine) -> None:
    try:
        engine.close()
    except Exception:  # closing a broken connection (or from another thread) may fail: harmless
        log.debug("closing the search engine failed", exc_info=True)


def get_holder() -> EngineHolder:
    return current_app.extensions[EXTENSION]


def get_engine() -> Engine:
    """The engine of this request (opened on first use)."""
    if "engine" not in g:
        g.engine = get_holder().acquire()
    return g.engine


def run(fn: Callable[[Engine], T]) -> T:
    """Call the engine; on EngineUnavailable drop it so that the next request reconnects."""
    engine = get_engine()
    try:
        return fn(engine)
    except EngineUnavailable:
        g.pop("engine", None)
        get_holder().discard(engine)
        raise


def teardown_engine(_exc: BaseException | None = None) -> None:
    engine = g.pop("engine", None)
    if engine is not None:
        get_holder().release(engine)

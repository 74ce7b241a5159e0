"""The app's engine: opened lazily from config, reused where safe, never cached broken.

A SQLite engine is one connection that serialises its reads, so each thread gets its own (kept
for the thread's life: gunicorn's worker threads reuse theirs across requests; the engines of
threads that have ended, e.g. werkzeug's thread-per-request server, are closed the next time an
engine is opened). A thread-safe engine (Elasticsearch: an HTTP client) is shared by the whole
app. A failure to open is never cached, and an engine that raised EngineUnavailable is closed
and dropped, so the app recovers by itself when the index comes back.
`IMR_SEARCH_ENGINE_PER_REQUEST` opens one per request and closes it at teardown instead (the
Flask-tutorial pattern: simplest, slower).

An index file can be replaced under a running server: deleted and rebuilt in place, or built
elsewhere and moved over it. An open connection keeps reading the file it opened (the old
inode), so each thread would go on serving the old index, and threads opened later the new
one. So the holder looks at the file's identity (st_dev, st_ino) at most once a second, and a
thread whose engine was opened on another file than the one now at the path opens a new one.
While the path is missing (deleted, not yet rebuilt) the old engines go on serving.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g

from imr_search.contract import Engine
from imr_search.engines import engine_class, open_engine
from imr_search.errors import EngineUnavailable
from imr_search.filter_values import FilterValues, index_values

T = TypeVar("T")
log = logging.getLogger(__name__)
EXTENSION = "imr_search_engine"
IDENTITY_CHECK_S = 1.0  # how often the index file's identity is looked up (one stat)
FileIdentity = tuple[int, int] | None  # (st_dev, st_ino); None: no file at the path


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
        self.local_file = engine_class(target).local_file
        self._opener = opener
        self._lock = threading.Lock()
        self._shared_engine: Engine | None = None
        # thread id -> (thread, its engine, the identity of the file it was opened on)
        self._by_thread: dict[int, tuple[threading.Thread, Engine, FileIdentity]] = {}
        self._identity: FileIdentity = None
        self._checked_at = float("-inf")
        self.filter_values: FilterValues | None = None  # made on first use (filter_values())

    def _file_identity(self) -> FileIdentity:
        if not self.local_file:
            return None
        try:
            st = os.stat(self.target)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def _current_identity(self) -> FileIdentity:
        """The identity of the file now at the path, looked up at most once a second."""
        now = time.monotonic()
        with self._lock:
            if now - self._checked_at < IDENTITY_CHECK_S:
                return self._identity
            self._checked_at = now
            self._identity = self._file_identity()
            return self._identity

    def _replaced(self, opened_on: FileIdentity) -> bool:
        """Whether another file now stands where the engine's file stood."""
        if not self.local_file:
            return False
        now = self._current_identity()
        return now is not None and now != opened_on

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
        if entry is not None and entry[0] is me and not self._replaced(entry[2]):
            return entry[1]
        opened_on = self._file_identity()  # before opening: a later swap is then still seen
        engine = self._open()
        with self._lock:
            ended = [
                k for k, (t, _, _) in self._by_thread.items() if t is not me and not t.is_alive()
            ]
            stale = [self._by_thread.pop(k)[1] for k in ended]
            if entry is not None:  # replaced file, or a thread id reused: the old engine goes
                stale.append(entry[1])
            self._by_thread[me.ident or 0] = (me, engine, opened_on)
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
            for key, (_, e, _) in list(self._by_thread.items()):
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
            engines = [e for _, e, _ in self._by_thread.values()]
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


def filter_values() -> FilterValues:
    """The app's FilterValues (imr_search.filter_values): filter values in any case matched to
    the index's spelling, the index's values read through this app's engines and kept a
    minute (read again early for a value not among them)."""
    holder = get_holder()
    if holder.filter_values is None:  # two threads at once: two caches, one kept
        holder.filter_values = FilterValues(lambda: run(index_values))
    return holder.filter_values


def teardown_engine(_exc: BaseException | None = None) -> None:
    engine = g.pop("engine", None)
    if engine is not None:
        get_holder().release(engine)

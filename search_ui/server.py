"""Serving the app: gunicorn where it is installed (several processes, threads for I/O), else
werkzeug's threaded server. Neither ever runs Flask's debugger.

Workers and threads: 2 worker processes (one per core of a small machine), and 2 threads each
for an engine that is not thread-safe (SQLite: one connection per thread) or 4 for one that is
(Elasticsearch: waiting on the network is I/O, where more threads help). Serving the SQLite
index is CPU work in Python (rendering, facets) between short GIL-free SQLite calls: a second
thread overlaps with those calls and keeps a worker answering while one request runs long (a
broad query seen for the first time, an export), while more threads only queue on the GIL.
Measured with benchmarks/load_web.py (100k items, 20 clients without pauses, 2 cores, nothing
else running; runs vary by +-20%): 2x2 ~500 pages/s, p95 68-70 ms; 2x4 ~450/s, p95 74-123
ms; 2x1 ~450/s, p95 88-95 ms; 4x2 ~350/s, p95 ~150 ms (every worker has its own caches).
"""

from __future__ import annotations

import os
from typing import Any

from imr_search.engines import engine_class


def _gunicorn_available() -> bool:
    if os.name != "posix":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


SQLITE_THREADS = 2  # threads per worker for an engine that is not thread-safe
ELASTICSEARCH_THREADS = 4  # ... and for one that is


def default_threads(target: str) -> int:
    """Threads per gunicorn worker for this index (see the module docstring)."""
    return ELASTICSEARCH_THREADS if engine_class(target).thread_safe else SQLITE_THREADS


def run_server(
    target: str,
    host: str,
    port: int,
    workers: int = 2,
    threads: int | None = None,
    quiet: bool = False,
) -> None:
    """Serve the app for `target` until interrupted."""
    per_worker = default_threads(target) if threads is None else threads
    options = {"IMR_SEARCH_INDEX": target}
    if _gunicorn_available():
        from gunicorn.app.base import BaseApplication

        class _App(BaseApplication):
            def load_config(self) -> None:
                settings: dict[str, Any] = {
                    "bind": f"{host}:{port}",
                    "workers": workers,
                    "threads": per_worker,
                    "worker_class": "gthread" if per_worker > 1 else "sync",
                    "timeout": 60,
                    "graceful_timeout": 10,
                    "limit_request_line": 8190,  # long queries with many filters fit
                    # One app, built (its rule tables compiled) before the workers fork.
                    "preload_app": True,
                    "keepalive": 75,
                    "accesslog": None if quiet else "-",
                    "errorlog": "-",
                    "loglevel": "warning" if quiet else "info",
                }
                for key, value in settings.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                from imr_search.similarity import warm
                from search_ui import create_app

                warm()  # preload_app: compiled once, before the workers fork
                return create_app(options)

        _App().run()
    else:
        from werkzeug.serving import run_simple

        from search_ui import create_app

        run_simple(host, port, create_app(options), threaded=True, use_debugger=False)

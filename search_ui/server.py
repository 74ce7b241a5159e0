"""Serving the app: gunicorn processes running uvicorn's event loop (search_ui.worker) in front
of a few threads per process that run the Flask app (search_ui.asgi). Never Flask's debugger.

Why this server: connections are read on the event loop, so slow or idle clients hold a
socket, not a thread; headers must arrive within search_ui.worker.HEADER_TIMEOUT_S and a body
within search_ui.asgi.BODY_TIMEOUT_S, idle kept-alive connections close after KEEPALIVE_S.
Under gunicorn's gthread workers (used before) eight connections that sent half a request line
took every thread of `imr-search serve`. Measured with benchmarks/load_web.py (100k items, 20
clients without pauses, 2 cores shared with the clients; runs vary by +-20%): gthread 2x2
285-372 pages/s, p95 125-173 ms; this server 2x2 (the same processes and threads) 352-394
pages/s, p95 78-142 ms; gevent workers 426/s but p95 385 ms (a long request stalls its whole
process, and SQLite connections would be per greenlet); gunicorn's own ASGI worker (pure
Python parser) 329/s, p95 154 ms; waitress (one process) 205/s.

Workers and threads: 2 worker processes (one per core of a small machine), and 2 threads each
for an engine that is not thread-safe (SQLite: one connection per thread) or 4 for one that is
(Elasticsearch: waiting on the network is I/O, where more threads help). Serving the SQLite
index is CPU work in Python (rendering, facets) between short GIL-free SQLite calls: a second
thread overlaps with those calls and keeps a worker answering while one request runs long (a
broad query seen for the first time, an export), while more threads only queue on the GIL;
more processes each build their own caches.

Without gunicorn (not POSIX) uvicorn serves one process; without uvicorn either, werkzeug's
threaded server (a thread per connection: for development only).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from search_ui.threads import ELASTICSEARCH_THREADS, SQLITE_THREADS, default_threads

__all__ = ["ELASTICSEARCH_THREADS", "SQLITE_THREADS", "default_threads", "run_server"]
KEEPALIVE_S = 5  # an idle kept-alive connection is closed after this
WORKER_CLASS = "search_ui.worker.Worker"


def _importable(*modules: str) -> bool:
    try:
        for name in modules:
            __import__(name)
    except ImportError:
        return False
    return True


def gunicorn_settings(host: str, port: int, workers: int, quiet: bool = False) -> dict[str, Any]:
    """gunicorn's settings for `imr-search serve` (docker-compose.yml's web command matches)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": WORKER_CLASS,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": KEEPALIVE_S,
        "accesslog": None if quiet else "-",
        "errorlog": "-",
        "loglevel": "warning" if quiet else "info",
    }


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
    if os.name == "posix" and _importable("gunicorn", "uvicorn", "uvicorn_worker", "a2wsgi"):
        from gunicorn.app.base import BaseApplication

        class _App(BaseApplication):
            def load_config(self) -> None:
                for key, value in gunicorn_settings(host, port, workers, quiet).items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                from search_ui.asgi import create_asgi_app

                return create_asgi_app(options, per_worker)

        from imr_search.similarity import warm

        warm()  # the rule tables, compiled once in the master: the workers it forks share them
        _App().run()
    elif _importable("uvicorn", "a2wsgi", "httptools"):
        import uvicorn

        from search_ui.asgi import create_asgi_app
        from search_ui.worker import HeaderDeadline

        app = create_asgi_app(options, per_worker)
        uvicorn.run(
            app, host=host, port=port, http=HeaderDeadline, timeout_keep_alive=KEEPALIVE_S,
            access_log=not quiet, log_level="warning" if quiet else "info",
        )  # fmt: skip
    else:
        from werkzeug.serving import run_simple

        from search_ui import create_app

        print("uvicorn is not installed: serving with werkzeug (development only)", file=sys.stderr)
        run_simple(host, port, create_app(options), threaded=True, use_debugger=False)

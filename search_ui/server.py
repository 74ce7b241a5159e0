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

gunicorn, uvicorn and a2wsgi are dependencies of the project, so `imr-search serve` and `demo`
run this server. Only where gunicorn cannot run (not POSIX) does uvicorn serve one process,
and without uvicorn either werkzeug's threaded server (a thread per connection: for
development only); either fallback prints a warning banner before it starts.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from typing import Any

from imr_search.plural import plural
from search_ui.threads import ELASTICSEARCH_THREADS, SQLITE_THREADS, default_threads

__all__ = [
    "ELASTICSEARCH_THREADS",
    "SQLITE_THREADS",
    "default_threads",
    "port_problem",
    "run_server",
]
KEEPALIVE_S = 5  # an idle kept-alive connection is closed after this
WORKER_CLASS = "search_ui.worker.Worker"


def _missing(*modules: str) -> list[str]:
    """The modules of these that cannot be imported."""
    missing = []
    for name in modules:
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    return missing


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
        # gunicorn 25.1+ opens a control socket at one path per user ($XDG_RUNTIME_DIR or
        # ~/.gunicorn/gunicorn.ctl): two servers at once (a demo and a serve) would take it
        # from each other, and nothing here uses it
        "control_socket_disable": True,
    }


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (busy, not allowed, no such address), or
    None. Binds and closes a socket the way gunicorn binds (SO_REUSEADDR), so a port whose
    last connections are only winding down (TIME_WAIT) is not called busy."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"--host {host!r} is not an address this machine can listen on ({exc.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                free = free_port(host, port + 1)
                hint = f", e.g. --port {free}" if free else ""
                return (
                    f"port {port} on {host} is busy: another program is listening there. "
                    f"Pick another port with --port{hint}"
                )
            if exc.errno == errno.EACCES:
                return (
                    f"port {port} needs administrator rights on this machine; pick one above "
                    "1023 with --port, e.g. --port 8000"
                )
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"--host {host!r} is not an address of this machine"
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def free_port(host: str, start: int, tries: int = 20) -> int | None:
    """The first port from `start` on which nothing listens (a suggestion, not a reservation)."""
    for port in range(start, min(start + tries, 65536)):
        try:
            family, kind, proto, _, address = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
            )[0]
            with socket.socket(family, kind, proto) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(address)
        except OSError:
            continue
        return port
    return None


def _warn(message: str) -> None:
    """A fallback server: said loudly, on stderr, before it starts."""
    bar = "!" * 78
    print(f"{bar}\nWARNING: {message}\n{bar}", file=sys.stderr, flush=True)


def run_server(
    target: str,
    host: str,
    port: int,
    workers: int = 2,
    threads: int | None = None,
    quiet: bool = False,
) -> None:
    """Serve the app for `target` until interrupted: gunicorn with uvicorn workers (the
    production server); where that cannot run, uvicorn alone or werkzeug, with a warning."""
    per_worker = default_threads(target) if threads is None else threads
    options = {"IMR_SEARCH_INDEX": target}
    missing = _missing("gunicorn", "uvicorn", "uvicorn_worker", "a2wsgi", "httptools")
    if os.name == "posix" and not missing:
        from gunicorn.app.base import BaseApplication

        class _App(BaseApplication):
            def load_config(self) -> None:
                for key, value in gunicorn_settings(host, port, workers, quiet).items():
                    if key in self.cfg.settings:  # settings of newer gunicorns: if known
                        self.cfg.set(key, value)

            def load(self) -> Any:
                from search_ui.asgi import create_asgi_app

                return create_asgi_app(options, per_worker)

        from imr_search.similarity import warm

        warm()  # the rule tables, compiled once in the master: the workers it forks share them
        print(
            f"Server: gunicorn, {plural(workers, 'worker process', 'worker processes')} "
            f"(uvicorn event loops), {plural(per_worker, 'app thread')} each",
            file=sys.stderr,
            flush=True,
        )
        _App().run()
        return
    reason = "not a POSIX system" if os.name != "posix" else f"{', '.join(missing)} missing"
    if not _missing("uvicorn", "a2wsgi", "httptools"):
        import uvicorn

        from search_ui.asgi import create_asgi_app
        from search_ui.worker import HeaderDeadline

        _warn(
            f"gunicorn cannot run here ({reason}): serving with uvicorn in ONE process "
            f"(--workers {workers} is ignored), {plural(per_worker, 'app thread')}."
        )
        app = create_asgi_app(options, per_worker)
        uvicorn.run(
            app, host=host, port=port, http=HeaderDeadline, timeout_keep_alive=KEEPALIVE_S,
            access_log=not quiet, log_level="warning" if quiet else "info",
        )  # fmt: skip
        return
    from werkzeug.serving import run_simple

    from search_ui import create_app

    _warn(
        f"the production server cannot run here ({reason}): serving with Werkzeug's "
        "development server (one process, a thread per connection; --workers and --threads "
        "are ignored). Not for a network: install the project's dependencies "
        "(pip install -e .) to serve with gunicorn and uvicorn."
    )
    run_simple(host, port, create_app(options), threaded=True, use_debugger=False)

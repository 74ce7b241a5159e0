"""CLI commands of this package (registered by imr_search.cli): `serve` and `demo`.

    imr-search serve [--host 127.0.0.1] [--port 5000] [--index PATH_OR_URL]
    imr-search demo  [--letters 2000] [--seed 7]      # builds a demo index once, then serves it

Both serve with gunicorn where it is installed (several processes, threads for I/O), else with
werkzeug's threaded server. Neither ever runs Flask's debugger.

Workers and threads: 2 worker processes (one per core of a small machine), and 2 threads each
for the embedded engine or 4 for Elasticsearch. Serving the SQLite index is CPU work in Python
(rendering, facets) between short GIL-free SQLite calls: a second thread overlaps with those
calls and keeps a worker answering while one request runs long (a broad query seen for the
first time, an export), while more threads only queue on the GIL. Measured with
benchmarks/load_web.py (100k items, 20 clients without pauses, 2 cores, nothing else running;
runs vary by +-20%): 2x2 ~500 pages/s, p95 68-70 ms; 2x4 ~450/s, p95 74-123 ms; 2x1 ~450/s,
p95 88-95 ms; 4x2 ~350/s, p95 ~150 ms (every worker has its own caches to fill). Waiting on
Elasticsearch is I/O, where more threads help.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from imr_search.engine import INDEX_ENV, is_elasticsearch, resolve_target

COMMANDS: list[click.Command] = []

DEMO_LETTERS = 2_000
DEMO_SEED = 7


def _gunicorn_available() -> bool:
    if os.name != "posix":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


SQLITE_THREADS = 2
ELASTICSEARCH_THREADS = 4


def default_threads(target: str) -> int:
    """Threads per gunicorn worker for this index (see the module docstring)."""
    return ELASTICSEARCH_THREADS if is_elasticsearch(target) else SQLITE_THREADS


def run_server(
    target: str,
    host: str,
    port: int,
    workers: int = 2,
    threads: int | None = None,
    quiet: bool = False,
) -> None:
    """Serve the app for `target` until interrupted."""
    if threads is None:
        threads = default_threads(target)
    options = {"IMR_SEARCH_INDEX": target}
    if _gunicorn_available():
        from gunicorn.app.base import BaseApplication

        class _App(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                settings: dict[str, Any] = {
                    "bind": f"{host}:{port}",
                    "workers": workers,
                    "threads": threads,
                    "worker_class": "gthread" if threads > 1 else "sync",
                    "timeout": 60,
                    "graceful_timeout": 10,
                    "limit_request_line": 8190,  # long queries with many filters fit
                    "keepalive": 75,
                    "accesslog": None if quiet else "-",
                    "errorlog": "-",
                    "loglevel": "warning" if quiet else "info",
                }
                for key, value in settings.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                from search_ui import create_app

                return create_app(options)

        _App().run()
    else:
        from werkzeug.serving import run_simple

        from search_ui import create_app

        run_simple(host, port, create_app(options), threaded=True, use_debugger=False)


def _check_index(target: str) -> None:
    if not is_elasticsearch(target) and not Path(target).exists():
        raise click.ClickException(
            f"No search index at {target}. Build one with `imr-search index LETTERS_DIR "
            f"--index {target}`, or run `imr-search demo` to try the product on generated letters."
        )


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 to serve the network).",
)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--index",
    "index",
    default=None,
    envvar=INDEX_ENV,
    help="Index file or Elasticsearch URL [default: $IMR_SEARCH_INDEX or ./imr-index.sqlite3].",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="gunicorn worker processes.",
)
@click.option(
    "--threads",
    default=None,
    type=click.IntRange(1, 64),
    help=f"Threads per worker [default: {SQLITE_THREADS} for an index file, "
    f"{ELASTICSEARCH_THREADS} for Elasticsearch].",
)
def serve(host: str, port: int, index: str | None, workers: int, threads: int | None) -> None:
    """Serve the search web UI and JSON API (read-only)."""
    target = resolve_target(index)
    _check_index(target)
    click.echo(f"Serving {target} on http://{host}:{port}/  (Ctrl+C to stop)", err=True)
    run_server(target, host, port, workers, threads)


def demo_dir() -> Path:
    """Per-user cache: $IMR_SEARCH_DEMO_DIR, $XDG_CACHE_HOME/imr-search, ~/.cache/imr-search."""
    if os.environ.get("IMR_SEARCH_DEMO_DIR"):
        return Path(os.environ["IMR_SEARCH_DEMO_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "imr-search"


def build_demo_index(letters: int, seed: int, root: Path, rebuild: bool = False) -> Path:
    """Generate `letters` letters as text files and index them through the normal pipeline.

    Reused when it already exists, so the second `imr-search demo` starts at once.
    """
    from indexer.pipeline import run_index
    from synthetic.corpus import write_corpus

    folder = root / f"demo-{letters}-{seed}"
    corpus = folder / "letters"
    index = folder / "index.sqlite3"
    done = folder / ".complete"
    if rebuild and folder.exists():
        shutil.rmtree(folder)
    if done.exists() and index.exists():
        return index
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted build: start clean
    folder.mkdir(parents=True)
    click.echo(f"Generating {letters:,} letters into {corpus} ...", err=True)
    write_corpus(corpus, letters, seed)
    click.echo(f"Indexing them into {index} ...", err=True)
    summary = run_index([corpus], str(index), progress=sys.stderr.isatty())
    for line in summary.lines()[:2]:
        click.echo(line, err=True)
    if summary.exit_status != 0 or summary.items_indexed == 0:
        raise click.ClickException(
            "indexing the demo letters failed; see the summary above (nothing is served)"
        )
    done.write_text(f"{summary.items_indexed}\n")
    return index


@click.command()
@click.option(
    "--letters",
    default=DEMO_LETTERS,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="How many letters to generate.",
)
@click.option("--seed", default=DEMO_SEED, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--dir",
    "root",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to keep the demo corpus and index [default: ~/.cache/imr-search].",
)
@click.option("--rebuild", is_flag=True, help="Regenerate and reindex even if cached.")
@click.option("--no-serve", is_flag=True, help="Only build the demo index and print its path.")
def demo(
    letters: int,
    seed: int,
    host: str,
    port: int,
    root: Path | None,
    rebuild: bool,
    no_serve: bool,
) -> None:
    """Build a demo index from generated letters (once) and serve it."""
    index = build_demo_index(letters, seed, root or demo_dir(), rebuild)
    if no_serve:
        click.echo(str(index))
        return
    click.echo(f"Demo index: {index}\nOpen http://{host}:{port}/  (Ctrl+C to stop)", err=True)
    sys.stdout.flush()
    run_server(str(index), host, port)


COMMANDS.extend([serve, demo])

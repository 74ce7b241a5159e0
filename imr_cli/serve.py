"""serve, demo: the web UI and JSON API over an index (demo: over generated letters).

imr-search serve [--host 127.0.0.1] [--port 5000] [--index PATH_OR_URL] [--workers 2] [--threads N]
imr-search demo  [--letters 2000] [--seed 7] [same server options]  # builds a demo index once

Both run the production server (search_ui.server: gunicorn processes with uvicorn event
loops). A busy port is said at once, before anything is built or served (exit status 2).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from imr_cli.options import fail, index_option, server_options
from imr_search.engines import open_engine, resolve_target
from imr_search.errors import EngineUnavailable
from imr_search.plural import plural
from search_ui.server import port_problem, run_server

COMMANDS: list[click.Command] = []

DEMO_LETTERS = 2_000
DEMO_SEED = 7


def _check_index(target: str) -> None:
    """Open the index once before serving it: a missing file or node is one clear line."""
    try:
        open_engine(target).close()
    except EngineUnavailable as exc:
        raise click.ClickException(f"No search index at {exc.target}: {exc.reason}") from exc


def open_url(host: str, port: int) -> str:
    """The address to open in a browser ("0.0.0.0" listens everywhere, including here)."""
    if host in ("0.0.0.0", "::", ""):
        return f"http://127.0.0.1:{port}/  (listening on every address of this machine)"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _check_port(host: str, port: int) -> None:
    """A port the server cannot listen on: one line saying why and what to do, exit 2."""
    problem = port_problem(host, port)
    if problem is not None:
        fail(problem)


@click.command()
@server_options
@index_option
def serve(
    host: str, port: int, target: str | None, workers: int, threads: int | None, quiet: bool
) -> None:
    """Serve the search web UI and JSON API (read-only)."""
    target = resolve_target(target)
    _check_port(host, port)
    _check_index(target)
    click.echo(f"Serving {target}\nOpen {open_url(host, port)}  (Ctrl+C to stop)", err=True)
    run_server(target, host, port, workers, threads, quiet=quiet)


def demo_dir() -> Path:
    """Per-user cache: $IMR_SEARCH_DEMO_DIR, $XDG_CACHE_HOME/imr-search, ~/.cache/imr-search."""
    if os.environ.get("IMR_SEARCH_DEMO_DIR"):
        return Path(os.environ["IMR_SEARCH_DEMO_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "imr-search"


def build_demo_index(letters: int, seed: int, root: Path, rebuild: bool = False) -> Path:
    """Generate `letters` letters as text files and index them through the normal pipeline.

    The letters include the showcase requests (synthetic.showcase) that the home page's
    example searches find. Reused when it already exists, so the second `imr-search demo`
    starts at once.
    """
    from imr_search.sqlite.schema import SCHEMA_VERSION
    from indexer.pipeline import run_index
    from synthetic.corpus import write_corpus
    from synthetic.showcase import SHOWCASE, SHOWCASE_VERSION

    # A cached index of another schema version cannot be read: the version names the folder.
    folder = root / f"demo-{letters}-{seed}-v{SHOWCASE_VERSION}-s{SCHEMA_VERSION}"
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
    click.echo(f"Generating {plural(letters, 'demo letter')} into {corpus} ...", err=True)
    write_corpus(corpus, letters, seed, showcase=SHOWCASE)
    click.echo(f"Indexing them into {index} (once; later runs reuse it) ...", err=True)
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
@server_options
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
    workers: int,
    threads: int | None,
    quiet: bool,
    root: Path | None,
    rebuild: bool,
    no_serve: bool,
) -> None:
    """Build a demo index from generated letters (once) and serve it."""
    if not no_serve:
        _check_port(host, port)  # before a minute of building, not after
    index = build_demo_index(letters, seed, root or demo_dir(), rebuild)
    if no_serve:
        click.echo(str(index))
        return
    click.echo(f"Demo index: {index}\nOpen {open_url(host, port)}  (Ctrl+C to stop)", err=True)
    sys.stdout.flush()
    run_server(str(index), host, port, workers, threads, quiet=quiet)


COMMANDS.extend([serve, demo])

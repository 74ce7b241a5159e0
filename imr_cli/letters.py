"""parse, index, generate: letters in, an index (or synthetic letters) out."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import click

from imr_cli.options import fail, file_limit_options, index_option, user_errors
from imr_search.plural import plural

COMMANDS: list[click.Command] = []


# --- parse -------------------------------------------------------------


@click.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@file_limit_options
def parse_command(paths: tuple[str, ...], file_seconds: float, file_memory: int) -> None:
    """Parse IMR letters (.txt, .pdf; folders walked recursively) into JSON lines.

    One JSON object per letter on stdout (the letter with its items); one "path: reason"
    line per failed or skipped file on stderr. Each file is read in a worker process with a
    time and memory limit. Exit status 1 when any file failed, after all files.
    """
    import sys

    from indexer.errors import LetterError
    from indexer.parse_many import parse_paths_json
    from indexer.walk import Unwalked
    from indexer.workers import Limits

    roots = [(raw, Path(raw)) for raw in paths]
    root_names = {str(root) for _, root in roots}
    folders: dict[str, str] = {}  # a folder the walk found files in -> the first path above it

    def above(folder: Path) -> set[str]:
        return {raw for raw, root in roots if root == folder or root in folder.parents}

    def origin(name: str) -> str:
        """The first command-line path that a file or folder the walk found (by its name) is,
        or is under. Looked up once per folder, by name (pathlib's `parents` and comparisons
        are slow), unless the path was given itself."""
        if name in root_names:
            path = Path(name)
            return next((raw for raw, root in roots if raw in above(path.parent) or path == root))
        folder = os.path.dirname(name)
        first = folders.get(folder)
        if first is None:
            given = above(Path(folder))
            first = folders[folder] = next((raw for raw, _ in roots if raw in given), "")
        return first

    failed = 0
    # The JSON lines go straight to the binary stream, as click.echo would put them (one
    # flush per line, so a reader sees each letter as it is parsed), without its checks per call.
    out = sys.stdout.buffer
    try:
        walked: set[str] = set()
        for found in parse_paths_json(paths, Limits(file_seconds, file_memory)):
            name = str(Path(found.path)) if isinstance(found, Unwalked) else found[0]
            if not walked.issuperset(paths):  # once every path has yielded, nothing to learn
                walked.add(origin(name))
            if isinstance(found, Unwalked):
                failed += int(found.failed)
                click.echo(f"{found.path}: {found.reason}", err=True)
                continue
            line = found[1]
            if isinstance(line, LetterError):
                failed += 1
                click.echo(str(line), err=True)
                continue
            out.write(line + b"\n")
            out.flush()
        for raw in paths:
            if raw not in walked and Path(raw).is_dir():
                click.echo(f"{raw}: no .txt or .pdf letters in this folder", err=True)
                failed += 1
    except BrokenPipeError:  # `imr-search parse ... | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    sys.exit(1 if failed else 0)


COMMANDS.append(parse_command)


# --- generate -------------------------------------------------------


def _layout_list(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[str, ...]:
    from indexer.records import FORMATS

    if not value:
        return FORMATS
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown layout(s) {', '.join(unknown) or value!r}; choose from {', '.join(FORMATS)}"
        )
    return names


@click.command("generate")
@click.option(
    "--letters",
    "letters",
    type=click.IntRange(1),
    default=None,
    help="How many letters to write (or give --items).",
)
@click.option(
    "--items",
    "items",
    type=click.IntRange(1),
    default=None,
    help="Write letters until they hold at least this many disputed items.",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Random seed: the same seed writes byte-identical files.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder to write into (subfolders of 1,000 letters each).",
)
@click.option(
    "--layouts",
    callback=_layout_list,
    default=None,
    help="Comma-separated layouts to mix (default: all the parser reads).",
)
@click.option(
    "--noise",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Chance of each extraction artifact per letter (blank lines, hyphenation, "
    "page footers, CRLF...).",
)
@click.option(
    "--pdf-fraction",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of letters written as PDF instead of text.",
)
def generate_command(
    letters: int | None,
    items: int | None,
    seed: int,
    out: str,
    layouts: tuple[str, ...],
    noise: float,
    pdf_fraction: float,
) -> None:
    """Write realistic synthetic IMR letters (deterministic for a seed) for demos and benchmarks."""
    import time

    from synthetic.corpus import write_corpus

    if letters is None and items is None:
        raise click.UsageError("give --letters N or --items N")
    started = time.perf_counter()
    summary = write_corpus(
        out,
        letters or 10**9,
        seed,
        layouts=layouts,
        noise=noise,
        pdf_fraction=pdf_fraction,
        max_items=items,
    )
    seconds = time.perf_counter() - started
    count = len(summary)
    click.echo(
        f"wrote {plural(count, 'letter')} ({plural(summary.items, 'item')}, "
        f"{summary.pdfs:,} PDF) to {out} "
        f"in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f} letters/s)"
    )


COMMANDS.append(generate_command)


# --- index -------------------------------------------------------------


def default_report(target: str, local_file: bool) -> Path:
    """Where `index` writes its report when not told: beside an index file; for an index at a
    URL, in the user's state folder ($XDG_STATE_HOME/imr-search/reports, else
    ~/.local/state/imr-search/reports), named after the URL's host, port and index (created)."""
    if local_file:
        return Path(target + ".report.txt")
    url = urlsplit(target)
    name = "_".join(p for p in (url.hostname, str(url.port or ""), url.path.strip("/")) if p)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    folder = Path(state) / "imr-search" / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (re.sub(r"[^\w.-]+", "_", name or "elasticsearch") + ".report.txt")


def check_report_path(report: Path) -> None:
    """--report names a file that can be written: said before indexing, not after (exit 2)."""
    folder = report.parent
    if not folder.is_dir():
        fail(f"--report {report}: the folder {folder} does not exist")
    if report.is_dir():
        fail(f"--report {report}: that is a folder; name a file, e.g. {report / 'report.txt'}")
    if not os.access(folder, os.W_OK) or (report.exists() and not os.access(report, os.W_OK)):
        fail(f"--report {report}: cannot write there (permission denied)")


@click.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@index_option
@click.option(
    "--prune",
    is_flag=True,
    help="Also remove indexed letters whose file under PATHS no longer exists.",
)
@click.option(
    "--report",
    "report",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the summary with every failure [default: beside an index file, "
    "<index>.report.txt; for an Elasticsearch URL, ~/.local/state/imr-search/reports/"
    "<host>_<port>_<index>.report.txt].",
)
@click.option(
    "--workers",
    type=click.IntRange(0),
    default=None,
    help="Parser processes (default: CPU count, at most 4; 0 = parse in this process, "
    "without the time and memory limits per file).",
)
@file_limit_options
@click.option(
    "--batch-items",
    type=click.IntRange(1),
    default=None,
    hidden=True,
    help="Items per write transaction (tests use small batches).",
)
def index_command(
    paths: tuple[str, ...],
    target: str | None,
    prune: bool,
    report: str | None,
    workers: int | None,
    file_seconds: float,
    file_memory: int,
    batch_items: int | None,
) -> None:
    """Index letter files and folders (.txt, .pdf; recursive) into the search index.

    Unchanged files are skipped, changed files replace their items, and a run stopped at any
    point can simply be started again. One run at a time per index: another is refused
    (searches go on). Exit status 1 when any file failed, 2 when the run could not go on
    (another run holds the index, the disk is full, the index is damaged...).
    """
    import sys

    from imr_search.engines import engine_class, resolve_target
    from indexer.pipeline import BATCH_ITEMS, run_index
    from indexer.workers import Limits

    resolved = resolve_target(target)
    if report is None:
        report = str(default_report(resolved, engine_class(resolved).local_file))
    else:
        check_report_path(Path(report))
    with user_errors():
        summary = run_index(
            paths,
            resolved,
            prune=prune,
            workers=workers,
            progress=sys.stderr.isatty(),
            report=report,
            batch_items=batch_items or BATCH_ITEMS,
            limits=Limits(file_seconds, file_memory),
        )
    for line in summary.lines():
        click.echo(line)
    if summary.error is not None:
        click.echo(f"Error: {summary.error}", err=True)
    if summary.report_error is not None:
        click.echo(f"Error: {summary.report_error}", err=True)
    else:
        click.echo(f"Report (this summary with every failure) written to {report}")
    sys.exit(summary.exit_status)


COMMANDS.append(index_command)

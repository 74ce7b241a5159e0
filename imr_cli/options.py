"""Options several commands share, declared once (sqlite-utils style decorators)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from imr_search.contract import Engine
from imr_search.engines import INDEX_ENV, open_engine
from imr_search.errors import ImrSearchError, InvalidParameter
from mappings.facets import FACETS, FACETS_BY_NAME

F = TypeVar("F", bound=Callable[..., Any])

INDEX_HELP = (
    "Index file (SQLite) or http(s) URL (Elasticsearch) "
    f"[default: ${INDEX_ENV}, else ./imr-index.sqlite3]."
)


def index_option(function: F) -> F:
    """--index TARGET (passed as `target`; None means the default)."""
    return click.option(
        "--index", "target", default=None, metavar="TARGET", envvar=INDEX_ENV, help=INDEX_HELP
    )(function)


def file_limit_options(function: F) -> F:
    """--file-timeout SECONDS and --file-memory MB (passed as `file_seconds`, `file_memory`)."""
    from indexer.workers import FILE_MEMORY_MB, FILE_SECONDS

    function = click.option(
        "--file-memory",
        "file_memory",
        type=click.IntRange(64),
        default=FILE_MEMORY_MB,
        show_default=True,
        metavar="MB",
        help="Memory one file may take to read; a file needing more is stopped and reported.",
    )(function)
    return click.option(
        "--file-timeout",
        "file_seconds",
        type=click.FloatRange(0.1),
        default=FILE_SECONDS,
        show_default=True,
        metavar="SECONDS",
        help="Time one file may take to read; a slower file is stopped and reported.",
    )(function)


def json_option(function: F) -> F:
    """--json (passed as `as_json`)."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(
        function
    )


def filter_option(function: F) -> F:
    """--filter FIELD=VALUE, repeatable (passed as `filters`)."""
    return click.option(
        "--filter",
        "-f",
        "filters",
        multiple=True,
        metavar="FIELD=VALUE",
        help="Keep items with this facet value (in any case, e.g. outcome=overturned); repeat: "
        "OR within a field, AND across fields. Fields: " + ", ".join(f.name for f in FACETS) + ".",
    )(function)


def server_options(function: F) -> F:
    """--host, --port, --workers, --threads, --quiet: how `serve` and `demo` serve."""
    from search_ui.threads import ELASTICSEARCH_THREADS, SQLITE_THREADS

    decorators = (
        click.option(
            "--host",
            default="127.0.0.1",
            show_default=True,
            help="Address to listen on (0.0.0.0 to serve the network).",
        ),
        click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535)),
        click.option(
            "--workers",
            default=2,
            show_default=True,
            type=click.IntRange(1, 64),
            help="Worker processes (each with its own event loop and threads).",
        ),
        click.option(
            "--threads",
            default=None,
            type=click.IntRange(1, 64),
            help=f"Threads per worker that run the app [default: {SQLITE_THREADS} for an index "
            f"file, {ELASTICSEARCH_THREADS} for Elasticsearch].",
        ),
        click.option("--quiet", is_flag=True, help="No access log; warnings and errors only."),
    )
    for decorate in reversed(decorators):
        function = decorate(function)
    return function


def parse_filters(values: tuple[str, ...]) -> dict[str, list[str]]:
    """('outcome=Upheld', 'year=2016', 'year=2017') -> {'outcome': [...], 'year': [...]}."""
    filters: dict[str, list[str]] = {}
    for raw in values:
        name, eq, value = raw.partition("=")
        name = name.strip()
        if not eq or not name or not value.strip():
            raise InvalidParameter(
                "--filter",
                f"{raw!r} is not FIELD=VALUE (e.g. outcome=Upheld); fields: "
                + ", ".join(FACETS_BY_NAME),
            )
        filters.setdefault(name, []).append(value.strip())
    return filters


def engine_filters(engine: Engine, values: tuple[str, ...]) -> dict[str, list[str]]:
    """--filter values as the index spells them (any case; an unknown value: the known or
    closest ones, exit status 2)."""
    from imr_search.filter_values import FilterValues

    filters = parse_filters(values)
    return FilterValues.of(engine).canonical(filters) if filters else {}


def fail(message: str) -> None:
    """A mistake the user can fix: one line on stderr, exit status 2."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Any error of the product's own becomes one line and exit status 2."""
    try:
        yield
    except ImrSearchError as exc:
        fail(str(exc))


@contextmanager
def engine_for(target: str | None) -> Iterator[Engine]:
    """Open the index read-only for one command; user errors as `user_errors`."""
    engine = None
    with user_errors():
        try:
            engine = open_engine(target)
            yield engine
        finally:
            if engine is not None:
                engine.close()

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
        help="Keep items with this facet value; repeat: OR within a field, AND across fields. "
        "Fields: " + ", ".join(f.name for f in FACETS) + ".",
    )(function)


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

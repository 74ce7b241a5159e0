"""Opening an engine for a target: a file path (SQLite) or an http(s) URL (Elasticsearch).

The one place that knows every engine; callers ask it for an engine (or its class, for the
capabilities on the contract) instead of testing what kind of target they hold.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from imr_search.contract import Engine

if TYPE_CHECKING:
    from imr_search.elastic.engine import ElasticEngine
    from imr_search.sqlite.engine import SqliteEngine

DEFAULT_INDEX = "imr-index.sqlite3"
INDEX_ENV = "IMR_SEARCH_INDEX"


def resolve_target(target: str | None) -> str:
    """The index to use: the argument, else $IMR_SEARCH_INDEX, else ./imr-index.sqlite3."""
    return target or os.environ.get(INDEX_ENV) or DEFAULT_INDEX


def engine_class(target: str) -> type[SqliteEngine] | type[ElasticEngine]:
    """The engine class that serves this (resolved) target."""
    if target.startswith(("http://", "https://")):
        from imr_search.elastic.engine import ElasticEngine

        return ElasticEngine
    from imr_search.sqlite.engine import SqliteEngine

    return SqliteEngine


def open_engine(target: str | None = None, *, writable: bool = False) -> Engine:
    """Open the engine for a file path or URL (resolved with `resolve_target`)."""
    resolved = resolve_target(target)
    return engine_class(resolved)(resolved, writable=writable)

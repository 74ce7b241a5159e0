"""Errors the product shows to people: each says what went wrong and what to do next."""

from __future__ import annotations


class ImrSearchError(Exception):
    """Base class: every error the CLI and web UI turn into a clear message."""


class QuerySyntaxError(ImrSearchError):
    """The search text cannot be parsed (HTTP 400 in the API)."""


class InvalidParameter(ImrSearchError):
    """A filter, sort, page or other parameter is not acceptable (HTTP 400)."""

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(f"Invalid parameter '{parameter}': {reason}")
        self.parameter = parameter
        self.reason = reason


class EngineUnavailable(ImrSearchError):
    """The index cannot be reached or opened (HTTP 503 in the web UI)."""

    def __init__(self, target: str, reason: str) -> None:
        super().__init__(f"Search index {target} is not available: {reason}")
        self.target = target
        self.reason = reason


class ItemNotFound(ImrSearchError):
    """No item with that id (HTTP 404)."""


class IndexBusy(ImrSearchError):
    """Another index run holds the index (the CLI exits with status 2; readers go on)."""

    def __init__(self, target: str, holder: str) -> None:
        super().__init__(
            f"another index run holds the search index {target} ({holder}); wait for it to "
            "finish or stop it, then run again"
        )
        self.target = target
        self.holder = holder


class StorageError(EngineUnavailable):
    """The index's storage failed: disk full, a damaged or read-only file (HTTP 503).

    The message names the file, says what happened while doing what, and what to do."""

    def __init__(self, target: str, reason: str) -> None:
        ImrSearchError.__init__(self, f"Search index {target}: {reason}")
        self.target = target
        self.reason = reason

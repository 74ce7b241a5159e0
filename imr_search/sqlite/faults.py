"""Storage faults of the index file become one clear `StorageError` (a 503 in the web UI).

SQLite reports a full disk, a failing or damaged file and a read-only file with result codes;
each becomes a message naming the file, what was being done and what to do next. Everything
committed before the fault is kept (a write is one transaction), which the messages say, so
that the same command can simply be run again. Any other error (a bug, a query SQLite
rejects) is left to propagate.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from imr_search.errors import StorageError

# Primary result codes (https://sqlite.org/rescode.html).
_NOMEM, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 7, 8, 10, 11, 13, 14, 26
_AGAIN = "run the same command again: everything indexed before is kept"


def explain(exc: sqlite3.Error, path: str, doing: str) -> StorageError | None:
    """The StorageError for an SQLite error while `doing` something, or None (not storage)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    name = getattr(exc, "sqlite_errorname", None) or "?"
    folder = os.path.dirname(os.path.abspath(path))
    if primary == _FULL:
        reason = f"the disk is full ({exc}) while {doing}: free space on the disk of {folder}"
        return StorageError(path, f"{reason}, then {_AGAIN}")
    if primary == _IOERR:
        return StorageError(
            path,
            f"a disk error ({name}: {exc}) while {doing}: the disk may be full or failing; "
            f"check it (free space, `dmesg`), then {_AGAIN}",
        )
    if primary == _READONLY:
        return StorageError(
            path,
            f"the index file is read-only ({exc}) while {doing}: make {path} and its folder "
            "writable for this user (e.g. chmod u+w), or give another --index",
        )
    if primary in (_CORRUPT, _NOTADB):
        return damaged(path, str(exc), doing)
    if primary == _CANTOPEN:
        return StorageError(
            path,
            f"cannot open the index file ({exc}) while {doing}: check that {folder} exists "
            "and this user may read and write it",
        )
    if primary == _NOMEM:
        return StorageError(path, f"out of memory ({exc}) while {doing}: free memory and retry")
    return None


def damaged(path: str, detail: str, doing: str) -> StorageError:
    """The error for an index file found damaged (by SQLite, or by an integrity check)."""
    return StorageError(
        path,
        f"the index file is damaged ({detail}) while {doing}: move it aside and build it "
        f"again with `imr-search index LETTERS... --index {path}` (the letters are not "
        "affected)",
    )


@contextmanager
def translated(path: str, doing: str) -> Iterator[None]:
    """Run SQLite calls; storage faults surface as one StorageError."""
    try:
        yield
    except sqlite3.Error as exc:
        mapped = explain(exc, path, doing)
        if mapped is None:
            raise
        raise mapped from exc

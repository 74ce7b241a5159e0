"""Parsing letter files for `imr-search parse`, each under the per-file limits.

Each file is read and parsed in a supervised worker process (indexer.workers), so a file that
would take minutes or gigabytes is stopped and reported like any unreadable file, and the
command goes on. One worker: the letters come out in walk order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from indexer.errors import LetterError
from indexer.records import Letter
from indexer.walk import Unwalked, walk_letter_files
from indexer.workers import Done, Limits, WorkerPool


def parse_one(path: str) -> Letter | LetterError:
    """Read and parse one file (in a worker): the letter, or why it is none."""
    from indexer.parse import parse_file

    try:
        return parse_file(path)
    except LetterError as exc:
        return exc


def parse_paths(
    paths: Iterable[str | Path], limits: Limits | None = None
) -> Iterator[tuple[Path, Letter | LetterError] | Unwalked]:
    """(file, its letter or its LetterError) in walk order, and what the walk did not enter."""
    unwalked: deque[Unwalked] = deque()  # appended by the pool's thread

    def files() -> Iterator[str]:
        for found in walk_letter_files(paths):
            if isinstance(found, Unwalked):
                unwalked.append(found)
            else:
                yield str(found)

    with WorkerPool(parse_one, 1, limits) as pool:
        for outcome in pool.imap_unordered(files()):
            while unwalked:
                yield unwalked.popleft()
            path = Path(outcome.task)
            if isinstance(outcome, Done):
                yield path, outcome.value
            else:
                yield path, LetterError(str(path), outcome.reason)
    yield from unwalked

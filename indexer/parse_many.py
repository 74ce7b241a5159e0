"""Parsing letter files for `imr-search parse`, each under the per-file limits.

Each file is read and parsed in a supervised worker process (indexer.workers), so a file that
would take minutes or gigabytes is stopped and reported like any unreadable file, and the
command goes on. One worker: the letters come out in walk order. `parse_paths_json` has the
worker write each letter's JSON line itself: bytes cross the pipe faster than a Letter
(unpickling frozen dataclasses runs Python code per object), and the command only prints them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import msgspec

from indexer.errors import LetterError
from indexer.records import Letter
from indexer.walk import Unwalked, walk_letter_names
from indexer.workers import Done, Limits, WorkerPool
from mappings.schema import encode

R = TypeVar("R")

# Files sent ahead to the worker, and how long the pool thread lets its replies gather
# (indexer.workers.WorkerPool): several milliseconds' worth of letters per wake-up, not one.
# A wake-up costs the command more than the letters it brings back (on a busy machine, where
# the worker gets part of a core, 4 ms brought back fewer than 3); while the pool thread
# lingers the worker still holds over half of DEPTH, more than 8 ms of text letters.
DEPTH = 64
LINGER_SECONDS = 0.008


def parse_one(path: str) -> Letter | LetterError:
    """Read and parse one file (in a worker): the letter, or why it is none."""
    from indexer.parse import parse_file

    try:
        return parse_file(path)
    except LetterError as exc:
        return exc


def parse_one_json(path: str) -> bytes | LetterError:
    """Read and parse one file (in a worker): the letter's JSON line in UTF-8 (as `imr-search
    parse` prints it, without the newline), or why it is none."""
    letter = parse_one(path)
    if isinstance(letter, LetterError):
        return letter
    return json_line(letter)


def json_line(letter: Letter) -> bytes:
    """`json.dumps(letter.to_dict(), ensure_ascii=False)` in UTF-8, byte for byte (", " and
    ": " between items: msgspec's format at indent 0) in a sixth of the time: no dict built
    and decoded again (a letter holds no float, whose text could differ)."""
    return msgspec.json.format(encode(letter), indent=0)


def parse_paths(
    paths: Iterable[str | Path], limits: Limits | None = None
) -> Iterator[tuple[Path, Letter | LetterError] | Unwalked]:
    """(file, its letter or its LetterError) in walk order, and what the walk did not enter."""
    for found in _in_workers(parse_one, paths, limits):
        yield found if isinstance(found, Unwalked) else (Path(found[0]), found[1])


def parse_paths_json(
    paths: Iterable[str | Path], limits: Limits | None = None
) -> Iterator[tuple[str, bytes | LetterError] | Unwalked]:
    """`parse_paths` with each file as its name (no Path object per file) and each letter as
    its JSON line (`parse_one_json`)."""
    return _in_workers(parse_one_json, paths, limits)


def _in_workers(
    function: Callable[[str], R | LetterError],
    paths: Iterable[str | Path],
    limits: Limits | None,
) -> Iterator[tuple[str, R | LetterError] | Unwalked]:
    unwalked: deque[Unwalked] = deque()  # appended by the pool's thread

    def files() -> Iterator[str]:
        for found in walk_letter_names(paths):
            if isinstance(found, Unwalked):
                unwalked.append(found)
            else:
                yield found

    with WorkerPool(function, 1, limits, depth=DEPTH, linger=LINGER_SECONDS) as pool:
        for outcome in pool.imap_unordered(files()):
            while unwalked:
                yield unwalked.popleft()
            if isinstance(outcome, Done):
                yield outcome.task, outcome.value
            else:
                yield outcome.task, LetterError(outcome.task, outcome.reason)
    yield from unwalked

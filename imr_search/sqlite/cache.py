"""The per-generation cache of what searches compute, and the values it holds.

Every key starts with (index uuid, index generation): the generation is read in the same read
transaction as the data and every write transaction bumps it, so an entry can only ever be
found by a reader that sees exactly the data it was computed from. A re-index makes new keys;
old entries are never served again and age out.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CacheKey = tuple[str, int]  # (index uuid, generation)


@dataclass(frozen=True)
class MatchSet:
    bits: int
    count: int


@dataclass(frozen=True)
class Ranking:
    """The first rows of a relevance order (best first), with their bm25 scores."""

    rowids: array  # array("q")
    scores: array  # array("d"): bm25 as FTS5 returns it (lower is better)
    complete: bool  # every matching row is here (fewer than asked for existed)

    def covers(self, need: int) -> bool:
        return self.complete or len(self.rowids) >= need

    def page(self, offset: int, limit: int) -> list[tuple[int, float | None]]:
        rows = zip(
            self.rowids[offset : offset + limit], self.scores[offset : offset + limit], strict=True
        )
        return [(r, -s) for r, s in rows]

    def members_page(
        self, member: Callable[[int], bool], offset: int, limit: int
    ) -> list[tuple[int, float | None]] | None:
        """The page of the order restricted to `member` rows, None when this prefix of the
        order holds too few of them to tell (a filtered order is a subsequence of this one)."""
        out: list[tuple[int, float | None]] = []
        skipped = 0
        for r, s in zip(self.rowids, self.scores, strict=True):
            if member(r):
                if skipped < offset:
                    skipped += 1
                    continue
                out.append((r, -s))
                if len(out) == limit:
                    return out
        return out if self.complete else None

    def filtered(self, member: Callable[[int], bool], depth: int | None = None) -> Ranking:
        """This order restricted to `member` rows (a filtered order is a subsequence of the
        unfiltered one), its first `depth` rows at most."""
        rowids, scores = array("q"), array("d")
        for r, s in zip(self.rowids, self.scores, strict=True):
            if member(r):
                rowids.append(r)
                scores.append(s)
                if len(rowids) == depth:
                    return Ranking(rowids, scores, complete=False)
        return Ranking(rowids, scores, complete=self.complete)

    def nbytes(self) -> int:
        return 16 * len(self.rowids) + 200


class QueryCache:
    """Results of expensive steps (match sets, relevance orders, similar cases), bounded in
    bytes, least recently used dropped first (keys: see the module docstring)."""

    def __init__(self, max_bytes: int = 64 << 20) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: tuple[Any, ...], value: Any, size: int) -> None:
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


# One per process, shared by every engine and thread. (The name predates the other entries:
# benchmarks clear it to time cold queries.)
MATCH_CACHE = QueryCache()

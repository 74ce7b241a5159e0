"""Relevance order: FTS5's bm25, and the stored orders of common terms that spare scoring.

FTS5's bm25 scores every row a query matches, whatever the page (it has no early
termination): a word found in 100,000 items costs about 140 ms to rank at a million items,
and a facet click on it as much again. But when a query is one term, its bm25 order depends
only on the index's data. So an index run's finish() stores, for every term found in at
least `min_df` items (and at most the relevance limit, above which searches list the newest
first), the first ORDER_DEPTH rows of its bm25 order, computed by the very statement a search
runs (`by_relevance`), with the generation they were computed at: impact-ordered postings,
the way Lucene keeps a term's best documents first.

A search whose ranker is that one term, at that generation, reads the stored order instead
of scoring. A filtered search walks it and keeps its members (a filtered order is a
subsequence of the unfiltered one) and scores only when the stored rows hold too few of them.
Same statement, same data: the same rows and scores as scoring, which tests check. Every
write bumps the generation, so a stored order is never used for data it was not computed
from; until the next finish() those terms are scored again.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from array import array
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from imr_search.sqlite.cache import Ranking
from imr_search.sqlite.grams import terms_of
from imr_search.sqlite.matching import FTS, Ranker
from imr_search.sqlite.order import Page, member_function
from imr_search.sqlite.schema import (
    BM25,
    GENERATION,
    ORDERS_GENERATION,
    atomic,
    connect,
    meta_int,
    set_meta,
)

# Rows stored per term: enough for a filter that keeps one row in 200 to fill the first page
# from them. 16 bytes a row: 80 kB a term.
ORDER_DEPTH = 5_000
# Terms in fewer items are scored at search time: about 1.4 us an item, 28 ms at this many.
ORDER_MIN_DF = 20_000
_SCORERS = 2  # read connections scoring at once (the machines this runs on have 2+ cores)
_ONE_STRING = re.compile(r'^"([^"]+)"$')  # a MATCH of one quoted string, no column filter


def by_relevance(
    db: sqlite3.Connection, rank: Ranker, keep: int | None, offset: int, limit: int
) -> Page:
    """bm25 order (best first; ties by rowid) over the ranker's match set, filtered by
    `keep`."""
    table = rank.table
    where = f"{table} MATCH ?"
    if keep is not None:
        db.create_function("imr_keep", 1, member_function(keep), deterministic=True)
        where += " AND imr_keep(rowid)"
    score = BM25 if table == FTS else f"bm25({table})"
    rows = db.execute(
        f"SELECT rowid, {score} AS score FROM {table} WHERE {where}"
        " ORDER BY score, rowid LIMIT ? OFFSET ?",
        (rank.match, limit, offset),
    ).fetchall()
    return [(rowid, -score) for rowid, score in rows]


@dataclass(frozen=True)
class TermOrder:
    """The first rows of one term's bm25 order (scores as FTS5 returns them)."""

    rowids: array  # array("q")
    scores: array  # array("d")
    complete: bool  # every row of the term is here

    def walk(self, member: Callable[[int], bool] | None, depth: int) -> Ranking:
        """The first `depth` rows of the order restricted to `member` (None: every row)."""
        if member is None:
            rowids, scores = self.rowids[:depth], self.scores[:depth]
        else:
            rowids, scores = array("q"), array("d")
            for rowid, score in zip(self.rowids, self.scores, strict=True):
                if member(rowid):
                    rowids.append(rowid)
                    scores.append(score)
                    if len(rowids) == depth:
                        break
        return Ranking(rowids, scores, complete=self.complete and len(rowids) < depth)


def stored_order(db: sqlite3.Connection, rank: Ranker, generation: int) -> TermOrder | None:
    """The stored order of the ranker's term, when it is one term of items_fts with an order
    computed at this generation (None otherwise: the ranker is scored)."""
    found = _ONE_STRING.match(rank.match) if rank.table == FTS else None
    if found is None:
        return None
    terms = terms_of(db, found.group(1))
    if len(terms) != 1:
        return None
    try:
        row = db.execute(
            "SELECT complete, rowids, scores FROM term_orders WHERE term = ? AND generation = ?",
            (terms[0], generation),
        ).fetchone()
    except sqlite3.OperationalError:  # a file made before term orders, opened read-only
        return None
    if row is None:
        return None
    complete, rowids, scores = row
    return TermOrder(array("q", rowids), array("d", scores), complete=bool(complete))


def refresh_orders(
    db: sqlite3.Connection,
    path: str,
    generation: int,
    min_df: int,
    max_df: int,
    depth: int = ORDER_DEPTH,
) -> int:
    """Store the orders of the terms in `min_df`..`max_df` items (term_df says which), as of
    `generation`, in `db` (the writer of the file at `path`); returns how many.

    Terms FTS5 would read otherwise when quoted (a stem that stems again) are left out: no
    MATCH asks for them as they are. Scoring runs on two read connections at once (SQLite
    lets go of the GIL while it scores: both cores), the writer stores the orders as they
    come, in one transaction; nothing is stored if the file moved on meanwhile."""
    candidates = [
        term
        for (term,) in db.execute(
            "SELECT term FROM term_df WHERE df BETWEEN ? AND ? ORDER BY term", (min_df, max_df)
        )
    ]
    terms = [t for t in candidates if '"' not in t and terms_of(db, t) == (t,)]
    local = threading.local()
    readers: list[sqlite3.Connection] = []

    def order_of(term: str) -> tuple[str, Page]:
        reader = getattr(local, "db", None)
        if reader is None:
            reader = local.db = connect(path, writable=False)
            readers.append(reader)
        with atomic(reader, write=False):
            if meta_int(reader, GENERATION) != generation:
                raise _MovedOn
            return term, by_relevance(reader, Ranker(FTS, f'"{term}"', exact=True), None, 0, depth)

    try:
        with atomic(db), ThreadPoolExecutor(_SCORERS) as pool:
            if meta_int(db, GENERATION) != generation:
                raise _MovedOn
            db.execute("DELETE FROM term_orders")
            for term, rows in pool.map(order_of, terms):
                db.execute(
                    "INSERT INTO term_orders(term, generation, complete, rowids, scores)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (
                        term,
                        generation,
                        int(len(rows) < depth),
                        array("q", [r for r, _ in rows]).tobytes(),
                        array("d", [-s for _, s in rows]).tobytes(),  # type: ignore[operator]
                    ),
                )
            set_meta(db, ORDERS_GENERATION, generation)
    except _MovedOn:
        return 0
    finally:
        for reader in readers:
            reader.close()
    return len(terms)


class _MovedOn(Exception):
    """The file was written while the orders were computed: they would describe no
    generation."""


def orders_stale(db: sqlite3.Connection, generation: int) -> bool:
    return meta_int(db, ORDERS_GENERATION, -1) != generation

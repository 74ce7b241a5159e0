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

import json
import re
import sqlite3
import threading
from array import array
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from imr_search.sqlite.cache import CacheKey, Ranking
from imr_search.sqlite.grams import terms_of
from imr_search.sqlite.matching import FTS, Ranker, match_set
from imr_search.sqlite.order import Page, member_function
from imr_search.sqlite.postings import bits_from_rowids, iter_bits
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
# An OR is ranked by bounds (bounded_ranking) only when each leaf without a stored order
# matches at most this many rows (they are all candidates), from the first n rows of each
# stored order, n one of these in turn.
LEAF_ROWS_LIMIT = ORDER_MIN_DF
_CANDIDATES = (500, ORDER_DEPTH)
_ONE_STRING = re.compile(r'^"([^"]+)"$')  # a MATCH of one quoted string, no column filter


def by_relevance(
    db: sqlite3.Connection,
    rank: Ranker,
    keep: int | None,
    offset: int,
    limit: int,
    *,
    listed: bool = False,
) -> Page:
    """bm25 order (best first; ties by rowid) over the ranker's match set, filtered by
    `keep`: a Python call per match, or (`listed`, for a few thousand rows) SQLite's own
    membership test of the rows listed (an index of them, built once); `+rowid` keeps the
    planner from asking FTS5 for each of them by rowid (every such lookup would count the
    term's rows again for its idf)."""
    table = rank.table
    where = f"{table} MATCH ?"
    params: list[Any] = [rank.match]
    if keep is not None and listed:
        where += " AND +rowid IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(iter_bits(keep))))
    elif keep is not None:
        db.create_function("imr_keep", 1, member_function(keep), deterministic=True)
        where += " AND imr_keep(rowid)"
    score = BM25 if table == FTS else f"bm25({table})"
    rows = db.execute(
        f"SELECT rowid, {score} AS score FROM {table} WHERE {where}"
        " ORDER BY score, rowid LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()
    return [(rowid, -score) for rowid, score in rows]


def stored_order(db: sqlite3.Connection, rank: Ranker, generation: int) -> Ranking | None:
    """The stored order of the ranker's term, when it is one term of items_fts with an order
    computed at this generation (None otherwise: the ranker is scored)."""
    return _order_of(db, rank.match, generation) if rank.table == FTS else None


def _order_of(db: sqlite3.Connection, match: str, generation: int) -> Ranking | None:
    """The stored order of a MATCH string of one term of items_fts, at this generation."""
    found = _ONE_STRING.match(match)
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
    return Ranking(array("q", rowids), array("d", scores), complete=bool(complete))


def bounded_ranking(
    db: sqlite3.Connection,
    rank: Ranker,
    keep: int | None,
    need: int,
    depth: int,
    generation: int,
    cache_key: CacheKey | None,
) -> Ranking | None:
    """The first rows (at least `need`, at most `depth`) of the bm25 order of an OR of
    words and phrases (a word and its synonyms: "pt" OR "physical therapy" OR
    "physiotherapy"), restricted to `keep`, scoring a bounded set of candidates; None when
    that cannot tell them (then the caller scores every match).

    FTS5's bm25 of an OR is the sum over its leaves of what each leaf alone scores the row
    (the same idf, row length and column weights; 0 for a leaf the row lacks). Candidates:
    the first n rows of each leaf's stored order, and every row of a leaf that has none
    (LEAF_ROWS_LIMIT at most). A row outside them scores at most the sum of each stored
    order's n-th score, so the candidates scoring above that bound, scored by FTS5 itself
    (the OR's own MATCH, restricted to them), are exactly the order's first rows. n grows
    until they are enough.
    """
    if len(rank.leaves) < 2 or rank.table != FTS:
        return None
    orders: list[Ranking] = []
    loose = 0
    for leaf in rank.leaves:
        order = _order_of(db, leaf, generation)
        if order is not None:
            orders.append(order)
            continue
        matched = match_set(db, leaf, cache_key)
        if matched.count > LEAF_ROWS_LIMIT:
            return None
        loose |= matched.bits
    if not orders:
        return None
    # Each stored order's members (in order), and the score no row after its stored ones
    # beats (bm25 with its sign off).
    beyond = [-order.scores[-1] if not order.complete else 0.0 for order in orders]
    if keep is not None:
        loose &= keep
        member = member_function(keep)
        orders = [order.filtered(member) for order in orders]
    for n in _CANDIDATES:
        bound = 0.0  # the most a row outside the candidates scores
        candidates = loose
        for order, after in zip(orders, beyond, strict=True):
            candidates |= bits_from_rowids(order.rowids[:n])
            # a member after the n-th scores no more than it, nor one after the stored rows
            bound += -order.scores[n - 1] if len(order.rowids) > n else after
        rows = by_relevance(db, rank, candidates, 0, depth, listed=True)
        if bound == 0.0:  # the candidates are every row the OR matches
            return ranking_of(rows, complete_below=depth)
        # Above the bound with a margin: FTS5 may add the leaves' shares in another order.
        sure = [row for row in rows if row[1] > bound * (1 + 1e-9)]  # type: ignore[operator]
        if len(sure) >= need:
            return ranking_of(sure, complete_below=0)
        if all(len(order.rowids) <= n for order in orders):
            return None  # no more stored rows to add
    return None


def ranking_of(rows: Page, *, complete_below: int) -> Ranking:
    """A Ranking of by_relevance's rows: complete when fewer than `complete_below` came (the
    rows asked for: every match is then here)."""
    return Ranking(
        array("q", [r for r, _ in rows]),
        array("d", [-s for _, s in rows]),  # type: ignore[operator]
        complete=len(rows) < complete_below,
    )


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

    def order_of(term: str) -> tuple[str, Ranking]:
        """The term's order, as arrays (a result waiting to be stored is 80 kB, not the
        500 kB of Python tuples)."""
        reader = getattr(local, "db", None)
        if reader is None:
            reader = local.db = connect(path, writable=False)
            readers.append(reader)
        with atomic(reader, write=False):
            if meta_int(reader, GENERATION) != generation:
                raise _MovedOn
            rows = by_relevance(reader, Ranker(FTS, f'"{term}"', exact=True), None, 0, depth)
        return term, ranking_of(rows, complete_below=depth)

    try:
        with atomic(db), ThreadPoolExecutor(_SCORERS) as pool:
            if meta_int(db, GENERATION) != generation:
                raise _MovedOn
            db.execute("DELETE FROM term_orders")
            for term, order in pool.map(order_of, terms):
                db.execute(
                    "INSERT INTO term_orders(term, generation, complete, rowids, scores)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (
                        term,
                        generation,
                        int(order.complete),
                        order.rowids.tobytes(),
                        order.scores.tobytes(),
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

"""Search on the SQLite index: match set, facet filters and counts, ordering, snippets.

Order of work, and why:
1. The MATCH runs alone and yields the set of matching rowids as a bitset (planner pitfall:
   MATCH next to a filter on another table can take seconds; alone it takes milliseconds).
2. Facet filters are bitsets from the postings (OR within a facet, AND across facets); each
   facet is counted over the match set filtered by every *other* facet's selection, and only
   as far as its shown top values need (`Snapshot.top_counts`).
3. Only then are hits ordered: bm25 with column weights when the match set is small enough
   to score (bm25 scores every matching row; FTS5 has no early termination), otherwise the
   newest first, and the response says so. A query that is one common term reads its stored
   order instead of scoring, and an OR of words (a word and its synonyms) scores a bounded
   set of candidates (imr_search.sqlite.ranking): the same rows and scores, without the
   pass over every match. Highlights and snippets are made for one page.

What a search computes about its whole result set depends only on the index generation,
the query and the filters, not on the page or the sort: match sets, facet summaries and the
first RANK_DEPTH rows of a relevance order are kept in MATCH_CACHE, keyed by (index uuid,
generation, ...). Every write transaction bumps the generation and a reader reads it in the
same read transaction as the data, so an entry is only ever found by a reader that sees the
very data it was computed from: paging, re-sorting or clicking facets on a broad query does
not score it again, and a re-index shows at once. Documents and snippets are read for every
page.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import Any

from imr_search.contract import (
    NO_WORDS_NOTICE,
    AboutSplit,
    SearchRequest,
    SearchResponse,
    join_notices,
)
from imr_search.plan import CaseRef, QueryPlan, plan
from imr_search.sqlite.cache import MATCH_CACHE, CacheKey, MatchSet, Ranking
from imr_search.sqlite.compiler import compile_marking, compile_match
from imr_search.sqlite.dates import date_bits
from imr_search.sqlite.grams import CommonGrams
from imr_search.sqlite.marking import hits_of
from imr_search.sqlite.matching import Ranker, match_set, query_rows, ranker
from imr_search.sqlite.order import Page, by_date, by_letter, member_function
from imr_search.sqlite.postings import Snapshot, bits_from_rowids, row_counts
from imr_search.sqlite.ranking import (
    bounded_ranking,
    by_relevance,
    ranking_of,
    stored_order,
)
from imr_search.sqlite.summary import Summary, summarize

# Above this many matching items, relevance ranking is replaced by newest-first (bm25 costs
# about 1 us per matching item: 150k matches is about 150 ms).
RELEVANCE_LIMIT = 150_000
# Rows of a relevance order kept per query (and filters): ten pages of 100. Scoring is the
# cost (every matching row, whatever the page); a longer top-k costs SQLite next to nothing.
RANK_DEPTH = 1_000


def compile_query(text: str) -> str | None:
    """Query text -> FTS5 MATCH string (synonyms expanded, phrases positional: it needs only
    the text columns), None to browse everything."""
    ast = plan(text).ast
    return compile_match(ast) if ast is not None else None


def run_search(
    db: sqlite3.Connection,
    snap: Snapshot,
    request: SearchRequest,
    *,
    cache_key: CacheKey | None = None,
    relevance_limit: int = RELEVANCE_LIMIT,
    grams: CommonGrams | None = None,
) -> SearchResponse:
    """`grams`: the index's common grams (phrases of common words become term lookups)."""
    started = time.perf_counter()
    query = plan(request.query)
    rewrite = grams.rewriter(db) if grams is not None else None
    match = compile_match(query.ast, rewrite) if query.ast is not None else None
    about_match = compile_match(query.about, rewrite) if query.about is not None else None
    selections = {
        name: list(dict.fromkeys(str(v) for v in values))
        for name, values in request.filters.items()
        if values
    }
    masks = {name: snap.union(name, values) for name, values in selections.items()}

    matched = query_rows(db, query.ast, cache_key, rewrite) if query.ast is not None else None
    base = matched.bits & snap.all if matched is not None else snap.all
    if query.cases:
        base &= _letters(db, query.cases)
    dates = (request.date_from, request.date_to)
    if dates != (None, None):
        base &= date_bits(db, snap, *dates, cache_key)
    about_bits = None
    if query.about is not None:
        about_bits = query_rows(db, query.about, cache_key, rewrite).bits & base
        if request.decisions == "about":
            base = about_bits
        elif request.decisions == "mentions":
            base &= ~about_bits
    result = base
    for mask in masks.values():
        result &= mask
    total = result.bit_count()
    about_result = result & about_bits if about_bits is not None else None
    # The decisions the rate counts: those about the query, when every match is listed and
    # some are about it (else every match: nothing is about "pain", much mentions it).
    rated_about = about_bits if request.decisions == "all" and about_result else None

    filter_key = _filter_key(selections)
    summary_key = None
    if cache_key is not None:
        summary_key = (
            *cache_key,
            "summary",
            match,
            about_match,
            query.cases,
            dates,
            request.decisions,
            filter_key,
            request.facet_size,
            tuple(sorted(request.facet_sizes.items())),
            request.breakdown,
        )
    summary: Summary | None = MATCH_CACHE.get(summary_key) if summary_key else None
    if summary is None:
        by_rows = row_counts(db, result) if snap.rows_pay(total) else None
        summary = summarize(snap, request, selections, masks, base, result, rated_about, by_rows)
        if summary_key is not None:
            MATCH_CACHE.put(summary_key, summary, summary.nbytes())

    notice = None
    ranked: Page = []
    if request.per_page and request.offset < total:
        relevance = request.sort == "relevance"
        first = about_result if request.decisions == "all" and relevance else None
        tiers = _tiers(db, query, result, first, pin=relevance)
        if request.sort == "outcome":  # Overturned first, each outcome newest first
            overturned = snap.value_bits("outcome", "Overturned")
            tiers = [t for tier in tiers for t in (tier & overturned, tier & ~overturned) if t]
        # What identifies the result (besides the match): its ranking's cache key.
        result_key = (*filter_key, ("set", query.cases, dates, request.decisions, about_match))
        order = _order(
            db,
            snap,
            request,
            ranker(query.ast, rewrite) if query.ast is not None else None,
            matched,
            tiers,
            result_key,
            cache_key,
            relevance_limit,
            bool(query.cases),
        )
        ranked, notice = order
    marking = compile_marking(query.ast) if request.highlight else None
    hits = hits_of(db, ranked, marking)
    split = None
    if about_result is not None:
        about_count = about_result.bit_count()
        split = AboutSplit(about=about_count, mentions=total - about_count)
    return SearchResponse(
        total=total,
        hits=hits,
        facets=dict(summary.facets),
        outcome_rate=summary.outcome_rate,
        took_ms=(time.perf_counter() - started) * 1000.0,
        breakdown=summary.breakdown,
        notice=join_notices(NO_WORDS_NOTICE if query.no_words else None, notice),
        about=split,
        breakdown_ignores=summary.breakdown_ignores,
    )


def _letters(db: sqlite3.Connection, cases: Sequence[CaseRef]) -> int:
    """The items of the letters a query names by case number, as a bitset."""
    marks = ",".join("?" * len(cases))
    rows = db.execute(
        f"SELECT rowid FROM items WHERE letter_id IN ({marks})", [c.letter_id for c in cases]
    ).fetchall()
    return bits_from_rowids([r for (r,) in rows])


def _tiers(
    db: sqlite3.Connection, query: QueryPlan, result: int, about: int | None, *, pin: bool
) -> list[int]:
    """The result cut into the groups listed one after the other: items named by id first
    (`pin`: ranked by relevance), then the decisions about the query, then those that
    mention it."""
    tiers: list[int] = []
    rest = result
    if pin and query.pinned:
        marks = ",".join("?" * len(query.pinned))
        rows = db.execute(f"SELECT rowid FROM items WHERE id IN ({marks})", query.pinned)
        pinned = bits_from_rowids([r for (r,) in rows]) & result
        if pinned:
            tiers.append(pinned)
            rest &= ~pinned
    if about is not None:
        tiers.append(about & rest)
        rest &= ~about
    tiers.append(rest)
    return [t for t in tiers if t]


def _order(
    db: sqlite3.Connection,
    snap: Snapshot,
    request: SearchRequest,
    rank: Ranker | None,
    matched: MatchSet | None,
    tiers: list[int],
    result_key: tuple[Any, ...],
    cache_key: CacheKey | None,
    relevance_limit: int,
    query_cases: bool,
) -> tuple[Page, str | None]:
    """One page of the result: tier after tier, each in the request's order (bm25 when the
    match set is small enough to score, else newest first, said in the notice; a lookup by
    case number without words in letter and item order; dates; outcome tiers by date)."""
    relevance = request.sort == "relevance"
    notice = None
    if relevance and matched is not None and matched.count > relevance_limit:
        relevance = False
        notice = (
            f"This search matches {matched.count:,} items, too many to rank by relevance "
            "quickly, so the newest decisions come first. Add words, a phrase or filters to "
            "rank by relevance."
        )
    offset, limit = request.offset, request.per_page
    out: Page = []
    # Every tier's relevance order is a subsequence of the whole result's: one bm25 pass
    # (cached; for a single tier that is the whole match set, the match set's own order)
    # serves every tier whose members its first rows hold.
    combined: Ranking | None = None
    unscored = 0  # rows the ranker does not match (a query mixing `request:` with other
    # words): each tier's come after its scored rows, newest first
    if relevance and rank is not None and not rank.exact:
        scored = match_set(db, rank.match, cache_key, rank.table).bits
        tiers = [part for tier in tiers for part in (tier & scored, tier & ~scored) if part]
        unscored = ~scored
    stored = None
    if relevance and rank is not None and tiers:
        stored = stored_order(db, rank, snap.generation)
        result = 0
        for tier in tiers:
            if not tier & unscored:
                result |= tier
        whole = rank.exact and matched is not None and result == matched.bits & snap.all
        # Scoring every match is the cost: one pass serves every tier its first rows hold.
        # A stored order, or an OR ranked among candidates, costs little again tier by tier.
        cheap = stored is not None or len(rank.leaves) > 1
        need = offset + limit if len(tiers) == 1 or cheap else RANK_DEPTH
        if result:
            keep = None if whole else result
            combined = _ranking(
                db, rank, keep, result_key, need, cache_key, snap.generation, stored
            )
    for number, tier in enumerate(tiers):
        count = tier.bit_count()
        if offset >= count:
            offset -= count
            continue
        take = min(limit - len(out), count - offset)
        if combined is not None and rank is not None and not tier & unscored:
            page = (
                combined.page(offset, take)
                if len(tiers) == 1 and combined.covers(offset + take)
                else combined.members_page(member_function(tier), offset, take)
            )
            if page is None:  # the tier's rows lie deeper than the shared order reaches
                key = (*result_key, ("tier", number, len(tiers)))
                ranking = _ranking(
                    db, rank, tier, key, offset + take, cache_key, snap.generation, stored
                )
                page = ranking.page(offset, take)
            out += page
        elif relevance and matched is None and query_cases:
            out += by_letter(db, tier, offset, take)
        else:
            out += by_date(db, tier, count, snap, offset, take, oldest=request.sort == "oldest")
        offset = 0
        if len(out) >= limit:
            break
    return out, notice


# --- ordering -----------------------------------------------------------------------------


def _filter_key(selections: Mapping[str, Sequence[str]]) -> tuple[Any, ...]:
    """The selections, in a canonical form (OR within a facet does not depend on order)."""
    return tuple(sorted((name, tuple(sorted(values))) for name, values in selections.items()))


def _ranking(
    db: sqlite3.Connection,
    rank: Ranker,
    keep: int | None,
    filter_key: tuple[Any, ...],
    need: int,
    cache_key: CacheKey | None,
    generation: int,
    stored: Ranking | None = None,
) -> Ranking:
    """At least the first `need` rows of the bm25 order of the ranker's match set (restricted
    to `keep`, which `filter_key` names; None: the whole match set): from the ranker's
    `stored` order when its rows hold enough of them, else from bounded candidates
    (ranking.bounded_ranking), else scored (then RANK_DEPTH rows at least).

    bm25 scores every matching row, whatever the page, so the first rows of the order are
    kept in the per-generation cache: the next pages, and facet clicks whose members are
    among those rows (a filtered order is the unfiltered order's subsequence), are then read
    from it instead of scoring the match set again.
    """
    base = (*cache_key, "rank", rank.table, rank.match) if cache_key else None
    key = (*base, () if keep is None else filter_key) if base else None
    found: Ranking | None = MATCH_CACHE.get(key) if key else None
    if found is not None and found.covers(need):
        return found
    if keep is not None and base is not None:
        unfiltered: Ranking | None = MATCH_CACHE.get((*base, ()))
        if unfiltered is not None:
            members = unfiltered.filtered(member_function(keep))
            if members.covers(need):
                return members
    depth = max(RANK_DEPTH, need)
    ranking: Ranking | None = stored
    if stored is not None and keep is not None:
        ranking = stored.filtered(member_function(keep), depth)
    if ranking is None or not ranking.covers(need):
        ranking = bounded_ranking(db, rank, keep, need, depth, generation, cache_key)
    if ranking is None or not ranking.covers(need):
        ranking = ranking_of(by_relevance(db, rank, keep, 0, depth), complete_below=depth)
    if key is not None:
        MATCH_CACHE.put(key, ranking, ranking.nbytes())
    return ranking

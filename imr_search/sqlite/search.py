"""Search on the SQLite index: match set, facet filters and counts, ordering, snippets.

Order of work, and why:
1. The MATCH runs alone and yields the set of matching rowids as a bitset (planner pitfall:
   MATCH next to a filter on another table can take seconds; alone it takes milliseconds).
2. Facet filters are bitsets from the postings (OR within a facet, AND across facets); each
   facet is counted over the match set filtered by every *other* facet's selection, and only
   as far as its shown top values need (`Snapshot.top_counts`).
3. Only then are hits ordered: bm25 with column weights when the match set is small enough
   to score (bm25 scores every matching row; FTS5 has no early termination), otherwise the
   newest first, and the response says so. Highlights and snippets are made for one page.

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

import json
import sqlite3
import time
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from imr_search.contract import (
    BreakdownRow,
    FacetValue,
    OutcomeRate,
    SearchRequest,
    SearchResponse,
)
from imr_search.errors import QuerySyntaxError
from imr_search.query import parse_query
from imr_search.sqlite.cache import MATCH_CACHE, CacheKey, MatchSet, Ranking
from imr_search.sqlite.compiler import compile_match
from imr_search.sqlite.marking import hits_of
from imr_search.sqlite.postings import Snapshot, bits_from_rowids, iter_bits
from imr_search.sqlite.schema import BM25
from imr_search.synonyms import expand_synonyms
from mappings.facets import FACETS

# Above this many matching items, relevance ranking is replaced by newest-first (bm25 costs
# about 1 us per matching item: 150k matches is about 150 ms).
RELEVANCE_LIMIT = 150_000
# Rows of a relevance order kept per query (and filters): ten pages of 100. Scoring is the
# cost (every matching row, whatever the page); a longer top-k costs SQLite next to nothing.
RANK_DEPTH = 1_000


def compile_query(text: str) -> str | None:
    """Query text -> FTS5 MATCH string (synonyms expanded), None to browse everything."""
    ast = expand_synonyms(parse_query(text))
    return compile_match(ast) if ast is not None else None


def match_set(db: sqlite3.Connection, match: str, cache_key: CacheKey | None) -> MatchSet:
    key = (*cache_key, "match", match) if cache_key else None
    if key is not None and (found := MATCH_CACHE.get(key)) is not None:
        return found
    try:
        # One JSON array parsed in C: a row per match through the cursor costs ~40% more.
        (found_json,) = db.execute(
            "SELECT json_group_array(rowid) FROM items_fts WHERE items_fts MATCH ?", (match,)
        ).fetchone()
    except sqlite3.OperationalError as exc:  # the compiler quotes everything; just in case
        raise QuerySyntaxError(f"The search engine could not run this query ({exc}).") from exc
    rowids = json.loads(found_json)
    result = MatchSet(bits_from_rowids(rowids), len(rowids))
    if key is not None:
        MATCH_CACHE.put(key, result, (result.bits.bit_length() >> 3) + 100)
    return result


def run_search(
    db: sqlite3.Connection,
    snap: Snapshot,
    request: SearchRequest,
    *,
    cache_key: CacheKey | None = None,
    relevance_limit: int = RELEVANCE_LIMIT,
) -> SearchResponse:
    started = time.perf_counter()
    match = compile_query(request.query)
    selections = {
        name: list(dict.fromkeys(str(v) for v in values))
        for name, values in request.filters.items()
        if values
    }
    masks = {name: snap.union(name, values) for name, values in selections.items()}

    matched = match_set(db, match, cache_key) if match is not None else None
    base = matched.bits & snap.all if matched is not None else snap.all
    result = base
    for mask in masks.values():
        result &= mask
    total = result.bit_count()

    filter_key = _filter_key(selections)
    summary_key = None
    if cache_key is not None:
        summary_key = (
            *cache_key,
            "summary",
            match,
            filter_key,
            request.facet_size,
            request.breakdown,
        )
    summary: Summary | None = MATCH_CACHE.get(summary_key) if summary_key else None
    if summary is None:
        summary = _summarize(snap, request, selections, masks, base, result, total)
        if summary_key is not None:
            MATCH_CACHE.put(summary_key, summary, summary.nbytes())

    notice = None
    ranked: list[tuple[int, float | None]] = []
    if request.per_page and request.offset < total:
        relevant = matched if request.sort == "relevance" else None
        if relevant is not None and match is not None and relevant.count <= relevance_limit:
            ranked = _relevance_page(
                db,
                match,
                result if masks else None,
                filter_key,
                request.offset,
                request.per_page,
                cache_key,
            )
        else:
            if relevant is not None:
                notice = (
                    f"This search matches {relevant.count:,} items, too many to rank by "
                    "relevance quickly, so the newest decisions come first. Add words, a "
                    "phrase or filters to rank by relevance."
                )
            ranked = _by_date(db, result, total, snap, request.offset, request.per_page)
    hits = hits_of(db, ranked, match if request.highlight else None)
    return SearchResponse(
        total=total,
        hits=hits,
        facets=dict(summary.facets),
        outcome_rate=summary.outcome_rate,
        took_ms=(time.perf_counter() - started) * 1000.0,
        breakdown=summary.breakdown,
        notice=notice,
    )


@dataclass(frozen=True)
class Summary:
    """What a search says about its whole result set: facets, outcome rate, breakdown.

    It depends only on the query, the filters, the facet size and the breakdown facet, not
    on the page or the sort, so it is kept in the per-generation cache: paging through
    results or re-sorting them does not count every facet again.
    """

    facets: Mapping[str, tuple[FacetValue, ...]]
    outcome_rate: OutcomeRate
    breakdown: tuple[BreakdownRow, ...]

    def nbytes(self) -> int:
        values = sum(len(v) for v in self.facets.values()) + len(self.breakdown)
        return 1000 + 150 * values


def _summarize(
    snap: Snapshot,
    request: SearchRequest,
    selections: Mapping[str, Sequence[str]],
    masks: Mapping[str, int],
    base: int,
    result: int,
    total: int,
) -> Summary:
    """Facet counts (each facet ignoring its own selection), outcome rate and breakdown."""
    facets: dict[str, tuple[FacetValue, ...]] = {}
    # facet -> counts over `result` itself (exact for every value that can be in the top
    # `facet_size`: all that the facet list and the breakdown show)
    counted: dict[str, dict[str, int]] = {}
    planes = snap.planes(result)  # `result` split for sparse counting, once for every facet
    for spec in FACETS:
        if not request.facet_size and spec.name not in selections:
            facets[spec.name] = ()
            continue
        chosen = selections.get(spec.name, ())
        if spec.name in masks:
            mask = base
            for name, other in masks.items():
                if name != spec.name:
                    mask &= other
            counts = snap.top_counts(spec.name, mask, request.facet_size, chosen)
        else:
            counts = snap.top_counts(spec.name, result, request.facet_size, chosen, planes)
            counted[spec.name] = counts
        facets[spec.name] = _facet_list(counts, chosen, request.facet_size)

    upheld_bits = snap.value_bits("outcome", "Upheld")
    upheld = (result & upheld_bits).bit_count()
    rate = OutcomeRate(upheld=upheld, overturned=total - upheld)
    breakdown: tuple[BreakdownRow, ...] = ()
    if request.breakdown:
        shown = counted.get(request.breakdown)
        if shown is None or request.facet_size < 1:  # _breakdown shows at least one value
            shown = snap.top_counts(
                request.breakdown, result, max(request.facet_size, 1), planes=planes
            )
        breakdown = _breakdown(snap, request, result, upheld_bits, shown)
    return Summary(facets, rate, breakdown)


# --- facets -------------------------------------------------------------------------------


def _to_bytes(bits: int) -> bytes:
    return bits.to_bytes((bits.bit_length() + 7) >> 3 or 1, "little")


def _facet_list(
    counts: Mapping[str, int], selected: Sequence[str], size: int
) -> tuple[FacetValue, ...]:
    """Top `size` values by count (ties by value), plus every selected value, count order."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    listed = {value for value, _ in ordered}
    ordered += [(value, counts.get(value, 0)) for value in selected if value not in listed]
    ordered.sort(key=lambda kv: (-kv[1], kv[0]))
    chosen = set(selected)
    return tuple(FacetValue(value, count, value in chosen) for value, count in ordered)


def _breakdown(
    snap: Snapshot,
    request: SearchRequest,
    result: int,
    upheld_bits: int,
    counts: Mapping[str, int],
) -> tuple[BreakdownRow, ...]:
    """Outcome counts for the top values of the breakdown facet (`counts`: over `result`)."""
    assert request.breakdown is not None
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: max(request.facet_size, 1)]
    rows = []
    for value, count in top:
        upheld = (snap.value_bits(request.breakdown, value) & result & upheld_bits).bit_count()
        rows.append(BreakdownRow(value, OutcomeRate(upheld=upheld, overturned=count - upheld)))
    return tuple(rows)


# --- ordering -----------------------------------------------------------------------------


def member_function(bits: int) -> Callable[[int], bool]:
    data = _to_bytes(bits)
    limit = len(data) << 3

    def member(rowid: int) -> bool:
        return rowid < limit and bool(data[rowid >> 3] >> (rowid & 7) & 1)

    return member


def _filter_key(selections: Mapping[str, Sequence[str]]) -> tuple[Any, ...]:
    """The selections, in a canonical form (OR within a facet does not depend on order)."""
    return tuple(sorted((name, tuple(sorted(values))) for name, values in selections.items()))


def _relevance_page(
    db: sqlite3.Connection,
    match: str,
    keep: int | None,
    filter_key: tuple[Any, ...],
    offset: int,
    limit: int,
    cache_key: CacheKey | None,
) -> list[tuple[int, float | None]]:
    """A page of the bm25 order of the match set (restricted to `keep`).

    bm25 scores every matching row, whatever the page, so the first RANK_DEPTH rows of the
    order are kept in the per-generation cache: the next pages, and facet clicks whose
    members are among those rows (a filtered order is the unfiltered order's subsequence),
    are then read from it instead of scoring the match set again.
    """
    need = offset + limit
    if cache_key is None:
        return by_relevance(db, match, keep, offset, limit)
    key = (*cache_key, "rank", match, filter_key)
    found: Ranking | None = MATCH_CACHE.get(key)
    if found is not None and found.covers(need):
        return found.page(offset, limit)
    if keep is not None:
        unfiltered: Ranking | None = MATCH_CACHE.get((*cache_key, "rank", match, ()))
        if unfiltered is not None:
            page = unfiltered.members_page(member_function(keep), offset, limit)
            if page is not None:
                return page
    depth = max(RANK_DEPTH, need)
    rows = by_relevance(db, match, keep, 0, depth)
    ranking = Ranking(
        array("q", [r for r, _ in rows]),
        array("d", [-score for _, score in rows]),  # type: ignore[operator]
        complete=len(rows) < depth,
    )
    MATCH_CACHE.put(key, ranking, ranking.nbytes())
    return ranking.page(offset, limit)


def by_relevance(
    db: sqlite3.Connection, match: str, keep: int | None, offset: int, limit: int
) -> list[tuple[int, float | None]]:
    """bm25 order (best first; ties by rowid) over the match set, filtered by `keep`."""
    where = "items_fts MATCH ?"
    if keep is not None:
        db.create_function("imr_keep", 1, member_function(keep), deterministic=True)
        where += " AND imr_keep(rowid)"
    rows = db.execute(
        f"SELECT rowid, {BM25} AS score FROM items_fts WHERE {where}"
        " ORDER BY score, rowid LIMIT ? OFFSET ?",
        (match, limit, offset),
    ).fetchall()
    return [(rowid, -score) for rowid, score in rows]


def _by_date(
    db: sqlite3.Connection, result: int, total: int, snap: Snapshot, offset: int, limit: int
) -> list[tuple[int, float | None]]:
    """Newest decision first (ties by item id, undated last), by the cheaper of two plans."""
    everything = max(snap.all.bit_count(), 1)
    expected_scan = (offset + limit) * everything / max(total, 1)
    if expected_scan <= 3 * total:
        # Dense result: walk the date index and keep members until the page is full. Start
        # at the year the page begins in: a result that is dense overall may still have no
        # member in the newest years (a filter on an older year), and skipping them row by
        # row would read most of the index.
        start, offset = _first_year(snap, result, offset, limit)
        member = member_function(result)
        out: list[tuple[int, float | None]] = []
        skipped = 0
        if start is None:
            rows = db.execute(
                "SELECT rowid FROM items INDEXED BY items_date ORDER BY decision_date DESC, id"
            )
        else:
            rows = db.execute(
                "SELECT rowid FROM items INDEXED BY items_date WHERE decision_date < ?"
                " ORDER BY decision_date DESC, id",
                (start,),
            )
        for (rowid,) in rows:
            if member(rowid):
                if skipped < offset:
                    skipped += 1
                    continue
                out.append((rowid, None))
                if len(out) == limit:
                    break
        return out
    # Sparse result: sort just its rows.
    rowids = json.dumps(list(iter_bits(result)))
    found = db.execute(
        "SELECT rowid FROM items WHERE rowid IN (SELECT value FROM json_each(?))"
        " ORDER BY decision_date DESC, id LIMIT ? OFFSET ?",
        (rowids, limit, offset),
    ).fetchall()
    return [(rowid, None) for (rowid,) in found]


def _first_year(snap: Snapshot, result: int, offset: int, limit: int) -> tuple[str | None, int]:
    """Where a newest-first walk over `result` can start: (upper date bound, offset left).

    The year facet says how many members each decision year has (its value is the year of
    `decision_date`), so whole years that end before `offset` are skipped without reading
    them. (None, offset) when no year can be skipped or when the page may reach undated
    items (they sort last, outside any date bound).
    """
    years: list[tuple[int, str]] = []
    for fv in snap.by_facet.get("year", ()):
        value = snap.labels[fv][1]
        if not (len(value) == 4 and value.isdigit()):
            return None, offset
        years.append((int(value), value))
    years.sort(reverse=True)
    counts = [(year, (snap.value_bits("year", v) & result).bit_count()) for year, v in years]
    if offset + limit > sum(n for _, n in counts):
        return None, offset  # the page reaches undated items
    before = 0
    for i, (year, n) in enumerate(counts):
        if before + n > offset:
            if i == 0:
                return None, offset
            return f"{year + 1:04d}", offset - before
        before += n
    return None, offset

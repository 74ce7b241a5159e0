"""Similar cases on the SQLite index: candidates tier by tier, ranked by imr_search.similarity.

The candidates of a tier (the item's concept, then its family, then its category, then any)
are the items its options allow (imr_search.similarity.allowed, as facet bitsets), ordered by
bm25 of the item's distinctive terms (similar_terms), and filled up to a tier's quota with
the tier's newest decisions when fewer share a distinctive word. Lower tiers are only read
while higher ones hold fewer than k. An item compared "as requested" gives its terms from,
and is matched on, the texts known before its review only (mappings.fields.similar_fields).
The ranking and its reasons are kept in the per-generation cache (MATCH_CACHE); documents are
read every time.
"""

from __future__ import annotations

import dataclasses
import sqlite3

from imr_search.contract import SimilarHit, SimilarRequest, item_not_found
from imr_search.errors import InvalidParameter, ItemNotFound
from imr_search.similarity import (
    CANDIDATES_PER_TIER,
    TIERS,
    Candidate,
    Probe,
    probe_of_item,
    probe_of_text,
    rank,
)
from imr_search.sqlite.cache import MATCH_CACHE, CacheKey
from imr_search.sqlite.order import by_date, member_function
from imr_search.sqlite.postings import Snapshot, bits_from_joined, bits_from_rowids
from imr_search.sqlite.rows import DOC_COLUMNS, load_doc
from imr_search.sqlite.schema import BM25
from imr_search.sqlite.similar_terms import (
    distinctive_terms,
    shared_terms,
    terms_match,
)
from mappings.fields import similar_fields
from mappings.schema import ItemDocument

# Tier -> the facet whose value (the probe's) the tier's candidates share.
_TIER_FACETS = {"concept": "concept", "family": "request_family", "category": "category"}


def run_similar(
    db: sqlite3.Connection,
    snap: Snapshot,
    request: SimilarRequest,
    *,
    cache_key: CacheKey | None = None,
) -> list[SimilarHit]:
    """The k most similar items, best first, each with why."""
    key = (*cache_key, "similar", request) if cache_key is not None else None
    ranked: list[tuple[int, SimilarHit]] | None = MATCH_CACHE.get(key) if key else None
    if ranked is None:
        ranked = _rank(db, snap, request)
        if key is not None:
            MATCH_CACHE.put(key, ranked, 2_000 + len(request.text or "") + 600 * len(ranked))
    if not ranked:
        return []
    docs = _docs(db, [r for r, _ in ranked])
    return [dataclasses.replace(hit, doc=docs[r]) for r, hit in ranked]


def _rank(
    db: sqlite3.Connection, snap: Snapshot, request: SimilarRequest
) -> list[tuple[int, SimilarHit]]:
    """(rowid, hit) of the k best candidates."""
    probe, texts, own, min_df = _probe(db, snap, request)
    allowed = _allowed(db, snap, probe, request, own)
    total = max(snap.all.bit_count(), 1)
    terms = distinctive_terms(db, texts, total=total, min_df=min_df)
    # As requested: matched on the same texts the terms come from (the full comparison
    # matches them anywhere, as it always has).
    columns = [f.scope for f in similar_fields(request.as_requested)]
    match = terms_match(terms, columns if request.as_requested else None) if terms else ""
    scores: dict[int, float] = {}
    for tier in TIERS:
        if len(scores) >= request.k:
            break
        members = allowed & _tier_bits(snap, probe, tier) & ~bits_from_rowids(scores)
        if members:
            # Outside the probe's kind only shared words make a case similar: no filling.
            scores.update(_tier_candidates(db, snap, members, match, fill=tier != "any"))
    if not scores:
        return []
    docs = _docs(db, list(scores))
    by_id = {docs[r].id: r for r in scores}
    hits = rank(probe, [Candidate(docs[r], scores[r]) for r in scores], request.k)
    rowids = [by_id[h.doc.id] for h in hits]
    shared = shared_terms(db, terms, rowids, columns, match or None)
    return [
        (
            r,
            dataclasses.replace(
                h,
                shared_terms=shared[r],
                why=dataclasses.replace(h.why, shared_terms=shared[r]),
            ),
        )
        for r, h in zip(rowids, hits, strict=True)
    ]


def _probe(
    db: sqlite3.Connection, snap: Snapshot, request: SimilarRequest
) -> tuple[Probe, list[tuple[str, float]], list[int], int]:
    """(what to compare with, its texts with weights, rowids of its own letter, min df)."""
    if request.item_id is None:
        if request.same_category and request.category is None:
            raise InvalidParameter(
                "category", "give the category to restrict free-text similarity to"
            )
        probe = probe_of_text(request.text or "", request.category)
        return probe, [(request.text or "", 1.0)], [], 1
    row = db.execute(
        f"SELECT rowid, {DOC_COLUMNS} FROM items WHERE id = ?", (request.item_id,)
    ).fetchone()
    if row is None:
        raise ItemNotFound(item_not_found(request.item_id))
    rowid, *columns = row
    doc = load_doc(*columns)
    own = [rowid]
    if not request.include_same_letter:
        own += [
            r
            for (r,) in db.execute(
                "SELECT rowid FROM items WHERE letter_id = ? AND rowid != ?", (doc.letter_id, rowid)
            )
        ]
    # The texts terms are picked from, with the field table's weights: the treatment says most.
    texts = [(f.text_of(doc), f.similar_weight) for f in similar_fields(request.as_requested)]
    # Ignore terms (almost) unique to this item: typos and names, not similarity. The item
    # itself counts once; like Elasticsearch's more_like_this min_doc_freq (5).
    min_df = min(5, max(2, snap.all.bit_count() // 2000))
    return probe_of_item(doc, request.as_requested), texts, own, min_df


def _allowed(
    db: sqlite3.Connection, snap: Snapshot, probe: Probe, request: SimilarRequest, own: list[int]
) -> int:
    """The items the request's options allow, as a bitset (similarity.allowed's rules)."""
    bits = snap.all & ~bits_from_rowids(own)
    category = request.category or (probe.category if request.same_category else None)
    if category is not None:
        bits &= snap.value_bits("category", category)
    if request.same_outcome and probe.outcome is not None:
        bits &= snap.value_bits("outcome", probe.outcome)
    if request.same_region:
        bits &= snap.union("request_region", sorted(probe.regions))
    if request.prior_only and probe.decision_date:
        bits &= _decided_before(db, snap, probe.decision_date)
    return bits


def _decided_before(db: sqlite3.Connection, snap: Snapshot, date: str) -> int:
    """Items decided before `date`: whole earlier years from the year facet, the rest of the
    date's own year from the date index."""
    year = date[:4]
    earlier = [fv_value for fv_value in _years(snap) if fv_value < year]
    bits = snap.union("year", earlier)
    (joined,) = db.execute(  # one text parsed by numpy: a row each cost 50 ms at 1M items
        "SELECT group_concat(rowid) FROM items WHERE decision_date >= ? AND decision_date < ?",
        (f"{year}-01-01", date),
    ).fetchone()
    return bits | bits_from_joined(joined)[0]


def _years(snap: Snapshot) -> list[str]:
    return [snap.labels[fv][1] for fv in snap.by_facet.get("year", ())]


def _tier_bits(snap: Snapshot, probe: Probe, tier: str) -> int:
    if tier == "any":
        return snap.all
    value = probe.tier_value(tier)
    return snap.value_bits(_TIER_FACETS[tier], value) if value else 0


def _tier_candidates(
    db: sqlite3.Connection, snap: Snapshot, members: int, match: str, *, fill: bool
) -> dict[int, float]:
    """rowid -> text score of a tier's best CANDIDATES_PER_TIER members: by bm25 of the
    terms' MATCH (empty: no terms), then (`fill`, text score 0) its newest decisions (the
    result order's own plan, order.by_date: a walk from the newest decision checking each
    row cost 260 ms at 1M items when the members were all older, as with prior_only)."""
    found: dict[int, float] = {}
    if match:
        db.create_function("imr_keep", 1, member_function(members), deterministic=True)
        for rowid, score in db.execute(
            f"SELECT rowid, {BM25} AS score FROM items_fts"
            " WHERE items_fts MATCH ? AND imr_keep(rowid) ORDER BY score, rowid LIMIT ?",
            (match, CANDIDATES_PER_TIER),
        ):
            found[rowid] = -score
    if fill and len(found) < CANDIDATES_PER_TIER:
        rest = members & ~bits_from_rowids(found)
        wanted = CANDIDATES_PER_TIER - len(found)
        for rowid, _ in by_date(db, rest, rest.bit_count(), snap, 0, wanted):
            found[rowid] = 0.0
    return found


def _docs(db: sqlite3.Connection, rowids: list[int]) -> dict[int, ItemDocument]:
    marks = ",".join("?" * len(rowids))
    return {
        r: load_doc(doc, t, ra, s)
        for r, doc, t, ra, s in db.execute(
            f"SELECT rowid, {DOC_COLUMNS} FROM items WHERE rowid IN ({marks})", rowids
        )
    }

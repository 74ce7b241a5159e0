"""Similar cases on Elasticsearch: candidates tier by tier, ranked by imr_search.similarity.

Each tier (the item's concept, then its family, then its category, then any) is one search:
the items the request's options allow (filters: the same rules as similarity.allowed) that
match `more_like_this` of the item (or pasted text), best first, up to
similarity.CANDIDATES_PER_TIER; a tier of the probe's kind with fewer text matches is filled
by a second search, newest decisions first. Lower tiers are only searched while higher ones hold
fewer than k. more_like_this is tuned for short rationales (Elasticsearch's defaults, min_term
freq 2 and min_doc_freq 5, drop nearly every word of a paragraph), never picks words that
carry no evidence (clinical.findings.no_evidence_words) or occur in over half the items, or in
more than similarity.TERM_DF_BUDGET items (the same bound as SQLite's).

"Shared terms": the item's (or text's) strongest terms, chosen the way more_like_this chooses
them (the term vectors API with the same filter), that also occur in the case, in the form
they take in the item.

An item compared "as requested" is compared on the texts known before its review only
(mappings.fields.similar_fields): more_like_this reads the item's terms from those fields and
matches them in the same fields of the candidates, and the shared terms are computed from the
same fields; the item's rationale is never read.

Both read the words of the fields compared with the plain analyzer
(mappings.analysis.PLAIN_ANALYZER): the index analyzer's common grams ("physic_therapi") are
for phrase lookups, not similar cases.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.dsl import Q, Search
from elasticsearch.dsl.query import Bool, Ids, MoreLikeThis, Query

from clinical.findings import no_evidence_words
from imr_search.contract import SimilarHit, SimilarRequest
from imr_search.elastic import run
from imr_search.elastic.memory import paused_gc
from imr_search.elastic.writer import SOURCE_EXCLUDES
from imr_search.errors import InvalidParameter
from imr_search.similarity import (
    CANDIDATES_PER_TIER,
    TERM_DF_BUDGET,
    TIERS,
    Candidate,
    Probe,
    probe_of_item,
    probe_of_text,
    rank,
)
from mappings.analysis import PLAIN_ANALYZER
from mappings.fields import SIMILAR_FIELDS, similar_fields
from mappings.schema import ItemDocument, from_builtins

FIELDS: tuple[str, ...] = tuple(name for f in SIMILAR_FIELDS for name in f.es_fields)
_TEXT_OF = {name: f.text_of for f in SIMILAR_FIELDS for name in f.es_fields}
MAX_QUERY_TERMS = 20
MIN_WORD_LENGTH = 3
SHARED_SHOWN = 6
TERMS_PER_FIELD = 25
# Tier -> the field whose value (the probe's) the tier's candidates share.
TIER_FIELDS = {"concept": "request.label", "family": "request.group", "category": "category"}
# Candidates come without their long texts (ranking reads none of them: about a quarter of
# the bytes, and of the time a tier's answer takes to send and decode); the k chosen are
# then read whole.
LONG_TEXTS = ["rationale", "letter.clinical_summary", "citations.text"]
NEWEST = [{"letter.decision_date": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}]


def fields_of(request: SimilarRequest) -> tuple[str, ...]:
    """The Elasticsearch fields compared: the field table's similar texts (as requested:
    only those known before the review)."""
    return tuple(name for f in similar_fields(request.as_requested) for name in f.es_fields)


def words_only(fields: tuple[str, ...]) -> dict[str, str]:
    """The per-field analyzers that read these fields' texts as words only (no common grams)."""
    return dict.fromkeys(fields, PLAIN_ANALYZER)


def more_like_this(
    like: Any, min_doc_freq: int, max_doc_freq: int, fields: tuple[str, ...] = FIELDS
) -> Query:
    return MoreLikeThis(
        fields=list(fields),
        like=like,
        min_term_freq=1,
        min_doc_freq=min_doc_freq,
        max_doc_freq=max_doc_freq,
        max_query_terms=MAX_QUERY_TERMS,
        min_word_length=MIN_WORD_LENGTH,
        minimum_should_match="1",
        include=False,
        stop_words=sorted(no_evidence_words()),
        analyzer=PLAIN_ANALYZER,
    )


def run_similar(
    client: Elasticsearch,
    index: str,
    request: SimilarRequest,
    source: ItemDocument | None,
    total: int,
) -> list[SimilarHit]:
    """`source` is the item document when searching by item id (None for pasted text)."""
    max_df = min(max(total // 2, 2), TERM_DF_BUDGET)
    fields = fields_of(request)
    if source is not None:
        probe = probe_of_item(source, request.as_requested)
        like: Any = [{"_index": index, "_id": source.id, "per_field_analyzer": words_only(fields)}]
        min_df = 2  # the item itself counts once
    else:
        if request.same_category and request.category is None:
            raise InvalidParameter(
                "category", "give the category to restrict free-text similarity to"
            )
        probe = probe_of_text(request.text or "", request.category)
        like = request.text or ""
        min_df = 1
    filters, must_not = _options(probe, request)
    text = more_like_this(like, min_df, max_df, fields)
    # The requests that do not depend on each other run side by side (the node has a core
    # for each): the probe's strongest terms beside the candidate searches, the k cases'
    # terms beside their whole documents. At 1M items these took 30-35 ms of each request.
    with ThreadPoolExecutor(max_workers=1) as beside:
        strongest = beside.submit(
            strongest_terms, client, index, source, request.text, min_df, max_df, fields
        )
        hits = _candidates(client, index, request, probe, text, filters, must_not)
        if not hits:
            return []
        ids = [h.doc.id for h in hits]
        present_of = beside.submit(_terms_of_hits, client, index, ids, fields)
        whole = _documents(client, index, ids)
        terms = strongest.result()
        present = present_of.result()
    out = []
    for hit in hits:
        stems = present.get(hit.doc.id, set())
        shared = tuple(word for stem, word in terms if stem in stems)[:SHARED_SHOWN]
        why = dataclasses.replace(hit.why, shared_terms=shared)
        doc = whole.get(hit.doc.id, hit.doc)
        out.append(dataclasses.replace(hit, doc=doc, shared_terms=shared, why=why))
    return out


def _candidates(
    client: Elasticsearch,
    index: str,
    request: SimilarRequest,
    probe: Probe,
    text: Query,
    filters: list[Query],
    must_not: list[Query],
) -> list[SimilarHit]:
    """The k best of the candidates, tier by tier (similarity.rank), read without their long
    texts."""
    found: dict[str, Candidate] = {}
    with paused_gc():  # candidates are hundreds of acyclic dicts: nothing to collect
        for tier in TIERS:
            if len(found) >= request.k:
                break
            tier_filter = _tier_filter(probe, tier)
            if tier_filter is None:
                continue
            taken = [Ids(values=list(found))] if found else []
            within = [*filters, tier_filter]
            # The text matches, best first by score alone: a tie-break on date and id made
            # every collected hit read two more values (mean 66 -> 46 ms a search at 1M).
            matched = Bool(filter=within, must_not=[*must_not, *taken], must=[text])
            hits = _tier_hits(client, index, Search().query(matched), CANDIDATES_PER_TIER)
            wanted = CANDIDATES_PER_TIER - len(hits)
            if tier != "any" and wanted > 0:
                # Within the probe's kind, past the text matches: the newest decisions.
                # Outside it only shared words make a case similar: no filling.
                seen = [Ids(values=[hit["_id"] for hit in hits])] if hits else []
                rest = Bool(filter=within, must_not=[*must_not, *taken, *seen])
                hits += _tier_hits(client, index, Search().query(rest).sort(*NEWEST), wanted)
            for hit in hits:
                doc = from_builtins(_without_long_texts(hit["_source"]), ItemDocument)
                found[doc.id] = Candidate(doc, float(hit.get("_score") or 0.0))
        return rank(probe, found.values(), request.k)


def _tier_hits(
    client: Elasticsearch, index: str, search: Search[Any], size: int
) -> list[dict[str, Any]]:
    """The first `size` hits of a tier's search, without their long texts."""
    search = search.source(excludes=[*SOURCE_EXCLUDES, *LONG_TEXTS]).extra(track_total_hits=False)[
        :size
    ]
    hits: list[dict[str, Any]] = run.answer(client, index, search)["hits"]["hits"]
    return hits


def _without_long_texts(source: dict[str, Any]) -> dict[str, Any]:
    """A candidate's `_source` (read without LONG_TEXTS) made a whole document: empty texts."""
    source["rationale"] = ""
    for citation in source.get("citations", ()):
        citation["text"] = ""
    return source


def _documents(client: Elasticsearch, index: str, ids: list[str]) -> dict[str, ItemDocument]:
    """The whole documents of `ids` (one request; an id deleted meanwhile is left out)."""
    answer = client.mget(index=index, ids=ids, source_excludes=SOURCE_EXCLUDES)
    return {
        doc["_id"]: from_builtins(doc["_source"], ItemDocument)
        for doc in answer.get("docs", [])
        if doc.get("found")
    }


def _options(probe: Probe, request: SimilarRequest) -> tuple[list[Query], list[Query]]:
    """(filters, exclusions) of the request's options: similarity.allowed's rules."""
    filters: list[Query] = []
    must_not: list[Query] = []
    if probe.item_id is not None:
        must_not.append(Ids(values=[probe.item_id]))
        if not request.include_same_letter and probe.letter_id is not None:
            must_not.append(Q("term", letter_id=probe.letter_id))
    category = request.category or (probe.category if request.same_category else None)
    if category is not None:
        filters.append(Q("term", category=category))
    if request.same_outcome and probe.outcome is not None:
        filters.append(Q("term", outcome=probe.outcome))
    if request.same_region:
        filters.append(Q("terms", **{"request.regions": sorted(probe.regions)}))
    if request.prior_only and probe.decision_date:
        filters.append(Q("range", **{"letter.decision_date": {"lt": probe.decision_date}}))
    return filters, must_not


def _tier_filter(probe: Probe, tier: str) -> Query | None:
    if tier == "any":
        return Q("match_all")
    value = probe.tier_value(tier)
    return Q("term", **{TIER_FIELDS[tier]: value}) if value else None


def strongest_terms(
    client: Elasticsearch,
    index: str,
    source: ItemDocument | None,
    text: str | None,
    min_df: int,
    max_df: int,
    fields: tuple[str, ...] = FIELDS,
) -> list[tuple[str, str]]:
    """(stem, word as written) of the strongest terms of `fields`, best first (more_like_this's
    choice)."""
    params: dict[str, Any] = {
        "fields": list(fields),
        "offsets": True,
        "positions": False,
        "term_statistics": False,
        "field_statistics": False,
        "per_field_analyzer": words_only(fields),
        "filter": {
            "max_num_terms": TERMS_PER_FIELD,
            "min_term_freq": 1,
            "min_doc_freq": min_df,
            "max_doc_freq": max_df,
            "min_word_length": MIN_WORD_LENGTH,
        },
    }
    if source is not None:
        answer = client.termvectors(index=index, id=source.id, **params)
        texts = {f: _TEXT_OF[f](source) for f in fields}
    else:
        doc = {"treatment": text, "rationale": text, "letter": {"clinical_summary": text}}
        answer = client.termvectors(index=index, doc=doc, **params)
        texts = {f: text or "" for f in fields}
    quiet = no_evidence_words()
    best: dict[str, tuple[float, str]] = {}
    for field, data in answer.get("term_vectors", {}).items():
        for stem, info in data.get("terms", {}).items():
            score = float(info.get("score", 0.0))
            word = stem
            tokens = info.get("tokens") or []
            if tokens and "start_offset" in tokens[0]:
                start, end = tokens[0]["start_offset"], tokens[0]["end_offset"]
                word = texts.get(field, "")[start:end].lower() or stem
            if word in quiet or stem in quiet:
                continue
            if stem not in best or best[stem][0] < score:
                best[stem] = (score, word)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:MAX_QUERY_TERMS]
    return [(stem, word) for stem, (_, word) in ranked]


def _terms_of_hits(
    client: Elasticsearch, index: str, ids: list[str], fields: tuple[str, ...] = FIELDS
) -> dict[str, set[str]]:
    answer = client.mtermvectors(
        index=index,
        docs=[{"_id": item_id, "per_field_analyzer": words_only(fields)} for item_id in ids],
        fields=list(fields),
        positions=False,
        offsets=False,
        term_statistics=False,
        field_statistics=False,
    )
    out: dict[str, set[str]] = {}
    for doc in answer.get("docs", []):
        stems: set[str] = set()
        for data in doc.get("term_vectors", {}).values():
            stems.update(data.get("terms", {}))
        out[doc["_id"]] = stems
    return out

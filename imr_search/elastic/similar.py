"""Similar prior cases with `more_like_this`, tuned for short rationales.

Elasticsearch's defaults (min_term_freq 2, min_doc_freq 5) drop nearly every word of a
one-paragraph rationale, so terms need to occur only once in the item and in two documents
(the item itself and one other). The item itself and, by default, its letter's other items
are excluded; a category restricts the candidates when asked.

"Why it matched" (`shared_terms`): the item's (or text's) strongest terms, chosen the way
more_like_this chooses them (the term vectors API with the same filter), that also occur in
the hit, shown in the form they take in the item.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.dsl import Q, Search
from elasticsearch.dsl.query import Bool, Ids, MoreLikeThis, Query

from imr_search.contract import SimilarHit, SimilarRequest
from imr_search.elastic import run
from imr_search.elastic.writer import SOURCE_EXCLUDES
from imr_search.errors import InvalidParameter
from mappings.fields import SIMILAR_FIELDS
from mappings.schema import ItemDocument, from_builtins

FIELDS: tuple[str, ...] = tuple(name for f in SIMILAR_FIELDS for name in f.es_fields)
_TEXT_OF = {name: f.text_of for f in SIMILAR_FIELDS for name in f.es_fields}
MAX_QUERY_TERMS = 20
MIN_WORD_LENGTH = 3
SHARED_SHOWN = 6
TERMS_PER_FIELD = 25


def more_like_this(like: Any, min_doc_freq: int, max_doc_freq: int) -> Query:
    return MoreLikeThis(
        fields=list(FIELDS),
        like=like,
        min_term_freq=1,
        min_doc_freq=min_doc_freq,
        max_doc_freq=max_doc_freq,
        max_query_terms=MAX_QUERY_TERMS,
        min_word_length=MIN_WORD_LENGTH,
        minimum_should_match="1",
        include=False,
    )


def run_similar(
    client: Elasticsearch,
    index: str,
    request: SimilarRequest,
    source: ItemDocument | None,
    total: int,
) -> list[SimilarHit]:
    """`source` is the item document when searching by item id (None for pasted text)."""
    filters: list[Query] = []
    must_not: list[Query] = []
    category = request.category
    max_df = max(total // 2, 2)
    if source is not None:
        like: Any = [{"_index": index, "_id": source.id}]
        min_df = 2  # the item itself counts once
        must_not.append(Ids(values=[source.id]))
        if not request.include_same_letter:
            must_not.append(Q("term", letter_id=source.letter_id))
        if category is None and request.same_category:
            category = source.category
    else:
        if request.same_category and category is None:
            raise InvalidParameter(
                "category", "give the category to restrict free-text similarity to"
            )
        like = request.text or ""
        min_df = 1
    if category is not None:
        filters.append(Q("term", category=category))
    search = (
        Search()
        .query(Bool(must=[more_like_this(like, min_df, max_df)], filter=filters, must_not=must_not))
        .sort({"_score": {"order": "desc"}}, {"id": {"order": "asc"}})
        .source(excludes=SOURCE_EXCLUDES)
        .extra(track_total_hits=False)[: request.k]
    )
    hits = run.answer(client, index, search)["hits"]["hits"]
    if not hits:
        return []
    terms = strongest_terms(client, index, source, request.text, min_df, max_df)
    present = _terms_of_hits(client, index, [h["_id"] for h in hits])
    out = []
    for hit in hits:
        stems = present.get(hit["_id"], set())
        shared = tuple(word for stem, word in terms if stem in stems)[:SHARED_SHOWN]
        out.append(
            SimilarHit(
                doc=from_builtins(hit["_source"], ItemDocument),
                score=float(hit["_score"] or 0.0),
                shared_terms=shared,
            )
        )
    return out


def strongest_terms(
    client: Elasticsearch,
    index: str,
    source: ItemDocument | None,
    text: str | None,
    min_df: int,
    max_df: int,
) -> list[tuple[str, str]]:
    """(stem, word as written) of the strongest terms, best first (more_like_this's choice)."""
    params: dict[str, Any] = {
        "fields": list(FIELDS),
        "offsets": True,
        "positions": False,
        "term_statistics": False,
        "field_statistics": False,
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
        texts = {f: _TEXT_OF[f](source) for f in FIELDS}
    else:
        doc = {"treatment": text, "rationale": text, "letter": {"clinical_summary": text}}
        answer = client.termvectors(index=index, doc=doc, **params)
        texts = {f: text or "" for f in FIELDS}
    best: dict[str, tuple[float, str]] = {}
    for field, data in answer.get("term_vectors", {}).items():
        for stem, info in data.get("terms", {}).items():
            score = float(info.get("score", 0.0))
            word = stem
            tokens = info.get("tokens") or []
            if tokens and "start_offset" in tokens[0]:
                start, end = tokens[0]["start_offset"], tokens[0]["end_offset"]
                word = texts.get(field, "")[start:end].lower() or stem
            if stem not in best or best[stem][0] < score:
                best[stem] = (score, word)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:MAX_QUERY_TERMS]
    return [(stem, word) for stem, (_, word) in ranked]


def _terms_of_hits(client: Elasticsearch, index: str, ids: list[str]) -> dict[str, set[str]]:
    answer = client.mtermvectors(
        index=index,
        ids=ids,
        fields=list(FIELDS),
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

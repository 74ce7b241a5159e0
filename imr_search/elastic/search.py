"""One search request -> one elasticsearch.dsl `Search`, and the answer -> SearchResponse.

The search is built in separate steps, as elasticsearch.dsl's FacetedSearch does: the scored
query (the compiled query language), a post_filter with every facet selection, one filter
aggregation per facet (every *other* facet's selection), the outcome rate and breakdown
aggregations over the full result, highlighting, sort and page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elasticsearch.dsl import Search
from elasticsearch.dsl.query import Ids, Query

from imr_search.contract import (
    BreakdownRow,
    Hit,
    MarkedItem,
    OutcomeRate,
    SearchRequest,
    SearchResponse,
)
from imr_search.elastic import facets
from imr_search.elastic.compile import compile_query, highlight_queries
from imr_search.elastic.writer import SOURCE_EXCLUDES
from imr_search.marks import MARK_END, MARK_START, excerpt, strip_marks
from imr_search.query import parse_query
from imr_search.synonyms import expand_synonyms
from mappings.schema import ItemDocument, from_builtins

SNIPPET_FIELDS = ("rationale", "letter.clinical_summary", "citations.text")  # first match wins
SNIPPET_CHARS = 200
ELLIPSIS = "…"
NEWEST_FIRST: list[dict[str, Any]] = [
    {"letter.decision_date": {"order": "desc", "missing": "_last"}},
    {"id": {"order": "asc"}},
]
BEST_FIRST: list[dict[str, Any]] = [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
# Marks are characters, not markup: the "default" encoder leaves the text as it is and
# to_markup() escapes it; only the marker characters survive as <mark>.
HIGHLIGHT_OPTIONS: dict[str, Any] = {
    "type": "unified",
    "pre_tags": [MARK_START],
    "post_tags": [MARK_END],
    "encoder": "default",
}


def search_body(request: SearchRequest) -> tuple[Search[Any], bool]:
    """The search (not bound to a client or index), and whether it has a query to highlight."""
    ast = expand_synonyms(parse_query(request.query))
    selected = facets.selections(request.filters)
    groups = facets.AggGroups(selected)
    facets.add_facet_aggs(groups, request.facet_size)
    groups.add("result", facets.outcome_aggs())  # over the hits: every selection applies
    if request.breakdown:
        groups.add("breakdown", facets.breakdown_aggs(request.breakdown, request.facet_size))
    search = Search().query(compile_query(ast))
    if selected:
        search = search.post_filter(facets.combined_filter(selected))
    queries = highlight_queries(ast) if request.highlight and request.per_page > 0 else {}
    if queries:
        search = with_highlights(search, queries)
    search = (
        search.sort(
            *(BEST_FIRST if ast is not None and request.sort == "relevance" else NEWEST_FIRST)
        )
        .source(excludes=SOURCE_EXCLUDES)
        .extra(track_total_hits=True)[request.offset : request.offset + request.per_page]
    )
    groups.add_to(search)
    return search, bool(queries)


def with_highlights(search: Search[Any], queries: Mapping[str, Query]) -> Search[Any]:
    """The whole treatment, and one fragment of each other field, each with its own query."""
    search = search.highlight_options(**HIGHLIGHT_OPTIONS)
    for name, query in queries.items():
        if name == "treatment":
            search = search.highlight(name, number_of_fragments=0, highlight_query=query.to_dict())
        else:
            search = search.highlight(
                name,
                fragment_size=SNIPPET_CHARS,
                number_of_fragments=1,
                highlight_query=query.to_dict(),
            )
    return search


def read_response(
    request: SearchRequest, highlighted: bool, answer: Mapping[str, Any], took_ms: float
) -> SearchResponse:
    """The answer to `search_body(request)` (`highlighted`: its second value)."""
    aggs = answer.get("aggregations", {})
    selected = facets.selections(request.filters)
    outcomes = facets.outcome_counts(facets.AggGroups.results(aggs, "result"))
    upheld = outcomes.get("Upheld", 0)
    total = answer["hits"]["total"]["value"]  # exact (track_total_hits), after post_filter
    rate = OutcomeRate(upheld=upheld, overturned=total - upheld)
    breakdown: tuple[BreakdownRow, ...] = ()
    if request.breakdown:
        rows = facets.read_breakdown(
            request.breakdown, facets.AggGroups.results(aggs, "breakdown"), request.facet_size
        )
        breakdown = tuple(
            BreakdownRow(
                value, OutcomeRate(upheld=o.get("Upheld", 0), overturned=count - o.get("Upheld", 0))
            )
            for value, count, o in rows
        )
    hits = tuple(_hit(h, highlighted) for h in answer["hits"]["hits"])
    return SearchResponse(
        total=total,
        hits=hits,
        facets=facets.read_facets(aggs, selected, request.facet_size),
        outcome_rate=rate,
        took_ms=took_ms,
        breakdown=breakdown,
    )


def _hit(hit: Mapping[str, Any], highlighted: bool) -> Hit:
    doc = from_builtins(hit["_source"], ItemDocument)
    marks = hit.get("highlight", {}) if highlighted else {}
    treatment = marks.get("treatment")
    snippet = None
    for name in SNIPPET_FIELDS:
        fragments = marks.get(name)
        if fragments:
            snippet = _with_ellipses(fragments[0], _field(doc, name))
            break
    if snippet is None:
        snippet = excerpt(doc.rationale or doc.letter.clinical_summary)
    score = hit.get("_score")
    return Hit(
        doc=doc,
        score=float(score) if score is not None else None,
        marked_treatment=treatment[0] if treatment else doc.treatment,
        marked_snippet=snippet,
    )


def _field(doc: ItemDocument, dotted: str) -> str | list[str]:
    """The text(s) of a snippet field, to see where its fragment was cut."""
    if dotted == "citations.text":
        return [c.text for c in doc.citations]
    if dotted == "letter.clinical_summary":
        return doc.letter.clinical_summary
    return str(getattr(doc, dotted, "") or "")


def _with_ellipses(fragment: str, texts: str | list[str]) -> str:
    """Mark a fragment cut from a longer text with … where text was left out."""
    plain = strip_marks(fragment)
    candidates = [texts] if isinstance(texts, str) else texts
    full = next((t for t in candidates if plain in t), "")
    start = full.find(plain)
    if start < 0:
        return fragment
    prefix = ELLIPSIS if full[:start].strip() else ""
    suffix = ELLIPSIS if full[start + len(plain) :].strip() else ""
    return prefix + fragment.strip() + suffix


# --- one item's whole texts, marked ------------------------------------------------------------

# The texts of the item page, by Elasticsearch field.
WHOLE_FIELDS = ("treatment", "rationale", "letter.clinical_summary")
# Texts longer than this (characters) are marked only up to here; Elasticsearch refuses to
# highlight past its index.highlight.max_analyzed_offset otherwise.
MAX_ANALYZED_OFFSET = 999_999


def mark_item_body(item_id: str, query: str) -> Search[Any]:
    """The search for one item whose whole texts are highlighted by the query's words."""
    ast = expand_synonyms(parse_query(query))
    search = (
        Search()
        .query(Ids(values=[item_id]))
        .source(excludes=SOURCE_EXCLUDES)
        .extra(track_total_hits=False)[:1]
    )
    queries = {name: q for name, q in highlight_queries(ast).items() if name in WHOLE_FIELDS}
    if queries:
        search = search.highlight_options(
            **HIGHLIGHT_OPTIONS, max_analyzed_offset=MAX_ANALYZED_OFFSET
        )
        for name, q in queries.items():
            search = search.highlight(name, number_of_fragments=0, highlight_query=q.to_dict())
    return search


def read_marked_item(hit: Mapping[str, Any]) -> MarkedItem:
    doc = from_builtins(hit["_source"], ItemDocument)
    marks = hit.get("highlight", {})

    def whole(name: str, text: str) -> str:
        fragments = marks.get(name)
        if not fragments:
            return text
        marked = str(fragments[0])
        # Past MAX_ANALYZED_OFFSET the highlighter returns a prefix: keep the rest unmarked.
        plain = strip_marks(marked)
        return marked + text[len(plain) :] if text.startswith(plain) else marked

    return MarkedItem(
        treatment=whole("treatment", doc.treatment),
        rationale=whole("rationale", doc.rationale),
        summary=whole("letter.clinical_summary", doc.letter.clinical_summary),
    )

"""One search request -> one elasticsearch.dsl `Search`, and the answer -> SearchResponse.

The search is built in separate steps, as elasticsearch.dsl's FacetedSearch does: the scored
query (the compiled query language, restricted to the letters of typed case numbers and to
the decisions listed, imr_search.plan), a post_filter with every facet selection, one filter
aggregation per facet (every *other* facet's selection), the outcome rate (also of the
decisions about the query) and the breakdown (without the outcome selection), highlighting,
sort and page. Items named by id, then the decisions about the query, come first: constant
boosts on named clauses, taken off the scores again when the answer is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from elasticsearch.dsl import A, Search
from elasticsearch.dsl.query import Bool, ConstantScore, Ids, Query, Range, Terms

from imr_search.contract import (
    NO_WORDS_NOTICE,
    AboutSplit,
    BreakdownRow,
    Hit,
    MarkedItem,
    OutcomeRate,
    SearchRequest,
    SearchResponse,
    join_notices,
)
from imr_search.elastic import facets
from imr_search.elastic.compile import compile_query, highlight_queries
from imr_search.elastic.writer import SOURCE_EXCLUDES
from imr_search.marks import MARK_END, MARK_START, excerpt, one_mark_per_word, strip_marks
from imr_search.passages import best_passage
from imr_search.plan import QueryPlan, plan
from imr_search.query import parse_query
from imr_search.synonyms import expand_synonyms
from mappings.schema import ItemDocument, from_builtins

SNIPPET_FIELDS = ("rationale", "letter.clinical_summary", "citations.text")  # first match wins
DECISION_DATE = "letter.decision_date"
NEWEST_FIRST: list[dict[str, Any]] = [
    {DECISION_DATE: {"order": "desc", "missing": "_last"}},
    {"id": {"order": "asc"}},
]
OLDEST_FIRST: list[dict[str, Any]] = [
    {DECISION_DATE: {"order": "asc", "missing": "_last"}},
    {"id": {"order": "asc"}},
]
# "Overturned" sorts before "Upheld": overturned first, each outcome newest first.
BY_OUTCOME: list[dict[str, Any]] = [{"outcome": {"order": "asc"}}, *NEWEST_FIRST]
ORDERS: dict[str, list[dict[str, Any]]] = {
    "date": NEWEST_FIRST,
    "oldest": OLDEST_FIRST,
    "outcome": BY_OUTCOME,
}
# Relevance is the score alone: any field in the sort, even a tie-break on id, turns off
# Elasticsearch's concurrent segment search (SearchSourceBuilder.supportsParallelCollection),
# and with it the second core on an index of one primary (common phrase p95 140 -> 89 ms at
# 1M). Equal scores keep Lucene's order (shard, then document): the same on every page while
# the index is unchanged.
BEST_FIRST: list[dict[str, Any]] = [{"_score": {"order": "desc"}}]
# A lookup by case number without words: items named by id first, then letter and item order.
LETTER_ORDER: list[Any] = [{"_score": {"order": "desc"}}, "letter_id", "item_number"]
# Tier boosts, far above any bm25 score; named so that reading the answer can take them off.
BOOSTS: dict[str, float] = {"pinned": 1e9, "about": 1e6}
CHRONOLOGICAL = ("year",)  # breakdowns shown whole and in order
EVERY_MATCH = "everymatch"  # the breakdown over every match, beside the one about the query
ALL_VALUES = 1_000
# Texts longer than this (characters) are marked only up to here; Elasticsearch refuses to
# highlight past its index.highlight.max_analyzed_offset otherwise.
MAX_ANALYZED_OFFSET = 999_999
# Marks are characters, not markup: the "default" encoder leaves the text as it is and
# to_markup() escapes it; only the marker characters survive as <mark>.
HIGHLIGHT_OPTIONS: dict[str, Any] = {
    "type": "unified",
    "pre_tags": [MARK_START],
    "post_tags": [MARK_END],
    "encoder": "default",
    "max_analyzed_offset": MAX_ANALYZED_OFFSET,
}


@dataclass(frozen=True)
class SplitCounts:
    """`counts` in parts: `by_query`, a search of no hits with the total and the aggregations
    defined by the query (the decisions about it); `query`, what the total counts; `rest`,
    every other aggregation in a search of no hits and no query yet, each counting every
    value (its answer can be subtracted from another's)."""

    by_query: Search[Any]
    query: Query
    rest: Search[Any]


@dataclass(frozen=True)
class SearchRequests:
    """One search as the engine sends it: requests side by side.

    `counts`: the exact total, facets, outcome rate and breakdown, in a search of no hits;
    or, without facet selections, the same in parts (SplitCounts) for a search that may be
    counted by the items it leaves out (imr_search.elastic.complement). A request of no hits
    is what Elasticsearch's shard request cache keeps (until the index changes), so the
    counts of a query asked again (the next page, another order, the same everyday query
    from another user) are not counted again. `page`: the hits of the page, without
    aggregations and without a total, so that the top hits need not visit every match; None
    when the request asks for no hits."""

    counts: Search[Any] | SplitCounts
    page: Search[Any] | None
    highlighted: bool


def search_body(request: SearchRequest) -> tuple[Search[Any], bool]:
    """The search as one request (not bound to a client or index), and whether it has a query
    to highlight: the page of hits with its total and every aggregation."""
    parts = _search_parts(request)
    search = parts.page.extra(track_total_hits=True)
    parts.groups.add_to(search)
    return search, parts.highlighted


def search_requests(request: SearchRequest) -> SearchRequests:
    """The search as the engine sends it: counts and page apart (SearchRequests)."""
    parts = _search_parts(request)
    counted = parts.counted.extra(track_total_hits=True)[0:0]
    page = parts.page.extra(track_total_hits=False) if request.per_page > 0 else None
    if facets.selections(request.filters):
        parts.groups.add_to(counted)
        return SearchRequests(counted, page, parts.highlighted)
    parts.groups.add_to(counted, by_query=True)
    rest = Search().extra(track_total_hits=True)[0:0]
    _agg_groups(request, parts.about, every_value=True).add_to(rest, by_query=False)
    return SearchRequests(SplitCounts(counted, parts.query, rest), page, parts.highlighted)


@dataclass(frozen=True)
class _Parts:
    query: Query  # the scored query
    about: Query | None  # what the decisions about the query match
    counted: Search[Any]  # the query and the post_filter: what the total counts
    page: Search[Any]  # the same, sorted, highlighted and cut to the page
    groups: facets.AggGroups
    highlighted: bool


def _search_parts(request: SearchRequest) -> _Parts:
    query = plan(request.query)
    ast = query.ast
    about = compile_query(query.about) if query.about is not None else None
    selected = facets.selections(request.filters)
    groups = _agg_groups(request, about)
    scored = _scored_query(request, query, about)
    search = Search().query(scored)
    if selected:
        search = search.post_filter(facets.combined_filter(selected))
    queries = highlight_queries(ast) if request.highlight and request.per_page > 0 else {}
    highlighted = with_highlights(search, queries) if queries else search
    if request.sort != "relevance":
        order = ORDERS[request.sort]
    elif ast is not None:
        order = BEST_FIRST
    else:
        order = LETTER_ORDER if query.cases else NEWEST_FIRST
    page = highlighted.sort(*order).source(excludes=SOURCE_EXCLUDES)
    page = page[request.offset : request.offset + request.per_page]
    return _Parts(scored, about, search, page, groups, bool(queries))


def _agg_groups(
    request: SearchRequest, about: Query | None, every_value: bool = False
) -> facets.AggGroups:
    """Every aggregation of the search (`about`: what the decisions about the query match).
    `every_value`: every listed facet and the breakdown count all their values, not the top
    ones (an answer that can be subtracted from another, imr_search.elastic.complement)."""
    selected = facets.selections(request.filters)
    groups = facets.AggGroups(selected)
    shared: tuple[str, int] | None = None  # the breakdown counted by its facet's aggregation
    keyed = request.breakdown is not None and facets.breakdown_from_keys(
        request.breakdown, selected
    )
    if request.breakdown:
        chronological = request.breakdown in CHRONOLOGICAL
        size = ALL_VALUES if chronological else request.facet_size
        size = facets.SHARD_SIZE if every_value else size
        breakdown = facets.breakdown_aggs(request.breakdown, size)
        about_only = about is not None and request.decisions == "all"
        skip = "outcome" if "outcome" in selected else None
        if shares_facet(request):
            # Every match, from the facet's pass: the breakdown itself, or (with an "about"
            # filter) the one shown when no decision is about the query (read_response).
            shared = (request.breakdown, size)
        if about_only:
            about_breakdown = {"about": A("filter", filter=about, aggs=dict(breakdown))}
            groups.add("breakdown", about_breakdown, skip=skip, by_query=True)
        if shared is None and not keyed:
            # Every match: the breakdown, or the one shown when no decision is about the
            # query (counted in the same request: a second one cost a round trip). With
            # `keyed`, the facet keys count it.
            groups.add(EVERY_MATCH if about_only else "breakdown", breakdown, skip=skip)
    sizes = _every_value_of(request) if every_value else request.size_of
    keys = facets.add_facet_aggs(groups, sizes, shared, keys=keyed)
    # The outcomes of the hits (every selection applies): the facet keys count them when
    # they are counted (in the same group), otherwise an aggregation of their own.
    if not keys:
        groups.add("result", facets.outcome_aggs())
    if about is not None:
        about_rate = A("filter", filter=about, aggs=dict(facets.outcome_aggs()))
        groups.add("result", {"about": about_rate}, by_query=True)
    return groups


def _every_value_of(request: SearchRequest) -> Callable[[str], int]:
    """Facet sizes that list every value of each facet the request lists."""

    def size_of(name: str) -> int:
        return facets.SHARD_SIZE if request.size_of(name) > 0 else 0

    return size_of


def shares_facet(request: SearchRequest) -> bool:
    """Whether the breakdown over every match is counted by its facet's own aggregation: the
    facet is listed and both are filtered by the same selections (the facet's own is never
    applied to it; the breakdown's only for the outcome)."""
    name = request.breakdown
    if name is None or request.size_of(name) <= 0:
        return False
    if facets.breakdown_from_keys(name, facets.selections(request.filters)):
        return False  # the facet keys count it
    selected = set(facets.selections(request.filters))
    skip = "outcome" if "outcome" in selected else None
    return selected - {name} == selected - {skip}


def _scored_query(request: SearchRequest, query: QueryPlan, about: Query | None) -> Query:
    """The compiled words, restricted to the typed letters and the decisions listed, with the
    tier boosts (items named by id, then the decisions about the query, first)."""
    main = compile_query(query.ast)
    filters: list[Query] = []
    must_not: list[Query] = []
    should: list[Query] = []
    if query.cases:
        filters.append(Terms(letter_id=[c.letter_id for c in query.cases]))
    if request.date_from or request.date_to:
        bounds = {"gte": request.date_from, "lte": request.date_to}
        filters.append(Range(**{DECISION_DATE: {k: v for k, v in bounds.items() if v}}))
    if about is not None and request.decisions == "about":
        filters.append(about)
    elif about is not None and request.decisions == "mentions":
        must_not.append(about)
    if request.sort == "relevance":
        if query.pinned:
            should.append(
                ConstantScore(filter=Ids(values=list(query.pinned)), boost=BOOSTS["pinned"],
                              _name="pinned")
            )  # fmt: skip
        if about is not None and request.decisions == "all":
            should.append(ConstantScore(filter=about, boost=BOOSTS["about"], _name="about"))
    if not (filters or must_not or should):
        return main
    return Bool(must=[main], filter=filters, must_not=must_not, should=should)


def with_highlights(search: Search[Any], queries: Mapping[str, Query]) -> Search[Any]:
    """Every highlighted field whole, each with its own query: the snippet is chosen from
    the whole marked text (imr_search.passages), as on every engine."""
    search = search.highlight_options(**HIGHLIGHT_OPTIONS)
    for name, query in queries.items():
        search = search.highlight(name, number_of_fragments=0, highlight_query=query.to_dict())
    return search


def read_response(
    request: SearchRequest, highlighted: bool, answer: Mapping[str, Any], took_ms: float
) -> SearchResponse:
    """The answer to `search_body(request)` (`highlighted`: its second value)."""
    aggs = answer.get("aggregations", {})
    selected = facets.selections(request.filters)
    result = facets.AggGroups.results(aggs, "result")
    keyed = facets.keyed_counts(aggs)
    outcomes = (
        facets.outcome_counts(result) if "outcomes" in result else facets.keyed_outcomes(keyed)
    )
    upheld = outcomes.get("Upheld", 0)
    total = answer["hits"]["total"]["value"]  # exact (track_total_hits), after post_filter
    rate = OutcomeRate(upheld=upheld, overturned=total - upheld)
    split = None
    if "about" in result:
        about_count = result["about"]["doc_count"]
        split = AboutSplit(about=about_count, mentions=total - about_count)
        if about_count and request.decisions == "all":
            about_upheld = facets.outcome_counts(result["about"]).get("Upheld", 0)
            rate = OutcomeRate(upheld=about_upheld, overturned=about_count - about_upheld)
    hits = tuple(_hit(h, highlighted) for h in answer["hits"]["hits"])
    return SearchResponse(
        total=total,
        hits=hits,
        facets=facets.read_facets(aggs, selected, request.size_of, keyed),
        outcome_rate=rate,
        took_ms=took_ms,
        breakdown=read_breakdown(
            request, aggs, keyed, every_match=split is not None and not split.about
        ),
        notice=join_notices(NO_WORDS_NOTICE if plan(request.query).no_words else None),
        about=split,
        breakdown_ignores=("outcome",) if request.breakdown and "outcome" in selected else (),
    )


def read_breakdown(
    request: SearchRequest,
    aggs: Mapping[str, Any],
    keyed: facets.KeyedCounts,
    every_match: bool = False,
) -> tuple[BreakdownRow, ...]:
    """The breakdown rows of an answer: its own aggregation (inside the "about" filter when
    there is one), or its facet's when that counted it (shares_facet), or the facet keys'
    (`keyed`: facets.keyed_counts of the answer; `every_match`: the breakdown over every
    match is wanted, not the one about the query)."""
    if not request.breakdown:
        return ()
    found = facets.AggGroups.results(aggs, "breakdown")
    every = facets.AggGroups.results(aggs, EVERY_MATCH)
    chronological = request.breakdown in CHRONOLOGICAL
    size = ALL_VALUES if chronological else request.facet_size
    selected = facets.selections(request.filters)
    if facets.breakdown_from_keys(request.breakdown, selected) and (every_match or not found):
        counted = facets.keyed_breakdown(keyed, request.breakdown, size)
        return _breakdown_rows(counted, chronological)
    if shares_facet(request) and (every_match or not found):
        found = facets.AggGroups.results(aggs, f"facet_{request.breakdown}")
    elif every_match and every:
        found = every
    elif "about" in found:
        found = found["about"]
    counted = facets.read_breakdown(request.breakdown, found, size)
    return _breakdown_rows(counted, chronological)


def _breakdown_rows(
    counted: list[tuple[str, int, dict[str, int]]], chronological: bool
) -> tuple[BreakdownRow, ...]:
    """(value, count, outcome counts), count order -> rows (value order if chronological)."""
    rows = tuple(
        BreakdownRow(
            value, OutcomeRate(upheld=o.get("Upheld", 0), overturned=count - o.get("Upheld", 0))
        )
        for value, count, o in counted
    )
    return tuple(sorted(rows, key=lambda r: r.value)) if chronological else rows


def _hit(hit: Mapping[str, Any], highlighted: bool) -> Hit:
    doc = from_builtins(hit["_source"], ItemDocument)
    marks = hit.get("highlight", {}) if highlighted else {}
    treatment = marks.get("treatment")
    snippet = None
    for name in SNIPPET_FIELDS:
        fragments = marks.get(name)
        if fragments:
            snippet = best_passage(" ".join(fragments))
            break
    if snippet is None:
        snippet = excerpt(doc.rationale or doc.letter.clinical_summary)
    score = hit.get("_score")
    if score is not None:
        score = float(score) - sum(BOOSTS[name] for name in hit.get("matched_queries", ()))
    return Hit(
        doc=doc,
        score=score,
        marked_treatment=one_mark_per_word(treatment[0]) if treatment else doc.treatment,
        marked_snippet=snippet,
    )


# --- one item's whole texts, marked ------------------------------------------------------------

# The texts of the item page, by Elasticsearch field.
WHOLE_FIELDS = ("treatment", "rationale", "letter.clinical_summary")


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
        search = search.highlight_options(**HIGHLIGHT_OPTIONS)
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
        marked = one_mark_per_word(str(fragments[0]))
        # Past MAX_ANALYZED_OFFSET the highlighter returns a prefix: keep the rest unmarked.
        plain = strip_marks(marked)
        return marked + text[len(plain) :] if text.startswith(plain) else marked

    return MarkedItem(
        treatment=whole("treatment", doc.treatment),
        rationale=whole("rationale", doc.rationale),
        summary=whole("letter.clinical_summary", doc.letter.clinical_summary),
    )

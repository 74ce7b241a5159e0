"""The JSON presenter: typed payloads of the API and of the CLI's --json, built from the
engine contract's responses.

Every JSON body the app sends is one of these frozen dataclasses, encoded by msgspec; the
OpenAPI document (search_ui.openapi) is generated from the same types, so what is published is
what is sent (a test validates real responses against it). The functions here are pure: URLs
come in as arguments, so the CLI uses them without a web request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from imr_search.contract import (
    AboutSplit,
    BreakdownRow,
    FacetValue,
    Hit,
    OutcomeRate,
    SearchResponse,
    SimilarHit,
    Why,
)
from mappings.schema import CitationSource, ItemDocument, Outcome, Party
from search_ui.markup import to_markup
from search_ui.public import public_document

UrlOf = Callable[[str], str]  # item id -> its address

# --- shared parts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """How a set of decisions went. Intervals are 95% Wilson score intervals (percent);
    `small` marks fewer than 10 decisions."""

    upheld: int
    overturned: int
    total: int
    upheld_pct: float
    overturned_pct: float
    upheld_interval: tuple[float, float]
    overturned_interval: tuple[float, float]
    small: bool

    @classmethod
    def of(cls, rate: OutcomeRate) -> Rate:
        return cls(*_rate_fields(rate))


def _rate_fields(
    r: OutcomeRate,
) -> tuple[int, int, int, float, float, tuple[float, float], tuple[float, float], bool]:
    return (
        r.upheld,
        r.overturned,
        r.total,
        r.upheld_pct,
        r.overturned_pct,
        r.upheld_interval,
        r.overturned_interval,
        r.small,
    )


@dataclass(frozen=True)
class BreakdownEntry:
    """Outcome counts of one value of the breakdown facet (the fields of Rate, and the value)."""

    value: str
    upheld: int
    overturned: int
    total: int
    upheld_pct: float
    overturned_pct: float
    upheld_interval: tuple[float, float]
    overturned_interval: tuple[float, float]
    small: bool
    search_url: str | None = None  # the search listing these decisions (where there is one)

    @classmethod
    def of(cls, row: BreakdownRow, search_url: str | None = None) -> BreakdownEntry:
        return cls(row.value, *_rate_fields(row.rate), search_url)

    @classmethod
    def of_rate(cls, value: str, rate: Rate, search_url: str | None = None) -> BreakdownEntry:
        return cls(
            value,
            rate.upheld,
            rate.overturned,
            rate.total,
            rate.upheld_pct,
            rate.overturned_pct,
            rate.upheld_interval,
            rate.overturned_interval,
            rate.small,
            search_url,
        )


@dataclass(frozen=True)
class About:
    """How many matching decisions are about the query (their request matches it) and how many
    merely mention it; the rate counts the first when there are any."""

    about: int
    mentions: int

    @classmethod
    def of(cls, split: AboutSplit | None) -> About | None:
        return cls(split.about, split.mentions) if split is not None else None


@dataclass(frozen=True)
class CitationBrief:
    party: Party
    source: CitationSource
    label: str


@dataclass(frozen=True)
class ResultItem:
    """One search result. `snippet` and `treatment_html` are escaped HTML with <mark> only."""

    id: str
    treatment: str
    outcome: Outcome
    category: str
    body_regions: tuple[str, ...]
    case_number: str | None
    decision_date: str | None
    specialties: tuple[str, ...]
    citations: tuple[CitationBrief, ...]
    cited_nothing: tuple[Party, ...]
    score: float | None
    snippet: str
    treatment_html: str
    url: str | None = None  # the JSON twin of the item page (API only)
    html_url: str | None = None  # the item page (API only)


@dataclass(frozen=True)
class SimilarCase:
    """A similar case: the decision, and why it is similar (`reasons`: sentences a user reads;
    `why`: the same facts as data)."""

    id: str
    treatment: str
    request: str  # the kind of request with its regions: "lumbar MRI"
    outcome: Outcome
    category: str
    case_number: str | None
    decision_date: str | None
    score: float
    shared_terms: tuple[str, ...]
    reasons: tuple[str, ...]
    why: Why
    url: str | None = None
    html_url: str | None = None


def reasons(why: Why) -> tuple[str, ...]:
    """Why a case is similar, in words: "same request: lumbar MRI", "reviewer cited the same
    guideline: ...", "shared findings: no red flags, radiculopathy"."""
    out: list[str] = []
    if why.same_request:
        out.append(f"same request: {why.same_request}")
    elif why.same_kind:
        out.append(f"same kind of request: {why.same_kind}")
    elif why.same_family:
        out.append(f"a related request ({why.same_family.replace('-', ' ')})")
    elif why.same_category:
        out.append(f"same treatment type: {why.same_category}")
    if why.same_regions and not why.same_request:
        out.append("same body region: " + ", ".join(why.same_regions))
    if why.shared_guidelines:
        noun = "guideline" if len(why.shared_guidelines) == 1 else "guidelines"
        out.append(f"reviewer cited the same {noun}: " + "; ".join(why.shared_guidelines))
    if why.shared_sections:
        out.append("same guideline section: " + "; ".join(why.shared_sections))
    if why.shared_findings:
        out.append("shared findings: " + ", ".join(why.shared_findings))
    if why.shared_terms:
        out.append("similar wording: " + ", ".join(why.shared_terms))
    return tuple(out)


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    selected: bool


# --- the engine's answers, as the CLI prints them ---------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    """A search response (`imr-search search --json`)."""

    total: int
    took_ms: float
    items: tuple[ResultItem, ...]
    facets: dict[str, tuple[FacetCount, ...]]
    outcome_rate: Rate
    breakdown: tuple[BreakdownEntry, ...]
    notice: str | None
    about: About | None
    breakdown_ignores: tuple[str, ...]
    suggestion: str | None = None  # "did you mean": the query with misspellings corrected


def result_item(hit: Hit, url: UrlOf | None = None, html_url: UrlOf | None = None) -> ResultItem:
    d = hit.doc
    return ResultItem(
        id=d.id,
        treatment=d.treatment,
        outcome=d.outcome,
        category=d.category,
        body_regions=d.body_regions,
        case_number=d.letter.case_number,
        decision_date=d.letter.decision_date,
        specialties=d.letter.specialties,
        citations=tuple(CitationBrief(c.party, c.source, c.label) for c in d.citations),
        cited_nothing=d.cited_nothing,
        score=hit.score,
        snippet=to_markup(hit.marked_snippet),
        treatment_html=to_markup(hit.marked_treatment),
        url=url(d.id) if url else None,
        html_url=html_url(d.id) if html_url else None,
    )


def search_result(response: SearchResponse) -> SearchResult:
    return SearchResult(
        total=response.total,
        took_ms=round(response.took_ms, 2),
        items=tuple(result_item(h) for h in response.hits),
        facets={name: facet_counts(values) for name, values in response.facets.items()},
        outcome_rate=Rate.of(response.outcome_rate),
        breakdown=tuple(BreakdownEntry.of(r) for r in response.breakdown),
        notice=response.notice,
        about=About.of(response.about),
        breakdown_ignores=response.breakdown_ignores,
        suggestion=response.suggestion,
    )


def facet_counts(values: Iterable[FacetValue]) -> tuple[FacetCount, ...]:
    return tuple(FacetCount(v.value, v.count, v.selected) for v in values)


def similar_case(
    hit: SimilarHit, url: UrlOf | None = None, html_url: UrlOf | None = None
) -> SimilarCase:
    d = hit.doc
    return SimilarCase(
        id=d.id,
        treatment=d.treatment,
        request=d.request.phrase,
        outcome=d.outcome,
        category=d.category,
        case_number=d.letter.case_number,
        decision_date=d.letter.decision_date,
        score=round(hit.score, 4),
        shared_terms=hit.shared_terms,
        reasons=reasons(hit.why),
        why=hit.why,
        url=url(d.id) if url else None,
        html_url=html_url(d.id) if html_url else None,
    )


# --- the API's pages ------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetOptionPayload:
    value: str
    label: str
    count: int | None  # None: selected, but outside the engine's top values
    selected: bool
    toggle_url: str


@dataclass(frozen=True)
class FacetBlockPayload:
    name: str
    label: str
    truncated: bool
    # False: a facet counted on request (guideline sections) that this search did not ask
    # for; its selected values are listed without counts. Ask with more=<name>.
    counted: bool
    values: tuple[FacetOptionPayload, ...]


@dataclass(frozen=True)
class ActiveFilter:
    """An active filter: a facet value, or a decision-date bound (`facet` is then its
    parameter, date_from or date_to)."""

    facet: str
    value: str
    remove_url: str


@dataclass(frozen=True)
class SearchEcho:
    """The search as the server understood it."""

    q: str
    filters: dict[str, tuple[str, ...]]
    sort: str
    page: int
    per_page: int
    facet_size: int
    more: tuple[str, ...]  # facets listing more values than facet_size
    breakdown: str | None
    decisions: str
    date_from: str | None = None
    date_to: str | None = None


@dataclass(frozen=True)
class SearchLinks:
    self: str
    html: str
    next: str | None
    prev: str | None
    export_csv: str
    export_json: str
    export_breakdown_csv: str
    feed: str  # the Atom feed of the search's newest decisions
    # The same search listing only the decisions about the query / only the mentions / all
    # (None when the query has no about/mention split).
    about: str | None
    mentions: str | None
    all: str | None
    suggestion: str | None = None  # the same search with the suggested query


@dataclass(frozen=True)
class SearchPage:
    """/api/search: the search page's JSON twin."""

    total: int
    took_ms: float
    items: tuple[ResultItem, ...]
    facets: tuple[FacetBlockPayload, ...]
    active_filters: tuple[ActiveFilter, ...]
    outcome_rate: Rate
    breakdown: tuple[BreakdownEntry, ...]
    notice: str | None
    about: About | None
    breakdown_ignores: tuple[str, ...]  # filters the breakdown leaves out ("outcome")
    request: SearchEcho
    links: SearchLinks
    # "Did you mean": the query with its misspelled words replaced by the closest words of
    # the index (only when the query found few results and this finds more).
    suggestion: str | None = None


@dataclass(frozen=True)
class FacetsPage:
    """/api/facets: counts, outcome rate and breakdown of a search, no results."""

    total: int
    took_ms: float
    facets: tuple[FacetBlockPayload, ...]
    active_filters: tuple[ActiveFilter, ...]
    outcome_rate: Rate
    breakdown: tuple[BreakdownEntry, ...]
    about: About | None
    breakdown_ignores: tuple[str, ...]
    request: SearchEcho


@dataclass(frozen=True)
class LetterItemRef:
    id: str
    item_number: int
    treatment: str
    outcome: Outcome
    url: str | None = None  # its JSON twin (API only)


@dataclass(frozen=True)
class ItemLinks:
    self: str
    html: str
    similar: str


@dataclass(frozen=True)
class ItemPage:
    """/api/items/{id}: one decision in full, its letter's other items, similar cases."""

    item: ItemDocument
    letter_items: tuple[LetterItemRef, ...]
    similar: tuple[SimilarCase, ...]
    similar_outcome_rate: Rate
    links: ItemLinks | None  # (API only)
    rationale_html: str | None  # the rationale with the query's matches marked (with ?q=)


def item_page(
    doc: ItemDocument,
    letter_items: Iterable[ItemDocument],
    similar: Sequence[SimilarHit],
    *,
    links: ItemLinks | None = None,
    url: UrlOf | None = None,
    html_url: UrlOf | None = None,
    rationale_html: str | None = None,
) -> ItemPage:
    """One decision in full (`/api/items/{id}`, `imr-search show --json`): the document as
    shown (search_ui.public), its letter's items, its similar cases and how they went."""
    return ItemPage(
        item=public_document(doc),
        letter_items=tuple(
            LetterItemRef(d.id, d.item_number, d.treatment, d.outcome, url(d.id) if url else None)
            for d in letter_items
        ),
        similar=tuple(similar_case(h, url=url, html_url=html_url) for h in similar),
        similar_outcome_rate=Rate.of(OutcomeRate.of(h.doc for h in similar)),
        links=links,
        rationale_html=rationale_html,
    )


@dataclass(frozen=True)
class SimilarPage:
    """/api/similar and /api/items/{id}/similar."""

    similar: tuple[SimilarCase, ...]
    outcome_rate: Rate
    item_id: str | None = None


@dataclass(frozen=True)
class Health:
    status: str
    items: int


@dataclass(frozen=True)
class ErrorBody:
    status: int
    message: str
    parameter: str | None
    suggestions: tuple[str, ...] = ()  # closest known names (an unknown guideline)


@dataclass(frozen=True)
class ErrorPayload:
    """Every error of the API and the exports."""

    error: ErrorBody


@dataclass(frozen=True)
class ApiIndex:
    openapi: str
    reference: str  # the readable API reference (HTML) rendered from the OpenAPI document
    endpoints: dict[str, str]


@dataclass(frozen=True)
class ExportSearch:
    """The search an export holds, and when it was made (what a citation of it needs)."""

    q: str
    filters: dict[str, tuple[str, ...]]
    sort: str
    decisions: str
    url: str  # the search page (absolute): its address holds the whole search
    exported_at: str  # UTC, ISO 8601: "2026-12-06T17:03:12Z"


@dataclass(frozen=True)
class ExportJson:
    """/export.json (streamed): the search, and every result's whole document."""

    query: str  # the same as search.q (kept for readers of earlier exports)
    filters: dict[str, tuple[str, ...]]  # the same as search.filters
    sort: str
    search: ExportSearch
    total: int
    limit: int
    truncated: bool
    items: tuple[ItemDocument, ...]
    stopped: str | None = None  # set when the export stopped at its time limit
    date_from: str | None = None
    date_to: str | None = None

"""The JSON presenter of the precedent tools: the guideline citator, the reasons that decide
outcomes and the precedent estimate (typed payloads, like search_ui.payloads, and pure: the
addresses come in as functions, so the CLI builds the same bodies without a web request)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from imr_search import citator
from imr_search.contract import BreakdownRow
from imr_search.estimate import Estimate
from imr_search.reasons import Reason, Reasons
from mappings.schema import Outcome
from search_ui.payloads import BreakdownEntry, Rate, SimilarCase

UrlOf = Callable[[str], str | None]  # a value -> its address (None: it has none)

# --- the guideline citator ----------------------------------------------------------------


@dataclass(frozen=True)
class CitedEntry:
    """One guideline (or section) of the citator's index."""

    name: str
    reviewer: int  # decisions whose reviewer relied on it
    administrator: int  # decisions whose claims administrator cited it
    url: str | None  # its report (JSON)
    html_url: str | None  # its page


@dataclass(frozen=True)
class CitatorIndex:
    """/api/guidelines and /api/sections: every guideline (section) cited, most cited first."""

    kind: citator.Kind
    entries: tuple[CitedEntry, ...]
    filter: str  # the text the names were narrowed by ("" for all)
    total: int  # names cited, before the filter


@dataclass(frozen=True)
class PartyRates:
    """How the decisions citing it went, by who cited it."""

    reviewer: Rate  # the reviewer relied on it
    administrator: Rate  # the claims administrator cited it
    both: Rate
    only_administrator: Rate  # the administrator cited it, the reviewer relied on others


@dataclass(frozen=True)
class CitatorLinks:
    self: str
    html: str
    export_csv: str
    reviewer_decisions: str  # the search listing the decisions whose reviewer relied on it
    administrator_decisions: str
    both_decisions: str


@dataclass(frozen=True)
class CitatorReport:
    """/api/guidelines/{name} and /api/sections/{name}: the citator's report. Each row's
    `search_url` lists its decisions."""

    kind: citator.Kind
    name: str
    rates: PartyRates
    concepts: tuple[BreakdownEntry, ...]  # kinds of request decided under it (reviewer)
    years: tuple[BreakdownEntry, ...]  # its use by decision year (reviewer), in order
    co_cited: tuple[BreakdownEntry, ...]  # other guidelines (sections) relied on beside it
    sections: tuple[CitedEntry, ...]  # its sections the reviewer relied on (guidelines)
    links: CitatorLinks


def citator_report(
    report: citator.Report,
    links: CitatorLinks,
    concept_url: UrlOf,
    year_url: UrlOf,
    co_cited_url: UrlOf,
    section_url: UrlOf | None = None,
    section_html_url: UrlOf | None = None,
) -> CitatorReport:
    return CitatorReport(
        kind=report.kind,
        name=report.name,
        rates=PartyRates(
            reviewer=Rate.of(report.reviewer),
            administrator=Rate.of(report.administrator),
            both=Rate.of(report.both),
            only_administrator=Rate.of(report.only_administrator),
        ),
        concepts=_entries(report.concepts, concept_url),
        years=_entries(report.years, year_url),
        co_cited=_entries(report.co_cited, co_cited_url),
        sections=tuple(
            CitedEntry(
                name=v.value,
                reviewer=v.count,
                administrator=0,
                url=section_url(v.value) if section_url else None,
                html_url=section_html_url(v.value) if section_html_url else None,
            )
            for v in report.sections
        ),
        links=links,
    )


def citator_index(
    kind: citator.Kind,
    rows: Sequence[citator.IndexRow],
    url: UrlOf | None,
    html_url: UrlOf | None,
    name_filter: str = "",
    total: int | None = None,
) -> CitatorIndex:
    return CitatorIndex(
        kind=kind,
        entries=tuple(
            CitedEntry(
                name=r.name,
                reviewer=r.reviewer,
                administrator=r.administrator,
                url=url(r.name) if url else None,
                html_url=html_url(r.name) if html_url else None,
            )
            for r in rows
        ),
        filter=name_filter,
        total=len(rows) if total is None else total,
    )


def _entries(rows: Sequence[BreakdownRow], url: UrlOf | None) -> tuple[BreakdownEntry, ...]:
    return tuple(BreakdownEntry.of(r, url(r.value) if url else None) for r in rows)


# --- the reasons that decide outcomes --------------------------------------------------------


@dataclass(frozen=True)
class ReasonEntry:
    """A finding or phrase that separates upheld from overturned rationales. `search_url`
    lists the decisions that use it (the phrase highlighted)."""

    text: str
    kind: str  # "finding" (read by the clinical rules) | "phrase" (the rationale's words)
    upheld: int  # decisions read of each outcome that use it
    overturned: int
    leans: Outcome
    g2: float  # Dunning's log-likelihood ratio (3.84 = 95% significance)
    search_url: str | None = None
    html_url: str | None = None


@dataclass(frozen=True)
class ReasonLists:
    """The reasons of a set of decisions, and how much of the set was read."""

    upheld: tuple[ReasonEntry, ...]  # strongest first
    overturned: tuple[ReasonEntry, ...]
    read: int
    total: int
    sampled: bool  # more decisions than were read: the newest `read` were
    upheld_read: int
    overturned_read: int
    about_query: bool  # only the decisions about the query were read


ReasonLinks = Callable[[Reason], tuple[str | None, str | None]]  # -> (API, page) listing


def reason_lists(reasons: Reasons, links: ReasonLinks | None = None) -> ReasonLists:
    def entry(r: Reason) -> ReasonEntry:
        api, html = links(r) if links else (None, None)
        return ReasonEntry(r.text, r.kind, r.upheld, r.overturned, r.leans, r.g2, api, html)

    return ReasonLists(
        upheld=tuple(entry(r) for r in reasons.upheld),
        overturned=tuple(entry(r) for r in reasons.overturned),
        read=reasons.read,
        total=reasons.total,
        sampled=reasons.sampled,
        upheld_read=reasons.upheld_read,
        overturned_read=reasons.overturned_read,
        about_query=reasons.about_query,
    )


@dataclass(frozen=True)
class ReasonsLinks:
    self: str
    html: str
    search: str  # the decisions whose reasons these are
    export_csv: str


@dataclass(frozen=True)
class ReasonsPage:
    """/api/reasons: the reasons of a search's results (the search page's parameters)."""

    q: str
    filters: dict[str, tuple[str, ...]]  # as given; the outcome filter is not applied
    reasons: ReasonLists
    links: ReasonsLinks


# --- the precedent estimate ------------------------------------------------------------------


@dataclass(frozen=True)
class EstimatePayload:
    """/api/estimate and /api/items/{id}/estimate: how the most similar (prior) decisions
    went. A summary of past decisions, not a prediction (`note`)."""

    precedents: int
    prior_only: bool  # only decisions dated before the item
    rate: Rate
    by_guideline: tuple[BreakdownEntry, ...]  # by the guideline their reviewer relied on
    reasons: ReasonLists  # what separated their outcomes
    cases: tuple[SimilarCase, ...]
    note: str
    item_id: str | None = None


def estimate_payload(
    estimate: Estimate,
    cases: tuple[SimilarCase, ...],
    guideline_url: UrlOf | None = None,
    item_id: str | None = None,
) -> EstimatePayload:
    return EstimatePayload(
        precedents=len(estimate.precedents),
        prior_only=estimate.prior_only,
        rate=Rate.of(estimate.rate),
        by_guideline=_entries(estimate.by_guideline, guideline_url),
        reasons=reason_lists(estimate.reasons),
        cases=cases,
        note=estimate.note,
        item_id=item_id,
    )

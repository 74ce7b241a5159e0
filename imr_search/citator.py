"""The guideline citator: for a guideline (or one of its sections), how decisions that relied on
it went, for which kinds of request, over the years, and beside which other guidelines.

Everything here is a handful of ordinary searches with facet filters and breakdowns, so both
engines answer alike and every number links to the search that lists its decisions:

- the reviewer relied on it: `reviewer_guideline=G` (its outcome rate);
- the claims administrator cited it: `admin_guideline=G`; both: the two filters together;
  only the administrator: those minus both (the rate of the decisions the reviewer decided on
  other grounds);
- the kinds of request decided under it, and its use by year: breakdowns by `concept` and by
  `year` of `reviewer_guideline=G`;
- the other guidelines reviewers relied on in the same decisions: the `reviewer_guideline`
  breakdown of `reviewer_guideline=G` (a breakdown counts within the selection; the facet
  list would not), see `co_cited`;
- its sections: the `reviewer_section` values of its own citations (read from a sample of
  its decisions), counted exactly by the facet.

A section page is the same report over `reviewer_section` / `admin_section`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from imr_search.contract import (
    BreakdownRow,
    Engine,
    FacetValue,
    OutcomeRate,
    SearchRequest,
    SearchResponse,
)
from imr_search.errors import ItemNotFound
from imr_search.filter_values import closest
from mappings.facets import ON_REQUEST

Kind = Literal["guideline", "section"]
# facet names per kind: (the reviewer's, the claims administrator's)
FACETS: dict[Kind, tuple[str, str]] = {
    "guideline": ("reviewer_guideline", "admin_guideline"),
    "section": ("reviewer_section", "admin_section"),
}
ALL_VALUES = 2_000  # facet values read for the index (more than any corpus has guidelines)
TOP = 15  # kinds of request, co-cited guidelines and sections listed
SAMPLE = 400  # decisions read to find which sections belong to a guideline


class NotCited(ItemNotFound):
    """No decision cites that name; `suggestions` are the closest names that exist."""

    def __init__(self, kind: Kind, name: str, suggestions: tuple[str, ...]) -> None:
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No decision cites the {kind} {name!r}.{hint}")
        self.kind = kind
        self.name = name
        self.suggestions = suggestions


@dataclass(frozen=True)
class IndexRow:
    """One guideline (or section) and how many decisions cite it, by party."""

    name: str
    reviewer: int  # decisions whose reviewer relied on it
    administrator: int  # decisions whose claims administrator cited it


@dataclass(frozen=True)
class Report:
    """What the citator says about one guideline or section."""

    kind: Kind
    name: str
    reviewer: OutcomeRate  # decisions whose reviewer relied on it
    administrator: OutcomeRate  # decisions whose claims administrator cited it
    both: OutcomeRate  # cited by both parties
    only_administrator: OutcomeRate  # cited by the administrator, the reviewer relied on others
    concepts: tuple[BreakdownRow, ...]  # kinds of request decided under it (reviewer)
    years: tuple[BreakdownRow, ...]  # its use by decision year (reviewer), in order
    co_cited: tuple[BreakdownRow, ...]  # other guidelines (sections) relied on beside it
    sections: tuple[FacetValue, ...]  # its sections the reviewer relied on (guidelines only)

    @property
    def reviewer_facet(self) -> str:
        return FACETS[self.kind][0]

    @property
    def administrator_facet(self) -> str:
        return FACETS[self.kind][1]


def index(engine: Engine, kind: Kind = "guideline") -> list[IndexRow]:
    """Every guideline (or section) cited, most cited first."""
    reviewer_facet, admin_facet = FACETS[kind]
    every = dict.fromkeys(ON_REQUEST, ALL_VALUES)  # the sections too
    response = engine.search(
        SearchRequest(per_page=0, facet_size=ALL_VALUES, facet_sizes=every, highlight=False)
    )
    reviewer = {v.value: v.count for v in response.facets[reviewer_facet]}
    admin = {v.value: v.count for v in response.facets[admin_facet]}
    rows = [
        IndexRow(name, reviewer.get(name, 0), admin.get(name, 0))
        for name in set(reviewer) | set(admin)
    ]
    rows.sort(key=lambda r: (-(r.reviewer + r.administrator), r.name))
    return rows


def report(engine: Engine, name: str, kind: Kind = "guideline") -> Report:
    """The citator's report on one guideline or section (NotCited: no decision cites it)."""
    reviewer_facet, admin_facet = FACETS[kind]

    def search(filters: dict[str, list[str]], **options: object) -> SearchResponse:
        request = SearchRequest(filters=filters, per_page=0, highlight=False, **options)  # type: ignore[arg-type]
        return engine.search(request)

    relied = search({reviewer_facet: [name]}, breakdown="concept", facet_size=TOP)
    cited = search({admin_facet: [name]}, facet_size=0)
    if not relied.total and not cited.total:
        raise NotCited(kind, name, suggest(engine, name, kind))
    both = search({reviewer_facet: [name], admin_facet: [name]}, facet_size=0)
    years = search({reviewer_facet: [name]}, breakdown="year", facet_size=0).breakdown
    # A breakdown counts within every selection (a facet list ignores its own): the other
    # guidelines (sections) of the decisions relying on this one, each with its outcomes.
    beside = search({reviewer_facet: [name]}, breakdown=reviewer_facet, facet_size=TOP + 1)
    co_cited = tuple(row for row in beside.breakdown if row.value != name)[:TOP]
    return Report(
        kind=kind,
        name=name,
        reviewer=relied.outcome_rate,
        administrator=cited.outcome_rate,
        both=both.outcome_rate,
        only_administrator=OutcomeRate(
            upheld=cited.outcome_rate.upheld - both.outcome_rate.upheld,
            overturned=cited.outcome_rate.overturned - both.outcome_rate.overturned,
        ),
        concepts=relied.breakdown,
        years=years,
        co_cited=co_cited,
        sections=_sections(engine, name) if kind == "guideline" else (),
    )


def _sections(engine: Engine, name: str) -> tuple[FacetValue, ...]:
    """The sections of this guideline the reviewer relied on, with exact counts: which
    sections belong to it is read from its citations in a sample of its decisions."""
    own: set[str] = set()
    page = 1
    while (page - 1) * 100 < SAMPLE:
        response = engine.search(
            SearchRequest(
                filters={"reviewer_guideline": [name]},
                per_page=100,
                page=page,
                sort="date",
                facet_size=0,
                highlight=False,
            )
        )
        for hit in response.hits:
            for citation in hit.doc.citations_by("reviewer"):
                if citation.label == name:
                    own.update(citation.section_labels)
        if len(response.hits) < 100:
            break
        page += 1
    if not own:
        return ()
    counted = engine.search(
        SearchRequest(
            filters={"reviewer_guideline": [name]},
            per_page=0,
            facet_size=0,
            facet_sizes={"reviewer_section": ALL_VALUES},
            highlight=False,
        )
    )
    values = [v for v in counted.facets.get("reviewer_section", ()) if v.value in own]
    return tuple(values[:TOP])


def suggest(engine: Engine, name: str, kind: Kind = "guideline") -> tuple[str, ...]:
    """The closest names that are cited (for a misspelt or unknown name)."""
    return closest(name, [row.name for row in index(engine, kind)])

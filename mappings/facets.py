"""The facets: one table, and the reference of what each facet's values are for a document.

Both engines implement these facets and must count exactly what `facet_values()` says (the
behaviour suite checks it): plain facets read one field of the document; citation facets read
one party's citations, so "the reviewer relied on ODG" never matches an item where only the
claims administrator cited ODG.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from mappings.schema import ItemDocument, Party

NONE = "none"  # citation-source facet value: that party cited nothing

FacetKind = Literal["field", "citation_source", "citation_guideline", "citation_section"]


@dataclass(frozen=True)
class FacetSpec:
    """One facet: its URL/filter name, its label, where its values come from."""

    name: str
    label: str
    kind: FacetKind = "field"
    field: str = ""  # field facets: the document path (also the Elasticsearch field)
    party: Party | None = None  # citation facets: whose citations count
    numeric: bool = False  # values are integers (filters compare numbers)
    # Counted only when asked for (SearchRequest.facet_sizes; the page's "Show values"):
    # hundreds of values, several per item, costing more to count than the other facets
    # together (guideline sections: +4 to +9 ms a search on Elasticsearch at 100k items).
    on_request: bool = False


FACETS: tuple[FacetSpec, ...] = (
    FacetSpec("outcome", "Outcome", field="outcome"),
    FacetSpec("concept", "Kind of request", field="request.label"),
    FacetSpec("category", "Treatment type", field="category"),
    FacetSpec("body_region", "Body region", field="body_regions"),
    FacetSpec("injury_region", "Injured body part", field="letter.injury_regions"),
    FacetSpec("finding", "Finding stated", field="findings"),
    FacetSpec("specialty", "Reviewer specialty", field="letter.specialties"),
    FacetSpec("reviewer_source", "Reviewer relied on", "citation_source", "citations.source",
              "reviewer"),
    FacetSpec("admin_source", "Claims administrator relied on", "citation_source",
              "citations.source", "claims_administrator"),
    FacetSpec("reviewer_guideline", "Reviewer's guideline", "citation_guideline",
              "citations.label", "reviewer"),
    FacetSpec("admin_guideline", "Claims administrator's guideline", "citation_guideline",
              "citations.label", "claims_administrator"),
    FacetSpec("reviewer_section", "Reviewer's guideline section", "citation_section",
              "citations.section_labels", "reviewer", on_request=True),
    FacetSpec("admin_section", "Claims administrator's guideline section", "citation_section",
              "citations.section_labels", "claims_administrator", on_request=True),
    FacetSpec("year", "Decision year", field="decision_year", numeric=True),
)  # fmt: skip
FACETS_BY_NAME: dict[str, FacetSpec] = {f.name: f for f in FACETS}
ON_REQUEST: tuple[str, ...] = tuple(f.name for f in FACETS if f.on_request)
# Indexed like facets but never listed: what the similar-cases search narrows candidates by.
HIDDEN_FACETS: tuple[FacetSpec, ...] = (
    FacetSpec("request_family", "Family of request", field="request.group"),
    FacetSpec("request_region", "Region of the request", field="request.regions"),
)
INDEXED_FACETS: tuple[FacetSpec, ...] = FACETS + HIDDEN_FACETS
# One party's citation facets are stored flat as well, beside the nested citations: one
# keyword field per facet, holding exactly facet_values() (a source facet's "none"
# included), so that filtering and counting them needs no nested query or aggregation.
PARTY_FACETS: tuple[FacetSpec, ...] = tuple(f for f in INDEXED_FACETS if f.kind != "field")
PARTY_FACETS_FIELD = "party_facets"  # the object holding them (not part of ItemDocument)


# Every facet counted by default, once more in one keyword field, each value prefixed by the
# item's outcome and its facet's name ("Upheld:concept:mri", "Overturned:year:2019"):
# Elasticsearch counts them all with one `terms` aggregation, over two times faster than one
# aggregation per facet (each matching document is visited once instead of once per facet),
# and the outcome in the key gives every facet's outcome breakdown from the same pass.
KEYED_FACETS: tuple[FacetSpec, ...] = tuple(f for f in FACETS if not f.on_request)
FACET_KEYS_FIELD = "facet_keys"
KEY_SEPARATOR = ":"  # outcomes and facet names never hold one; values may (split twice)


def facet_key(outcome: str, name: str, value: str) -> str:
    return KEY_SEPARATOR.join((outcome, name, value))


def split_facet_key(key: str) -> tuple[str, str, str]:
    """(outcome, facet name, value) of a facet key."""
    outcome, name, value = key.split(KEY_SEPARATOR, 2)
    return outcome, name, value


def facet_keys(doc: ItemDocument, known: Mapping[str, list[str]] | None = None) -> list[str]:
    """The facet keys of a document: every keyed facet's facet_values(), prefixed. `known`:
    values already read (facet name -> facet_values()), not read again."""
    known = known or {}
    return [
        facet_key(doc.outcome, spec.name, v)
        for spec in KEYED_FACETS
        for v in (known[spec.name] if spec.name in known else facet_values(doc, spec))
    ]


def index_field(spec: FacetSpec) -> str:
    """The field a search engine filters and counts facet `spec` by: the document path of a
    plain facet, `party_facets.<name>` for one party's citations."""
    return spec.field if spec.kind == "field" else f"{PARTY_FACETS_FIELD}.{spec.name}"


def party_facet_values(doc: ItemDocument) -> dict[str, list[str]]:
    """The flat party facets of a document: facet name -> facet_values()."""
    return {spec.name: facet_values(doc, spec) for spec in PARTY_FACETS}


def facet_values(doc: ItemDocument, spec: FacetSpec) -> list[str]:
    """The facet values of one document: the reference both engines must agree with."""
    if spec.kind == "citation_source":
        sources: list[str] = sorted({c.source for c in doc.citations if c.party == spec.party})
        return sources or [NONE]
    if spec.kind == "citation_guideline":
        return sorted({c.label for c in doc.citations if c.party == spec.party})
    if spec.kind == "citation_section":
        return sorted({s for c in doc.citations if c.party == spec.party for s in c.section_labels})
    value: object = doc
    for part in spec.field.split("."):
        value = getattr(value, part)
    if value is None:
        return []
    if isinstance(value, tuple):
        return [str(v) for v in value]
    return [str(value)]

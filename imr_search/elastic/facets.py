"""Facet filters and aggregations for Elasticsearch, one small class per facet kind.

Counts must equal `mappings.facets.facet_values()` (the reference both engines follow):

- plain facets are keyword/integer fields: a `terms` aggregation;
- citation facets count *items*, but citations are nested documents: the aggregation goes
  `nested` -> filter on the party -> `terms` -> `reverse_nested` (back to items), and the
  buckets are ordered by that item count, not by how many citations there are;
- a party that cited nothing has the source value "none": an item-level filter
  `must_not nested(party = P)`, counted beside the nested buckets.

Multi-select works like elasticsearch.dsl's FacetedSearch: the hits are narrowed by a
post_filter of every selection, and each facet's aggregation is filtered by every *other*
facet's selection, so a facet's own choices do not hide its alternatives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from imr_search.contract import FacetValue
from mappings.facets import FACETS_BY_NAME, NONE, FacetSpec

Query = dict[str, Any]
MATCH_NONE: Query = {"match_none": {}}
MATCH_ALL: Query = {"match_all": {}}
CITATIONS = "citations"
ORDER_BY_COUNT = [{"_count": "desc"}, {"_key": "asc"}]
ORDER_BY_ITEMS = [{"items": "desc"}, {"_key": "asc"}]
# Distinct citation sources are few (MTUS, ODG, other): always ask for all of them.
ALL_SOURCES = 10


class FieldFacet:
    """A facet stored as a keyword (or integer) field of the item."""

    def __init__(self, spec: FacetSpec) -> None:
        self.spec = spec
        self.field = spec.field
        self.numeric = spec.numeric

    def _terms(self, values: Sequence[str]) -> list[Any]:
        if not self.numeric:
            return list(values)
        return [int(v) for v in values if v.strip().lstrip("-").isdigit()]

    def filter(self, values: Sequence[str]) -> Query:
        terms = self._terms(values)
        return {"terms": {self.field: terms}} if terms else MATCH_NONE

    def value_filter(self, value: str) -> Query:
        return self.filter([value])

    def aggs(self, size: int, sub: Mapping[str, Any] | None = None) -> dict[str, Any]:
        terms: dict[str, Any] = {"field": self.field, "size": size, "order": ORDER_BY_COUNT}
        agg: dict[str, Any] = {"terms": terms}
        if sub:
            agg["aggs"] = dict(sub)
        return {"top": agg}

    def buckets(self, result: Mapping[str, Any]) -> list[tuple[str, int, Mapping[str, Any]]]:
        return [(str(b["key"]), b["doc_count"], b) for b in result["top"]["buckets"]]


class CitationFacet:
    """A facet over one party's nested citations: source ('MTUS', ... or 'none') or label."""

    def __init__(self, spec: FacetSpec) -> None:
        assert spec.party is not None
        self.spec = spec
        self.party = spec.party
        self.field = spec.field
        self.has_none = spec.kind == "citation_source"

    def _nested(self, values: Sequence[str] | None) -> Query:
        clauses: list[Query] = [{"term": {f"{CITATIONS}.party": self.party}}]
        if values is not None:
            clauses.append({"terms": {self.field: list(values)}})
        return {"nested": {"path": CITATIONS, "query": {"bool": {"filter": clauses}}}}

    def _cited_nothing(self) -> Query:
        return {"bool": {"must_not": [self._nested(None)]}}

    def filter(self, values: Sequence[str]) -> Query:
        real = [v for v in values if not (self.has_none and v == NONE)]
        clauses = [self._nested(real)] if real else []
        if self.has_none and NONE in values:
            clauses.append(self._cited_nothing())
        if not clauses:
            return MATCH_NONE
        if len(clauses) == 1:
            return clauses[0]
        return {"bool": {"should": clauses, "minimum_should_match": 1}}

    def value_filter(self, value: str) -> Query:
        return self.filter([value])

    def aggs(self, size: int, sub: Mapping[str, Any] | None = None) -> dict[str, Any]:
        items: dict[str, Any] = {"reverse_nested": {}}
        if sub:
            items["aggs"] = dict(sub)
        out: dict[str, Any] = {
            "top": {
                "nested": {"path": CITATIONS},
                "aggs": {
                    "party": {
                        "filter": {"term": {f"{CITATIONS}.party": self.party}},
                        "aggs": {
                            "values": {
                                "terms": {
                                    "field": self.field,
                                    "size": max(size, ALL_SOURCES) if self.has_none else size,
                                    "order": ORDER_BY_ITEMS,
                                },
                                "aggs": {"items": items},
                            }
                        },
                    }
                },
            }
        }
        if self.has_none:
            none: dict[str, Any] = {"filter": self._cited_nothing()}
            if sub:
                none["aggs"] = dict(sub)
            out["none"] = none
        return out

    def buckets(self, result: Mapping[str, Any]) -> list[tuple[str, int, Mapping[str, Any]]]:
        out = [
            (b["key"], b["items"]["doc_count"], b["items"])
            for b in result["top"]["party"]["values"]["buckets"]
        ]
        if self.has_none and result["none"]["doc_count"]:
            out.append((NONE, result["none"]["doc_count"], result["none"]))
        return out


Facet = FieldFacet | CitationFacet


def facet_for(spec: FacetSpec) -> Facet:
    if spec.kind == "field":
        return FieldFacet(spec)
    return CitationFacet(spec)


FACET_IMPLS: dict[str, Facet] = {name: facet_for(spec) for name, spec in FACETS_BY_NAME.items()}


def selections(filters: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Non-empty selections, values as strings, duplicates dropped (order kept)."""
    return {
        name: list(dict.fromkeys(str(v) for v in values))
        for name, values in filters.items()
        if values
    }


def combined_filter(selected: Mapping[str, Sequence[str]], skip: str | None = None) -> Query:
    """AND of every facet's selection (OR within a facet), leaving out `skip`."""
    clauses = [FACET_IMPLS[n].filter(v) for n, v in selected.items() if n != skip]
    if not clauses:
        return dict(MATCH_ALL)
    return {"bool": {"filter": clauses}}


class AggGroups:
    """Aggregations grouped by the filter they need: one `filter` aggregation per distinct
    filter (none at all for match_all), so facets sharing a selection context are counted in
    one pass. Names inside are prefixed (`<owner>__<name>`) to stay apart."""

    def __init__(self) -> None:
        self._groups: dict[str, tuple[Query, dict[str, Any]]] = {}

    def add(self, owner: str, flt: Query, aggs: Mapping[str, Any]) -> None:
        key = json.dumps(flt, sort_keys=True)
        group = self._groups.setdefault(key, (flt, {}))[1]
        group.update({f"{owner}__{name}": agg for name, agg in aggs.items()})

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i, (flt, aggs) in enumerate(self._groups.values()):
            if flt == MATCH_ALL:
                out.update(aggs)
            else:
                out[f"group_{i}"] = {"filter": flt, "aggs": aggs}
        return out

    @staticmethod
    def results(aggregations: Mapping[str, Any], owner: str) -> dict[str, Any]:
        """The answers of one owner's aggregations, wherever their group put them."""
        out: dict[str, Any] = {}
        prefix = owner + "__"
        for name, value in aggregations.items():
            if name.startswith("group_") and isinstance(value, Mapping):
                out.update(AggGroups.results(value, owner))
            elif name.startswith(prefix):
                out[name[len(prefix) :]] = value
        return out


def add_facet_aggs(groups: AggGroups, selected: Mapping[str, Sequence[str]], size: int) -> None:
    """Per facet: top values plus counts of its selected values, filtered by every *other*
    facet's selection."""
    for name, impl in FACET_IMPLS.items():
        inner: dict[str, Any] = impl.aggs(size) if size > 0 else {}
        chosen = selected.get(name)
        if chosen:
            inner["selected"] = {
                "filters": {"filters": {value: impl.value_filter(value) for value in chosen}}
            }
        if inner:
            groups.add(f"facet_{name}", combined_filter(selected, skip=name), inner)


def read_facets(
    aggregations: Mapping[str, Any], selected: Mapping[str, Sequence[str]], size: int
) -> dict[str, tuple[FacetValue, ...]]:
    """Top `size` values by count (ties by value), plus every selected value, count order."""
    out: dict[str, tuple[FacetValue, ...]] = {}
    for name, impl in FACET_IMPLS.items():
        result = AggGroups.results(aggregations, f"facet_{name}")
        counts = {value: count for value, count, _ in impl.buckets(result)} if size > 0 else {}
        chosen = selected.get(name, [])
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
        listed = {value for value, _ in ordered}
        picked = result.get("selected", {}).get("buckets", {})
        ordered += [
            (value, picked.get(value, {}).get("doc_count", 0))
            for value in chosen
            if value not in listed
        ]
        ordered.sort(key=lambda kv: (-kv[1], kv[0]))
        out[name] = tuple(FacetValue(v, c, v in chosen) for v, c in ordered)
    return out


OUTCOMES_AGG = {"outcomes": {"terms": {"field": "outcome", "size": 10}}}


def outcome_counts(result: Mapping[str, Any]) -> dict[str, int]:
    return {b["key"]: b["doc_count"] for b in result["outcomes"]["buckets"]}


def breakdown_aggs(name: str, size: int) -> dict[str, Any]:
    """Top values of facet `name` in the result, each with its outcome counts."""
    return FACET_IMPLS[name].aggs(max(size, 1), sub=OUTCOMES_AGG)


def read_breakdown(
    name: str, result: Mapping[str, Any], size: int
) -> list[tuple[str, int, dict[str, int]]]:
    rows = [
        (value, count, outcome_counts(sub))
        for value, count, sub in FACET_IMPLS[name].buckets(result)
    ]
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows[: max(size, 1)]

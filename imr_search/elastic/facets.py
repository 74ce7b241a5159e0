"""Facet filters (`Q`) and aggregations (`A`) for Elasticsearch, one small class per facet kind.

Counts must equal `mappings.facets.facet_values()` (the reference both engines follow):

- plain facets are keyword/integer fields: a `terms` aggregation;
- citation facets (one party's sources, guidelines, sections) are read from the flat
  keyword fields the writer adds to every item (`party_facets.<facet>`: exactly
  facet_values(), "none" included for a party that cited nothing), so they too are a
  `terms` aggregation and a `terms` filter: no nested aggregation on the search path. The
  nested citations stay for what needs one citation's fields together (the `citation:`
  text scope and its highlighting).

Counts stay exact on an index of several primary shards: a `terms` aggregation takes each
shard's top `shard_size` values and adds them up, so a value in the overall top but outside
one shard's own top loses that shard's count (or vanishes). Every facet's `terms` asks each
shard for `SHARD_SIZE` values, more than any facet has (a few hundred distinct values at
100,000 items), so each shard returns all of its values and the sums are whole; Elasticsearch
then answers `doc_count_error_upper_bound: 0` (tests/test_elastic_shards.py).

The facets counted by default are also counted together: every one of them is stored once
more in one keyword field (`facet_keys`, values prefixed by the item's outcome and the facet's
name, mappings.facets.facet_keys), and the facets that share their filters (all those without
a selection of their own) are counted by one `terms` aggregation of it, which visits each
matching document once instead of once per facet. Its size covers every key, so the per-facet
top values are cut from it exactly as a facet's own aggregation would order them, and a
facet's outcome breakdown over every match is read from the same buckets.

Multi-select works like elasticsearch.dsl's FacetedSearch: the hits are narrowed by a
post_filter of every selection, and each facet's aggregation is filtered by every *other*
facet's selection, so a facet's own choices do not hide its alternatives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from elasticsearch.dsl import A, Search
from elasticsearch.dsl.aggs import Agg, AggBase
from elasticsearch.dsl.query import Bool, MatchAll, MatchNone, Query, Terms

from imr_search.contract import FacetValue
from mappings.facets import (
    FACET_KEYS_FIELD,
    FACETS_BY_NAME,
    KEYED_FACETS,
    FacetSpec,
    index_field,
    split_facet_key,
)

Aggs = dict[str, Agg[Any]]  # aggregations by name
Buckets = list[tuple[str, int, Mapping[str, Any]]]  # (value, item count, the bucket's answer)
KeyedCounts = dict[str, dict[str, dict[str, int]]]  # facet -> value -> outcome -> items
ORDER_BY_COUNT = [{"_count": "desc"}, {"_key": "asc"}]
# Values each shard returns per facet: all of them, so that counts add up exactly over several
# primaries (see above). 2.5x the most a request may list (contract.MAX_ENGINE_FACET_SIZE).
SHARD_SIZE = 5_000
# Facet keys one aggregation returns: every value of every keyed facet, far more than there
# are (688 in 1,000,000 generated items; no keyed facet has more than a few hundred).
ALL_KEYS = 20_000
KEYED = frozenset(spec.name for spec in KEYED_FACETS)
KEYS = "facets"  # the owner of the aggregation of facet keys


class FieldFacet:
    """A facet stored as a keyword (or integer) field of the item: a plain facet's own
    field, or one party's citation facet in its flat field (mappings.facets.index_field)."""

    def __init__(self, spec: FacetSpec) -> None:
        self.spec = spec
        self.field = index_field(spec)
        self.numeric = spec.numeric

    def _terms(self, values: Sequence[str]) -> list[Any]:
        if not self.numeric:
            return list(values)
        return [int(v) for v in values if v.strip().lstrip("-").isdigit()]

    def filter(self, values: Sequence[str]) -> Query:
        terms = self._terms(values)
        return Terms(self.field, terms) if terms else MatchNone()

    def value_filter(self, value: str) -> Query:
        return self.filter([value])

    def aggs(self, size: int, sub: Aggs | None = None) -> Aggs:
        return {
            "top": A(
                "terms",
                field=self.field,
                size=size,
                shard_size=max(size, SHARD_SIZE),
                order=ORDER_BY_COUNT,
                aggs=sub or {},
            )
        }

    def buckets(self, result: Mapping[str, Any]) -> Buckets:
        return [(str(b["key"]), b["doc_count"], b) for b in result["top"]["buckets"]]


Facet = FieldFacet


def facet_for(spec: FacetSpec) -> Facet:
    return FieldFacet(spec)


FACET_IMPLS: dict[str, Facet] = {name: facet_for(spec) for name, spec in FACETS_BY_NAME.items()}


def selections(filters: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Non-empty selections, values as strings, duplicates dropped (order kept)."""
    return {
        name: list(dict.fromkeys(str(v) for v in values))
        for name, values in filters.items()
        if values
    }


def combined_filter(selected: Mapping[str, Sequence[str]]) -> Query:
    """AND of every facet's selection (OR within a facet)."""
    clauses = [FACET_IMPLS[name].filter(values) for name, values in selected.items()]
    return Bool(filter=clauses) if clauses else MatchAll()


class AggGroups:
    """Aggregations grouped by the selections that filter them: a facet's counts are filtered
    by every *other* facet's selection, the outcome rate and the breakdown by all of them.
    One `filter` aggregation per distinct set of selections (none at all when no selection
    applies), so facets sharing one are counted in one pass. Names inside are prefixed
    (`<owner>__<name>`) to stay apart. Aggregations whose definition holds the query itself
    (the decisions about it) are marked `by_query`: a search may count them apart
    (imr_search.elastic.complement)."""

    def __init__(self, selected: Mapping[str, Sequence[str]]) -> None:
        self.selected = selected
        self._groups: dict[tuple[str, ...], dict[str, tuple[Agg[Any], bool]]] = {}

    def add(
        self,
        owner: str,
        aggs: Mapping[str, Agg[Any]],
        skip: str | None = None,
        by_query: bool = False,
    ) -> None:
        """`owner`'s aggregations, filtered by every selection but that of facet `skip`."""
        key = tuple(name for name in self.selected if name != skip)
        group = self._groups.setdefault(key, {})
        group.update({f"{owner}__{name}": (agg, by_query) for name, agg in aggs.items()})

    def add_to(self, search: Search[Any], by_query: bool | None = None) -> None:
        """Put the groups into the search's aggregations (in place, as FacetedSearch does):
        all of them, or only those defined by the query (`by_query` True) or the others."""
        for i, (key, aggs) in enumerate(self._groups.items()):
            chosen = {n: a for n, (a, q) in aggs.items() if by_query is None or q == by_query}
            if not chosen:
                continue
            target: AggBase[Any] = search.aggs
            if key:
                flt = combined_filter({name: self.selected[name] for name in key})
                target = search.aggs.bucket(f"group_{i}", "filter", filter=flt)
            for name, agg in chosen.items():
                target[name] = agg

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


# The aggregations that depend only on a facet and a size are built once and shared: putting
# an aggregation into a Search and serialising it never changes it (treat them as read-only).


@cache
def top_values(name: str, size: int) -> Mapping[str, Agg[Any]]:
    """Facet `name`'s top `size` values."""
    return FACET_IMPLS[name].aggs(size)


@cache
def outcome_aggs() -> Mapping[str, Agg[Any]]:
    """Items by outcome."""
    return {"outcomes": A("terms", field="outcome", size=10)}


@cache
def breakdown_aggs(name: str, size: int) -> Mapping[str, Agg[Any]]:
    """Top values of facet `name` in the result, each with its outcome counts."""
    return FACET_IMPLS[name].aggs(max(size, 1), sub=dict(outcome_aggs()))


def add_facet_aggs(
    groups: AggGroups,
    sizes: Callable[[str], int],
    breakdown: tuple[str, int] | None = None,
    keys: bool = False,
) -> bool:
    """Per facet: top `sizes(name)` values plus counts of its selected values, filtered by
    every *other* facet's selection. `breakdown` (facet, size): that facet's values also
    carry their outcome counts, at least `size` of them (the breakdown from the same pass;
    read_breakdown finds it there). `keys`: count the facet keys even if no facet is read
    from them (the breakdown is). Returns whether the facet keys are counted."""
    keyed = keyed_facets(groups.selected, sizes, breakdown)
    counted = bool(keyed) or keys
    if counted:
        groups.add(KEYS, keys_aggs())
    for name, impl in FACET_IMPLS.items():
        size = sizes(name)
        inner: Aggs = dict(top_values(name, size)) if size > 0 and name not in keyed else {}
        if breakdown is not None and breakdown[0] == name:
            inner = dict(breakdown_aggs(name, max(size, breakdown[1])))
        chosen = groups.selected.get(name)
        if chosen:
            inner["selected"] = A(
                "filters", filters={value: impl.value_filter(value) for value in chosen}
            )
        if inner:
            groups.add(f"facet_{name}", inner, skip=name)
    return counted


def breakdown_from_keys(name: str, selected: Mapping[str, Sequence[str]]) -> bool:
    """Whether the facet keys count facet `name`'s breakdown over every match: a keyed facet,
    and the same filters (the breakdown ignores an outcome selection; the keys do not)."""
    return name in KEYED and "outcome" not in selected


def keyed_facets(
    selected: Mapping[str, Sequence[str]],
    sizes: Callable[[str], int],
    breakdown: tuple[str, int] | None,
) -> frozenset[str]:
    """The facets counted from the facet keys: those listed, filtered by every selection
    (no selection of their own), and not counting the breakdown's outcomes too."""
    shown = breakdown[0] if breakdown is not None else None
    return frozenset(
        name for name in KEYED if sizes(name) > 0 and not selected.get(name) and name != shown
    )


@cache
def keys_aggs() -> Mapping[str, Agg[Any]]:
    """One `terms` aggregation of the facet keys: every value of every keyed facet. All of
    them, whichever facets are wanted: an `include` pattern for just those cost more than
    counting the others (a common phrase at 100k items: +35 ms). In no particular order
    (read_facets orders each facet): with an explicit one a common phrase at 1M items took
    198 ms against 164."""
    return {"keys": A("terms", field=FACET_KEYS_FIELD, size=ALL_KEYS, shard_size=ALL_KEYS)}


def keyed_counts(aggregations: Mapping[str, Any]) -> KeyedCounts:
    """Facet -> value -> outcome -> count, from the aggregation of facet keys (empty without
    one). Read once per answer: the facets, the breakdown and the outcomes use it."""
    result = AggGroups.results(aggregations, KEYS).get("keys")
    if result is None:
        return {}
    out: KeyedCounts = {}
    for bucket in result["buckets"]:
        outcome, name, value = split_facet_key(bucket["key"])
        out.setdefault(name, {}).setdefault(value, {})[outcome] = bucket["doc_count"]
    return out


def keyed_breakdown(
    keyed: KeyedCounts, name: str, size: int
) -> list[tuple[str, int, dict[str, int]]]:
    """Facet `name`'s breakdown rows, from the facet keys' counts (read_breakdown's)."""
    by_value = keyed.get(name, {})
    rows = [(value, sum(outcomes.values()), outcomes) for value, outcomes in by_value.items()]
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows[: max(size, 1)]


def read_facets(
    aggregations: Mapping[str, Any],
    selected: Mapping[str, Sequence[str]],
    sizes: Callable[[str], int],
    keyed: KeyedCounts,
) -> dict[str, tuple[FacetValue, ...]]:
    """Top `sizes(name)` values by count (ties by value), plus every selected value, count
    order."""
    out: dict[str, tuple[FacetValue, ...]] = {}
    for name, impl in FACET_IMPLS.items():
        size = sizes(name)
        result = AggGroups.results(aggregations, f"facet_{name}")
        if size <= 0:
            counts = {}
        elif "top" in result:
            counts = {value: count for value, count, _ in impl.buckets(result)}
        else:  # counted from the facet keys
            counts = {value: sum(by.values()) for value, by in keyed.get(name, {}).items()}
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


def keyed_outcomes(keyed: KeyedCounts) -> dict[str, int]:
    """Items by outcome, from the facet keys' counts (filtered by every selection, as the hits
    are)."""
    by_value = keyed.get("outcome", {})
    return {value: sum(by.values()) for value, by in by_value.items()}


def outcome_counts(result: Mapping[str, Any]) -> dict[str, int]:
    return {b["key"]: b["doc_count"] for b in result["outcomes"]["buckets"]}


def read_breakdown(
    name: str, result: Mapping[str, Any], size: int
) -> list[tuple[str, int, dict[str, int]]]:
    rows = [
        (value, count, outcome_counts(sub))
        for value, count, sub in FACET_IMPLS[name].buckets(result)
    ]
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows[: max(size, 1)]

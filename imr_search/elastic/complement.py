"""Counting a query that matches most of the index by the items it leaves out.

Every count a search shows (its total, the facet values, the outcome rate, the breakdown
rows) is a sum over the items it matches. The everyday queries are common treatment words,
which match many items ("medically necessary": 85% of 1M generated items), and counting them
visits every match. But a sum over the matches is the whole index's sum minus the sum over
the items left out, and those are the fewer. Lucene's facet module did the same
("complements": counts of the complement subtracted from total facet counts kept per
IndexReader). Here, for a search without facet selections:

1. the exact total, with the aggregations whose definition holds the query (the decisions
   about it), in a request of no hits beside the page (SplitCounts.by_query);
2. when the total is over COMPLEMENT_SHARE of the index: the whole index's counts (kept
   per state of the index, WholeCounts) minus the counts of `NOT query`;
3. otherwise the query's own counts, as every other search.

The answers stay exact:
- both sides count every value (a top-k cut before subtracting could drop a value the
  difference ranks high); a side that could not (`sum_other_doc_count` above 0) is not used;
- the whole index's counts are kept under a fingerprint of every shard copy of the index
  (uuid, documents, the highest sequence number, external refreshes): a search sees writes
  only after an external refresh, so counts kept under the fingerprint read before they were
  counted (and unchanged after) are those of what searches see;
- the two sides must add up to the index's total (whole = matched + left out), which every
  write that adds or removes an item changes; if they do not, the query is counted itself.

With facet selections each facet is counted under the *other* facets' selections, which
would need the whole index's counts per combination of selections: those searches are
counted directly. So are all searches when the credentials may not read index statistics
(the `monitor` index privilege): the fingerprint needs them. The first search of an engine
counts the whole index once to learn its size. The index's size itself (`item_count`, which
similar cases need) is kept the same way, per state of the index.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elasticsearch import AuthorizationException, Elasticsearch
from elasticsearch.dsl import Search
from elasticsearch.dsl.query import Bool

from imr_search.elastic import run
from imr_search.elastic.search import SplitCounts

# Count by the complement when the query matches more than this share of the items: the
# left-out items are then fewer than the matches.
COMPLEMENT_SHARE = 0.5
KEPT_STATES = 8  # whole-index counts kept (one per index state and set of aggregations)
# What identifies a state of the index, per shard copy (indices stats, level=shards).
FINGERPRINT_PATHS = [
    "indices.*.uuid",
    "indices.*.shards.*.routing.node",
    "indices.*.shards.*.docs.count",
    "indices.*.shards.*.docs.deleted",
    "indices.*.shards.*.seq_no.max_seq_no",
    "indices.*.shards.*.refresh.external_total",
]


@dataclass(frozen=True)
class Counted:
    """The answer of a request of no hits: its exact total and its aggregations."""

    total: int
    aggregations: Mapping[str, Any]

    @staticmethod
    def of(answer: Mapping[str, Any]) -> Counted:
        return Counted(answer["hits"]["total"]["value"], answer.get("aggregations", {}))


class WholeCounts:
    """The whole index's counts per state of the index and set of aggregations, the few most
    recently used kept (thread-safe: an engine serves many threads)."""

    def __init__(self, kept: int = KEPT_STATES) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._counts: OrderedDict[tuple[str, str], Counted] = OrderedDict()
        self.items: int | None = None  # the index's size when last counted: an estimate
        self.refused = False  # the credentials may not read index statistics

    def get(self, key: tuple[str, str]) -> Counted | None:
        with self._lock:
            found = self._counts.get(key)
            if found is not None:
                self._counts.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], counted: Counted) -> None:
        with self._lock:
            self._counts[key] = counted
            self._counts.move_to_end(key)
            while len(self._counts) > self._kept:
                self._counts.popitem(last=False)
            self.items = counted.total

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


def fingerprint(client: Elasticsearch, index: str) -> str:
    """The state of every shard copy behind `index` (see the module docstring)."""
    stats = client.indices.stats(
        index=index, metric=["docs", "refresh"], level="shards", filter_path=FINGERPRINT_PATHS
    ).body
    return json.dumps(stats, sort_keys=True)


def whole_counts(
    client: Elasticsearch, index: str, kept: WholeCounts, aggs: Search[Any]
) -> Counted | None:
    """The whole index's answer to `aggs` (a search of no hits, no query), kept per state of
    the index; None when the index changed while it was counted."""
    before = fingerprint(client, index)
    key = (before, json.dumps(aggs.to_dict(), sort_keys=True))
    found = kept.get(key)
    if found is not None:
        return found
    counted = Counted.of(run.answer(client, index, aggs))
    if fingerprint(client, index) != before:
        return None
    kept.put(key, counted)
    return counted


def item_count(client: Elasticsearch, index: str, kept: WholeCounts) -> int:
    """The exact number of items `index` holds, counted once per state of the index (kept
    in `kept` as the whole index's answer to a search of no hits): the state's fingerprint
    costs 2 ms at 1M items, counting every item 6-10 ms. Counted each time when the
    credentials may not read index statistics."""
    every: Search[Any] = Search().extra(size=0, track_total_hits=True)
    if not kept.refused:
        try:
            counted = whole_counts(client, index, kept, every)
        except AuthorizationException:
            kept.refused = True
        else:
            if counted is not None:
                return counted.total
    return Counted.of(run.answer(client, index, every)).total


def subtract(whole: Mapping[str, Any], part: Mapping[str, Any]) -> dict[str, Any] | None:
    """Aggregation answers `whole` minus `part` (counted over a subset of whole's items):
    counts subtracted, buckets left at 0 dropped, the rest in count order (ties by key), as
    a `terms` aggregation orders them. None when either side did not count every value."""
    out: dict[str, Any] = {}
    for name, value in whole.items():
        if not isinstance(value, Mapping):
            out[name] = value
            continue
        other = part.get(name, {})
        if value.get("sum_other_doc_count", 0) or other.get("sum_other_doc_count", 0):
            return None
        diff = _minus(value, other)
        if diff is None:
            return None
        out[name] = diff
    return out


def _minus(whole: Mapping[str, Any], part: Mapping[str, Any]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for name, value in whole.items():
        if name == "doc_count":
            out[name] = value - part.get(name, 0)
        elif name == "buckets" and isinstance(value, list):
            buckets = _minus_buckets(value, part.get(name, []))
            if buckets is None:
                return None
            out[name] = buckets
        elif name == "buckets" and isinstance(value, Mapping):  # a `filters` aggregation
            keyed = subtract(value, part.get(name, {}))
            if keyed is None:
                return None
            out[name] = keyed
        elif isinstance(value, Mapping):  # a sub-aggregation
            sub = subtract({name: value}, {name: part.get(name, {})})
            if sub is None:
                return None
            out.update(sub)
        else:
            out[name] = value
    return out


def _minus_buckets(
    whole: list[Mapping[str, Any]], part: list[Mapping[str, Any]]
) -> list[dict[str, Any]] | None:
    by_key = {bucket["key"]: bucket for bucket in part}
    out = []
    for bucket in whole:
        diff = _minus(bucket, by_key.pop(bucket["key"], {}))
        if diff is None:
            return None
        if diff["doc_count"] > 0:
            out.append(diff)
    if by_key:
        return None  # values left out that the whole index lacks: the index changed
    out.sort(key=lambda b: (-b["doc_count"], b["key"]))
    return out


def counted_page(
    client: Elasticsearch,
    index: str,
    kept: WholeCounts,
    split: SplitCounts,
    page: Search[Any] | None,
) -> dict[str, Any]:
    """The answer to `page` with the total and aggregations of `split`, its `rest` counted by
    the items the query leaves out when the query matches most items."""
    return run.page_beside(client, index, page, lambda: _counts(client, index, kept, split))


def _counts(
    client: Elasticsearch, index: str, kept: WholeCounts, split: SplitCounts
) -> tuple[int, dict[str, Any]]:
    """The total and every aggregation of `split`, `rest` by its complement when cheaper."""
    matched = Counted.of(run.answer(client, index, split.by_query))
    counted = dict(matched.aggregations)
    if not split.rest.aggs.to_dict():
        return matched.total, counted
    if kept.items is None or matched.total > COMPLEMENT_SHARE * kept.items:
        subtracted = _by_complement(client, index, kept, split, matched.total)
        if subtracted is not None:
            return matched.total, {**subtracted, **counted}
    direct = Counted.of(run.answer(client, index, split.rest.query(split.query)))
    return matched.total, {**direct.aggregations, **counted}


def _by_complement(
    client: Elasticsearch, index: str, kept: WholeCounts, split: SplitCounts, matched: int
) -> dict[str, Any] | None:
    """`split.rest` over the matches as the whole index's counts minus those of the items
    left out; None when the query matches too few items for it to pay, or the index changed
    between the counts."""
    if kept.refused:
        return None
    try:
        whole = whole_counts(client, index, kept, split.rest)
    except AuthorizationException:
        kept.refused = True  # counted directly from now on, as without this module
        return None
    if whole is None or matched <= COMPLEMENT_SHARE * whole.total:
        return None
    left = split.rest.query(Bool(must_not=[split.query]))
    out = Counted.of(run.answer(client, index, left))
    if whole.total - out.total != matched:
        return None
    return subtract(whole.aggregations, out.aggregations)

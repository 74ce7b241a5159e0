"""Counting a common query by the items it leaves out (imr_search.elastic.complement): the
subtraction of aggregation answers, table-driven; on a real node, every kind of search
answers the same counted either way, the complement is really used, and a write (an item
added, an outcome changed in place) is seen by the next search."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import AuthorizationException, Elasticsearch

from imr_search.contract import SearchRequest, SearchResponse, SourceDocuments
from imr_search.elastic import complement, indices
from imr_search.elastic.engine import ElasticEngine
from indexer.documents import source_documents
from synthetic.corpus import generate_letters


def terms(*buckets: tuple[Any, int], other: int = 0, **sub: Any) -> dict[str, Any]:
    return {
        "doc_count_error_upper_bound": 0,
        "sum_other_doc_count": other,
        "buckets": [{"key": k, "doc_count": n, **sub} for k, n in buckets],
    }


SUBTRACTIONS = [
    pytest.param(
        {"t": terms(("a", 10), ("b", 7), ("c", 3))},
        {"t": terms(("a", 9), ("c", 1))},
        {"t": terms(("b", 7), ("c", 2), ("a", 1))},
        id="counts subtracted and reordered by count",
    ),
    pytest.param(
        {"t": terms(("a", 5), ("b", 5), ("c", 2))},
        {"t": terms(("a", 5), ("c", 1))},
        {"t": terms(("b", 5), ("c", 1))},
        id="values left at 0 are dropped",
    ),
    pytest.param(
        {"t": terms((2019, 4), (2017, 4))},
        {"t": terms()},
        {"t": terms((2017, 4), (2019, 4))},
        id="ties by key, numeric keys",
    ),
    pytest.param(
        {"f": {"doc_count": 9, "o": terms(("Upheld", 6), ("Overturned", 3))}},
        {"f": {"doc_count": 4, "o": terms(("Upheld", 4))}},
        {"f": {"doc_count": 5, "o": terms(("Overturned", 3), ("Upheld", 2))}},
        id="a filter aggregation and its sub-aggregation",
    ),
    pytest.param(
        {
            "t": {
                "sum_other_doc_count": 0,
                "buckets": [
                    {"key": "x", "doc_count": 4, "o": terms(("Upheld", 3), ("Overturned", 1))},
                    {"key": "y", "doc_count": 2, "o": terms(("Upheld", 2))},
                ],
            }
        },
        {
            "t": {
                "sum_other_doc_count": 0,
                "buckets": [{"key": "x", "doc_count": 3, "o": terms(("Upheld", 3))}],
            }
        },
        {
            "t": {
                "sum_other_doc_count": 0,
                "buckets": [
                    {"key": "y", "doc_count": 2, "o": terms(("Upheld", 2))},
                    {"key": "x", "doc_count": 1, "o": terms(("Overturned", 1))},
                ],
            }
        },
        id="buckets with their own sub-aggregations",
    ),
    pytest.param(
        {"t": terms(("a", 10), other=3)},
        {"t": terms(("a", 1))},
        None,
        id="the whole index did not count every value",
    ),
    pytest.param(
        {"t": terms(("a", 10))},
        {"t": terms(("a", 1), other=2)},
        None,
        id="the left-out items did not count every value",
    ),
    pytest.param(
        {"t": terms(("a", 10))},
        {"t": terms(("a", 1), ("z", 1))},
        None,
        id="a value left out that the whole index lacks (it changed)",
    ),
]


@pytest.mark.parametrize(("whole", "part", "expected"), SUBTRACTIONS)
def test_subtract(
    whole: dict[str, Any], part: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    assert complement.subtract(whole, part) == expected


def test_whole_counts_keep_the_most_recently_used() -> None:
    kept = complement.WholeCounts(kept=2)
    for n in range(3):
        kept.put((f"state {n}", "aggs"), complement.Counted(n, {}))
    assert kept.get(("state 0", "aggs")) is None
    assert kept.get(("state 1", "aggs")) == complement.Counted(1, {})
    kept.put(("state 3", "aggs"), complement.Counted(3, {}))  # state 2 is now the oldest
    assert kept.get(("state 2", "aggs")) is None
    assert kept.get(("state 1", "aggs")) is not None
    assert kept.items == 3


# --- on a real node ----------------------------------------------------------------------------

LETTERS = list(generate_letters(80, seed=11))
ENTRIES = [
    source_documents(f"/letters/{i:04d}.txt", f"fp-{i}", letter) for i, letter in enumerate(LETTERS)
]
# Words that match most items, some items, none; no words; with a date range.
REQUESTS = [
    SearchRequest(query="necessary"),
    SearchRequest(query="necessary", breakdown="year"),
    SearchRequest(query="necessary", breakdown="category"),
    SearchRequest(query="necessary", breakdown="outcome", decisions="about"),
    SearchRequest(query="necessary", decisions="mentions", per_page=0),
    SearchRequest(query='"medically necessary"', breakdown="body_region", facet_size=3),
    SearchRequest(query="therapy", breakdown="specialty"),
    SearchRequest(query="", breakdown="reviewer_source"),
    SearchRequest(query="", sort="date", facet_sizes={"reviewer_guideline": 50}),
    SearchRequest(query="therapy -necessary"),
    SearchRequest(query="necessary", date_from="2015-01-01", date_to="2018-12-31"),
    SearchRequest(query="zzzunknownword"),
]


@pytest.fixture
def engine(es_url: str) -> Iterator[ElasticEngine]:
    alias = f"imr-test-{uuid.uuid4().hex[:10]}"
    writer = ElasticEngine(f"{es_url}/{alias}", writable=True)
    try:
        assert writer.write(ENTRIES) == []
        writer.finish()
        yield writer
    finally:
        writer.close()
        client = Elasticsearch(es_url)
        indices.drop(client, alias)
        client.close()


def counts(answer: SearchResponse) -> tuple[Any, ...]:
    return (
        answer.total,
        answer.facets,
        answer.outcome_rate,
        answer.breakdown,
        answer.about,
        [h.doc.id for h in answer.hits],
    )


def counted_by(engine: ElasticEngine, request: SearchRequest, share: float) -> SearchResponse:
    """The search, its counts by the complement whenever the query matches more than
    `share` of the items (2.0: never)."""
    engine._whole.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(complement, "COMPLEMENT_SHARE", share)
        return engine.search(request)


@pytest.fixture
def used(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each search's counts came from the complement."""
    calls: list[bool] = []
    original = complement._by_complement

    def spy(*args: Any) -> Any:
        answer = original(*args)
        calls.append(answer is not None)
        return answer

    monkeypatch.setattr(complement, "_by_complement", spy)
    return calls


@pytest.mark.elasticsearch
@pytest.mark.parametrize("request_", REQUESTS, ids=repr)
def test_counted_by_the_complement_or_directly_the_answer_is_the_same(
    engine: ElasticEngine, request_: SearchRequest, used: list[bool]
) -> None:
    direct = counted_by(engine, request_, 2.0)
    assert used == [False] or used == []
    by_complement = counted_by(engine, request_, 0.0)
    assert counts(by_complement) == counts(direct)
    if direct.total:
        assert used[-1] is True  # the complement was really used


@pytest.mark.elasticsearch
def test_a_common_word_is_counted_by_its_complement_by_default(
    engine: ElasticEngine, used: list[bool]
) -> None:
    request = SearchRequest(query="necessary")
    answer = engine.search(request)
    assert answer.total > engine.count() * complement.COMPLEMENT_SHARE
    assert used == [True]
    assert counts(engine.search(request)) == counts(counted_by(engine, request, 2.0))


@pytest.mark.elasticsearch
def test_with_facet_selections_a_search_is_counted_directly(
    engine: ElasticEngine, used: list[bool]
) -> None:
    answer = engine.search(SearchRequest(query="necessary", filters={"outcome": ["Upheld"]}))
    assert answer.total > 0
    assert used == []


@pytest.mark.elasticsearch
def test_credentials_that_may_not_read_statistics_get_direct_counts(
    engine: ElasticEngine, monkeypatch: pytest.MonkeyPatch, used: list[bool]
) -> None:
    request = SearchRequest(query="necessary", breakdown="year")
    expected = counts(counted_by(engine, request, 2.0))
    used.clear()
    engine._whole.clear()
    meta = ApiResponseMeta(403, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "localhost", 9200))

    def refused(*args: object, **kwargs: object) -> None:
        raise AuthorizationException(
            message="indices:monitor/stats unauthorized", meta=meta, body={}
        )

    monkeypatch.setattr(engine.client.indices, "stats", refused)
    assert counts(engine.search(request)) == expected
    assert counts(engine.search(request)) == expected
    assert used == [False, False] and engine._whole.refused


def flipped(entry: SourceDocuments) -> SourceDocuments:
    """The same letter with every item's outcome the other one."""
    other = {"Upheld": "Overturned", "Overturned": "Upheld"}
    items = tuple(dataclasses.replace(i, outcome=other[i.outcome]) for i in entry.items)
    return dataclasses.replace(entry, fingerprint=entry.fingerprint + "-flipped", items=items)


@pytest.mark.elasticsearch
def test_writes_are_seen_by_the_next_search(engine: ElasticEngine, used: list[bool]) -> None:
    request = SearchRequest(query="necessary", breakdown="outcome")
    before = engine.search(request)
    # An outcome changed in place: the same number of items, other counts.
    assert engine.write([flipped(ENTRIES[0]), flipped(ENTRIES[1])]) == []
    engine.finish()
    changed = engine.search(request)
    assert changed.total == before.total
    assert changed.outcome_rate != before.outcome_rate
    assert counts(changed) == counts(counted_by(engine, request, 2.0))
    # Items added.
    more = [
        source_documents(f"/more/{i}.txt", f"more-{i}", letter)
        for i, letter in enumerate(generate_letters(10, seed=12))
    ]
    assert engine.write(more) == []
    engine.finish()
    grown = engine.search(request)
    assert grown.total > changed.total
    assert counts(grown) == counts(counted_by(engine, request, 2.0))
    assert used.count(True) >= 3


@pytest.mark.elasticsearch
def test_the_index_size_is_counted_once_per_state_and_follows_writes(
    engine: ElasticEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Similar cases read the index's size (more_like_this's cut-off for common words):
    counted once per state of the index, exact after writes, and counted each time when the
    credentials may not read statistics."""
    client, index = engine.client, engine.items_index
    engine._whole.clear()
    searches: list[object] = []
    original = complement.run.answer

    def counting(*args: Any) -> Any:
        searches.append(args)
        return original(*args)

    monkeypatch.setattr(complement.run, "answer", counting)
    size = complement.item_count(client, index, engine._whole)
    assert size == engine.count() == sum(len(e.items) for e in ENTRIES)
    assert complement.item_count(client, index, engine._whole) == size
    assert len(searches) == 1  # the second read is the kept count
    more = [
        source_documents("/more/size.txt", "more-size", next(iter(generate_letters(1, seed=13))))
    ]
    assert engine.write(more) == []
    engine.finish()
    assert complement.item_count(client, index, engine._whole) == size + len(more[0].items)
    assert len(searches) == 2
    monkeypatch.setattr(engine._whole, "refused", True)
    assert complement.item_count(client, index, engine._whole) == size + len(more[0].items)
    assert len(searches) == 3

"""Elasticsearch indices of several primary shards: the layout comes from the environment, and
facet counts stay exact.

Why exactness needs care: a `terms` aggregation asks each shard for its top values only and
adds up what the shards sent. The corpus below is built, shard by shard (Elasticsearch says
where each id goes: `_search_shards?routing=<id>`), so that this naive sum is wrong: the value
"Spread" is the most common overall (2 items on each of 3 shards: 6) but on every shard it is
outranked by more local values (3 items each) than a shard sends by default for a facet of 3
values (Elasticsearch's default shard_size, 3 * 1.5 + 10 = 14). The naive request then does not
list "Spread" at all; the engine's request must count it 6, and every value exactly.

A several-primary index on one node is a multi-primary index all the same (the shards, not the
nodes, do the counting), so these tests run on the shared node.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from behaviour.corpus import source_letters
from elasticsearch import Elasticsearch

from imr_search.contract import FacetValue, SearchRequest, SourceDocuments
from imr_search.elastic import facets, indices, run
from imr_search.elastic.engine import ElasticEngine
from imr_search.elastic.search import read_response, search_body
from imr_search.errors import EngineUnavailable
from mappings.schema import Citation, ItemDocument

pytestmark = pytest.mark.elasticsearch

SHARDS = 3
FACET_SIZE = 3
NAIVE_SHARD_SIZE = int(FACET_SIZE * 1.5 + 10)  # Elasticsearch's default for this size
LOCAL_VALUES = NAIVE_SHARD_SIZE + 1  # per shard, each on 3 items of that shard only
SPREAD = "Spread"  # on 2 items of every shard


@pytest.fixture
def alias(es_url: str) -> Iterator[str]:
    name = f"imr-shards-{uuid.uuid4().hex[:10]}"
    yield name
    client = Elasticsearch(es_url)
    indices.drop(client, name)
    client.close()


def _settings(client: Elasticsearch, index: str) -> dict[str, Any]:
    answer = client.indices.get_settings(index=index, flat_settings=True)
    return dict(next(iter(answer.body.values()))["settings"])


def test_default_layout_is_one_shard_and_a_replica_where_there_is_a_node_for_it(
    es_url: str, alias: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IMR_SEARCH_ES_SHARDS", raising=False)
    monkeypatch.delenv("IMR_SEARCH_ES_REPLICAS", raising=False)
    with ElasticEngine(f"{es_url}/{alias}", writable=True) as engine:
        items = _settings(engine.client, engine.items_index)
        sources = _settings(engine.client, engine.sources_index)
    assert items["index.number_of_shards"] == "1"
    assert items["index.auto_expand_replicas"] == "0-1"
    assert sources["index.number_of_shards"] == "1"
    assert sources["index.auto_expand_replicas"] == "0-1"


def test_shards_and_replicas_come_from_the_environment(
    es_url: str, alias: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMR_SEARCH_ES_SHARDS", "3")
    monkeypatch.setenv("IMR_SEARCH_ES_REPLICAS", "0")
    with ElasticEngine(f"{es_url}/{alias}", writable=True) as engine:
        items = _settings(engine.client, engine.items_index)
        sources = _settings(engine.client, engine.sources_index)
    assert items["index.number_of_shards"] == "3"
    assert items["index.number_of_replicas"] == "0"
    assert items["index.auto_expand_replicas"] == "false"
    assert sources["index.number_of_shards"] == "1"  # one small record per file
    assert sources["index.number_of_replicas"] == "0"

    monkeypatch.setenv("IMR_SEARCH_ES_REPLICAS", "0-2")
    with ElasticEngine(f"{es_url}/{alias}", writable=True, rebuild=True) as engine:
        rebuilt = _settings(engine.client, engine.items_index)
    assert rebuilt["index.auto_expand_replicas"] == "0-2"


def test_a_bad_layout_is_refused_by_writers_only(
    es_url: str, alias: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ElasticEngine(f"{es_url}/{alias}", writable=True):
        pass
    monkeypatch.setenv("IMR_SEARCH_ES_SHARDS", "three")
    with pytest.raises(EngineUnavailable, match="IMR_SEARCH_ES_SHARDS must be a whole number"):
        ElasticEngine(f"{es_url}/{alias}", writable=True)
    with ElasticEngine(f"{es_url}/{alias}") as reader:  # reading creates nothing: unaffected
        assert reader.count() == 0


# --- exact facet counts over several primaries -------------------------------------------------


def _template() -> ItemDocument:
    return source_letters()[0].items[0]


def _item(template: ItemDocument, item_id: str, value: str) -> ItemDocument:
    """An item whose category, and whose reviewer's one guideline, is `value`."""
    citation = Citation(
        party="reviewer", source="ODG", mtus=False, guideline=value, text=value, label=value
    )
    return dataclasses.replace(
        template, id=item_id, letter_id=item_id[:-2], category=value, citations=(citation,)
    )


def _placed_items(client: Elasticsearch, index: str) -> list[ItemDocument]:
    """Per shard: SPREAD on 2 items, and LOCAL_VALUES values of that shard on 3 items each."""
    wanted = 2 + 3 * LOCAL_VALUES
    by_shard: dict[int, list[str]] = {shard: [] for shard in range(SHARDS)}
    number = 0
    while any(len(ids) < wanted for ids in by_shard.values()):
        item_id = f"CM99-{number:07d}-1"
        shard = client.search_shards(index=index, routing=item_id)["shards"][0][0]["shard"]
        if len(by_shard[shard]) < wanted:
            by_shard[shard].append(item_id)
        number += 1
    template = _template()
    items = []
    for shard, ids in by_shard.items():
        values = [SPREAD] * 2 + [f"Shard {shard} value {k:02d}" for k in range(LOCAL_VALUES)] * 3
        items += [
            _item(template, item_id, value) for item_id, value in zip(ids, values, strict=True)
        ]
    return items


@pytest.fixture(scope="module")
def multi_primary(es_url: str) -> Iterator[tuple[ElasticEngine, Counter[str]]]:
    """A 3-primary index of the corpus above, and how many items hold each value."""
    alias = f"imr-shards-{uuid.uuid4().hex[:10]}"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IMR_SEARCH_ES_SHARDS", str(SHARDS))
        env.setenv("IMR_SEARCH_ES_REPLICAS", "0")
        engine = ElasticEngine(f"{es_url}/{alias}", writable=True)
    try:
        items = _placed_items(engine.client, engine.items_index)
        batch = [
            SourceDocuments(f"/shards/{item.id}.txt", "fp", item.letter_id, (item,))
            for item in items
        ]
        assert engine.write(batch) == []
        engine.finish()
        yield engine, Counter(item.category for item in items)
    finally:
        indices.drop(engine.client, alias)
        engine.close()


def _naive(body: Any) -> Any:
    """The same request as Elasticsearch's defaults would make it (no shard_size anywhere),
    asking the facet keys for as many values as a facet lists (not for all of them)."""
    if isinstance(body, dict):
        return {
            k: FACET_SIZE if k == "size" and v == facets.ALL_KEYS else _naive(v)
            for k, v in body.items()
            if k != "shard_size"
        }
    if isinstance(body, list):
        return [_naive(v) for v in body]
    return body


def _error_bounds(answer: Any) -> list[int]:
    """Every doc_count_error_upper_bound in an answer (0: that aggregation is exact)."""
    if isinstance(answer, dict):
        own = (
            [answer["doc_count_error_upper_bound"]]
            if "doc_count_error_upper_bound" in answer
            else []
        )
        return own + [b for v in answer.values() for b in _error_bounds(v)]
    if isinstance(answer, list):
        return [b for v in answer for b in _error_bounds(v)]
    return []


FACETS = ("category", "reviewer_guideline")  # a keyword field; nested citations by item count


def test_facet_counts_are_exact_over_several_primaries(
    multi_primary: tuple[ElasticEngine, Counter[str]],
) -> None:
    engine, truth = multi_primary
    assert _settings(engine.client, engine.items_index)["index.number_of_shards"] == str(SHARDS)
    assert truth[SPREAD] == 2 * SHARDS and max(truth.values()) == truth[SPREAD]

    request = SearchRequest(per_page=0, facet_size=FACET_SIZE, highlight=False)
    response = engine.search(request)
    for name in FACETS:
        assert response.facets[name][0] == FacetValue(SPREAD, 6), name
        assert all(value.count == truth[value.value] for value in response.facets[name]), name

    whole = engine.search(dataclasses.replace(request, facet_size=2_000))
    for name in FACETS:
        assert {v.value: v.count for v in whole.facets[name]} == dict(truth), name

    search, _ = search_body(request)
    answer = run.answer(engine.client, engine.items_index, search)
    bounds = _error_bounds(answer["aggregations"])
    assert bounds and set(bounds) == {0}, bounds  # Elasticsearch vouches for every count


def test_the_corpus_defeats_a_naive_terms_aggregation(
    multi_primary: tuple[ElasticEngine, Counter[str]],
) -> None:
    """Without shard_size the counts would be wrong: the test above tests something."""
    engine, _ = multi_primary
    request = SearchRequest(per_page=0, facet_size=FACET_SIZE, highlight=False)
    search, _ = search_body(request)
    body = _naive(search.to_dict())
    answer = engine.client.search(index=engine.items_index, body=body).body
    naive = read_response(request, False, answer, 0.0)
    for name in FACETS:
        assert SPREAD not in {v.value for v in naive.facets[name]}, name
    assert any(bound != 0 for bound in _error_bounds(answer["aggregations"]))

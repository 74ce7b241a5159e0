"""Optimizing after a full load (imr_search.elastic.optimize) on a real node: an index a run
filled is split into one primary per processor when large and merged to one segment per
primary; an explicit layout, a deadline of zero, a short disk, a refused split and an everyday
run each leave what they must alone, and the notes say why and what to do."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import AuthorizationException, Elasticsearch

from imr_search.contract import SearchRequest, SourceDocuments
from imr_search.elastic import indices, optimize
from imr_search.elastic.engine import ElasticEngine
from imr_search.errors import EngineUnavailable
from indexer.documents import source_documents
from synthetic.corpus import generate_letters

LETTERS = list(generate_letters(60, seed=5))
BATCHES = 5
ENTRIES = [
    source_documents(f"/letters/{i:04d}.txt", f"fp-{i}", letter) for i, letter in enumerate(LETTERS)
]
ITEMS = sum(len(entry.items) for entry in ENTRIES)


def batches() -> list[list[SourceDocuments]]:
    return [ENTRIES[i::BATCHES] for i in range(BATCHES)]


@pytest.fixture
def target(es_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.delenv("IMR_SEARCH_ES_SHARDS", raising=False)
    monkeypatch.delenv(optimize.DEADLINE_ENV, raising=False)
    alias = f"imr-test-{uuid.uuid4().hex[:10]}"
    yield f"{es_url}/{alias}"
    client = Elasticsearch(es_url)
    indices.drop(client, alias)
    client.close()


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test's few items count as a large corpus (one that is split)."""
    monkeypatch.setattr(optimize, "SPLIT_MIN_ITEMS", 10)


def load_in_segments(target: str, rebuild: bool = False) -> ElasticEngine:
    """Write the letters in batches, one segment each (as a long load's flushes make)."""
    engine = ElasticEngine(target, writable=True, rebuild=rebuild)
    for batch in batches():
        assert engine.write(batch) == []
        engine.client.indices.refresh(index=engine.items_index)
    assert optimize.segment_count(engine.client, engine.items_index) >= BATCHES
    return engine


def primaries(engine: ElasticEngine) -> int:
    index = indices.resolve(engine.client, engine.alias)
    assert index is not None
    settings = engine.client.indices.get_settings(index=index, flat_settings=True).body
    return int(settings[index]["settings"]["index.number_of_shards"])


def processors(engine: ElasticEngine) -> int:
    return optimize.smallest_processors(engine.client, engine.items_index)


@pytest.mark.elasticsearch
def test_a_small_full_load_stays_one_primary_of_one_segment(target: str) -> None:
    engine = load_in_segments(target)
    try:
        assert engine.finish() == []
        assert primaries(engine) == 1
        assert optimize.segment_count(engine.client, engine.items_index) == 1
        assert engine.search(SearchRequest()).total == ITEMS
    finally:
        engine.close()


@pytest.mark.elasticsearch
@pytest.mark.parametrize("rebuild", [False, True], ids=["first load", "rebuild"])
def test_a_large_full_load_is_split_per_processor_and_merged(
    target: str, large: None, rebuild: bool
) -> None:
    if rebuild:
        load_in_segments(target).close()  # the index the rebuild replaces (never finished)
    engine = load_in_segments(target, rebuild=rebuild)
    try:
        loaded = engine.items_index
        if processors(engine) < 2:
            pytest.skip("the node has one processor: nothing to split into")
        facets_before = engine.search(SearchRequest()).facets if not rebuild else None
        assert engine.finish() == []
        wanted = optimize.primaries_wanted(processors(engine), ITEMS)
        assert primaries(engine) == wanted > 1
        assert optimize.segment_count(engine.client, engine.items_index) == wanted
        assert not engine.client.indices.exists(index=loaded)  # the one-primary index is gone
        answer = engine.search(SearchRequest())
        assert answer.total == ITEMS
        if facets_before is not None:  # the same items, counted exactly over several shards
            assert answer.facets == facets_before
        assert engine.write(batches()[0]) == []  # still writable (the split's block lifted)
        assert engine.finish() == []
    finally:
        engine.close()
    reader = ElasticEngine(target)
    try:
        assert reader.search(SearchRequest()).total == ITEMS
    finally:
        reader.close()


@pytest.mark.elasticsearch
def test_primaries_chosen_in_the_environment_are_kept(
    target: str, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMR_SEARCH_ES_SHARDS", "1")
    engine = load_in_segments(target)
    try:
        assert engine.finish() == []
        assert primaries(engine) == 1
        assert optimize.segment_count(engine.client, engine.items_index) == 1
    finally:
        engine.close()


@pytest.mark.elasticsearch
def test_a_refused_split_is_noted_and_the_index_stays_whole_and_writable(
    target: str, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # More primaries than an index may have (1,024): Elasticsearch refuses the split.
    monkeypatch.setattr(optimize, "primaries_wanted", lambda processors, items: 2048)
    engine = load_in_segments(target)
    try:
        notes = engine.finish()
        assert len(notes) == 1 and notes[0].startswith("not split into 2048 primaries (")
        assert primaries(engine) == 1
        assert optimize.segment_count(engine.client, engine.items_index) == 1
        assert engine.search(SearchRequest()).total == ITEMS
        assert engine.write(batches()[0]) == []
    finally:
        engine.close()


@pytest.mark.elasticsearch
def test_merge_minutes_zero_leaves_the_index_as_loaded_and_says_how_to_merge_later(
    target: str, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(optimize.DEADLINE_ENV, "0")
    engine = load_in_segments(target)
    try:
        before = optimize.segment_count(engine.client, engine.items_index)
        notes = engine.finish()
        assert len(notes) == 1 and "not merged" in notes[0]
        assert f"POST {engine.alias}/_forcemerge?max_num_segments=1" in notes[0]
        assert optimize.segment_count(engine.client, engine.items_index) == before
        assert primaries(engine) == 1
    finally:
        engine.close()


@pytest.mark.elasticsearch
def test_a_short_disk_is_reported_at_once_and_the_rebuild_still_published(
    target: str, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_in_segments(target).close()
    engine = load_in_segments(target, rebuild=True)
    monkeypatch.setattr(optimize, "FLOOD_STAGE_SHARE", 1.0)  # keep the whole disk free
    monkeypatch.setattr(optimize, "FLOOD_STAGE_MAX_HEADROOM", 1 << 60)
    try:
        before = optimize.segment_count(engine.client, engine.items_index)
        notes = engine.finish()
        assert len(notes) == 1
        assert notes[0].startswith("not merged: node ") and "GB free" in notes[0]
        assert optimize.segment_count(engine.client, engine.items_index) == before
        assert indices.resolve(engine.client, engine.alias) == engine.items_index
        assert primaries(engine) == 1
    finally:
        engine.close()


@pytest.mark.elasticsearch
def test_credentials_that_may_not_monitor_the_cluster_get_a_note_not_a_failure(
    target: str, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = load_in_segments(target)
    meta = ApiResponseMeta(403, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "localhost", 9200))

    def refused(*args: object, **kwargs: object) -> None:
        raise AuthorizationException(
            message="action [cluster:monitor/nodes/stats] is unauthorized", meta=meta, body={}
        )

    monkeypatch.setattr(engine.client.nodes, "stats", refused)
    try:
        notes = engine.finish()
        assert len(notes) == 1 and notes[0].startswith("not optimized: the credentials may not")
        assert "cluster:monitor/nodes/stats" in notes[0] and "`monitor`" in notes[0]
        assert engine.search(SearchRequest()).total == ITEMS
    finally:
        engine.close()


@pytest.mark.elasticsearch
def test_an_everyday_run_leaves_merging_to_elasticsearch(
    target: str, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ElasticEngine(target, writable=True)
    assert first.write(batches()[0]) == []
    first.finish()
    first.close()

    def forced(*args: object, **kwargs: object) -> tuple[str, list[str]]:
        raise AssertionError("an index with earlier items was optimized")

    monkeypatch.setattr(optimize, "optimize_loaded", forced)
    engine = ElasticEngine(target, writable=True)
    try:
        assert engine.write(batches()[1]) == []
        assert engine.finish() == []
    finally:
        engine.close()


@pytest.mark.elasticsearch
def test_a_bad_merge_deadline_is_refused_when_the_index_is_opened(
    target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(optimize.DEADLINE_ENV, "soon")
    with pytest.raises(EngineUnavailable, match=f"{optimize.DEADLINE_ENV} must be a number of"):
        ElasticEngine(target, writable=True)


@pytest.mark.parametrize(
    "text, seconds",
    [(None, optimize.DEFAULT_DEADLINE_S), ("", optimize.DEFAULT_DEADLINE_S), ("0", 0.0),
     ("2.5", 150.0), (" 10 ", 600.0), ("-3", 0.0)],
)  # fmt: skip
def test_merge_deadline_from_the_environment(text: str | None, seconds: float) -> None:
    env = {} if text is None else {optimize.DEADLINE_ENV: text}
    assert optimize.deadline_seconds(env) == seconds


@pytest.mark.parametrize(
    "processors, items, wanted",
    [(2, 1_000_000, 2), (1, 1_000_000, 1), (3, 1_000_000, 3), (6, 500_000, 6),
     (64, 3_000_000, optimize.MAX_PRIMARIES), (8, optimize.SPLIT_MIN_ITEMS - 1, 1),
     (8, optimize.SPLIT_MIN_ITEMS, 8)],
)  # fmt: skip
def test_primaries_wanted(processors: int, items: int, wanted: int) -> None:
    assert optimize.primaries_wanted(processors, items) == wanted


@pytest.mark.parametrize(
    "total, available, needed, short_by",
    [
        (100 * optimize.GB, 50 * optimize.GB, 10 * optimize.GB, 0),  # 10 + 5 headroom fit
        (100 * optimize.GB, 14 * optimize.GB, 10 * optimize.GB, optimize.GB),  # 5% kept free
        (1000 * optimize.GB, 25 * optimize.GB, 10 * optimize.GB, 5 * optimize.GB),  # 20 GB cap
    ],
)
def test_the_disk_a_merge_needs(total: int, available: int, needed: int, short_by: int) -> None:
    disk = optimize.NodeDisk("n1", total=total, available=available, needed=needed)
    assert disk.short_by == short_by

"""The Elasticsearch engine against a real node: exact facets, aliases, bulk faults, outages.

The engine-independent behaviour lives in tests/behaviour/ (run against both engines); these
tests cover what is specific to Elasticsearch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from imr_search.contract import SearchRequest, SimilarRequest, SourceDocuments
from imr_search.elastic import indices, run
from imr_search.elastic.engine import ElasticEngine, SourceFingerprints
from imr_search.elastic.search import read_response, search_body
from imr_search.engines import open_engine
from imr_search.errors import EngineUnavailable, InvalidParameter, ItemNotFound
from indexer.documents import item_document, source_documents
from indexer.records import Letter
from mappings.facets import FACETS, FACETS_BY_NAME, ON_REQUEST, facet_values
from search_ui.markup import to_markup
from synthetic.corpus import generate_letters

pytestmark = pytest.mark.elasticsearch

LETTERS = list(generate_letters(120, seed=11))


def entries(letters: list[Letter], prefix: str = "/letters") -> list[SourceDocuments]:
    return [
        source_documents(f"{prefix}/{i:04d}.txt", f"fp-{i}", letter)
        for i, letter in enumerate(letters)
    ]


@pytest.fixture
def target(es_url: str) -> Iterator[str]:
    alias = f"imr-test-{uuid.uuid4().hex[:10]}"
    yield f"{es_url}/{alias}"
    client = Elasticsearch(es_url)
    indices.drop(client, alias)
    client.close()


def test_an_index_of_an_older_schema_is_refused_with_how_to_rebuild(
    target: str, es_url: str
) -> None:
    engine = ElasticEngine(target, writable=True)
    engine.close()
    alias = target.rsplit("/", 1)[-1]
    client = Elasticsearch(es_url)
    try:
        concrete = indices.resolve(client, alias)
        assert concrete is not None
        client.indices.put_mapping(index=concrete, meta={"schema_version": 2})
    finally:
        client.close()
    for writable in (False, True):
        with pytest.raises(EngineUnavailable, match="built by an older version") as old:
            ElasticEngine(target, writable=writable)
        assert concrete in str(old.value) and "index the letters again" in str(old.value)


@pytest.fixture
def loaded(target: str) -> Iterator[ElasticEngine]:
    engine = ElasticEngine(target, writable=True)
    assert engine.write(entries(LETTERS)) == []
    engine.finish()
    yield engine
    engine.close()


# --- facets are exact ------------------------------------------------------------------------


def reference(docs: list[dict[str, Any]], filters: dict[str, list[str]]) -> dict[str, Counter]:
    """Facet counts computed from facet_values(): each facet filtered by the *other* ones."""

    def keep(doc: dict[str, Any], skip: str | None) -> bool:
        return all(
            set(values) & set(facet_values(doc, FACETS_BY_NAME[name]))
            for name, values in filters.items()
            if name != skip
        )

    out: dict[str, Counter] = {}
    for spec in FACETS:
        counter: Counter = Counter()
        for doc in docs:
            if keep(doc, spec.name):
                counter.update(facet_values(doc, spec))
        out[spec.name] = counter
    return out


ALL_DOCS = [item_document(letter, item) for letter in LETTERS for item in letter.items]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"reviewer_source": ["none"]},
        {"admin_source": ["none", "ODG"], "outcome": ["Upheld"]},
        {
            "reviewer_guideline": [
                sorted({c.label for d in ALL_DOCS for c in d.citations if c.party == "reviewer"})[0]
            ],
            "year": ["2016", "2017"],
        },
        {"category": ["medication", "injection"], "body_region": ["knee", "lumbar spine"]},
    ],
)
def test_facet_counts_equal_facet_values(loaded: ElasticEngine, filters: dict) -> None:
    every = dict.fromkeys(ON_REQUEST, 100)  # the facets counted on request too
    request = SearchRequest(filters=filters, facet_size=100, facet_sizes=every, per_page=0)
    response = loaded.search(request)
    expected = reference(ALL_DOCS, filters)
    for spec in FACETS:
        got = {v.value: v.count for v in response.facets[spec.name] if v.count}
        assert got == dict(expected[spec.name]), spec.name
        for value in filters.get(spec.name, []):
            assert any(v.value == value and v.selected for v in response.facets[spec.name])
    total = sum(
        1
        for d in ALL_DOCS
        if all(set(v) & set(facet_values(d, FACETS_BY_NAME[n])) for n, v in filters.items())
    )
    assert response.total == total == response.outcome_rate.total


def test_breakdown_by_citation_source_counts_items(loaded: ElasticEngine) -> None:
    response = loaded.search(SearchRequest(breakdown="admin_source", per_page=0))
    spec = FACETS_BY_NAME["admin_source"]
    for row in response.breakdown:
        docs = [d for d in ALL_DOCS if row.value in facet_values(d, spec)]
        assert row.rate.total == len(docs)
        assert row.rate.upheld == sum(d.outcome == "Upheld" for d in docs)


# --- counts and page apart ------------------------------------------------------------------

# Requests of every shape the search page sends: words, phrases, filters (post_filter),
# breakdowns, the "about" split, case numbers (pinned), other orders, no hits asked.
SPLIT_REQUESTS = [
    SearchRequest(query="physical therapy"),
    SearchRequest(query='"physical therapy"', filters={"outcome": ["Upheld"]}, page=2),
    SearchRequest(query="tramadol", breakdown="year", sort="date"),
    SearchRequest(query="lumbar", breakdown="admin_source", filters={"outcome": ["Overturned"]}),
    SearchRequest(query="MRI knee", decisions="about"),
    SearchRequest(query="MRI knee", decisions="mentions", sort="outcome"),
    SearchRequest(query=f"{LETTERS[3].case_number}-1 therapy"),
    SearchRequest(query="", breakdown="outcome", per_page=0),
]


@pytest.mark.parametrize("request_", SPLIT_REQUESTS, ids=lambda r: f"{r.query!r}-{r.sort}")
def test_counts_and_page_apart_answer_as_one_request(
    loaded: ElasticEngine, request_: SearchRequest
) -> None:
    """The engine sends a search as a search of no hits (the counts) beside the page of hits;
    the answer is the one a single request asking for both gets."""
    search, highlighted = search_body(request_)
    whole = read_response(
        request_, highlighted, run.answer(loaded.client, loaded.items_index, search), 0.0
    )
    split = loaded.search(request_)
    assert dataclasses.replace(split, took_ms=0.0) == whole
    assert whole.total > 0  # every request shape is checked on matches, not on nothing


def test_the_counts_of_a_query_asked_again_come_from_the_request_cache(
    loaded: ElasticEngine,
) -> None:
    """The next page of the same query is not counted again: its counts (a search of no
    hits) are answered from the shard request cache."""

    def cache() -> dict[str, int]:
        stats = loaded.client.indices.stats(index=loaded.items_index, metric="request_cache")
        return stats["_all"]["total"]["request_cache"]

    loaded.client.indices.clear_cache(index=loaded.items_index, request=True)
    first = loaded.search(SearchRequest(query="physical therapy", breakdown="year"))
    before = cache()
    second = loaded.search(SearchRequest(query="physical therapy", breakdown="year", page=2))
    after = cache()
    assert after["hit_count"] > before["hit_count"]
    assert after["miss_count"] == before["miss_count"]
    assert second.total == first.total and second.facets == first.facets
    assert {h.id for h in second.hits}.isdisjoint(h.id for h in first.hits)


# --- aliases and versions --------------------------------------------------------------------


def test_index_is_versioned_behind_an_alias(loaded: ElasticEngine) -> None:
    concrete = indices.resolve(loaded.client, loaded.alias)
    assert concrete is not None and concrete.startswith(f"{loaded.alias}-v")
    assert indices.resolve(loaded.client, indices.sources_alias(loaded.alias)) is not None


def test_rebuild_swaps_aliases_without_downtime(loaded: ElasticEngine, target: str) -> None:
    before = indices.resolve(loaded.client, loaded.alias)
    reader = open_engine(target)
    rebuild = ElasticEngine(target, writable=True, rebuild=True)
    assert rebuild.write(entries(LETTERS[:10], prefix="/new")) == []
    assert reader.count() == loaded.count()  # searches still see the old version
    # The unpublished index loads without refreshes or replicas; finish() restores both.
    loading = _index_settings(rebuild.client, rebuild.items_index)
    assert loading["refresh_interval"] == "-1" and loading["number_of_replicas"] == "0"
    assert loading["auto_expand_replicas"] == "false"
    rebuild.finish()
    restored = _index_settings(rebuild.client, rebuild.items_index)
    assert restored["refresh_interval"] == "1s" and restored["auto_expand_replicas"] == "0-1"
    after = indices.resolve(loaded.client, loaded.alias)
    assert after != before
    assert reader.count() == sum(len(letter.items) for letter in LETTERS[:10])
    assert set(rebuild.indexed_sources()) == {f"/new/{i:04d}.txt" for i in range(10)}
    assert not loaded.client.indices.exists(index=before)
    rebuild.close()
    reader.close()
    abandoned = ElasticEngine(target, writable=True, rebuild=True)
    unpublished = abandoned.items_index
    abandoned.write(entries(LETTERS[:3], prefix="/gone"))
    abandoned.close()  # no finish(): the aliases stay, the new pair is dropped
    assert not loaded.client.indices.exists(index=unpublished)
    assert indices.resolve(loaded.client, loaded.alias) == after


def _index_settings(client: Any, index: str) -> dict[str, Any]:
    (only,) = client.indices.get_settings(index=index).body.values()
    found: dict[str, Any] = only["settings"]["index"]
    return found


# --- writing ---------------------------------------------------------------------------------


def test_rewrite_is_idempotent_and_removes_stale_items(loaded: ElasticEngine) -> None:
    count = loaded.count()
    assert loaded.write(entries(LETTERS)) == []
    loaded.finish()
    assert loaded.count() == count
    letter = next(x for x in LETTERS if len(x.items) > 1)
    i = LETTERS.index(letter)
    shorter = dataclasses.replace(letter, items=letter.items[:1])
    assert loaded.write([source_documents(f"/letters/{i:04d}.txt", "fp-new", shorter)]) == []
    loaded.finish()
    assert loaded.count() == count - (len(letter.items) - 1)
    assert loaded.indexed_sources()[f"/letters/{i:04d}.txt"] == "fp-new"
    assert [d.id for d in loaded.letter_items(letter.letter_id)] == [letter.items[0].id]


def test_duplicate_letter_from_another_file_is_reported(loaded: ElasticEngine) -> None:
    failures = loaded.write([source_documents("/elsewhere/copy.txt", "x", LETTERS[0])])
    assert len(failures) == 1 and failures[0].duplicate
    assert "/elsewhere/copy.txt" not in loaded.indexed_sources()


def test_bulk_partial_failure_is_listed_and_not_recorded(target: str) -> None:
    engine = ElasticEngine(target, writable=True)
    bad = dataclasses.replace(LETTERS[1], age="not a number")  # type: ignore[arg-type]
    batch = entries([LETTERS[0], bad, LETTERS[2]])
    failures = engine.write(batch)
    engine.finish()
    assert {f.source for f in failures} == {batch[1].source}
    assert len(failures) == len(bad.items)
    assert all("mapper_parsing_exception" in f.reason or "number" in f.reason for f in failures)
    assert batch[1].source not in engine.indexed_sources()
    assert batch[0].source in engine.indexed_sources()
    assert engine.count() == len(LETTERS[0].items) + len(LETTERS[2].items)
    engine.close()


def test_crash_before_fingerprints_reruns_to_the_same_index(target: str) -> None:
    crashed = ElasticEngine(target, writable=True)
    assert crashed.write(entries(LETTERS[:20])) == []
    # Killed here: items are stored, their fingerprints still queued (never flushed).
    crashed.client.close()
    engine = ElasticEngine(target, writable=True)
    assert dict(engine.indexed_sources().items()) == {}
    changed = [dataclasses.replace(x, items=x.items[:1]) for x in LETTERS[:20]]
    assert engine.write(entries(changed)) == []
    engine.finish()
    assert engine.count() == 20  # the crashed run's extra items are found and removed
    assert len(engine.indexed_sources()) == 20
    engine.close()


def test_delete_sources_and_refresh_interval_restored(loaded: ElasticEngine) -> None:
    removed = loaded.delete_sources(["/letters/0000.txt", "/letters/0001.txt", "/nope"])
    loaded.finish()
    assert removed == len(LETTERS[0].items) + len(LETTERS[1].items)
    settings = loaded.client.indices.get_settings(index=loaded.alias)
    (only,) = settings.body.values()
    assert only["settings"]["index"]["refresh_interval"] == "1s"


def test_source_lookups_page_through_windows(
    loaded: ElasticEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SourceFingerprints, "_PAGE", 7)
    known = loaded.indexed_sources()
    expected = {e.source: e.fingerprint for e in entries(LETTERS)}
    keys = sorted(expected)
    for key in keys[::3] + keys[::-5]:  # in order, then backwards: windows are refetched
        assert known[key] == expected[key]
    assert known.get("/letters/0000.txt-not") is None and "/zzz" not in known
    assert list(known) == keys and len(known) == len(keys)
    assert dict(known.items()) == expected


# --- reading ---------------------------------------------------------------------------------


def test_documents_read_back_exactly(loaded: ElasticEngine) -> None:
    letter = LETTERS[5]
    for item in letter.items:
        assert loaded.get_item(item.id) == item_document(letter, item)
    with pytest.raises(ItemNotFound):
        loaded.get_item("CM00-0000000-9")


def test_highlights_are_escaped_and_marked(target: str) -> None:
    letter = LETTERS[3]
    item = dataclasses.replace(letter.items[0], treatment="<script>x</script> knee brace")
    evil = dataclasses.replace(letter, items=(item,))
    engine = ElasticEngine(target, writable=True)
    assert engine.write([source_documents("/e.txt", "e", evil)]) == []
    engine.finish()
    hit = engine.search(SearchRequest(query="script")).hits[0]
    assert "<script>" not in to_markup(hit.marked_treatment)
    assert "<mark>script</mark>" in to_markup(hit.marked_treatment)
    engine.close()


def test_similar_excludes_the_letter_and_explains(loaded: ElasticEngine) -> None:
    letter = next(x for x in LETTERS if len(x.items) > 1)
    item = letter.items[0]
    hits = loaded.similar(SimilarRequest(item_id=item.id, k=10))
    assert hits and all(h.doc.letter_id != letter.letter_id for h in hits)
    assert all(h.shared_terms for h in hits)
    same = loaded.similar(SimilarRequest(item_id=item.id, same_category=True))
    assert all(h.doc.category == item.category for h in same)
    with pytest.raises(InvalidParameter):
        loaded.similar(SimilarRequest(text="knee", same_category=True))
    by_text = loaded.similar(SimilarRequest(text=item.rationale, k=3))
    assert by_text and by_text[0].shared_terms


# --- faults ----------------------------------------------------------------------------------


def test_unreachable_at_open_gives_one_clear_message() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(EngineUnavailable) as info:
        open_engine(f"http://127.0.0.1:{port}/imr-items")
    assert f"127.0.0.1:{port}" in str(info.value) and "cannot reach" in str(info.value)


def test_missing_index_read_only_says_how_to_build_it(es_url: str) -> None:
    with pytest.raises(EngineUnavailable) as info:
        open_engine(f"{es_url}/imr-test-never-built")
    assert "imr-search index" in str(info.value)


class Proxy:
    """A TCP forwarder to the node that the test can cut, like a node going away."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.rsplit("//", 1)[1].split(":")
        self.upstream = (host, int(port))
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.alive = True
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.alive:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            if not self.alive:
                conn.close()
                return
            up = socket.create_connection(self.upstream)
            self.sockets += [conn, up]
            for a, b in ((conn, up), (up, conn)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def cut(self) -> None:
        self.alive = False
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.server.close()
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
                s.close()


def test_node_gone_during_requests_raises_engine_unavailable(
    loaded: ElasticEngine, es_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = Proxy(es_url)
    monkeypatch.setenv("IMR_SEARCH_ES_TIMEOUT", "5")
    engine = open_engine(f"http://127.0.0.1:{proxy.port}/{loaded.alias}")
    assert engine.search(SearchRequest(query="knee")).total > 0
    proxy.cut()
    with pytest.raises(EngineUnavailable) as info:
        engine.search(SearchRequest(query="knee"))
    assert "cannot reach" in str(info.value)
    with pytest.raises(EngineUnavailable):
        engine.get_item(LETTERS[0].items[0].id)
    engine.close()

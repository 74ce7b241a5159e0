"""Writing through the Engine protocol (any engine): idempotent, replacing, deleting, duplicates.

Each test gets a fresh empty index (`engine_target`) and calls finish() before reading, as the
pipeline does (Elasticsearch needs the refresh).
"""

from __future__ import annotations

import dataclasses

import pytest

from imr_search.contract import Engine, SearchRequest
from imr_search.engines import open_engine
from imr_search.errors import ItemNotFound
from indexer.documents import source_documents
from search_ui.markup import to_markup

from .corpus import ID, LETTERS, LETTERS_BY_ALIAS, source_letters


@pytest.fixture
def writer(engine_target: str):
    engine = open_engine(engine_target, writable=True)
    yield engine
    engine.close()


def _state(engine: Engine) -> tuple:
    response = engine.search(SearchRequest(per_page=100, sort="date", facet_size=100))
    return (
        engine.count(),
        [h.id for h in response.hits],
        {name: [(v.value, v.count) for v in values] for name, values in response.facets.items()},
    )


def test_writing_twice_changes_nothing(writer: Engine) -> None:
    assert writer.write(source_letters()) == []
    writer.finish()
    first = _state(writer)
    assert first[0] == 36
    assert writer.write(source_letters()) == []
    writer.finish()
    assert _state(writer) == first
    assert dict(writer.indexed_sources()) == {s.source: s.fingerprint for s in source_letters()}


def test_a_changed_letter_replaces_its_items(writer: Engine) -> None:
    writer.write(source_letters())
    writer.finish()
    old = LETTERS_BY_ALIAS["L12"]
    changed_item = dataclasses.replace(
        old.items[0],
        treatment="Sacroiliac joint fusion",
        rationale="Fusion is not supported.",
        category="surgery",
    )
    new = dataclasses.replace(old, items=(changed_item,))  # one item fewer, one changed
    failures = writer.write([source_documents(old.source, "fp-changed", new)])
    writer.finish()
    assert failures == []
    assert writer.count() == 35
    assert writer.search(SearchRequest(query="sacroiliac")).total == 1
    assert writer.search(SearchRequest(query='"hardware block"')).total == 0
    with pytest.raises(ItemNotFound):
        writer.get_item(ID["L12-2"])
    assert writer.get_item(ID["L12-1"]).treatment == "Sacroiliac joint fusion"
    assert writer.indexed_sources()[old.source] == "fp-changed"
    facets = writer.search(SearchRequest(filters={"category": ["injection"]})).total
    assert facets == 3


def test_an_item_names_the_file_it_was_indexed_from(writer: Engine) -> None:
    """The source key (an absolute path, from the pipeline), not the path the document
    shows: the web UI serves the letter file only through it."""
    letter = LETTERS_BY_ALIAS["L12"]
    key = "/letters/2016/" + letter.source
    writer.write([source_documents(key, "fp", letter, shown_source="2016/" + letter.source)])
    writer.finish()
    assert writer.source_of(ID["L12-1"]) == key == writer.source_of(ID["L12-2"])
    assert writer.get_item(ID["L12-1"]).letter.source == "2016/" + letter.source
    assert key in writer.indexed_sources()
    with pytest.raises(ItemNotFound):
        writer.source_of("CM00-0000000-1")
    writer.delete_sources([key])
    writer.finish()
    with pytest.raises(ItemNotFound):
        writer.source_of(ID["L12-1"])


def test_delete_sources(writer: Engine) -> None:
    writer.write(source_letters())
    writer.finish()
    gone = [LETTERS_BY_ALIAS["L17"].source, LETTERS_BY_ALIAS["L1"].source, "/not/indexed.txt"]
    assert writer.delete_sources(gone) == 3
    writer.finish()
    assert writer.count() == 33
    assert writer.search(SearchRequest(query="kyphoplasty")).total == 2
    assert LETTERS_BY_ALIAS["L17"].source not in writer.indexed_sources()
    with pytest.raises(ItemNotFound):
        writer.get_item(ID["L17-1"])
    assert writer.search(SearchRequest(filters={"year": ["2022"]})).total == 2
    assert writer.delete_sources([]) == 0


def test_a_duplicate_letter_is_reported_not_overwritten(writer: Engine) -> None:
    letter = LETTERS_BY_ALIAS["L2"]
    writer.write([source_documents("/a/first.txt", "fp-a", letter)])
    copy = dataclasses.replace(letter, source="/b/copy.txt")
    failures = writer.write([source_documents("/b/copy.txt", "fp-b", copy)])
    writer.finish()
    assert len(failures) == 1
    assert failures[0].source == "/b/copy.txt" and failures[0].duplicate
    assert "/a/first.txt" in failures[0].reason
    assert writer.count() == 2
    assert writer.get_item(ID["L2-1"]).letter.source == letter.source
    assert dict(writer.indexed_sources()) == {"/a/first.txt": "fp-a"}


def test_duplicates_inside_one_batch(writer: Engine) -> None:
    letter = LETTERS_BY_ALIAS["L3"]
    failures = writer.write(
        [source_documents("/a/one.txt", "1", letter), source_documents("/a/two.txt", "2", letter)]
    )
    writer.finish()
    assert [(f.source, f.duplicate) for f in failures] == [("/a/two.txt", True)]
    assert writer.count() == 2


def test_a_letter_without_items_is_recorded(writer: Engine) -> None:
    empty = dataclasses.replace(LETTERS[0], items=())
    assert writer.write([source_documents("/a/empty.txt", "fp", empty)]) == []
    writer.finish()
    assert writer.count() == 0
    assert writer.indexed_sources()["/a/empty.txt"] == "fp"


def test_small_batches_give_the_same_index(writer: Engine, engine_target: str) -> None:
    for entry in source_letters():
        writer.write([entry])
    writer.finish()
    assert writer.count() == 36
    response = writer.search(SearchRequest(query="knee", filters={"outcome": ["Upheld"]}))
    assert response.total == 3


def test_a_huge_rationale_is_searchable_and_highlighted(writer: Engine) -> None:
    """A 2 MB rationale (a letter with junk appended) must not break search or highlighting
    (Elasticsearch refuses to highlight past index.highlight.max_analyzed_offset by default)."""
    old = LETTERS_BY_ALIAS["L12"]
    filler = "The documentation is reviewed again. " * 55_000  # ~2 MB
    huge = dataclasses.replace(
        old.items[0], rationale=filler + "A zygapophyseal hardware block was requested."
    )
    letter = dataclasses.replace(old, items=(huge,))
    assert writer.write([source_documents(old.source, "fp-huge", letter)]) == []
    writer.finish()
    for query in ("documentation reviewed", "zygapophyseal"):
        response = writer.search(SearchRequest(query=query))
        assert [h.id for h in response.hits] == [huge.id], query
        assert len(to_markup(response.hits[0].marked_snippet)) < 2_000

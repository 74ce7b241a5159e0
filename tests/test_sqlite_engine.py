"""What only the SQLite engine has: the file, its caches, the cost guard, opening errors."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from pathlib import Path

import pytest
from behaviour.corpus import ITEMS, LETTERS, LETTERS_BY_ALIAS, source_letters

from imr_search.contract import SearchRequest
from imr_search.engines import open_engine
from imr_search.errors import EngineUnavailable
from imr_search.marks import MARK_END, MARK_START
from imr_search.plan import plan
from imr_search.sqlite.compiler import compile_match
from imr_search.sqlite.engine import SqliteEngine
from imr_search.sqlite.postings import (
    ALL,
    LivePostings,
    bits_from_joined,
    bits_from_rowids,
    iter_bits,
)
from imr_search.sqlite.schema import GENERATION, POSTINGS_GENERATION, SCHEMA_VERSION
from indexer.documents import source_documents
from search_ui.markup import to_markup


@pytest.fixture
def target(tmp_path: Path) -> str:
    return str(tmp_path / "index.sqlite3")


@pytest.fixture
def built(target: str) -> str:
    engine = SqliteEngine(target, writable=True)
    engine.write(source_letters())
    engine.finish()
    engine.close()
    return target


def _meta(path: str) -> dict[str, str]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT key, value FROM meta"))
    finally:
        db.close()


def test_the_file(built: str) -> None:
    meta = _meta(built)
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    assert meta[GENERATION] == meta[POSTINGS_GENERATION]
    db = sqlite3.connect(built)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        assert {
            "items",
            "items_fts",
            "item_facets",
            "facet_values",
            "sources",
            "postings",
            "term_df",
            "meta",
        } <= tables
        # The item_facets view: facet counting in plain SQL agrees with the engine.
        counts = dict(
            db.execute(
                "SELECT value, count(*) FROM item_facets"
                " WHERE facet = 'reviewer_source' GROUP BY value"
            )
        )
        assert counts == {"MTUS": 18, "ODG": 14, "other": 3, "none": 2}
        assert db.execute("SELECT count(*) FROM item_facets").fetchone()[0] > len(ITEMS) * 5
        assert db.execute("SELECT count(*) FROM term_df").fetchone()[0] > 100
    finally:
        db.close()


def test_opening_errors(tmp_path: Path, built: str) -> None:
    with pytest.raises(EngineUnavailable, match="imr-search index"):
        open_engine(str(tmp_path / "missing.sqlite3"))
    other = tmp_path / "other.sqlite3"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE notes(x)")
    db.commit()
    db.close()
    with pytest.raises(EngineUnavailable, match="something else"):
        open_engine(str(other), writable=True)
    with pytest.raises(EngineUnavailable):
        open_engine(str(other))
    text = tmp_path / "text.sqlite3"
    text.write_text("not a database at all, just text " * 100)
    with pytest.raises(EngineUnavailable):
        open_engine(str(text))
    db = sqlite3.connect(built)
    db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(EngineUnavailable, match="schema version 999"):
        open_engine(built)
    db = sqlite3.connect(built)
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(EngineUnavailable, match="built by an older version") as old:
        open_engine(built)
    assert "index the letters again" in str(old.value)


def test_read_only_engine_refuses_writes(built: str) -> None:
    engine = open_engine(built)
    with pytest.raises(PermissionError):
        engine.write(source_letters())
    engine.finish()  # nothing to do, no error
    engine.close()


def test_broad_queries_are_ranked_by_date_and_say_so(built: str) -> None:
    engine = SqliteEngine(built, relevance_limit=5)
    response = engine.search(SearchRequest(query="pain", per_page=100))
    assert response.notice and "newest" in response.notice
    assert response.total > 5 and all(h.score is None for h in response.hits)
    dates = [h.doc.letter.decision_date or "" for h in response.hits]
    assert dates[: len([d for d in dates if d])] == sorted([d for d in dates if d], reverse=True)
    narrow = engine.search(SearchRequest(query="kyphoplasty"))
    assert narrow.notice is None and narrow.hits[0].score is not None
    by_date = engine.search(SearchRequest(query="pain", sort="date"))
    assert by_date.notice is None  # date order was asked for: nothing to say
    filtered = engine.search(
        SearchRequest(query="pain", filters={"outcome": ["Overturned"]}, per_page=100)
    )
    reference = open_engine(built).search(
        SearchRequest(query="pain", filters={"outcome": ["Overturned"]}, per_page=100)
    )
    assert {h.id for h in filtered.hits} == {h.id for h in reference.hits}
    assert filtered.facets == reference.facets
    engine.close()


def test_unfinished_writes_are_searchable_everywhere(target: str) -> None:
    """A run killed before finish(): postings on disk are stale, readers rebuild them."""
    writer = SqliteEngine(target, writable=True)
    writer.write(source_letters(LETTERS[:10]))
    writer.finish()
    writer.write(source_letters(LETTERS[10:]))  # no finish: as if killed here
    meta = _meta(target)
    assert meta[GENERATION] != meta[POSTINGS_GENERATION]
    reader = open_engine(target)
    response = reader.search(SearchRequest(filters={"category": ["surgery"]}))
    assert (
        response.total
        == 10
        == writer.search(SearchRequest(filters={"category": ["surgery"]})).total
    )
    writer.finish()
    meta = _meta(target)
    assert meta[GENERATION] == meta[POSTINGS_GENERATION]
    assert reader.search(SearchRequest(filters={"category": ["surgery"]})).total == 10
    reader.close()
    writer.close()


def test_a_reader_sees_later_writes(built: str) -> None:
    reader = open_engine(built)
    assert reader.search(SearchRequest(query="kyphoplasty")).total == 3
    writer = SqliteEngine(built, writable=True)
    writer.delete_sources([LETTERS_BY_ALIAS["L18"].source])
    assert reader.search(SearchRequest(query="kyphoplasty")).total == 2  # match cache renewed
    assert reader.search(SearchRequest(filters={"year": ["2023"]})).total == 2
    writer.finish()
    assert reader.search(SearchRequest(query="kyphoplasty")).total == 2
    reader.close()
    writer.close()


def test_concurrent_searches_while_writing(target: str) -> None:
    writer = SqliteEngine(target, writable=True)
    writer.write(source_letters(LETTERS[:5]))
    errors: list[BaseException] = []
    stop = threading.Event()

    def search() -> None:
        reader = open_engine(target)
        try:
            while not stop.is_set():
                response = reader.search(SearchRequest(query="pain", per_page=100))
                assert response.total == len(response.hits)
                assert sum(v.count for v in response.facets["outcome"]) == response.total
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            reader.close()

    thread = threading.Thread(target=search)
    thread.start()
    for letter in LETTERS[5:]:
        writer.write(source_letters([letter]))
    writer.finish()
    stop.set()
    thread.join()
    writer.close()
    assert errors == []


def test_marker_characters_in_letters_are_stripped(target: str) -> None:
    letter = LETTERS_BY_ALIAS["L1"]
    item = dataclasses.replace(letter.items[0], rationale=f"bad {MARK_START}marker{MARK_END} x")
    engine = SqliteEngine(target, writable=True)
    engine.write([source_documents("s", "f", dataclasses.replace(letter, items=(item,)))])
    hit = engine.search(SearchRequest(query="marker")).hits[0]
    assert (
        to_markup(hit.marked_snippet).count("<mark>") == 1 and MARK_START not in hit.doc.rationale
    )
    engine.close()


def test_postings_switch_from_sparse_to_dense() -> None:
    live = LivePostings(0, {1: ("category", "x")})
    rowids = list(range(1, 4000, 3))
    for r in rowids:
        live.add(r, ALL)
        live.add(r, 1)
    assert 1 in live.dense  # 1 in 3 items: a bitset
    live.remove(4, 1)
    snap = live.freeze()
    assert snap.counts("category", snap.all) == {"x": len(rowids) - 1}
    sparse = LivePostings(0, {2: ("category", "y")})
    rare = range(1, 1_000_000, 9973)  # 1 in 10,000 items: a sorted rowid array
    for r in rare:
        sparse.add(r, 2)
    assert 2 in sparse.sparse
    frozen = sparse.freeze()
    mask = bits_from_rowids(range(0, 1_000_000, 2))
    assert frozen.counts("category", mask) == {"y": len([r for r in rare if r % 2 == 0])}


def test_bit_helpers() -> None:
    rowids = [0, 1, 7, 8, 63, 64, 1000, 123457]
    bits = bits_from_rowids(rowids)
    assert list(iter_bits(bits)) == rowids
    assert bits.bit_count() == len(rowids)
    assert list(iter_bits(0)) == []
    assert bits_from_joined(",".join(map(str, rowids))) == (bits, len(rowids))
    assert bits_from_joined(None) == (0, 0) and bits_from_joined("") == (0, 0)


def test_indexed_sources_is_a_lazy_mapping(built: str) -> None:
    engine = open_engine(built)
    sources = engine.indexed_sources()
    assert len(sources) == len(LETTERS)
    assert sources.get(LETTERS[0].source) == f"fp-{LETTERS[0].source}-1"
    assert sources.get("/nope") is None
    assert sorted(sources) == sorted(letter.source for letter in LETTERS)
    engine.close()


@pytest.mark.parametrize("query", ["acupuncture", '"physical therapy"', "lumbar", "therap*"])
def test_the_request_index_follows_writes_and_deletes(target: str, query: str) -> None:
    """items_request (the request texts' own FTS5 index, which answers the about/mention
    split) stays in step with items_fts through replaced and deleted letters: FTS5's
    integrity check passes, and the decisions about a query are the ones a request-scoped
    match over items_fts finds."""
    engine = SqliteEngine(target, writable=True)
    engine.write(source_letters())
    engine.write(source_letters(LETTERS[:5], version="2"))  # replaced: new fingerprints
    engine.delete_sources([LETTERS[5].source, LETTERS[6].source])
    engine.finish()
    about = engine.search(SearchRequest(query=query, per_page=0)).about
    engine.close()
    db = sqlite3.connect(target)
    try:
        for table in ("items_fts", "items_request"):
            db.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
        query_plan = plan(query)
        assert query_plan.ast is not None and query_plan.about is not None
        (expected,) = db.execute(
            "SELECT count(*) FROM items_fts WHERE items_fts MATCH ? AND rowid IN"
            " (SELECT rowid FROM items_request WHERE items_request MATCH ?)",
            (compile_match(query_plan.ast), compile_match(query_plan.about)),
        ).fetchone()
    finally:
        db.close()
    assert expected > 0
    assert about is not None and about.about == expected

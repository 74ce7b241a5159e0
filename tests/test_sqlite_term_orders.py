"""Stored relevance orders of common terms (imr_search.sqlite.ranking): a search read from
them gives exactly the hits and scores that scoring gives, filtered or not, on every page,
and is never read for data it was not computed from."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_common_grams import REAL, real  # the real letters, as the engines index them

from imr_search.contract import SearchRequest, SourceDocuments
from imr_search.sqlite import search as search_module
from imr_search.sqlite.cache import MATCH_CACHE
from imr_search.sqlite.engine import SqliteEngine
from imr_search.sqlite.ranking import refresh_orders
from imr_search.sqlite.schema import GENERATION, ORDERS_GENERATION, meta_int
from indexer.documents import source_documents
from mappings.schema import ItemDocument
from synthetic.corpus import generate_letters

# Words and phrases of every generated letter's vocabulary: one term each (a phrase of two
# common words is one gram), several terms, a prefix, a scope, a phrase searched by positions.
QUERIES = [
    "therapy",
    "Therapies",
    "pain",
    "lumbar",
    "medically",
    "physical therapy",
    '"physical therapy"',
    '"medically necessary"',
    "treatment:therapy",
    "therap*",
    "pain -lumbar",
    "request:therapy",
    "request:therapy pain",
]
FILTERS: list[dict[str, list[str]]] = [
    {},
    {"outcome": ["Upheld"]},
    {"outcome": ["Overturned"], "year": ["2015", "2016"]},
    {"category": ["Pharmacy"]},
]
PAGES = [(1, 20), (2, 20), (7, 30)]  # (page, per page)


def _letters(count: int, seed: int) -> list[SourceDocuments]:
    return [
        source_documents(f"/g{seed}/{n}.txt", "fp", letter)
        for n, letter in enumerate(generate_letters(count, seed))
    ]


def _build(path: Path, order_min_df: int) -> SqliteEngine:
    engine = SqliteEngine(str(path), writable=True, order_min_df=order_min_df)
    for start in range(0, 300, 100):
        engine.write(_letters(300, 7)[start : start + 100])
    engine.finish()
    return engine


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqliteEngine, ...]]:
    folder = tmp_path_factory.mktemp("orders")
    stored = _build(folder / "stored.sqlite3", order_min_df=5)
    scored = _build(folder / "scored.sqlite3", order_min_df=10**9)
    yield stored, scored
    stored.close()
    scored.close()


def _answer(engine: SqliteEngine, **request: Any) -> list[tuple[str, float | None]]:
    MATCH_CACHE.clear()
    response = engine.search(SearchRequest(**request))
    return [(h.id, h.score) for h in response.hits]


@pytest.fixture
def scoring_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The MATCH strings searches score (rather than read from a stored order)."""
    calls: list[str] = []
    real: Callable[..., Any] = search_module.by_relevance

    def spy(db: sqlite3.Connection, rank: Any, *args: Any) -> Any:
        calls.append(rank.match)
        return real(db, rank, *args)

    monkeypatch.setattr(search_module, "by_relevance", spy)
    return calls


def test_orders_are_stored_for_common_terms_only(engines: tuple[SqliteEngine, ...]) -> None:
    stored, scored = engines
    count = "SELECT count(*) FROM term_orders"
    assert scored.db.execute(count).fetchone()[0] == 0
    terms = dict(stored.db.execute("SELECT term, generation FROM term_orders"))
    assert {"therapi", "pain", "0physic0therapi0"} <= set(terms)
    assert set(terms.values()) == {meta_int(stored.db, GENERATION)}
    rare = stored.db.execute("SELECT term FROM term_df WHERE df < 5").fetchall()
    assert rare and not {t for (t,) in rare} & set(terms)


@pytest.mark.parametrize("query", QUERIES)
def test_stored_orders_give_the_scored_hits(engines: tuple[SqliteEngine, ...], query: str) -> None:
    stored, scored = engines
    for filters in FILTERS:
        for page, per_page in PAGES:
            for decisions in ("all", "about"):
                request = {
                    "query": query,
                    "filters": filters,
                    "page": page,
                    "per_page": per_page,
                    "decisions": decisions,
                }
                assert _answer(stored, **request) == _answer(scored, **request), request


def test_one_term_is_read_not_scored(
    engines: tuple[SqliteEngine, ...], scoring_calls: list[str]
) -> None:
    stored, scored = engines
    for filters in FILTERS:
        _answer(stored, query="therapy", filters=filters)
        _answer(stored, query='"medically necessary"', filters=filters, per_page=50)
    assert scoring_calls == []
    _answer(scored, query="therapy")
    assert scoring_calls == ['"therapy"']


def test_too_few_members_among_the_stored_rows_are_scored(
    tmp_path: Path, scoring_calls: list[str]
) -> None:
    engine = _build(tmp_path / "shallow.sqlite3", order_min_df=5)
    reference = _build(tmp_path / "reference.sqlite3", order_min_df=10**9)
    generation = meta_int(engine.db, GENERATION)
    refresh_orders(engine.db, engine.target, generation, 5, 10**6, depth=15)  # 15 rows a term
    narrow = {"outcome": ["Overturned"], "category": ["Pharmacy"]}
    for filters, page in (({}, 1), ({}, 2), (narrow, 1), ({}, 5)):
        request = {"query": "therapy", "filters": filters, "page": page, "per_page": 10}
        calls = len(scoring_calls)
        assert _answer(engine, **request) == _answer(reference, **request)
        if page == 5:  # deeper than the stored rows: scored (the reference scores too)
            assert len(scoring_calls) - calls >= 2, request
    engine.close()
    reference.close()


def test_a_write_retires_the_orders_until_finish(tmp_path: Path) -> None:
    engine = _build(tmp_path / "stored.sqlite3", order_min_df=5)
    reference = _build(tmp_path / "reference.sqlite3", order_min_df=10**9)
    more = _letters(60, 11)
    for index in (engine, reference):
        index.write(more)  # no finish(): the orders are of the generation before
    request = {"query": "therapy", "filters": {"outcome": ["Upheld"]}, "per_page": 50}
    assert _answer(engine, **request) == _answer(reference, **request)
    engine.finish()
    generations = {g for (g,) in engine.db.execute("SELECT generation FROM term_orders")}
    assert generations == {meta_int(engine.db, GENERATION)}
    assert _answer(engine, **request) == _answer(reference, **request)
    engine.close()
    reference.close()


def test_a_file_made_before_orders_and_the_narrow_index(tmp_path: Path) -> None:
    """Read-only, it is searched as before (scored; rows read from `items`); a writer adds
    what it lacks, and its finish() stores the orders."""
    path = tmp_path / "old.sqlite3"
    built = _build(path, order_min_df=5)
    requests = [
        {"query": "therapy", "filters": {"outcome": ["Upheld"]}},
        {"query": "kyphoplasty OR therapy", "sort": "date", "per_page": 50},
        {"query": "pain", "sort": "oldest", "filters": {"category": ["Pharmacy"]}},
    ]
    expected = [_answer(built, **r) for r in requests]
    facets = built.search(SearchRequest(query="therapy")).facets
    built.close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE term_orders")
    db.execute("DROP INDEX items_by_row")
    db.execute("DELETE FROM meta WHERE key = ?", (ORDERS_GENERATION,))
    db.commit()
    db.close()
    old = SqliteEngine(str(path))
    assert [_answer(old, **r) for r in requests] == expected
    assert old.search(SearchRequest(query="therapy")).facets == facets
    old.close()
    writer = SqliteEngine(str(path), writable=True, order_min_df=5)
    writer.finish()
    assert writer.db.execute("SELECT count(*) FROM term_orders").fetchone()[0] > 0
    indexes = {n for (n,) in writer.db.execute("SELECT name FROM sqlite_master")}
    assert "items_by_row" in indexes
    assert [_answer(writer, **r) for r in requests] == expected
    writer.close()


def test_orders_of_another_generation_are_not_stored(tmp_path: Path) -> None:
    engine = _build(tmp_path / "stored.sqlite3", order_min_df=5)
    before = engine.db.execute("SELECT term, rowids FROM term_orders ORDER BY term").fetchall()
    generation = meta_int(engine.db, GENERATION)
    assert refresh_orders(engine.db, engine.target, generation - 1, 5, 10**6, depth=3) == 0
    after = engine.db.execute("SELECT term, rowids FROM term_orders ORDER BY term").fetchall()
    assert before and after == before
    engine.close()


# Words searched with their synonyms (mappings/synonyms.txt): an OR of leaves.
SYNONYMS = ['"physical therapy"', "PT", "mri", "chiropractic", "tens"]


def test_a_word_and_its_synonyms_are_ranked_among_candidates(
    tmp_path: Path, scoring_calls: list[str]
) -> None:
    """Stored orders of 100 rows: the bound of rows outside them matters."""
    engine = _build(tmp_path / "stored.sqlite3", order_min_df=5)
    reference = _build(tmp_path / "reference.sqlite3", order_min_df=10**9)
    refresh_orders(engine.db, engine.target, meta_int(engine.db, GENERATION), 5, 10**6, 100)
    scored_whole = []
    for query in SYNONYMS:
        for filters in FILTERS:
            for page in (1, 3):
                request = {"query": query, "filters": filters, "page": page, "per_page": 10}
                calls = len(scoring_calls)
                mine = _answer(engine, **request)
                if len(scoring_calls) > calls:
                    scored_whole.append(request)
                assert mine == _answer(reference, **request), request
    # Only filters that keep few of the stored rows' items need every match scored.
    assert scored_whole and all(r["filters"] not in FILTERS[:2] for r in scored_whole)
    engine.close()
    reference.close()


@pytest.mark.skipif(not REAL.is_dir(), reason="the real letters are not here")
def test_on_the_real_letters_stored_orders_give_the_scored_hits(tmp_path: Path) -> None:
    """Words of the real letters' requests (the first 80 of four letters or more, in
    alphabetical order) and the everyday synonyms, alone and with an outcome selected: the
    same hits and scores as scoring. Stored orders from 3 items up, so most words have one."""
    letters = real()
    engines = []
    for name, min_df in (("stored", 3), ("scored", 10**9)):
        engine = SqliteEngine(str(tmp_path / f"{name}.sqlite3"), writable=True, order_min_df=min_df)
        engine.write(letters)
        engine.finish()
        engines.append(engine)
    stored, scored = engines
    assert stored.db.execute("SELECT count(*) FROM term_orders").fetchone()[0] > 100
    docs: list[ItemDocument] = [doc for entry in letters for doc in entry.items]
    words = sorted({w for doc in docs for w in doc.treatment.lower().split() if w.isalpha()})
    queries = [w for w in words if len(w) > 3][:80] + SYNONYMS + ["therapy", '"medical necessity"']
    for query in queries:
        for filters in ({}, {"outcome": ["Upheld"]}):
            request = {"query": query, "filters": filters, "per_page": 10}
            assert _answer(stored, **request) == _answer(scored, **request), request
    for engine in engines:
        engine.close()

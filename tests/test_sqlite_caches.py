"""The SQLite engine's per-generation caches and its shortcuts give exactly the uncached answers.

The caches (match sets, relevance orders, facet summaries, similar cases; search.MATCH_CACHE)
are keyed by the index generation that every write transaction bumps: after a re-index a reader
must see new results at once, through the engine and through the web app. The shortcuts (facet
counting that stops early, the year skip of date order, marks made in a scratch table or in
chunks) must give what the plain way gives.
"""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from array import array
from pathlib import Path
from typing import Any

import pytest
from behaviour.corpus import LETTERS_BY_ALIAS, source_letters

from imr_search.contract import SearchRequest, SearchResponse, SimilarRequest
from imr_search.engines import open_engine
from imr_search.marks import MARK_END, MARK_START
from imr_search.sqlite import marking as sqlite_marking
from imr_search.sqlite import postings
from imr_search.sqlite import search as sqlite_search
from imr_search.sqlite.engine import SqliteEngine
from imr_search.sqlite.order import by_date as _by_date
from imr_search.sqlite.postings import ALL, LivePostings, Snapshot, bits_from_rowids
from imr_search.sqlite.search import MATCH_CACHE, compile_query
from imr_search.sqlite.summary import _facet_list
from indexer.documents import source_documents
from mappings.facets import FACETS
from mappings.schema import to_builtins
from search_ui.markup import to_markup
from search_ui.payloads import search_result


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


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    MATCH_CACHE.clear()


def _view(response: SearchResponse) -> dict[str, Any]:
    """Everything in a response but its timing."""
    out = to_builtins(search_result(response))
    out.pop("took_ms")
    return out


REQUESTS = [
    SearchRequest(query="pain"),
    SearchRequest(query="pain", page=2, per_page=3),
    SearchRequest(query="pain", sort="date", per_page=5, page=2),
    SearchRequest(query="pain", filters={"outcome": ["Overturned"]}),
    SearchRequest(query="pain", filters={"outcome": ["Overturned"]}, page=2, per_page=4),
    SearchRequest(query="pain", filters={"year": ["2016", "2023"], "outcome": ["Upheld"]}),
    SearchRequest(query="therap*", filters={"category": ["physical therapy"]}),
    SearchRequest(query='"physical therapy" OR knee', per_page=2, page=3),
    SearchRequest(filters={"year": ["2015"]}),
    SearchRequest(filters={"year": ["2016"]}, page=2, per_page=2),
    SearchRequest(sort="date", page=4, per_page=10),
    SearchRequest(query="pain", facet_size=0, breakdown="category"),
    SearchRequest(query="pain", facet_size=2, breakdown="reviewer_guideline"),
]
SIMILAR = [
    SimilarRequest(item_id=LETTERS_BY_ALIAS["L1"].items[0].id, k=5),
    SimilarRequest(item_id=LETTERS_BY_ALIAS["L2"].items[0].id, k=3, same_category=True),
    SimilarRequest(text="knee meniscus repair rehabilitation", k=4),
]


def _answers(engine: SqliteEngine) -> list[Any]:
    searches = [_view(engine.search(r)) for r in REQUESTS]
    similar = [[(h.doc, h.score, h.shared_terms) for h in engine.similar(r)] for r in SIMILAR]
    return [searches, similar]


def _uncached(path: str) -> list[Any]:
    MATCH_CACHE.clear()
    engine = open_engine(path)
    try:
        return _answers(engine)
    finally:
        engine.close()
        MATCH_CACHE.clear()


def test_cached_answers_are_the_uncached_ones(built: str, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _uncached(built)
    engine = open_engine(built)
    assert _answers(engine) == reference  # fills the caches
    assert len(MATCH_CACHE) > len(REQUESTS)
    assert _answers(engine) == reference  # served from them
    # Relevance orders shorter than the pages asked for: computed again, deeper; filtered
    # pages found (or not) among the unfiltered order's first rows.
    monkeypatch.setattr(sqlite_search, "RANK_DEPTH", 2)
    MATCH_CACHE.clear()
    for request in REQUESTS:  # unfiltered orders first, then the filtered pages
        engine.search(dataclasses.replace(request, filters={}))
    assert _answers(engine) == reference
    engine.close()


def test_a_reader_sees_a_reindex_at_once(built: str) -> None:
    reader = open_engine(built)
    before = _answers(reader)
    kyphoplasty = reader.search(SearchRequest(query="kyphoplasty"))
    assert kyphoplasty.total == 3
    writer = SqliteEngine(built, writable=True)
    # A changed file: same items, other outcomes and texts (counts move, ids stay).
    for alias in ("L1", "L2", "L18"):
        old = LETTERS_BY_ALIAS[alias]
        items = tuple(
            dataclasses.replace(
                i,
                outcome="Upheld" if i.outcome == "Overturned" else "Overturned",
                rationale=i.rationale + " Kyphoplasty pain meniscus knee.",
            )
            for i in old.items
        )
        changed = dataclasses.replace(old, items=items)
        assert writer.write([source_documents(old.source, "fp-changed", changed)]) == []
        after = _answers(reader)  # no finish(): the reader must not wait for it
        assert after == _uncached(built)
    assert after != before
    more = reader.search(SearchRequest(query="kyphoplasty")).total
    assert more > kyphoplasty.total
    writer.delete_sources([LETTERS_BY_ALIAS["L18"].source])
    assert reader.search(SearchRequest(query="kyphoplasty")).total < more
    assert _answers(reader) == _uncached(built)
    writer.finish()
    assert _answers(reader) == _uncached(built)
    reader.close()
    writer.close()


def test_the_web_app_shows_a_reindex_at_once(built: str) -> None:
    from search_ui import create_app
    from search_ui.backend import EXTENSION

    app = create_app({"IMR_SEARCH_INDEX": built, "TESTING": True})
    client = app.test_client()
    old = LETTERS_BY_ALIAS["L1"]
    item = old.items[0]
    page = client.get("/search?q=zygapophyseal").get_data(as_text=True)
    assert "0 decisions" in page
    api = client.get("/api/search?q=pain").get_json()
    similar = client.get(f"/api/items/{item.id}/similar?k=5").get_json()

    writer = SqliteEngine(built, writable=True)
    changed = dataclasses.replace(
        item, outcome="Overturned", rationale=item.rationale + " A zygapophyseal pain block."
    )
    writer.write([source_documents(old.source, "fp-2", dataclasses.replace(old, items=(changed,)))])
    writer.finish()

    page = client.get("/search?q=zygapophyseal").get_data(as_text=True)
    assert "1 decision " in page and item.id in page
    again = client.get("/api/search?q=pain").get_json()
    assert again["total"] == api["total"]  # L1 matched pain before and after
    assert again["outcome_rate"] != api["outcome_rate"]  # its outcome flipped
    assert client.get(f"/api/items/{item.id}").get_json()["item"]["outcome"] == "Overturned"
    assert client.get(f"/api/items/{item.id}/similar?k=5").get_json() != similar
    writer.close()
    app.extensions[EXTENSION].close_all()


def test_top_counts_are_exact_where_they_matter() -> None:
    """Counting stops early only for values that cannot reach the shown top."""
    rng = random.Random(7)
    labels = {fv: ("guideline", f"g{fv:03d}") for fv in range(1, 120)}
    live = LivePostings(0, labels)
    for rowid in range(1, 30_000):
        live.add(rowid, ALL)
        for fv in rng.sample(range(1, 120), 3):
            if rng.random() < 1 / fv:  # a long tail: many values rare, some sparse
                live.add(rowid, fv)
    snap = live.freeze()
    assert snap.lists and snap.bits
    for _ in range(40):
        size = rng.choice([1, 3, 10, 50])
        mask = bits_from_rowids(rng.sample(range(1, 30_000), rng.choice([5, 300, 20_000])))
        full = snap.counts("guideline", mask)
        chosen = rng.sample(sorted(labels.values()), 2)
        chosen_values = [v for _, v in chosen]
        top = snap.top_counts("guideline", mask, size, chosen_values)
        assert all(full[v] == n for v, n in top.items())
        assert _facet_list(top, chosen_values, size) == _facet_list(full, chosen_values, size)


def test_sparse_counts_match_a_plain_loop() -> None:
    rowids = array("q", sorted(random.Random(3).sample(range(1, 5_000_000), 300)))
    snap = Snapshot(0, {1: ("f", "v")}, {"f": [1]}, {}, {1: rowids})
    for mask in (
        0,
        1 << 10,
        bits_from_rowids(range(0, 5_000_000, 3)),
        bits_from_rowids(rowids[:7]),
        bits_from_rowids(range(0, 1000)),
    ):
        expected = sum(1 for r in rowids if mask >> r & 1)
        assert snap.counts("f", mask) == ({"v": expected} if expected else {})


def test_rowid_lists_dense_enough_are_read_as_bitsets(
    built: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Postings written as rowid lists (an older writer, or values rare when written) are
    counted as bitsets once they are dense."""
    monkeypatch.setattr(postings, "DENSE_MIN", 2)  # the fixture corpus has 36 items
    db = sqlite3.connect(built)
    rows = db.execute("SELECT fv, kind, data FROM postings WHERE fv != 0").fetchall()
    for fv, kind, data in rows:
        if kind == "bits":
            bits = int.from_bytes(data, "little")
            rowids = array("q", [r for r in range(bits.bit_length()) if bits >> r & 1])
            db.execute(
                "UPDATE postings SET kind = 'list', data = ? WHERE fv = ?", (rowids.tobytes(), fv)
            )
    db.commit()
    db.close()
    reference = _uncached(built)
    engine = SqliteEngine(built)
    with engine._reading():
        snap = engine._snapshot()
    assert len(snap.bits) > 10 and snap.lists  # values of one item stay lists
    assert _answers(engine) == reference
    engine.close()


def test_date_orders_skip_whole_years_and_keep_undated_last(built: str) -> None:
    engine = SqliteEngine(built)
    db = engine.db
    with engine._reading():
        snap = engine._snapshot()
        years = [None, ["2015"], ["2016", "2013"], ["2024"], ["2013"]]
        for oldest in (False, True):
            direction = "ASC" if oldest else "DESC"
            order = [
                r
                for (r,) in db.execute(
                    "SELECT rowid FROM items"
                    f" ORDER BY decision_date IS NULL, decision_date {direction}, id"
                )
            ]
            for chosen in years:
                result = snap.all if chosen is None else snap.union("year", chosen)
                members = [r for r in order if result >> r & 1]
                total = len(members)
                for offset in range(0, total + 2):
                    for limit in (1, 2, 5):
                        page = _by_date(db, result, total, snap, offset, limit, oldest=oldest)
                        got = [r for r, _ in page]
                        assert got == members[offset : offset + limit], (chosen, offset, limit)
    engine.close()


def test_prefix_and_long_text_marks(target: str) -> None:
    engine = SqliteEngine(target, writable=True)
    engine.write(source_letters())
    old = LETTERS_BY_ALIAS["L12"]
    filler = "The documentation is reviewed again by the therapist. " * 3_000  # ~160 KB
    huge = dataclasses.replace(
        old.items[0], rationale=filler + "A zygapophyseal hardware block was requested."
    )
    engine.write([source_documents(old.source, "fp-huge", dataclasses.replace(old, items=(huge,)))])
    engine.finish()
    for query in ("documentation reviewed", "zygapophyseal", "therap*", '"reviewed again"'):
        hits = engine.search(SearchRequest(query=query, per_page=100)).hits
        mine = [h for h in hits if h.id == huge.id]
        assert (
            mine
            and "<mark>" in to_markup(mine[0].marked_snippet)
            and len(to_markup(mine[0].marked_snippet)) < 2_000
        ), query
    # Whole-text highlighting in chunks loses nothing and marks every occurrence.
    text = "alpha beta gamma " * 5_000
    marked = sqlite_marking.mark_long_text(engine.db, compile_query("beta"), 1, text)
    assert marked.replace(MARK_START, "").replace(MARK_END, "") == text
    assert marked.count(MARK_START) == 5_000
    # Prefix queries: marks made in the scratch table are those of the index.
    match = compile_query("therap*")
    rowids = [
        r
        for (r,) in engine.db.execute(
            "SELECT rowid FROM items_fts WHERE items_fts MATCH ? LIMIT 6", (match,)
        )
    ]
    short = [
        r
        for r in rowids
        if r != engine.db.execute("SELECT rowid FROM items WHERE id = ?", (huge.id,)).fetchone()[0]
    ]
    plain = {
        r: tuple(row)
        for r, *row in engine.db.execute(
            "SELECT rowid, "
            + ", ".join(sqlite_marking._mark_sql(c) for c in range(2))
            + " FROM items_fts WHERE items_fts MATCH ?"
            + f" AND rowid IN ({','.join('?' * len(short))})",
            (match, *short),
        )
    }
    scratch = sqlite_marking._marked_rows(engine.db, match, short)
    assert {r: m[0] for r, m in scratch.items()} == {r: p[0] for r, p in plain.items()}
    assert all(MARK_START in m[1] or MARK_START in m[0] for m in scratch.values())
    engine.close()


def test_facet_summaries_do_not_leak_between_requests(built: str) -> None:
    engine = open_engine(built)
    first = engine.search(SearchRequest(query="pain"))
    first.facets.clear()  # a caller changing its response must not change the next one
    second = engine.search(SearchRequest(query="pain", page=2, per_page=2))
    assert {spec.name for spec in FACETS} <= set(second.facets)
    assert sum(v.count for v in second.facets["outcome"]) == second.total
    engine.close()


@pytest.mark.parametrize("count", [1, 7, 300, 5_000, 60_000])
def test_bits_from_rowids_sparse_and_dense(count: int) -> None:
    rng = random.Random(count)
    rowids = rng.sample(range(0, 100_003), count)
    expected = 0
    for r in rowids:
        expected |= 1 << r
    assert bits_from_rowids(rowids) == expected
    assert bits_from_rowids(sorted(rowids)) == expected
    assert bits_from_rowids(array("q", rowids)) == expected
    assert bits_from_rowids(iter(rowids)) == expected

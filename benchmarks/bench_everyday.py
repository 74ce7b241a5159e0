"""What the everyday features cost on the embedded engine: date ranges, sort orders, spelling
suggestions, explanatory snippets, and the vocabulary index behind suggestions.

    python benchmarks/bench_everyday.py --items 100000      # a few minutes
    python benchmarks/bench_everyday.py --items 20000 --runs 20

Builds a SQLite index of generated letters (synthetic.corpus, seeded) and prints p50/p95 of
each search, cold (the per-generation cache emptied before each run: the first time a
search is made) and warm (repeated: paging, re-sorting), beside the same search without the
feature; then the vocabulary index's share of the file and of the write time. A script, not
a timed test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from common import Latency, in_child, load_engine, log, write_batches

from imr_search.contract import SearchRequest
from imr_search.sqlite.cache import MATCH_CACHE
from imr_search.sqlite.engine import SqliteEngine
from imr_search.sqlite.schema import TEXT_COLUMNS, WORD_COLUMNS, WORD_TOKENIZER

CASES: list[tuple[str, SearchRequest, SearchRequest]] = [
    # (name, the search, the same search without the feature)
    (
        "browse, one year",
        SearchRequest(date_from="2016-01-01", date_to="2016-12-31"),
        SearchRequest(),
    ),
    (
        "browse, months cut at both ends",
        SearchRequest(date_from="2015-03-17", date_to="2018-10-09"),
        SearchRequest(),
    ),
    (
        "word + range + facet",
        SearchRequest(
            query="radiculopathy", date_from="2016-06-15", filters={"outcome": ["Upheld"]}
        ),
        SearchRequest(query="radiculopathy", filters={"outcome": ["Upheld"]}),
    ),
    ("browse oldest first", SearchRequest(sort="oldest"), SearchRequest(sort="date")),
    (
        "browse oldest first, page 40",
        SearchRequest(sort="oldest", page=40),
        SearchRequest(sort="date", page=40),
    ),
    ("browse by outcome", SearchRequest(sort="outcome"), SearchRequest(sort="date")),
    (
        "word by outcome",
        SearchRequest(query="therapy", sort="outcome"),
        SearchRequest(query="therapy", sort="date"),
    ),
    (
        "misspelled word, suggestion",
        SearchRequest(query="radiculopaty", suggest=True),
        SearchRequest(query="radiculopaty"),
    ),
    (
        "misspelled in a phrase, suggestion",
        SearchRequest(query='"lumbar radiculopaty" OR acupunture', suggest=True),
        SearchRequest(query='"lumbar radiculopaty" OR acupunture'),
    ),
    (
        "phrase, 20 snippets (passages)",
        SearchRequest(query='"physical therapy"'),
        SearchRequest(query='"physical therapy"', highlight=False),
    ),
]


def build(batches: str, target: str) -> dict[str, float]:
    return load_engine(SqliteEngine(target, writable=True), batches)


def timings(engine: SqliteEngine, request: SearchRequest, runs: int, cold: bool) -> Latency:
    samples = []
    engine.search(request)  # connection, statements and postings warmed
    for _ in range(runs):
        if cold:
            MATCH_CACHE.clear()
        started = time.perf_counter()
        engine.search(request)
        samples.append((time.perf_counter() - started) * 1000)
    return Latency.of(samples)


def vocabulary_cost(target: str, batches: str) -> list[str]:
    """The vocabulary index's bytes, and the time its inserts take (the same texts into a
    standalone table like it)."""
    from common import read_batches

    from imr_search.sqlite.rows import build_row

    db = sqlite3.connect(target)
    words = db.execute("SELECT sum(length(block)) FROM items_words_data").fetchone()[0] or 0
    fts = db.execute("SELECT sum(length(block)) FROM items_fts_data").fetchone()[0] or 0
    size = Path(target).stat().st_size
    word_df = db.execute("SELECT count(*) FROM word_df").fetchone()[0]
    db.close()
    scratch = sqlite3.connect(":memory:")
    scratch.execute(
        f"CREATE VIRTUAL TABLE w USING fts5({', '.join(WORD_COLUMNS)}, "
        f"tokenize = '{WORD_TOKENIZER}', detail = 'none', columnsize = 0)"
    )
    columns, marks = ", ".join(WORD_COLUMNS), ", ".join("?" * (len(WORD_COLUMNS) + 1))
    places = [TEXT_COLUMNS.index(c) for c in WORD_COLUMNS]
    spent = 0.0
    n = 0
    for batch in read_batches(batches):
        rows = [build_row(doc) for entry in batch for doc in entry.items]
        texts = [(n + i, *(r.texts[c] for c in places)) for i, r in enumerate(rows)]
        n += len(rows)
        started = time.perf_counter()
        scratch.executemany(f"INSERT INTO w(rowid, {columns}) VALUES ({marks})", texts)
        spent += time.perf_counter() - started
    scratch.close()
    return [
        f"vocabulary index: {words / 1e6:.1f} MB ({100 * words / size:.1f}% of the "
        f"{size / 1e6:.0f} MB file; the main FTS index {fts / 1e6:.1f} MB), {word_df:,} words "
        "in word_df",
        f"its inserts alone: {spent:.1f} s for {n:,} items ({n / max(spent, 1e-9):,.0f} items/s)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per search")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-everyday-"))
    batches = str(work / "batches.pickle")
    log(f"generating {args.items:,} items ...")
    in_child(write_batches, batches, args.seed, args.items)
    target = str(work / "index.sqlite3")
    log("indexing ...")
    built = in_child(build, batches, target)
    print(
        f"{int(built['items']):,} items indexed: write {built['write_s']:.1f} s "
        f"({built['items'] / built['write_s']:,.0f} items/s), finish {built['finish_s']:.1f} s"
    )
    engine = SqliteEngine(target)
    print(f"\n{'search':<38} {'cold p50/p95 ms':>18} {'warm p50/p95':>14}   without the feature")
    for name, request, plain in CASES:
        total = engine.search(request).total
        cold = timings(engine, request, args.runs, cold=True)
        warm = timings(engine, request, args.runs, cold=False)
        base = timings(engine, plain, args.runs, cold=True)
        print(
            f"{name:<38} {cold.p50:>8.1f} /{cold.p95:>6.1f} {warm.p50:>6.1f} /{warm.p95:>5.1f}"
            f"   cold {base.p50:.1f} / {base.p95:.1f}   ({total:,} results)"
        )
    engine.close()
    print()
    for line in vocabulary_cost(target, batches):
        print(line)


if __name__ == "__main__":
    main()

"""Benchmark of the embedded engine (SQLite FTS5) on generated letters.

    python benchmarks/bench_sqlite.py --items 100000          # about 2 minutes
    python benchmarks/bench_sqlite.py --dir /tmp/b --queries-only   # re-time a kept index

Prints one table: indexing items/s against a raw FTS5 insert of the same rows measured in the
same run, peak RSS while indexing, and p50/p95/p99 of the suite's query mix (rare phrase,
common phrase, word + facets, citation filter, similar cases; see common.build_query_mix)
beside a raw FTS5 MATCH count of the same query text. A script, not a timed test: numbers
depend on the machine (targets in issue 3). benchmarks/suite.py runs the same measurements
beside Elasticsearch.

The corpus comes from synthetic.corpus (seeded), is written once by a child process as
pickled batches, and each index is built in a fresh child process whose peak RSS is its own.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from common import (
    KINDS,
    Latency,
    QueryCase,
    Table,
    cpu_seconds,
    in_child,
    load_engine,
    log,
    peak_rss_mb,
    ratio,
    read_batches,
    schedule,
    time_cases,
    write_batches,
)
from query_mix import KINDS as MIX_KINDS
from query_mix import MIX, WEIGHTS, choose_cases

from imr_search.contract import SearchRequest
from imr_search.plan import plan
from imr_search.sqlite import search as sqlite_search
from imr_search.sqlite.compiler import compile_match
from imr_search.sqlite.engine import SqliteEngine
from imr_search.sqlite.grams import CommonGrams
from imr_search.sqlite.rows import build_row
from imr_search.sqlite.schema import FTS_COLUMNS, GRAM_COLUMNS, TEXT_COLUMNS, TOKENIZER

INDEX_TARGET = 15_000  # items/s (issue 3)
INDEX_RATIO = 1.5  # at most this many times the raw FTS5 insert time
RSS_TARGET_MB = 300
PHRASE_P95_MS = {100_000: 25.0, 1_000_000: 250.0}
SIMILAR_P95_MS = {100_000: 50.0}


# --- indexing (each in a child process: see common.in_child) ---------------------------------


def index_engine(batches: str, target: str) -> dict[str, float]:
    """SqliteEngine.write over every batch, then finish(); seconds and peak RSS."""
    return load_engine(SqliteEngine(target, writable=True), batches)


def index_raw(batches: str, target: str) -> dict[str, float]:
    """The same rows' texts and grams into a plain FTS5 table (items_fts's columns and
    tokenizer, default settings), one transaction per batch, then 'optimize': the lower bound
    of indexing. Rows and grams are made before the clock starts (the engine makes them while
    it writes, imr_search.sqlite.grams); the engine also indexes the request text, in
    items_request."""
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    columns = FTS_COLUMNS + GRAM_COLUMNS
    db.execute(
        f"CREATE VIRTUAL TABLE raw USING fts5({', '.join(columns)}, tokenize = '{TOKENIZER}')"
    )
    grams = CommonGrams.shipped()
    inserting = 0.0
    items = 0
    places = [TEXT_COLUMNS.index(c) for c in FTS_COLUMNS]  # Row.texts: TEXT_COLUMNS order
    for batch in read_batches(batches):
        texts = [build_row(doc).texts for entry in batch for doc in entry.items]
        rows = [
            tuple(row[i] for i in places) + tuple(row_grams[i] for i in places)
            for row, row_grams in zip(texts, grams.column_texts(db, texts), strict=True)
        ]
        started = time.perf_counter()
        db.execute("BEGIN")
        db.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(columns))})", rows)
        db.execute("COMMIT")
        inserting += time.perf_counter() - started
        items += len(rows)
    started = time.perf_counter()
    db.execute("INSERT INTO raw(raw) VALUES ('optimize')")
    optimizing = time.perf_counter() - started
    db.close()
    return {
        "items": items,
        "write_s": inserting,
        "finish_s": optimizing,
        "peak_rss_mb": peak_rss_mb(),
        "cpu_s": cpu_seconds(),
    }


def build_indexes(batches: str, work: Path) -> dict[str, Any]:
    """Both indexes (engine, then raw), each in its own child process."""
    for name in ("index.sqlite3", "raw.sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            (work / f"{name}{suffix}").unlink(missing_ok=True)
    engine = in_child(index_engine, batches, str(work / "index.sqlite3"))
    raw = in_child(index_raw, batches, str(work / "raw.sqlite3"))
    items = engine["items"]
    return {
        "engine": {
            **engine,
            "items_per_s": items / (engine["write_s"] + engine["finish_s"]),
            "write_items_per_s": items / engine["write_s"],
            "file_mb": (work / "index.sqlite3").stat().st_size / 2**20,
        },
        "raw": {
            **raw,
            "items_per_s": items / (raw["write_s"] + raw["finish_s"]),
            "write_items_per_s": items / raw["write_s"],
            "file_mb": (work / "raw.sqlite3").stat().st_size / 2**20,
        },
    }


# --- queries ---------------------------------------------------------------------------------


def raw_counter(raw_target: str) -> Callable[[str], int]:
    """Query text -> count of a plain FTS5 MATCH on the raw table: the same MATCH string the
    engine runs (synonyms expanded, phrases of common words as grams), without facets,
    ranking, highlighting or documents."""
    db = sqlite3.connect(f"file:{raw_target}?mode=ro", uri=True)
    rewrite = CommonGrams.shipped().rewriter(db)

    def count(text: str) -> int:
        ast = plan(text).ast if text.strip() else None
        if ast is None:  # no words (a case number): nothing to match
            return 0
        match = compile_match(ast, rewrite)
        return db.execute("SELECT count(*) FROM raw WHERE raw MATCH ?", (match,)).fetchone()[0]

    return count


def drop_match_cache() -> None:
    """Forget cached match sets, so every timed query runs its MATCH (a cold query)."""
    cache = getattr(sqlite_search, "MATCH_CACHE", None)
    if cache is not None:
        cache.clear()


def query_mix(batches: str, items: int, work: Path, seed: int) -> list[QueryCase]:
    """The suite's query mix for this corpus (query_mix.choose_cases), its match counts from
    the raw table."""
    engine = SqliteEngine(str(work / "index.sqlite3"))
    try:
        return choose_cases(batches, items, engine, raw_counter(str(work / "raw.sqlite3")), seed)
    finally:
        engine.close()


def time_queries(
    work: Path, cases: list[QueryCase], runs: Mapping[str, int], seed: int
) -> dict[str, dict[str, Latency]]:
    """'engine' and 'floor' latencies per kind; cold: the match-set cache is dropped before
    every query (the page cache is warmed by one untimed pass)."""
    engine = SqliteEngine(str(work / "index.sqlite3"))
    count = raw_counter(str(work / "raw.sqlite3"))
    try:
        for case in cases:  # warm up: page cache, postings, compiled statements
            case.run(engine)
            count(case.floor_text)
        return time_cases(
            schedule(cases, runs, seed),
            {"engine": lambda case: case.run(engine), "floor": lambda case: count(case.floor_text)},
            before_each=drop_match_cache,
            weights=WEIGHTS,
            mix=MIX,
        )
    finally:
        engine.close()


def open_time_ms(work: Path) -> float:
    """Opening the index and loading its facet postings (the first search after a start);
    run it in a fresh process (in_child): postings are cached per process."""
    started = time.perf_counter()
    engine = SqliteEngine(str(work / "index.sqlite3"))
    engine.search(SearchRequest(per_page=0))
    engine.close()
    return (time.perf_counter() - started) * 1000


# --- the table -------------------------------------------------------------------------------


def target_for(table: Mapping[int, float], items: int) -> float | None:
    """The target of the nearest size the issue names (None when it names none)."""
    near = [size for size in table if 0.5 * size <= items <= 2 * size]
    return table[near[0]] if near else None


def add_rows(out: Table, result: Mapping[str, Any], items: int) -> None:
    """Rows for the index (when built in this run) and the query mix."""
    if "index" in result:
        add_index_rows(out, result["index"])
    queries = result["queries"]
    for kind in (*KINDS, *MIX_KINDS, MIX):
        if kind not in queries["engine"]:
            continue
        mine, floor = queries["engine"][kind], queries["floor"][kind]
        out.add(
            f"{kind} p50/p95/p99 ms",
            mine,
            f"{floor} (raw MATCH count)",
            ratio(mine.p95, floor.p95),
            latency_target(kind, items),
        )


def add_index_rows(out: Table, index: Mapping[str, Any]) -> None:
    engine, raw = index["engine"], index["raw"]
    out.add(
        "index items/s (write + finish)",
        f"{engine['items_per_s']:,.0f}",
        f"{raw['items_per_s']:,.0f} (raw FTS5 insert + optimize)",
        ratio(raw["items_per_s"], engine["items_per_s"]),
        f">= {INDEX_TARGET:,}/s and <= {INDEX_RATIO}x",
    )
    out.add(
        "index items/s (writes only)",
        f"{engine['write_items_per_s']:,.0f}",
        f"{raw['write_items_per_s']:,.0f} (raw FTS5 insert)",
        ratio(raw["write_items_per_s"], engine["write_items_per_s"]),
        None,
    )
    out.add(
        "peak RSS while indexing (MB)",
        f"{engine['peak_rss_mb']:,.0f}",
        f"{raw['peak_rss_mb']:,.0f} (raw insert)",
        None,
        f"< {RSS_TARGET_MB} MB",
    )


def latency_target_ms(kind: str, items: int) -> float | None:
    """The p95 target of issues 2-3 for a query kind at this size (None when they name none)."""
    if kind == "similar cases":
        return target_for(SIMILAR_P95_MS, items)
    if kind in ("rare phrase", "common phrase"):
        return target_for(PHRASE_P95_MS, items)
    return None


def latency_target(kind: str, items: int) -> str | None:
    target = latency_target_ms(kind, items)
    return None if target is None else f"p95 <= {target:g} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="timed runs per query kind")
    parser.add_argument("--similar", type=int, default=100, help="timed similar-case runs")
    parser.add_argument(
        "--mix-queries", type=int, default=100, help="timed runs per kind of the weighted mix"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", default=None, help="work folder (kept); default a temp folder")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument(
        "--queries-only", action="store_true", help="only time queries on the indexes kept in --dir"
    )
    args = parser.parse_args(argv)
    work = Path(args.dir or tempfile.mkdtemp(prefix="bench-sqlite-"))
    work.mkdir(parents=True, exist_ok=True)
    batches = str(work / "batches.pickle")
    result: dict[str, Any] = {}
    if args.queries_only:
        engine = SqliteEngine(str(work / "index.sqlite3"))
        args.items = engine.count()
        engine.close()
    else:
        corpus = in_child(write_batches, batches, args.seed, args.items)
        log(
            f"generated {corpus.letters:,} letters / {corpus.items:,} items in "
            f"{corpus.seconds:.0f} s"
        )
        result["index"] = build_indexes(batches, work)
        log("indexed")
    cases = query_mix(batches, args.items, work, args.seed)
    runs = {kind: args.similar if kind == "similar cases" else args.queries for kind in KINDS}
    runs |= dict.fromkeys(MIX_KINDS, args.mix_queries)
    result["queries"] = time_queries(work, cases, runs, args.seed)

    out = Table(("measure", "SQLite engine", "lower bound", "ratio", "target (issue 3)"))
    add_rows(out, result, args.items)
    out.add(
        "open + first search (fresh process)",
        f"{in_child(open_time_ms, work):,.0f} ms",
        None,
        None,
        None,
    )
    print(f"\nSQLite FTS5 engine, {args.items:,} items, SQLite {sqlite3.sqlite_version}")
    print(out.render())
    if not args.dir and not args.keep:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()
    else:
        print(f"kept {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

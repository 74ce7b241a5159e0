"""Phrase queries on both engines, for comparing two versions on one corpus (issue 14).

    python benchmarks/bench_sqlite.py --items 100000 --dir B --keep   # corpus, raw FTS5 table
    python benchmarks/bench_phrases.py --dir B --build-sqlite          # index B/index.sqlite3
    python benchmarks/bench_phrases.py --dir B --elastic URL/ALIAS --build-elastic
    python benchmarks/bench_phrases.py --dir B --elastic URL/ALIAS     # time the phrases

The corpus (B/batches.pickle) and the raw FTS5 table (B/raw.sqlite3) come from bench_sqlite;
this script builds the engine indexes with the code it runs with (so two checkouts, run one
after the other on copies of one folder, compare their indexes: size and build time) and
times the suite's rare and common phrases (common.build_query_mix: the same queries for the
same corpus) on the SQLite index and on an Elasticsearch alias, beside their lower bounds (a
raw FTS5 count of the positional phrase; Elasticsearch's `_count` of the engine's query).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import bench_elastic
import bench_sqlite
from common import Table, in_child, log

KINDS = ("rare phrase", "common phrase")


def build_sqlite(folder: Path) -> dict[str, Any]:
    target = folder / "index.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    run = in_child(bench_sqlite.index_engine, str(folder / "batches.pickle"), str(target))
    return {
        **run,
        "items_per_s": run["items"] / (run["write_s"] + run["finish_s"]),
        "file_mb": target.stat().st_size / 2**20,
    }


def build_elastic(url: str, alias: str, folder: Path) -> dict[str, Any]:
    bench_elastic.drop(url, alias)
    run = in_child(bench_elastic.index_engine, url, alias, str(folder / "batches.pickle"))
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url, request_timeout=120)
    try:
        client.indices.forcemerge(index=alias, max_num_segments=1, wait_for_completion=True)
        stats = client.indices.stats(index=alias, metric="store")
        store = stats["_all"]["primaries"]["store"]["size_in_bytes"] / 2**20
    finally:
        client.close()
    return {**bench_elastic.with_rates(run), "store_mb_merged": store}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--elastic", default=None, help="URL/ALIAS of an Elasticsearch index")
    parser.add_argument("--build-sqlite", action="store_true")
    parser.add_argument("--build-elastic", action="store_true")
    parser.add_argument("--queries", type=int, default=120, help="timed runs per kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--label", default="", help="names this run in the output")
    args = parser.parse_args(argv)
    folder: Path = args.dir
    url = alias = None
    if args.elastic:
        url, _, alias = args.elastic.rstrip("/").rpartition("/")
    result: dict[str, Any] = {"label": args.label}
    if args.build_sqlite:
        result["sqlite_index"] = build_sqlite(folder)
        log(f"SQLite index: {result['sqlite_index']}")
    if args.build_elastic:
        assert url and alias, "--build-elastic needs --elastic URL/ALIAS"
        result["elastic_index"] = build_elastic(url, alias, folder)
        log(f"Elasticsearch index: {result['elastic_index']}")
    if args.build_sqlite or args.build_elastic:
        print(json.dumps(result))
        return 0
    items = bench_sqlite.SqliteEngine(str(folder / "index.sqlite3")).count()
    cases = [
        c
        for c in bench_sqlite.query_mix(str(folder / "batches.pickle"), items, folder, args.seed)
        if c.kind in KINDS
    ]
    runs = dict.fromkeys(KINDS, args.queries)
    out = Table(("measure", "engine p50/p95/p99 ms", "lower bound p50/p95/p99 ms"))
    timed = {"SQLite": bench_sqlite.time_queries(folder, cases, runs, args.seed)}
    if url and alias:
        timed["Elasticsearch"] = bench_elastic.time_mix(url, alias, cases, runs, args.seed)
    for engine, latencies in timed.items():
        for kind in KINDS:
            out.add(f"{engine} {kind}", latencies["engine"][kind], latencies["floor"][kind])
    print(f"\n{args.label} {items:,} items, SQLite {sqlite3.sqlite_version}, {time.ctime()}")
    print("queries: " + "; ".join(c.search.query for c in cases if c.search is not None))
    print(out.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())

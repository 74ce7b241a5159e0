"""Benchmark the Elasticsearch engine beside a raw `_bulk` and the embedded engine.

    python benchmarks/bench_elastic.py --letters 20000            # starts a node if needed
    IMR_SEARCH_ES_URL=http://127.0.0.1:9200 python benchmarks/bench_elastic.py --json out.json

In one run, on the same generated corpus (synthetic.corpus, deterministic by seed):
- bulk items/s of ElasticEngine.write (+ finish), of a raw `_bulk` of the same
  documents pre-built to an NDJSON file (the ceiling: same index definition, same chunk size
  and number of concurrent requests, refresh off, no Python work but reading the file), and
  of the embedded SQLite engine; raw and engine loads alternate `--repeat` times, best of each;
  each load runs in a fresh child process (its peak RSS is reported);
- query latency p50/p95/p99 over a fixed query set (words, phrases, prefixes, OR/NOT, field
  scopes, facet filters, breakdowns), each engine warmed up first.
Targets (issue 4): 2,000+ items/s and within 1.3x of the raw bulk.
benchmarks/suite.py uses the same loaders for its side-by-side table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common import (
    Latency,
    QueryCase,
    Table,
    cpu_seconds,
    in_child,
    load_engine,
    log,
    peak_rss_mb,
    read_batches,
    schedule,
    time_cases,
    write_batches,
)
from elasticsearch import Elasticsearch
from query_mix import MIX, WEIGHTS, choose_cases

from devtools.esnode import elasticsearch_node
from imr_search.contract import Engine, SearchRequest
from imr_search.elastic import indices, optimize
from imr_search.elastic.compile import compile_query
from imr_search.elastic.engine import ElasticEngine
from imr_search.elastic.settings import IndexLayout
from imr_search.elastic.writer import CHUNK_SIZE, MAX_CHUNK_BYTES, STREAMS, document_bytes
from imr_search.query import parse_query
from imr_search.synonyms import expand_synonyms

QUERIES: list[SearchRequest] = [
    SearchRequest(query="knee"),
    SearchRequest(query="lumbar epidural steroid injection"),
    SearchRequest(query='"medically necessary"'),
    SearchRequest(query='"physical therapy" knee'),
    SearchRequest(query="pt"),
    SearchRequest(query="therap*"),
    SearchRequest(query="(shoulder OR hip) surgery -arthroscopy"),
    SearchRequest(query="treatment:mri rationale:radiculopathy"),
    SearchRequest(query="citation:ODG opioid*"),
    SearchRequest(query="hydrocodone", filters={"outcome": ["Overturned"]}),
    SearchRequest(query="", filters={"reviewer_source": ["none", "ODG"], "year": ["2016"]}),
    SearchRequest(query="injection", breakdown="reviewer_guideline"),
    SearchRequest(query="knee", sort="date", page=5),
    SearchRequest(query="", breakdown="category"),
]
BULK_TARGET = 2_000  # items/s (issue 4)
BULK_RATIO = 1.3  # at most this many times the raw _bulk time
WARM_UP_DOCS = 50_000  # a fresh JVM indexes several times slower: a raw load warms it up first
REQUEST_CACHE = "index.requests.cache.enable"  # a dynamic index setting (None: the default)


# --- loading (each in a child process: see common.in_child) -----------------------------------


def prebuild_documents(batches: str, ndjson: str) -> dict[str, int]:
    """Every item's stored document as `_bulk` NDJSON (action line, source line), streamed to
    a file: the raw bulk then costs no Python work but reading it."""
    docs = 0
    with open(ndjson, "wb") as out:
        for batch in read_batches(batches):
            lines: list[bytes] = []
            for entry in batch:
                for item in entry.items:
                    lines.append(json.dumps({"index": {"_id": item.id}}).encode("utf-8"))
                    lines.append(document_bytes(entry.source, item))  # as the writer sends it
                    docs += 1
            out.write(b"\n".join(lines) + b"\n")
    return {"docs": docs, "bytes": Path(ndjson).stat().st_size}


def _chunks(ndjson: str, max_docs: int | None) -> Iterator[bytes]:
    """Bodies of CHUNK_SIZE documents (at most MAX_CHUNK_BYTES), as the writer sends them."""
    body: list[bytes] = []
    size = docs = 0
    with open(ndjson, "rb") as source:
        for action in source:
            document = next(source)
            if body and (
                len(body) // 2 >= CHUNK_SIZE or size + len(action) + len(document) > MAX_CHUNK_BYTES
            ):
                yield b"".join(body)
                body, size = [], 0
            body += (action, document)
            size += len(action) + len(document)
            docs += 1
            if max_docs is not None and docs >= max_docs:
                break
    if body:
        yield b"".join(body)


def raw_bulk(url: str, ndjson: str, max_docs: int | None = None) -> dict[str, float]:
    """A raw `_bulk` of the pre-built documents into a new index of the same definition and
    layout (IMR_SEARCH_ES_SHARDS and _REPLICAS, as the engine's), with the writer's chunk size
    and number of concurrent requests, refresh off, then one refresh and the split and
    merge the engine does after a full load (imr_search.elastic.optimize). The index is deleted
    afterwards."""
    client = Elasticsearch(url, request_timeout=300)
    name = f"imr-bench-raw-{uuid.uuid4().hex[:8]}"
    client.indices.create(index=name, **indices.items_definition(IndexLayout.from_env(name)))
    client.indices.put_settings(index=name, settings={"index": {"refresh_interval": "-1"}})
    docs = 0
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(STREAMS) as pool:
            pending: deque[Future[Any]] = deque()
            for body in _chunks(ndjson, max_docs):
                pending.append(pool.submit(client.bulk, index=name, operations=body))
                if len(pending) >= 2 * STREAMS:
                    docs += _bulk_ok(pending.popleft().result())
            while pending:
                docs += _bulk_ok(pending.popleft().result())
        writing = time.perf_counter() - started
        client.indices.put_settings(index=name, settings={"index": {"refresh_interval": "1s"}})
        client.indices.refresh(index=name)
        loaded = name
        name, _ = optimize.optimize_loaded(  # as the engine's finish() does after a full load
            client,
            loaded,
            loaded,
            split=IndexLayout.from_env(loaded).shards is None,
            deadline_s=optimize.deadline_seconds(),
            replace=lambda _split: client.indices.delete(index=loaded),
        )
        total = time.perf_counter() - started
    finally:
        client.indices.delete(index=name, ignore_unavailable=True)
        client.close()
    return {
        "items": docs,
        "write_s": writing,
        "finish_s": total - writing,
        "peak_rss_mb": peak_rss_mb(),
        "cpu_s": cpu_seconds(),
    }


def _bulk_ok(response: Any) -> int:
    if response["errors"]:
        first = next(i for i in response["items"] if i["index"].get("error"))
        raise RuntimeError(f"raw bulk rejected a document: {first['index']['error']}")
    return len(response["items"])


def index_engine(url: str, alias: str, batches: str) -> dict[str, float]:
    """ElasticEngine.write over every batch (as indexer.pipeline batches them), then
    finish(); seconds and this process's peak RSS. The index stays (drop it with `drop`)."""
    return load_engine(ElasticEngine(f"{url}/{alias}", writable=True), batches)


def drop(url: str, alias: str) -> None:
    client = Elasticsearch(url, request_timeout=120)
    try:
        indices.drop(client, alias)
    finally:
        client.close()


def with_rates(run: dict[str, float]) -> dict[str, float]:
    items = run["items"]
    return {
        **run,
        "items_per_s": items / (run["write_s"] + run["finish_s"]),
        "write_items_per_s": items / run["write_s"],
    }


# --- queries ---------------------------------------------------------------------------------


def raw_counter(url: str, alias: str) -> Callable[[str], int]:
    """Query text -> count of the engine's compiled query (synonyms expanded) on the same
    index: no aggregations, post_filter, sorting, highlighting or documents. A search of no
    hits with the request cache off: `_count` (and any search of size 0) is answered from the
    shard request cache after its first run, which no search of the engine's is."""
    client = Elasticsearch(url, request_timeout=120)

    def count(text: str) -> int:
        if not text.strip():  # no words (a case number): nothing to count
            return 0
        query = compile_query(expand_synonyms(parse_query(text)))
        answer = client.search(
            index=alias,
            query=query.to_dict(),
            size=0,
            track_total_hits=True,
            request_cache=False,
        )
        return int(answer["hits"]["total"]["value"])

    return count


def query_mix(url: str, alias: str, batches: str, items: int, seed: int) -> list[QueryCase]:
    """The suite's query mix for this corpus (query_mix.choose_cases), its match counts from
    the engine's index (for a run without the embedded engine)."""
    engine = ElasticEngine(f"{url}/{alias}")
    try:
        return choose_cases(batches, items, engine, raw_counter(url, alias), seed)
    finally:
        engine.close()


def time_mix(
    url: str, alias: str, cases: list[QueryCase], runs: dict[str, int], seed: int
) -> dict[str, dict[str, Latency]]:
    """'engine' and 'floor' latencies per kind of the suite's query mix (warmed up first);
    cold: the shard request cache is off while they are timed (request_cache_off)."""
    engine = ElasticEngine(f"{url}/{alias}")
    count = raw_counter(url, alias)
    try:
        for case in cases:
            case.run(engine)
            count(case.floor_text)
        with request_cache_off(url, alias):
            return time_cases(
                schedule(cases, runs, seed),
                {
                    "engine": lambda case: case.run(engine),
                    "floor": lambda case: count(case.floor_text),
                },
                weights=WEIGHTS,
                mix=MIX,
            )
    finally:
        engine.close()


@contextmanager
def request_cache_off(url: str, alias: str) -> Iterator[None]:
    """The index's shard request cache off while queries are timed, where the engine's
    counts of a query (its searches of no hits) would be kept: every timed query counts its
    matches (a cold query), as bench_sqlite.drop_match_cache makes the embedded engine do.

    Not by emptying it before each query: the clear-cache API asked for the request cache
    alone (`request=true`) also empties every other cache of the index (IndexService.
    clearCaches drops the query cache, the bitset filters and the field data, global
    ordinals included, when no flag other than `request` is set). Every timed aggregation
    then rebuilt the global ordinals of the facet fields, which a running service builds
    once per refresh: a common phrase's counts took 38 ms instead of 15 (1M items)."""
    client = Elasticsearch(url, request_timeout=120)
    client.indices.put_settings(index=alias, settings={REQUEST_CACHE: False})
    try:
        yield
    finally:
        client.indices.put_settings(index=alias, settings={REQUEST_CACHE: None})
        client.close()


def latency(engine: Engine, rounds: int) -> Latency:
    """p50/p95/p99 of QUERIES, `rounds` passes after one warm-up pass."""
    for request in QUERIES:  # warm up caches, as a running service would be
        engine.search(request)
    samples: list[float] = []
    for _ in range(rounds):
        for request in QUERIES:
            started = time.perf_counter()
            engine.search(request)
            samples.append((time.perf_counter() - started) * 1000)
    return Latency.of(samples)


# --- the standalone script -------------------------------------------------------------------


def run(
    url: str, work: Path, letters: int, seed: int, rounds: int, sqlite: bool, repeat: int
) -> dict[str, Any]:
    batches, ndjson = str(work / "batches.pickle"), str(work / "docs.ndjson")
    corpus = in_child(write_batches, batches, seed, None, letters)
    in_child(prebuild_documents, batches, ndjson)
    log(f"corpus: {corpus.letters} letters, {corpus.items} items (seed {seed})")
    results: dict[str, Any] = {"letters": corpus.letters, "items": corpus.items, "node": url}

    raw_bulk(url, ndjson, max_docs=WARM_UP_DOCS)  # warm the JVM up (JIT, caches)
    raws: list[dict[str, float]] = []
    loads: list[dict[str, float]] = []
    for round_ in range(repeat):  # alternate, best of each: neighbours on the machine add noise
        raws.append(with_rates(in_child(raw_bulk, url, ndjson)))
        alias = f"imr-bench-{uuid.uuid4().hex[:8]}"
        try:
            loads.append(with_rates(in_child(index_engine, url, alias, batches)))
            log(
                f"round {round_ + 1}: raw {raws[-1]['items_per_s']:.0f} items/s, engine "
                f"{loads[-1]['items_per_s']:.0f} items/s"
            )
            if round_ == repeat - 1:
                engine = ElasticEngine(f"{url}/{alias}")
                results["elasticsearch_queries"] = latency(engine, rounds)
                engine.close()
                rewrite = with_rates(in_child(index_engine, url, alias, batches))
                results["rewrite_items_per_s"] = rewrite["items_per_s"]  # unchanged: idempotent
        finally:
            drop(url, alias)
    results["raw_bulk"] = max(raws, key=lambda r: r["items_per_s"])
    results["elasticsearch"] = max(loads, key=lambda r: r["items_per_s"])
    if sqlite:
        import bench_sqlite

        from imr_search.sqlite.engine import SqliteEngine

        target = str(work / "bench.sqlite3")
        results["sqlite"] = with_rates(in_child(bench_sqlite.index_engine, batches, target))
        engine = SqliteEngine(target)
        results["sqlite_queries"] = latency(engine, rounds)
        engine.close()
    return results


def report(results: dict[str, Any]) -> str:
    out = Table(("engine", "items/s", "peak RSS MB", "query p50 / p95 / p99 ms"))
    out.add(
        "raw _bulk",
        f"{results['raw_bulk']['items_per_s']:,.0f}",
        f"{results['raw_bulk']['peak_rss_mb']:,.0f}",
        None,
    )
    for name in ("elasticsearch", "sqlite"):
        if name in results:
            out.add(
                name,
                f"{results[name]['items_per_s']:,.0f}",
                f"{results[name]['peak_rss_mb']:,.0f}",
                results[f"{name}_queries"],
            )
    es, raw = results["elasticsearch"], results["raw_bulk"]
    vs_raw = raw["items_per_s"] / es["items_per_s"]
    return (
        f"{out.render()}\nelasticsearch bulk: {vs_raw:.2f}x the raw _bulk time (target <= "
        f"{BULK_RATIO}), {es['items_per_s']:,.0f} items/s (target >= {BULK_TARGET:,}); "
        f"idempotent rewrite {results['rewrite_items_per_s']:,.0f} items/s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the query set")
    parser.add_argument("--repeat", type=int, default=2, help="bulk rounds (best counts)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the embedded engine")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="imr-bench-es-") as tmp:
        work = Path(tmp)
        with elasticsearch_node(work / "node") as url:
            results = run(
                url, work, args.letters, args.seed, args.rounds, not args.no_sqlite, args.repeat
            )
    print(report(results))
    if args.json:
        from common import to_jsonable

        args.json.write_text(json.dumps(to_jsonable(results), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

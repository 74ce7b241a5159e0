"""Benchmark index layouts on an Elasticsearch cluster: one primary or several, with replicas.

    python benchmarks/bench_cluster.py --items 100000           # starts 3 nodes on loopback
    IMR_SEARCH_ES_CLUSTER_URL=http://n1:9200,http://n2:9200,http://n3:9200 \\
        python benchmarks/bench_cluster.py --layouts 1x2,3x2,6x2 --json out.json

For each layout (--layouts: primaries x replicas, e.g. 1x2 = one primary, two replicas), on the
same generated corpus (synthetic.corpus, deterministic by seed), the client naming every node
as a deployment would (http://n1,n2,n3/alias):
- engine load items/s (ElasticEngine.write + finish, in a fresh child process), then the wait
  until every copy is started (green);
- store size: primaries, and all copies;
- query latency p50/p95/p99 per kind of the suite's query mix (benchmarks/common.py: rare
  phrase, common phrase, word + facets, citation filter, similar cases; chosen once, on the
  first layout's index, the same queries for every layout). For each query every layout runs
  it in turn, so each meets the same moment of a noisy machine;
- exactness: every search of the mix, and an empty search with every facet at 500 values,
  returns the same total and the same facet counts on every layout as on the first;
- each node's heap (used / max) after the queries, and the JVM's old-generation collections.

The cluster started here has three nodes with IMR_SEARCH_ES_CLUSTER_HEAP each (default 512m).
Prints a table; --json writes the numbers with the machine, commit and load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import (
    KINDS,
    Latency,
    QueryCase,
    Table,
    build_query_mix,
    facet_values,
    in_child,
    load_engine,
    log,
    machine_info,
    sample_items,
    schedule,
    time_cases,
    to_jsonable,
    write_batches,
)
from elasticsearch import Elasticsearch

from devtools.escluster import elasticsearch_cluster, hosts_url
from imr_search.contract import SearchRequest
from imr_search.elastic import indices
from imr_search.elastic.compile import compile_query
from imr_search.elastic.engine import ElasticEngine
from imr_search.query import parse_query
from imr_search.synonyms import expand_synonyms

SHARDS_ENV, REPLICAS_ENV = "IMR_SEARCH_ES_SHARDS", "IMR_SEARCH_ES_REPLICAS"


def parse_layouts(text: str) -> list[tuple[int, int]]:
    layouts = []
    for part in text.split(","):
        shards, _, replicas = part.strip().partition("x")
        layouts.append((int(shards), int(replicas or 0)))
    return layouts


def name_of(layout: tuple[int, int]) -> str:
    return f"{layout[0]}p+{layout[1]}r"


def index_layout(target: str, batches: str, shards: int, replicas: int) -> dict[str, float]:
    """In a child process: create the index with this layout and load the corpus."""
    os.environ[SHARDS_ENV], os.environ[REPLICAS_ENV] = str(shards), str(replicas)
    try:
        return load_engine(ElasticEngine(target, writable=True), batches)
    except Exception as exc:  # the project's errors do not cross the process boundary
        raise RuntimeError(f"{type(exc).__name__}: {exc}") from None


def wait_green(client: Elasticsearch, alias: str) -> float:
    started = time.perf_counter()
    health = client.cluster.health(
        index=alias, wait_for_status="green", wait_for_no_relocating_shards=True, timeout="600s"
    )
    if health["status"] != "green":
        raise RuntimeError(f"{alias} did not become green: {health}")
    return time.perf_counter() - started


def store_mb(client: Elasticsearch, alias: str) -> tuple[float, float]:
    stats = client.indices.stats(index=alias, metric="store")["_all"]
    return (
        stats["primaries"]["store"]["size_in_bytes"] / 2**20,
        stats["total"]["store"]["size_in_bytes"] / 2**20,
    )


def nodes_memory(client: Elasticsearch) -> list[dict[str, Any]]:
    stats = client.nodes.stats(metric="jvm,indices")["nodes"]
    out = []
    for node in sorted(stats.values(), key=lambda n: n["name"]):
        mem = node["jvm"]["mem"]
        old = node["jvm"]["gc"]["collectors"].get("old", {})
        out.append(
            {
                "node": node["name"],
                "heap_used_mb": mem["heap_used_in_bytes"] / 2**20,
                "heap_max_mb": mem["heap_max_in_bytes"] / 2**20,
                "old_gc_count": old.get("collection_count", 0),
                "store_mb": node["indices"]["store"]["size_in_bytes"] / 2**20,
                "shards": node["indices"].get("shard_stats", {}).get("total_count"),
            }
        )
    return out


def raw_counter(client: Elasticsearch, alias: str) -> Callable[[str], int]:
    def count(text: str) -> int:
        query = compile_query(expand_synonyms(parse_query(text)))
        return int(client.count(index=alias, query=query.to_dict())["count"])

    return count


def exactness(engines: dict[str, ElasticEngine], cases: list[QueryCase]) -> dict[str, Any]:
    """Searches whose total or facet counts differ from the first layout's, per layout."""
    requests = [SearchRequest(per_page=0, facet_size=500)]
    requests += [case.search for case in cases if case.search is not None]
    (first, reference), *others = engines.items()
    expected = [_counts(reference, r) for r in requests]
    differ = {
        name: [i for i, r in enumerate(requests) if _counts(engine, r) != expected[i]]
        for name, engine in others
    }
    return {"searches": len(requests), "against": first, "differing": differ}


def _counts(engine: ElasticEngine, request: SearchRequest) -> Any:
    response = engine.search(request)
    facets = {
        name: sorted((v.value, v.count) for v in values) for name, values in response.facets.items()
    }
    return response.total, facets


def run(urls: list[str], work: Path, args: argparse.Namespace) -> dict[str, Any]:
    layouts = parse_layouts(args.layouts)
    base = hosts_url(urls)
    client = Elasticsearch(urls, request_timeout=600)
    batches = str(work / "batches.pickle")
    corpus = in_child(write_batches, batches, args.seed, args.items)
    log(f"corpus: {corpus.letters} letters, {corpus.items} items (seed {args.seed})")
    results: dict[str, Any] = {
        "items": corpus.items,
        "letters": corpus.letters,
        "nodes": len(urls),
        "machine": machine_info(),
        "load_average_at_start": os.getloadavg(),
        "layouts": {},
    }
    aliases = {name_of(layout): f"imr-bench-cluster-{uuid.uuid4().hex[:8]}" for layout in layouts}
    engines: dict[str, ElasticEngine] = {}
    try:
        for layout in layouts:
            name, alias = name_of(layout), aliases[name_of(layout)]
            load = in_child(index_layout, f"{base}/{alias}", batches, *layout)
            green_s = wait_green(client, alias)
            primaries_mb, total_mb = store_mb(client, alias)
            seconds = load["write_s"] + load["finish_s"]
            results["layouts"][name] = {
                "items_per_s": load["items"] / seconds,
                "load_s": seconds,
                "green_after_s": green_s,
                "store_primaries_mb": primaries_mb,
                "store_total_mb": total_mb,
            }
            log(
                f"{name}: {load['items'] / seconds:,.0f} items/s, green {green_s:.1f} s later, "
                f"{primaries_mb:,.0f} MB primaries, {total_mb:,.0f} MB all copies"
            )
            engines[name] = ElasticEngine(f"{base}/{alias}")
        first = next(iter(aliases.values()))
        cases = build_query_mix(
            sample_items(batches, corpus.items),
            corpus.items,
            raw_counter(client, first),
            facet_values(next(iter(engines.values()))),
            args.seed,
        )
        results["query_mix"] = [case.describe() for case in cases]
        results["exactness"] = exactness(engines, cases)
        log(f"exactness: {results['exactness']}")
        for _ in range(2):  # warm up every layout: caches, JIT
            for case in cases:
                for engine in engines.values():
                    case.run(engine)
        runs = dict.fromkeys(KINDS, args.queries)
        timed = time_cases(
            schedule(cases, runs, args.seed),
            {
                name: (lambda case, engine=engine: case.run(engine))
                for name, engine in engines.items()
            },
        )
        for name, by_kind in timed.items():
            results["layouts"][name]["queries"] = by_kind
        results["nodes_after_queries"] = nodes_memory(client)
        results["load_average_at_end"] = os.getloadavg()
    finally:
        for engine in engines.values():
            engine.close()
        for alias in aliases.values():
            indices.drop(client, alias)
        client.close()
    return results


def report(results: dict[str, Any]) -> str:
    names = list(results["layouts"])
    head = Table(("layout", "items/s", "green after s", "store MB (primaries / all)"))
    for name in names:
        row = results["layouts"][name]
        head.add(
            name,
            f"{row['items_per_s']:,.0f}",
            f"{row['green_after_s']:.1f}",
            f"{row['store_primaries_mb']:,.0f} / {row['store_total_mb']:,.0f}",
        )
    queries = Table(("query kind (p50 / p95 / p99 ms)", *names))
    for kind in KINDS:
        cells: list[Latency | str | None] = []
        for name in names:
            cells.append(results["layouts"][name].get("queries", {}).get(kind))
        queries.add(kind, *cells)
    memory = Table(("node", "heap used / max MB", "old GCs", "store MB", "shards"))
    for node in results.get("nodes_after_queries", []):
        memory.add(
            node["node"],
            f"{node['heap_used_mb']:,.0f} / {node['heap_max_mb']:,.0f}",
            str(node["old_gc_count"]),
            f"{node['store_mb']:,.0f}",
            str(node["shards"]),
        )
    exact = results.get("exactness", {})
    differing = {k: len(v) for k, v in exact.get("differing", {}).items()}
    loads = [results.get(f"load_average_at_{when}") for when in ("start", "end")]
    shown = " / ".join(f"{load[0]:.1f}" if load else "-" for load in loads)
    return (
        f"{results['items']:,} items ({results['letters']:,} letters) on {results['nodes']} "
        f"nodes; load average (1 min) at start / end: {shown}; layouts loaded in this order "
        f"(the first load also warms the JVMs up)\n{head.render()}\n\n{queries.render()}\n\n"
        f"{memory.render()}\n\n"
        f"exactness: {exact.get('searches')} searches (totals and every facet count) compared "
        f"with {exact.get('against')}; differing: {differing}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument(
        "--layouts", default="1x2,3x2", help="primaries x replicas, comma-separated"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=100, help="timed runs per query kind")
    parser.add_argument("--nodes", type=int, default=3, help="nodes of the cluster started here")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="imr-bench-cluster-") as tmp:
        work = Path(tmp)
        with elasticsearch_cluster(work / "nodes", args.nodes) as urls:
            results = run(urls, work, args)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(to_jsonable(results), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark suite (issue 6): every benchmark, both engines side by side, in one run.

    python benchmarks/suite.py                            # 100,000 items, both engines
    python benchmarks/suite.py --items 100000,1000000     # the 100k and 1M passes
    python benchmarks/suite.py --items 20000 --queries 40 --web 10   # smoke test, ~2 min
    IMR_SEARCH_ES_URL=http://127.0.0.1:9200 python benchmarks/suite.py   # an existing node
    python benchmarks/suite.py --no-elastic               # embedded engine only
    python benchmarks/suite.py --items 3000000 --no-sqlite --no-raw-bulk --no-stats \
        --work /big/disk --keep                           # 3M on Elasticsearch alone

Prints one table per size (and one for parsing), each figure beside its lower bound measured
in the same run, the ratio to it, and the issue's target; then a list of target checks.
Writes everything, with the machine (cores, RAM, load average at start, during and end,
Python / SQLite / Elasticsearch versions, git commit), to bench-results/suite-<time>.json
(after every size, so a long run that fails late keeps what it measured).

What is measured, and its lower bound:
- parse letters/s (one core, CPU time) on generated letters of every layout, with some
  extraction noise: beside one regex pass over the same text (bench_parse.RAW_PASS);
  PDF letters/s (read + parse) beside raw pdfium text extraction of the same files.
- index items/s: SqliteEngine.write + finish() beside a raw FTS5 insert of the same
  rows' texts + 'optimize' (bench_sqlite); ElasticEngine.write + finish() beside a raw
  `_bulk` of the same documents pre-built to an NDJSON file, with the writer's chunk size and
  concurrency, refresh off, then one refresh (bench_elastic). Peak RSS of each loader's
  process (each runs in a fresh spawned interpreter, reading the corpus batch by batch).
- term statistics of the indexed text (corpus_stats.py: tokens, distinct terms, Heaps K and
  beta, Zipf s, hapax, digit and drug-name shares) of the real letters in
  ../shared/real-letters (read in place, when present) beside generated text of their size,
  of 10 times it, and of each benchmark size, and whether the generated text is within the
  real letters' frame (corpus_stats.FRAME; --no-stats skips them).
- query p50/p95/p99 for the named kinds of common.build_query_mix (rare phrase, common phrase,
  word + facet filters, citation filter on one party's citations, similar cases) and the
  kinds of the query mix weighted like real use (query_mix.py: treatment words and phrases in
  three frequency bands, with filters, case numbers as typed, similar to pasted text), with a
  "weighted mix" row, the percentiles of requests drawn at query_mix.WEIGHTS' rates, every
  search with facets, highlighting and the default breakdown, as the web page asks: beside a
  raw count of the same compiled query (FTS5 MATCH on the raw table; on the same
  Elasticsearch index a search of no hits with the request cache off). SQLite's query cache
  (match sets, rankings, similar cases) is emptied before every query and Elasticsearch's
  shard request cache (where the engine's counts of a query would be kept) is off while
  queries are timed: cold figures. Their other caches (node query cache, global ordinals,
  page cache) stay warm, as a running service's are.
- web page p50/p95/p99 through the Flask app (test client, in process): search pages of the
  same mix, and item pages (item, its letter, similar cases), beside the engine calls the
  page makes. Concurrency is load_web.py's job (a real server, many clients, requests drawn
  from the weighted mix).

How long it takes on this 2-core machine (shared with other work, load average 3-5):
100k items 4.6 minutes (6.6 with --repeat 2): node start 10 s, parsing 25 s, corpus 6 s,
SQLite engine + raw FTS5 indexes 35-40 s a round, Elasticsearch documents 5 s, warm-up 15 s,
raw _bulk 15-30 s and engine load 30-50 s a round, SQLite queries and pages 35 s,
Elasticsearch queries and pages 65 s. 1M items took 47 minutes (quiet machine, --repeat 1):
term statistics 4 min, corpus 13 min, SQLite engine + raw FTS5 10 min, Elasticsearch
documents 1 min, raw _bulk 5 min, engine load 8 min, choosing the queries 35 s, SQLite
queries and pages 2.2 min, Elasticsearch queries and pages 2.8 min.
Disk at 1M, in the work folder (default: a temporary folder, removed at the end even on
failure) and the node's data folder: 2.7 GB of pickled corpus, 4.7 GB of NDJSON (deleted
after the loads), 9.7 GB SQLite index + 5.4 GB raw FTS5 table, 3.8 GB Elasticsearch index
(twice during the raw load): about 30 GB at the peak; 3M needs three times that.
--work DIR --keep keeps the corpus (with corpus.json, its seed, size and kind), and a later
run with the same --work, seed and size reuses it instead of generating it again. 3M items
on Elasticsearch alone: --items 3000000 --no-sqlite --no-raw-bulk --no-stats (about 8 GB of
corpus and 11 GB of index).
Memory at 1M: nothing holds the corpus; every pass streams batches of 1,000 items from the
files, and each loader runs in a fresh spawned process whose peak RSS (VmHWM) is its own.
The node started here has a 1 GB heap (IMR_SEARCH_ES_HEAP=2g before the 1M pass if it runs
short); the heap is recorded with the results.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import bench_elastic
import bench_parse
import bench_sqlite
import corpus_stats
from common import (
    BATCH_ITEMS,
    KINDS,
    RESULTS_DIR,
    Corpus,
    Latency,
    LoadSampler,
    QueryCase,
    Table,
    in_child,
    log,
    machine_info,
    ratio,
    schedule,
    time_cases,
    write_batches,
    write_json,
)
from query_mix import KINDS as MIX_KINDS
from query_mix import MIX, NO_FLOOR, WEIGHTS
from werkzeug.datastructures import MultiDict

from imr_search.contract import Engine, SimilarRequest
from imr_search.engines import open_engine

WEB_KINDS = ("search page", "item page")


# --- phases ----------------------------------------------------------------------------------


class Clock:
    """How long each phase took, and the load average as it started."""

    def __init__(self) -> None:
        self.phases: list[dict[str, Any]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        load = os.getloadavg()[0]
        log(f"{name} (load {load:.1f})")
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases.append(
                {
                    "phase": name,
                    "seconds": round(time.perf_counter() - started, 1),
                    "load_1min_at_start": round(load, 2),
                }
            )


# --- parsing ---------------------------------------------------------------------------------


def run_parse(args: argparse.Namespace) -> dict[str, Any]:
    description, texts, pdfs = bench_parse.generated_corpus(
        args.parse_letters, args.parse_pdfs, args.seed, args.noise
    )
    rates = bench_parse.measure(texts, pdfs, args.parse_seconds)
    return {"corpus": description, "letters": len(texts), "pdfs": len(pdfs), "rates": rates}


# --- web pages -------------------------------------------------------------------------------


def web_cases(cases: list[QueryCase]) -> list[QueryCase]:
    """The named kinds as pages: search pages (every search kind) and item pages (similar
    cases). The weighted mix goes through pages in load_web.py, with concurrent clients."""
    return [
        replace(c, kind="search page" if c.search is not None else "item page")
        for c in cases
        if c.kind in KINDS
    ]


def engine_calls(engine: Engine, case: QueryCase) -> None:
    """What the page asks of the engine (search_ui/search.py and items.py)."""
    if case.search is not None:
        engine.search(case.search)
        return
    assert case.similar is not None and case.similar.item_id is not None
    doc = engine.get_item(case.similar.item_id)
    engine.letter_items(doc.letter_id)
    engine.similar(SimilarRequest(item_id=case.similar.item_id, k=case.similar.k))


def time_web(
    target: str,
    cases: list[QueryCase],
    per_kind: int,
    seed: int,
    before_each: Callable[[], object] | None = None,
) -> dict[str, dict[str, Latency]]:
    """'page' (Flask test client) and 'engine' (the same calls on an engine) per page kind."""
    from search_ui import create_app
    from search_ui.params import parse_search_args

    pages = web_cases(cases)
    for case in pages:  # the page must ask exactly what the engine timing asks
        if case.search is not None:
            args = MultiDict(_query_pairs(case.web_path))
            assert parse_search_args(args).request() == case.search, case.web_path
    app = create_app({"IMR_SEARCH_INDEX": target, "TESTING": True})
    client = app.test_client()
    engine = open_engine(target)

    def page(case: QueryCase) -> None:
        response = client.get(case.web_path)
        assert response.status_code == 200, (case.web_path, response.status_code)

    try:
        for case in pages:  # warm up: templates, engines, caches
            page(case)
            engine_calls(engine, case)
        runs = schedule(pages, dict.fromkeys(WEB_KINDS, per_kind), seed)
        return time_cases(
            runs,
            {"page": page, "engine": lambda c: engine_calls(engine, c)},
            before_each=before_each,
        )
    finally:
        engine.close()


def _query_pairs(path: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(urlsplit(path).query, keep_blank_values=True)


# --- one size --------------------------------------------------------------------------------


def run_size(
    items: int,
    url: str | None,
    work: Path,
    args: argparse.Namespace,
    clock: Clock,
    corpus_kind: str = "realistic",
) -> dict[str, Any]:
    folder = work / f"items-{items}-{corpus_kind}"
    folder.mkdir(parents=True, exist_ok=True)
    batches = str(folder / "batches.pickle")
    out: dict[str, Any] = {"items": items, "corpus": corpus_kind}
    runs = dict.fromkeys(KINDS, args.queries) | dict.fromkeys(MIX_KINDS, args.mix_queries)
    sqlite = not args.no_sqlite

    with clock.phase(f"{items:,} items ({corpus_kind}): generating the corpus"):
        corpus = kept_corpus(folder, args.seed, items, corpus_kind)
    out["letters"] = corpus.letters
    out["corpus_bytes"] = Path(batches).stat().st_size
    if sqlite:
        rounds = []
        for round_ in range(args.repeat):
            with clock.phase(
                f"{items:,} items: SQLite engine and raw FTS5 indexes, round {round_ + 1}"
            ):
                rounds.append(bench_sqlite.build_indexes(batches, folder))
        out["sqlite_index"] = best_of(rounds)
    alias = f"imr-suite-{uuid.uuid4().hex[:8]}"
    with ExitStack() as cleanup:
        if url is not None:
            cleanup.callback(bench_elastic.drop, url, alias)
            out["elastic_index"] = index_elastic(url, alias, batches, folder, items, args, clock)
        with clock.phase(f"{items:,} items: choosing the query mix"):
            if sqlite:
                cases = bench_sqlite.query_mix(batches, items, folder, args.seed)
            else:
                assert url is not None, "main() refuses --no-sqlite with --no-elastic"
                cases = bench_elastic.query_mix(url, alias, batches, items, args.seed)
        out["query_mix"] = [c.describe() for c in cases]
        if sqlite:
            with clock.phase(f"{items:,} items: SQLite queries"):
                out["sqlite_queries"] = bench_sqlite.time_queries(folder, cases, runs, args.seed)
            with clock.phase(f"{items:,} items: SQLite web pages"):
                out["sqlite_web"] = time_web(
                    str(folder / "index.sqlite3"),
                    cases,
                    args.web,
                    args.seed,
                    before_each=bench_sqlite.drop_match_cache,
                )
            out["sqlite_open_ms"] = in_child(bench_sqlite.open_time_ms, folder)
        if url is not None:
            with clock.phase(f"{items:,} items: Elasticsearch queries"):
                out["elastic_queries"] = bench_elastic.time_mix(url, alias, cases, runs, args.seed)
            with (
                clock.phase(f"{items:,} items: Elasticsearch web pages"),
                bench_elastic.request_cache_off(url, alias),
            ):
                out["elastic_web"] = time_web(f"{url}/{alias}", cases, args.web, args.seed)
            out["elastic_index"]["store_mb"] = elastic_store_mb(url, alias)
            out["elastic_index"]["layout"] = elastic_layout(url, alias)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def kept_corpus(folder: Path, seed: int, items: int, corpus_kind: str) -> Corpus:
    """The folder's corpus: generated, or the one a run with --keep left there when it was
    made with the same seed, size and kind (generation is most of a 3M run's first hour)."""
    batches, record = folder / "batches.pickle", folder / "corpus.json"
    wanted = {"seed": seed, "items": items, "kind": corpus_kind}
    if batches.exists() and record.exists():
        kept = json.loads(record.read_text())
        if {key: kept.get(key) for key in wanted} == wanted:
            log(f"using the kept corpus {batches}")
            return Corpus(str(batches), kept["letters"], kept["items"], 0.0)
    record.unlink(missing_ok=True)
    realistic = corpus_kind == "realistic"
    corpus = in_child(write_batches, str(batches), seed, items, None, BATCH_ITEMS, realistic)
    record.write_text(json.dumps({**wanted, "letters": corpus.letters}))
    return corpus


def index_elastic(
    url: str,
    alias: str,
    batches: str,
    folder: Path,
    items: int,
    args: argparse.Namespace,
    clock: Clock,
) -> dict[str, Any]:
    """Raw `_bulk` and engine loads, alternating `args.repeat` times after a warm-up load (a
    fresh JVM indexes several times slower than a warm one); the engine's last index stays.
    With --no-raw-bulk, the engine loads alone (a warm-up of the engine's own, no ratio)."""
    ndjson = str(folder / "docs.ndjson")
    raw_bulk = not args.no_raw_bulk
    if raw_bulk:
        with clock.phase(f"{items:,} items: pre-building Elasticsearch documents"):
            built = in_child(bench_elastic.prebuild_documents, batches, ndjson)
        warm_up = min(items, bench_elastic.WARM_UP_DOCS)
        with clock.phase(
            f"{items:,} items: warming Elasticsearch up (raw _bulk of {warm_up:,} documents)"
        ):
            bench_elastic.raw_bulk(url, ndjson, max_docs=warm_up)
    rounds = []
    for round_ in range(args.repeat):
        raw = None
        if raw_bulk:
            with clock.phase(f"{items:,} items: raw _bulk, round {round_ + 1}"):
                raw = bench_elastic.with_rates(in_child(bench_elastic.raw_bulk, url, ndjson))
        if round_:
            bench_elastic.drop(url, alias)
        with clock.phase(f"{items:,} items: Elasticsearch engine load, round {round_ + 1}"):
            engine = bench_elastic.with_rates(
                in_child(bench_elastic.index_engine, url, alias, batches)
            )
        rounds.append({"engine": engine, "raw": raw})
    if not raw_bulk:
        return {**rounds[-1], "engine": best_run(r["engine"] for r in rounds), "rounds": rounds}
    Path(ndjson).unlink()
    return {**best_of(rounds), "ndjson_bytes": built["bytes"]}


def best_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest engine load and the fastest raw load of the rounds (and every round)."""
    best = {side: best_run(r[side] for r in rounds) for side in ("engine", "raw")}
    return {**rounds[-1], **best, "rounds": rounds}


def best_run(runs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return max(runs, key=lambda run: run["items_per_s"])


def elastic_store_mb(url: str, alias: str) -> float:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url, request_timeout=60)
    try:
        stats = client.indices.stats(index=alias, metric="store")
        return stats["_all"]["primaries"]["store"]["size_in_bytes"] / 2**20
    finally:
        client.close()


def elastic_layout(url: str, alias: str) -> str:
    """The layout of the index the queries ran on, as primaries x segments per primary (the
    engine may have split it after the load)."""
    from elasticsearch import Elasticsearch

    from imr_search.elastic import indices, optimize

    client = Elasticsearch(url, request_timeout=60)
    try:
        index = indices.resolve(client, alias) or alias
        primaries = optimize.primaries(client, index) or 1
        return f"{primaries} x {optimize.segment_count(client, index) / primaries:.0f}"
    finally:
        client.close()


# --- the report ------------------------------------------------------------------------------


def parse_table(parse: dict[str, Any]) -> str:
    return (
        f"Parsing: {parse['corpus']}, {parse['pdfs']} of them as PDF\n"
        + bench_parse.table(parse["rates"]).render()
    )


# Issue 14: every query type at 1M items (facets, outcome rate, breakdown and highlighting
# included, caches cold), p95 ms per engine; 3M is measured against the same figures.
WHOLE_RECORD_P95_MS = {"sqlite": 100.0, "elastic": 50.0}
WHOLE_RECORD_ITEMS = 1_000_000


def query_targets(kind: str, items: int) -> dict[str, float]:
    """Each engine's p95 target for a query kind at this size: issue 14's from 1M items up
    (every kind), below it issues 2-3's (the phrases and similar cases, SQLite's figure)."""
    if items >= WHOLE_RECORD_ITEMS // 2:
        return dict(WHOLE_RECORD_P95_MS)
    target = bench_sqlite.latency_target_ms(kind, items)
    return {} if target is None else {"sqlite": target}


def target_text(targets: dict[str, float]) -> str | None:
    if "elastic" in targets:
        return f"p95 <= {targets['sqlite']:g} / {targets['elastic']:g} ms"
    return f"SQLite p95 <= {targets['sqlite']:g} ms" if targets else None


def size_table(size: dict[str, Any]) -> str:
    items = size["items"]
    sqlite, es = "sqlite_index" in size, "elastic_index" in size
    out = Table(
        ("measure", "SQLite", "raw FTS5", "ratio", "Elasticsearch", "raw ES", "ratio", "target")
    )
    blank = (None, None, None)

    def pair(
        sqlite_cells: tuple[Any, Any, Any] | None,
        elastic_cells: tuple[Any, Any, Any] | None,
        target: Any,
    ) -> tuple[Any, ...]:
        return (*(sqlite_cells or blank), *(elastic_cells or blank), target)

    def load_cells(index: dict[str, Any], key: str) -> tuple[Any, Any, Any]:
        engine, raw = index["engine"][key], index["raw"][key] if index["raw"] else None
        return (
            f"{engine:,.0f}",
            None if raw is None else f"{raw:,.0f}",
            None if raw is None else ratio(raw, engine),
        )

    s_idx = size.get("sqlite_index", {})
    e_idx = size.get("elastic_index", {})
    for label, key in (
        ("index items/s (write + finish)", "items_per_s"),
        ("index items/s (writes only)", "write_items_per_s"),
    ):
        out.add(
            label,
            *pair(
                load_cells(s_idx, key) if sqlite else None,
                load_cells(e_idx, key) if es else None,
                "SQLite 15,000+ & <=1.5x; ES 2,000+ & <=1.3x" if key == "items_per_s" else None,
            ),
        )
    out.add(
        "peak RSS while indexing, MB",
        *pair(
            load_cells(s_idx, "peak_rss_mb")[:2] + (None,) if sqlite else None,
            load_cells(e_idx, "peak_rss_mb")[:2] + (None,) if es else None,
            "SQLite < 300 MB (Python side for ES)",
        ),
    )
    out.add(
        "index size, MB",
        *pair(
            load_cells(s_idx, "file_mb")[:2] + (None,) if sqlite else None,
            (f"{e_idx['store_mb']:,.0f}", None, None) if es else None,
            None,
        ),
    )
    if es and "layout" in e_idx:
        out.add(
            "primaries x segments each",
            *pair(None, (e_idx["layout"], None, None), "ES: split and merged after a full load"),
        )
    if sqlite:
        out.add(
            "open + first search (fresh process), ms",
            f"{size['sqlite_open_ms']:,.0f}",
            *[None] * 6,
        )
    out.section("queries, p50 / p95 / p99 ms (lower bound: raw count of the same query)")
    weights = ", ".join(f"{kind} {weight}%" for kind, weight in WEIGHTS.items())

    def query_cells(side: str, kind: str) -> tuple[Any, Any, Any] | None:
        if side not in size or kind not in size[side]["engine"]:
            return None
        engine = size[side]["engine"][kind]
        floor = None if kind in NO_FLOOR else size[side]["floor"].get(kind)
        return (engine, floor, ratio(engine.p95, floor.p95) if floor else None)

    measured = size.get("sqlite_queries", size.get("elastic_queries", {})).get("engine", {})
    for kind in (*KINDS, *MIX_KINDS, MIX):
        if kind not in measured:
            continue  # no query of that kind in this corpus (e.g. no rare phrase)
        if kind == MIX_KINDS[0]:
            out.section(f"the weighted mix (query_mix.WEIGHTS): {weights}")
        out.add(
            kind,
            *pair(
                query_cells("sqlite_queries", kind),
                query_cells("elastic_queries", kind),
                target_text(query_targets(kind, items)) if kind in KINDS or kind == MIX else None,
            ),
        )
    out.section("web pages, p50 / p95 / p99 ms (lower bound: the engine calls of the page)")

    def page_cells(side: str, kind: str) -> tuple[Any, Any, Any] | None:
        if side not in size:
            return None
        page, engine = size[side]["page"][kind], size[side]["engine"][kind]
        return (page, engine, ratio(page.p95, engine.p95))

    for kind in WEB_KINDS:
        out.add(kind, *pair(page_cells("sqlite_web", kind), page_cells("elastic_web", kind), None))
    rounds = len((s_idx or e_idx)["rounds"])
    text = size.get("corpus", "realistic")
    title = f"{items:,} items ({size['letters']:,} letters, {text} text)" + (
        f"; index loads: best of {rounds} rounds each" if rounds > 1 else ""
    )
    return f"{title}\n{out.render()}"


def checks(results: dict[str, Any]) -> list[str]:
    """One line per issue target: ok or MISS, with the figure."""
    lines: list[str] = []

    def check(passed: bool, text: str) -> None:
        lines.append(f"{'ok  ' if passed else 'MISS'}  {text}")

    if "parse" in results:
        rates = results["parse"]["rates"]
        check(
            rates.text >= bench_parse.TEXT_TARGET,
            f"parse: {rates.text:,.0f} text letters/s per core >= {bench_parse.TEXT_TARGET:,}",
        )
        check(
            rates.pdf >= bench_parse.PDF_TARGET,
            f"parse: {rates.pdf:,.0f} PDF letters/s per core >= {bench_parse.PDF_TARGET:,}",
        )
    for size in results["sizes"]:
        n = f"{size['items']:,}"
        if "sqlite_index" in size:
            s = size["sqlite_index"]
            rate, raw = s["engine"]["items_per_s"], s["raw"]["items_per_s"]
            check(
                rate >= bench_sqlite.INDEX_TARGET,
                f"{n}: SQLite index {rate:,.0f} items/s >= {bench_sqlite.INDEX_TARGET:,}",
            )
            check(
                raw / rate <= bench_sqlite.INDEX_RATIO,
                f"{n}: SQLite index {raw / rate:.2f}x raw FTS5 <= {bench_sqlite.INDEX_RATIO}x",
            )
            rss = s["engine"]["peak_rss_mb"]
            check(
                rss < bench_sqlite.RSS_TARGET_MB,
                f"{n}: SQLite peak RSS {rss:,.0f} MB < {bench_sqlite.RSS_TARGET_MB} MB",
            )
        if "elastic_index" in size:
            e = size["elastic_index"]
            rate = e["engine"]["items_per_s"]
            check(
                rate >= bench_elastic.BULK_TARGET,
                f"{n}: Elasticsearch bulk {rate:,.0f} items/s >= {bench_elastic.BULK_TARGET:,}",
            )
            if e["raw"]:
                raw = e["raw"]["items_per_s"]
                check(
                    raw / rate <= bench_elastic.BULK_RATIO,
                    f"{n}: Elasticsearch bulk {raw / rate:.2f}x raw _bulk <= "
                    f"{bench_elastic.BULK_RATIO}x",
                )
        for side, engine in (("sqlite", "SQLite"), ("elastic", "Elasticsearch")):
            measured = size.get(f"{side}_queries", {}).get("engine", {})
            for kind in (*KINDS, MIX):
                limit = query_targets(kind, size["items"]).get(side)
                if limit is None or kind not in measured:
                    continue
                p95 = measured[kind].p95
                check(p95 <= limit, f"{n}: {engine} {kind} p95 {p95:.1f} ms <= {limit:g} ms")
    return lines


def header(results: dict[str, Any]) -> str:
    m = results["machine"]
    load = results.get("load", {})
    during = load.get("during_1min", {})
    es = m.get("elasticsearch_server") or f"not run ({results.get('elastic_skipped', '-')})"
    commit = (m["git_commit"] or "?")[:12] + (" + uncommitted changes" if m["git_dirty"] else "")
    lines = [
        f"IMR precedent search benchmark suite, seed {results['settings']['seed']}, "
        f"{results.get('seconds', 0) / 60:.1f} min",
        f"machine: {m['cores']} cores, {m['ram_gb']} GB RAM, {m['cpu']}",
        f"versions: Python {m['python']}, SQLite {m['sqlite']}, Elasticsearch {es} "
        f"(client {m['elasticsearch_client']}, heap {m.get('elasticsearch_heap_mb', '-')} MB, "
        f"primaries: {m.get('elasticsearch_shards') or 'as the engine chose, below'}); "
        f"commit {commit}",
    ]
    if load:
        lines.append(
            f"load average: start {'/'.join(map(str, load['start']))}, during (1 min) min "
            f"{during['min']} mean {during['mean']} max {during['max']}, end "
            f"{'/'.join(map(str, load['end']))}"
        )
    return "\n".join(lines)


def report(results: dict[str, Any]) -> str:
    parts = [header(results)]
    if "parse" in results:
        parts.append(parse_table(results["parse"]))
    if results.get("term_stats"):
        stats = [corpus_stats.TermStats(**entry) for entry in results["term_stats"]]
        frame = corpus_stats.frame_report(stats)
        parts.append(
            "Term statistics of the indexed text (benchmarks/corpus_stats.py)\n"
            + corpus_stats.table(stats)
            + (f"\n{frame}" if frame else "")
        )
    parts += [size_table(size) for size in results["sizes"]]
    parts.append("targets (issues 2, 3, 4, 14):\n" + "\n".join(checks(results)))
    return "\n\n".join(parts)


# --- main ------------------------------------------------------------------------------------


def corpora(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names or set(names) - {"realistic", "template"}:
        raise argparse.ArgumentTypeError("give realistic and/or template, comma-separated")
    return names


def sizes(text: str) -> list[int]:
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("give item counts separated by commas") from None
    if not values or min(values) < 1000:
        raise argparse.ArgumentTypeError("each size must be at least 1000 items")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--items",
        type=sizes,
        default=[100_000],
        help="corpus sizes in items, comma-separated (default 100000)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=200, help="timed runs per query kind")
    parser.add_argument(
        "--mix-queries",
        type=int,
        default=100,
        help="timed runs per kind of the weighted mix (query_mix.py)",
    )
    parser.add_argument(
        "--corpora",
        type=corpora,
        default=["realistic"],
        help="generated text, comma-separated: realistic (the open vocabulary, issue 14) "
        "and/or template (the template sentences only, as before): each size is measured "
        "on each, in this order, in the same run",
    )
    parser.add_argument(
        "--no-stats", action="store_true", help="skip the term statistics of the corpora"
    )
    parser.add_argument("--web", type=int, default=50, help="timed pages per page kind")
    parser.add_argument("--parse-letters", type=int, default=2000)
    parser.add_argument("--parse-pdfs", type=int, default=200)
    parser.add_argument(
        "--parse-seconds", type=float, default=4.0, help="time per parse measurement"
    )
    parser.add_argument(
        "--noise", type=float, default=0.1, help="extraction noise of the parsed letters (0..1)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="index loads per engine and size, alternating with the raw "
        "loads; the best counts (2 on a noisy machine)",
    )
    parser.add_argument("--no-elastic", action="store_true", help="embedded engine only")
    parser.add_argument(
        "--no-sqlite",
        action="store_true",
        help="Elasticsearch only (the query mix's counts from its index): 3M items need "
        "about 45 GB for the SQLite engine and raw FTS5 indexes",
    )
    parser.add_argument(
        "--no-raw-bulk",
        action="store_true",
        help="Elasticsearch: the engine loads alone, no raw _bulk (no indexing ratio; saves "
        "the NDJSON file and the raw index, about 10 GB and 30 minutes at 3M)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="folder for corpus and indexes (default: a temporary folder)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the corpus and indexes")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for the JSON")
    args = parser.parse_args(argv)
    if args.no_sqlite and args.no_elastic:
        parser.error("--no-sqlite and --no-elastic leave no engine to measure")

    started = time.perf_counter()
    sampler = LoadSampler()
    clock = Clock()
    name = f"suite-{time.strftime('%Y%m%d-%H%M%S')}.json"
    results: dict[str, Any] = {
        "machine": machine_info(),
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "sizes": [],
    }
    work = args.work or Path(tempfile.mkdtemp(prefix="imr-suite-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        with ExitStack() as stack:
            url = None if args.no_elastic else start_node(stack, work, results)
            if url is None and args.no_sqlite:
                log(
                    f"Elasticsearch is not available ({results.get('elastic_skipped')}) and "
                    "--no-sqlite leaves no engine: nothing to measure"
                )
                return 2
            with clock.phase("parsing"):
                results["parse"] = run_parse(args)
            if not args.no_stats:
                with clock.phase("term statistics (real and generated letters)"):
                    stats = in_child(
                        corpus_stats.run, args.seed, args.items, corpus_stats.REAL, args.corpora
                    )
                results["term_stats"] = [asdict(entry) for entry in stats]
            for items in args.items:
                for corpus_kind in args.corpora:
                    results["sizes"].append(run_size(items, url, work, args, clock, corpus_kind))
                    results["phases"] = clock.phases
                    write_json(results, name, args.out)
    finally:
        if args.work is None and not args.keep:  # gigabytes at 1M: never leave them behind
            shutil.rmtree(work, ignore_errors=True)
    results["load"] = sampler.stop()
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["phases"] = clock.phases
    path = write_json(results, name, args.out)
    print(report(results))
    print(f"\nresults: {path}")
    return 0


def start_node(stack: ExitStack, work: Path, results: dict[str, Any]) -> str | None:
    """A node (IMR_SEARCH_ES_URL, else one started here), or None with the reason recorded."""
    from devtools.esnode import (
        NodeUnavailable,
        check_server_version,
        elasticsearch_node,
    )

    log("finding or starting an Elasticsearch node")
    try:
        url = stack.enter_context(elasticsearch_node(work / "node"))
    except NodeUnavailable as exc:
        log(f"Elasticsearch skipped: {exc}")
        results["elastic_skipped"] = str(exc)
        return None
    results["machine"]["elasticsearch_server"] = check_server_version(url)
    results["machine"]["elasticsearch_heap_mb"] = node_heap_mb(url)
    shards = os.environ.get("IMR_SEARCH_ES_SHARDS")
    chosen = f"{shards} (IMR_SEARCH_ES_SHARDS)" if shards else None
    results["machine"]["elasticsearch_shards"] = chosen
    results["elasticsearch_url"] = url
    return url


def node_heap_mb(url: str) -> float | None:
    """The node's maximum JVM heap (IMR_SEARCH_ES_HEAP for a node started here)."""
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url, request_timeout=30)
    try:
        nodes = client.nodes.stats(node_id="_local", metric="jvm")["nodes"]
        heap = next(iter(nodes.values()))["jvm"]["mem"]["heap_max_in_bytes"]
        return round(heap / 2**20)
    except Exception:  # informative only
        return None
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())

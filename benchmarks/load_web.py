"""Load test of the web UI: N concurrent clients against `imr-search serve` on 127.0.0.1.

    python benchmarks/load_web.py --items 100000 --clients 20 --duration 20
    python benchmarks/load_web.py --server gthread      # the server used before, to compare
    python benchmarks/load_web.py --mix pages           # the fixed page mix used before

Builds (once, cached under bench-results/) a SQLite index of --items generated items
written through the engine's normal write path, serves it with `imr-search serve` (the
production server and its defaults; --server or --server-cmd for another) on a free loopback
port, warms every URL once, then runs --clients keep-alive clients for --duration seconds.

--mix weighted (the default, issue 14): each request is drawn at the rates of
query_mix.WEIGHTS, the query mix weighted like real use that suite.py times engine-side:
treatment words and phrases of every frequency band, treatment words with facet filters,
citation filters, case-number lookups as people type them, item pages with their similar
cases and find-similar by pasted text, all chosen from the served index (its own counts
decide the frequency bands). --mix pages: the fixed mix of pages used before (browse, phrase
and word searches, filtered and sorted searches, deeper pages, item pages, API twins,
find-similar by text), each URL equally likely.

Prints p50/p95/p99 page times overall and per kind, throughput, and the error count;
exits 1 when there were errors or p95 missed --target-ms (issue 5: 100 ms at 100k items, 20
clients, zero errors). Loopback only; the duration is capped at 120 s; the server is stopped
at the end whatever happens.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from common import (
    RESULTS_DIR,
    ROOT,
    SampleItem,
    build_query_mix,
    facet_values,
    letters_for,
    percentile,
)
from query_mix import WEIGHTS, build_weighted_mix

HOST = "127.0.0.1"  # loopback only, by design
CLI = [sys.executable, "-c", "from imr_cli.main import main; main()"]
# Server commands to compare with `imr-search serve` (--server NAME).
PRESETS = {
    "gthread": "{python} -m gunicorn --bind {host}:{port} --workers 2 --threads 2 "
    "--worker-class gthread --limit-request-line 8190 --log-level warning --timeout 60 "
    "--keep-alive 75 search_ui:create_app()",
}
MAX_DURATION = 120.0

QUERIES = (
    '"physical therapy"',
    "lumbar",
    '"epidural steroid injection"',
    "MRI knee",
    "norco OR percocet",
    "acupuncture -chiropractic",
    "therap*",
    "rationale:functional",
    '"medically necessary"',
    "radiculopathy",
    "shoulder arthroscopy",
    "topical",
    'treatment:"urine drug"',
    "(knee OR hip) surgery",
    "sleep",
    "TENS",
)
FILTERS = (
    {"outcome": "Overturned"},
    {"category": "medication"},
    {"category": "surgery"},
    {"body_region": "lumbar spine"},
    {"reviewer_source": "ODG"},
    {"year": "2015"},
    {"outcome": ["Upheld", "Overturned"], "category": "imaging"},
)
SIMILAR_TEXTS = (
    "Request for lumbar epidural steroid injection at L4-5 for radiculopathy after failed PT",
    "Norco 10/325 #60 for chronic low back pain without documented functional improvement",
    "MRI of the right shoulder for suspected rotator cuff tear after conservative care",
)


# --- the index --------------------------------------------------------------------------------


Target = Path | str  # a SQLite file, or an Elasticsearch URL


def index_target(text: str) -> Target:
    """--index: an Elasticsearch URL as given, anything else a SQLite file."""
    return text if text.startswith(("http://", "https://")) else Path(text)


def build_index(items: int, seed: int, path: Path) -> Path:
    """`items` generated items (common.letters_for), through Engine.write."""
    from imr_search.engines import open_engine
    from indexer.documents import source_documents

    done = path.with_suffix(".complete")
    if path.exists() and done.exists():
        return path
    for stale in (path, done, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    engine = open_engine(str(path), writable=True)
    written = 0
    batch = []
    for i, letter in enumerate(letters_for(seed, items=items)):
        batch.append(source_documents(source=f"gen/{i:07d}.txt", fingerprint="gen", letter=letter))
        written += len(letter.items)
        if len(batch) >= 1000:
            engine.write(batch)
            batch = []
    if batch:
        engine.write(batch)
    engine.finish()
    count = engine.count()
    engine.close()
    done.write_text(f"{count}\n")
    print(
        f"built {path} with {count:,} items in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return path


def sample_ids(path: Target, n: int, seed: int) -> list[str]:
    from imr_search.contract import SearchRequest
    from imr_search.engines import open_engine

    engine = open_engine(str(path))
    try:
        rng = random.Random(seed)
        ids: list[str] = []
        for page in rng.sample(range(1, 100), 5):
            resp = engine.search(
                SearchRequest(
                    sort="date", page=page, per_page=n // 5 + 1, highlight=False, facet_size=0
                )
            )
            ids.extend(h.id for h in resp.hits)
        return ids[:n]
    finally:
        engine.close()


def sample_items(path: Target, wanted: int = 1000) -> list[SampleItem]:
    """About `wanted` items of the index, spread over it (pages of the date order)."""
    from imr_search.contract import MAX_PER_PAGE, MAX_RESULT_WINDOW, SearchRequest
    from imr_search.engines import open_engine

    engine = open_engine(str(path))
    try:
        reachable = min(engine.count(), MAX_RESULT_WINDOW) // MAX_PER_PAGE
        pages = max(1, min(reachable, -(-wanted // MAX_PER_PAGE)))
        out: list[SampleItem] = []
        for n in range(pages):
            page = 1 + n * max(reachable, 1) // pages
            resp = engine.search(
                SearchRequest(
                    sort="date", page=page, per_page=MAX_PER_PAGE, highlight=False, facet_size=0
                )
            )
            out += [
                SampleItem(h.doc.id, h.doc.category, h.doc.treatment, h.doc.rationale)
                for h in resp.hits
            ]
        return out
    finally:
        engine.close()


def weighted_mix(path: Target, seed: int) -> list[tuple[str, str, float]]:
    """(kind, path, weight) of the weighted query mix (query_mix.WEIGHTS) on the index at
    `path`: each kind's weight shared among its URLs. The frequency bands are checked with the
    served index's own counts."""

    from imr_search.contract import SearchRequest
    from imr_search.engines import open_engine

    sample = sample_items(path)
    engine = open_engine(str(path))
    try:
        items = engine.count()

        def count(text: str) -> int:
            request = SearchRequest(query=text, per_page=0, facet_size=0, highlight=False)
            return engine.search(request).total

        values = facet_values(engine)
        cases = [
            c for c in build_query_mix(sample, items, count, values, seed) if c.kind in WEIGHTS
        ]
        cases += build_weighted_mix(sample, items, count, values, seed)
    finally:
        engine.close()
    return weighted_urls([(c.kind, c.web_path) for c in cases if c.web_path])


def weighted_urls(pages: list[tuple[str, str]]) -> list[tuple[str, str, float]]:
    """(kind, path, weight): WEIGHTS[kind] shared evenly among the kind's distinct paths
    (kinds without a path are left out: the others keep their shares relative to each other)."""
    distinct = list(dict.fromkeys(pages))
    per_kind: dict[str, int] = {}
    for kind, _ in distinct:
        per_kind[kind] = per_kind.get(kind, 0) + 1
    return [(kind, path, WEIGHTS[kind] / per_kind[kind]) for kind, path in distinct]


def url_mix(ids: list[str], seed: int) -> list[tuple[str, str]]:
    """(kind, path) pairs in the proportions a person's session has."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = [("browse", "/"), ("browse", "/search?sort=date")]
    for q in QUERIES:
        out.append(("search", "/search?" + urlencode({"q": q})))
        filters = rng.choice(FILTERS)
        out.append(("filtered", "/search?" + urlencode({"q": q, **filters}, doseq=True)))
        out.append(("deep", "/search?" + urlencode({"q": q, "page": rng.randint(2, 10)})))
        out.append(("api", "/api/search?" + urlencode({"q": q, "sort": "date"})))
    for filters in FILTERS:
        out.append(("filtered", "/search?" + urlencode(filters, doseq=True)))
    for item_id in ids:
        q = rng.choice(QUERIES)
        out.append(("item", f"/item/{item_id}?" + urlencode({"q": q})))
    for item_id in ids[:10]:
        out.append(("api", f"/api/items/{item_id}"))
    for text in SIMILAR_TEXTS:
        out.append(("similar", "/similar?" + urlencode({"text": text})))
    return out


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_command(index: Target, port: int, template: str | None) -> list[str]:
    """`imr-search serve` (the production server and its defaults), or --server-cmd."""
    if template:
        filled = template.format(host=HOST, port=port, index=index, python=sys.executable)
        return shlex.split(filled)
    return [*CLI, "serve", "--host", HOST, "--port", str(port), "--index", str(index), "--quiet"]


def start_server(index: Target, port: int, template: str | None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "IMR_SEARCH_INDEX": str(index)}
    cmd = server_command(index, port, template)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit("the server did not come up within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # our own process group only
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


# --- the clients ------------------------------------------------------------------------------


def fetch(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    resp = conn.getresponse()
    resp.read()
    return resp.status


def client_process(
    port: int,
    urls: list[tuple[str, str]],
    threads: int,
    until: float,
    seed: int,
    think: float = 0.0,
    weights: list[float] | None = None,
) -> list[tuple[str, float, int]]:
    """One process of `threads` keep-alive clients; (kind, seconds, status) per request. Each
    request is one of `urls`, at the rates of `weights` (one per URL; default all alike)."""
    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    cumulative = list(itertools.accumulate(weights)) if weights else None

    def run(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[tuple[str, float, int]] = []
        while time.time() < until:
            if cumulative is None:
                kind, path = rng.choice(urls)
            else:
                kind, path = rng.choices(urls, cum_weights=cumulative)[0]
            started = time.perf_counter()
            try:
                status = fetch(conn, path)
            except (OSError, http.client.HTTPException):
                # The server closed an idle keep-alive connection: reconnect and retry once,
                # as browsers do for a GET. A second failure is an error.
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                started = time.perf_counter()
                try:
                    status = fetch(conn, path)
                except (OSError, http.client.HTTPException):
                    status = 0
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=30)
            mine.append((kind, time.perf_counter() - started, status))
            if think > 0:  # a person reading the page before the next click
                time.sleep(min(rng.expovariate(1 / think), 10 * think, max(0, until - time.time())))
        conn.close()
        with lock:
            results.extend(mine)

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


def report(results: list[tuple[str, float, int]], duration: float) -> tuple[float, int]:
    ok = [t for _, t, s in results if s == 200]
    errors = sum(1 for _, _, s in results if s != 200)
    by_status: dict[int, int] = {}
    for _, _, s in results:
        if s != 200:
            by_status[s] = by_status.get(s, 0) + 1
    print(
        f"\n{len(results):,} requests in {duration:.0f} s ({len(results) / duration:.0f}/s), "
        f"{errors} errors" + (f" by status {by_status} (0 = connection)" if errors else "")
    )
    kinds = sorted({k for k, _, _ in results})
    width = max(10, *(len(k) + 2 for k in kinds))
    print(f"{'kind':<{width}}{'n':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for kind in [*kinds, "ALL"]:
        times = ok if kind == "ALL" else [t for k, t, s in results if k == kind and s == 200]
        print(
            f"{kind:<{width}}{len(times):>8}"
            + "".join(f"{percentile(times, p) * 1000:>10.1f}" for p in (50, 95, 99))
        )
    return percentile(ok, 95) * 1000, errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument(
        "--index",
        type=index_target,
        help="use this index instead of building one: a SQLite file or an Elasticsearch URL "
        "(http://host:port/alias)",
    )
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument(
        "--client-procs",
        type=int,
        default=2,
        help="processes the clients are spread over (the GIL would skew one)",
    )
    ap.add_argument(
        "--server",
        choices=sorted(PRESETS),
        help="a named server command instead of `imr-search serve` (e.g. gthread: the "
        "gunicorn threaded workers `serve` used before issue 12, for comparison)",
    )
    ap.add_argument(
        "--server-cmd",
        help="any server command, with {python} {host} {port} {index} filled in; it must serve "
        "the index on {host}:{port}",
    )
    ap.add_argument(
        "--mix",
        choices=("weighted", "pages"),
        default="weighted",
        help="weighted: requests at the rates of query_mix.WEIGHTS (issue 14); pages: the "
        "fixed page mix used before, every URL alike",
    )
    ap.add_argument("--target-ms", type=float, default=100.0, help="p95 goal")
    ap.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause between a client's requests in seconds (exponential); "
        "0 = closed loop, every client always waiting on a page (a stress test)",
    )
    args = ap.parse_args(argv)
    duration = min(max(args.duration, 1.0), MAX_DURATION)

    index = args.index or build_index(
        args.items, args.seed, RESULTS_DIR / f"web-{args.items}-{args.seed}-realistic.sqlite3"
    )
    weights: list[float] | None = None
    if args.mix == "weighted":
        mix = weighted_mix(index, args.seed)
        urls = [(kind, path) for kind, path, _ in mix]
        weights = [weight for _, _, weight in mix]
    else:
        urls = url_mix(sample_ids(index, 60, args.seed), args.seed)
    port = free_port()
    template = args.server_cmd or (PRESETS[args.server] if args.server else None)
    server = start_server(index, port, template)
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        bad = [(path, status) for _, path in urls if (status := fetch(conn, path)) != 200]
        conn.close()
        if bad:
            print(f"warm-up: {len(bad)} URLs failed, e.g. {bad[:3]}", file=sys.stderr)
        procs = max(1, min(args.client_procs, args.clients))
        per = [args.clients // procs + (1 if i < args.clients % procs else 0) for i in range(procs)]
        until = time.time() + duration
        print(
            f"{args.clients} clients x {duration:.0f} s against "
            f"{shlex.join(server_command(index, port, template))}, "
            f"index {getattr(index, 'name', index)}, {len(urls)} distinct URLs ({args.mix} mix), "
            f"think {args.think:g} s",
            file=sys.stderr,
        )
        with ProcessPoolExecutor(procs) as pool:
            futures = [
                pool.submit(
                    client_process, port, urls, n, until, args.seed + i, args.think, weights
                )
                for i, n in enumerate(per)
            ]
            results = [r for f in futures for r in f.result()]
    finally:
        stop_server(server)
    p95, errors = report(results, duration)
    passed = errors == 0 and p95 < args.target_ms
    print(
        f"\n{'PASS' if passed else 'FAIL'}: p95 {p95:.1f} ms (goal < {args.target_ms:.0f} ms), "
        f"{errors} errors"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())

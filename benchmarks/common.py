"""Shared pieces of the benchmark scripts: corpus, child processes, timing, tables, JSON.

- Corpus: letters from `synthetic.corpus` (deterministic by seed), trimmed to an exact item
  count and stored as pickled batches of `SourceDocuments` (the documents of each letter),
  generated in a child process so that the process that measures memory never held the corpus.
- `in_child`: run a function in a fresh (spawned) interpreter; its peak RSS is its own.
- Timing: `best_rate` (CPU-time throughput, best of rounds) and `Latency` (p50/p95/p99).
- The query mix of the suite (rare phrase, common phrase, word + facets, citation filter,
  similar cases), chosen from the corpus with a seed, the same for both engines.
- Machine information, a load-average sampler, plain-text tables and JSON results.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import pickle
import platform
import random
import re
import resource
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from imr_search.contract import Engine, SearchRequest, SimilarRequest, SourceDocuments  # noqa: E402
from imr_search.query import words_of  # noqa: E402
from indexer.documents import source_documents  # noqa: E402
from indexer.records import Letter  # noqa: E402
from synthetic.corpus import generate_letters  # noqa: E402

RESULTS_DIR = ROOT / "bench-results"
BATCH_ITEMS = 1000  # items per write call, as indexer.pipeline batches them
T = TypeVar("T")


# --- corpus ---------------------------------------------------------------------------------


def letters_for(
    seed: int, items: int | None = None, letters: int | None = None, realistic: bool = True
) -> Iterator[Letter]:
    """Generated letters: exactly `items` items (the last letter trimmed), or `letters`;
    `realistic=False`: the template sentences only (the corpus before issue 14)."""
    if letters is not None:
        yield from generate_letters(letters, seed, realistic=realistic)
        return
    assert items is not None, "give items or letters"
    produced = 0
    for letter in generate_letters(10**12, seed, realistic=realistic):
        take = min(len(letter.items), items - produced)
        yield letter if take == len(letter.items) else replace(letter, items=letter.items[:take])
        produced += take
        if produced >= items:
            return


@dataclass(frozen=True)
class Corpus:
    """A corpus written by `write_batches`: where, and how much."""

    path: str
    letters: int
    items: int
    seconds: float


def write_batches(
    path: str,
    seed: int,
    items: int | None = None,
    letters: int | None = None,
    batch_items: int = BATCH_ITEMS,
    realistic: bool = True,
) -> Corpus:
    """Generate the corpus once and store it as pickled batches of about `batch_items` items
    (streamed: one batch in memory). Run it with `in_child`; it is not part of any timing.
    `realistic=False`: the template sentences only (letters_for)."""
    started = time.perf_counter()
    n_letters = n_items = size = 0
    batch: list[SourceDocuments] = []
    with open(path, "wb") as out:
        for letter in letters_for(seed, items=items, letters=letters, realistic=realistic):
            # Documents are built as the pipeline builds them: before the engine writes, in
            # the worker processes (not timed here).
            batch.append(source_documents(f"/bench/{n_letters:07d}.txt", f"fp-{n_letters}", letter))
            n_letters += 1
            n_items += len(letter.items)
            size += len(letter.items)
            if size >= batch_items:
                pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                batch, size = [], 0
        if batch:
            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
    return Corpus(path, n_letters, n_items, time.perf_counter() - started)


def read_batches(path: str | Path) -> Iterator[list[SourceDocuments]]:
    """The batches stored by `write_batches`, one at a time."""
    with open(path, "rb") as source:
        while True:
            try:
                yield pickle.load(source)
            except EOFError:
                return


def load_engine(engine: Engine, batches: str | Path) -> dict[str, float]:
    """engine.write over every stored batch (as indexer.pipeline batches them), then finish();
    writing and finishing seconds, items, this process's peak RSS and CPU time. Closes the
    engine."""
    writing = 0.0
    items = 0
    try:
        for batch in read_batches(batches):
            started = time.perf_counter()
            failures = engine.write(batch)
            writing += time.perf_counter() - started
            assert not failures, failures[:3]
            items += sum(len(s.items) for s in batch)
        started = time.perf_counter()
        for note in engine.finish():
            log(f"finishing the load: {note}")
        finishing = time.perf_counter() - started
    finally:
        engine.close()
    return {
        "items": items,
        "write_s": writing,
        "finish_s": finishing,
        "peak_rss_mb": peak_rss_mb(),
        "cpu_s": cpu_seconds(),
    }


@dataclass(frozen=True)
class SampleItem:
    """One item of the corpus, kept to choose queries from."""

    id: str
    category: str
    treatment: str
    rationale: str


def facet_values(engine: Engine, size: int = 20) -> dict[str, list[str]]:
    """The top values of every facet (an empty search), to choose filters from."""
    facets = engine.search(SearchRequest(per_page=0, facet_size=size)).facets
    return {name: [v.value for v in values] for name, values in facets.items()}


def sample_items(path: str | Path, total_items: int, wanted: int = 2000) -> list[SampleItem]:
    """About `wanted` items spread evenly over the corpus (every k-th item)."""
    step = max(1, total_items // wanted)
    out: list[SampleItem] = []
    n = 0
    for batch in read_batches(path):
        for entry in batch:
            for item in entry.items:
                if n % step == 0:
                    out.append(SampleItem(item.id, item.category, item.treatment, item.rationale))
                n += 1
    return out


# --- processes and memory -------------------------------------------------------------------


def in_child(function: Callable[..., T], *args: Any) -> T:
    """Run `function(*args)` in a fresh interpreter (spawn, not fork: the child starts with
    nothing of this process in memory, so its peak RSS measures its own work only)."""
    context = multiprocessing.get_context("spawn")
    # An executor, not a Pool: a child that dies raises BrokenProcessPool instead of hanging.
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB.

    Linux: VmHWM of /proc/self/status, the high-water mark of this program's own memory.
    Not getrusage's ru_maxrss, which survives exec: a spawned child would report at least
    the RSS its parent had when it forked."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KB on Linux


def cpu_seconds() -> float:
    """User + system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- timing ---------------------------------------------------------------------------------


def best_rate(
    work: Callable[[], object], count: int, seconds: float, rounds: int = 5
) -> tuple[float, float]:
    """(best CPU-time rate, best wall-clock rate) per second of `work`, which handles `count`
    things per call, repeated for about `seconds` in total after one warm-up call. CPU time
    is this process's: other work on a shared machine distorts it less than wall time."""
    work()  # warm up (imports, regex compilation, pdfium initialisation)
    best_cpu = best_wall = 0.0
    deadline = time.perf_counter() + seconds
    for _ in range(rounds):
        calls = 0
        cpu, wall = time.process_time(), time.perf_counter()
        while True:
            work()
            calls += 1
            if time.perf_counter() - wall >= seconds / rounds:
                break
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        best_cpu = max(best_cpu, calls * count / max(cpu, 1e-9))
        best_wall = max(best_wall, calls * count / max(wall, 1e-9))
        if time.perf_counter() > deadline:
            break
    return best_cpu, best_wall


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of unsorted samples; nan when there are none."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Latency:
    """p50 / p95 / p99 of a set of timings, in milliseconds."""

    p50: float
    p95: float
    p99: float
    n: int

    @classmethod
    def of(cls, samples_ms: Sequence[float]) -> Latency:
        p50, p95, p99 = (round(percentile(samples_ms, p), 2) for p in (50, 95, 99))
        return cls(p50, p95, p99, len(samples_ms))

    @classmethod
    def weighted(
        cls, samples_ms: Mapping[str, Sequence[float]], weights: Mapping[str, float]
    ) -> Latency:
        """Percentiles of requests drawn at `weights`' rates (kind -> weight) from each kind's
        timings: each timing weighs its kind's weight / its kind's number of timings (kinds
        without timings are left out, the others renormalised)."""
        pool = sorted(
            (value, weight / len(samples_ms[kind]))
            for kind, weight in weights.items()
            if samples_ms.get(kind)
            for value in samples_ms[kind]
        )
        if not pool:
            return cls(float("nan"), float("nan"), float("nan"), 0)
        total = sum(w for _, w in pool)
        out = []
        for p in (50, 95, 99):
            goal, running, value = p / 100 * total * (1 - 1e-12), 0.0, pool[-1][0]
            for v, w in pool:
                running += w
                if running >= goal:
                    value = v
                    break
            out.append(round(value, 2))
        return cls(out[0], out[1], out[2], len(pool))

    def __str__(self) -> str:
        return f"{_ms(self.p50)} / {_ms(self.p95)} / {_ms(self.p99)}"


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def timed_ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


# --- the query mix --------------------------------------------------------------------------

KINDS = ("rare phrase", "common phrase", "word + facets", "citation filter", "similar cases")
# Words a user would not type as a query on their own.
FUNCTION_WORDS = frozenset(
    words_of(
        "a an and are as at be been but by for from has have he her his in is it its not of on or "
        "over she such than that the their there these this those to under was were which while "
        "who with would also more most other some only into each per no any all had did does may "
        "was were will been being her him they them patient patients request requested"
    )
)
CLAUSE_BREAK = re.compile(r"[.;:,()\n]")  # a phrase a user types does not cross these
FACET_FILTERS = ("outcome", "category", "body_region", "specialty", "year")
CITATION_FILTERS = ("reviewer_source", "admin_source", "reviewer_guideline", "admin_guideline")


@dataclass(frozen=True)
class QueryCase:
    """One query of the mix, and the text whose raw match count is its lower bound."""

    kind: str
    search: SearchRequest | None = None
    similar: SimilarRequest | None = None
    floor_text: str = ""  # query language text; for similar cases the treatment's words OR'd
    web_path: str = ""  # the page of the web app that shows the same thing

    def run(self, engine: Engine) -> int:
        """Run it; the number of results (a sanity check)."""
        if self.search is not None:
            return engine.search(self.search).total
        assert self.similar is not None
        return len(engine.similar(self.similar))

    def describe(self) -> dict[str, Any]:
        if self.search is not None:
            return {
                "kind": self.kind,
                "query": self.search.query,
                "filters": {k: list(v) for k, v in self.search.filters.items()},
            }
        assert self.similar is not None
        return {"kind": self.kind, "similar_to": self.similar.item_id}


def _usable(word: str, min_length: int = 3) -> bool:
    """A word a user might type: no function word, no digits."""
    return (
        len(word) >= min_length
        and word not in FUNCTION_WORDS
        and not any(c.isdigit() for c in word)
    )


def build_query_mix(
    sample: Sequence[SampleItem],
    items: int,
    count: Callable[[str], int],
    facet_values: Mapping[str, Sequence[str]],
    seed: int,
    per_kind: int = 12,
) -> list[QueryCase]:
    """`per_kind` distinct queries of each kind, chosen from the corpus with `seed`:

    rare phrase      two words in sequence matching 0.002%-0.1% of items (at least 2)
    common phrase    two words in sequence matching over 20% of items ("medically necessary")
    word + facets    a word in 1-20% of items, 1-2 of outcome/category/body region/specialty/
                     year filters with 1-2 values each
    citation filter  a word in 1-20% of items and a filter on one party's citations (reviewer
                     or claims administrator: source MTUS/ODG/other/none, or a guideline)
    similar cases    similar to an item of the corpus (k=10); its lower bound is the raw
                     match count of the item's treatment words (what a user would type)

    `count(text)` is the raw match count of a query text (used to check the bands);
    `facet_values` the values of each facet (e.g. the top 20 of an empty search).
    """
    from search_ui.params import SearchState

    rng = random.Random(seed)
    pairs: Counter[str] = Counter()
    singles: Counter[str] = Counter()
    for item in sample:
        for clause in CLAUSE_BREAK.split(f"{item.treatment}. {item.rationale}"):
            words = words_of(clause)
            pairs.update(
                {
                    f"{a} {b}"
                    for a, b in zip(words, words[1:], strict=False)
                    if _usable(a) and _usable(b)
                }
            )
            singles.update({w for w in words if _usable(w, 5)})
    n = max(len(sample), 1)

    def pick(candidates: list[str], low: float, high: float, quote: bool) -> list[str]:
        chosen = []
        for text in candidates:
            query = f'"{text}"' if quote else text
            if low <= count(query) <= high:
                chosen.append(query)
            if len(chosen) == per_kind:
                break
        return chosen

    # Rarest first (ties in seeded random order; sorted first: set and Counter order varies
    # with string hashing). Generated prose has a small vocabulary: few pairs are rare.
    rare = sorted(pairs)
    rng.shuffle(rare)
    rare.sort(key=lambda p: pairs[p])
    rare_phrases = pick(rare, max(2, items * 2e-5), max(20, items * 1e-3), quote=True)
    common = sorted((p for p, c in pairs.items() if c / n >= 0.2), key=lambda p: (-pairs[p], p))
    common_phrases = pick(common, 0.2 * items, items, quote=True)
    middling = sorted(w for w, c in singles.items() if 0.01 <= c / n <= 0.2)
    rng.shuffle(middling)
    words = pick(middling, 0.01 * items, 0.2 * items, quote=False)

    def filters(names: Sequence[str], how_many: int) -> dict[str, list[str]]:
        chosen: dict[str, list[str]] = {}
        for name in rng.sample([n for n in names if facet_values.get(n)], how_many):
            values = list(facet_values[name])
            chosen[name] = rng.sample(values, min(len(values), rng.randint(1, 2)))
        return chosen

    def search_case(kind: str, query: str, chosen: dict[str, list[str]]) -> QueryCase:
        state = SearchState(query=query, filters={k: tuple(v) for k, v in chosen.items()})
        return QueryCase(
            kind,
            search=state.request(),
            floor_text=query,
            web_path=f"/search?{state.query_string()}",
        )

    cases = [search_case("rare phrase", q, {}) for q in rare_phrases]
    cases += [search_case("common phrase", q, {}) for q in common_phrases]
    for i in range(per_kind):
        word = words[i % len(words)]
        cases.append(search_case("word + facets", word, filters(FACET_FILTERS, rng.randint(1, 2))))
    for i in range(per_kind):
        word = words[(i + per_kind // 2) % len(words)]
        cases.append(search_case("citation filter", word, filters(CITATION_FILTERS, 1)))
    for item in rng.sample(list(sample), min(per_kind, len(sample))):
        terms = list(dict.fromkeys(w for w in words_of(item.treatment) if _usable(w)))
        cases.append(
            QueryCase(
                "similar cases",
                similar=SimilarRequest(item_id=item.id, k=10),
                floor_text=" ".join(terms[:8]) or "pain",
                web_path=f"/item/{item.id}",
            )
        )
    return cases


def schedule(cases: Sequence[QueryCase], runs: Mapping[str, int], seed: int) -> list[QueryCase]:
    """`runs[kind]` runs of each kind (cycling through its distinct queries), interleaved in
    a seeded random order so that noise on a shared machine hits every kind alike."""
    out: list[QueryCase] = []
    for kind in dict.fromkeys(c.kind for c in cases):
        mine = [c for c in cases if c.kind == kind]
        out += [mine[i % len(mine)] for i in range(runs.get(kind, 0))] if mine else []
    random.Random(seed).shuffle(out)
    return out


def time_cases(
    runs: Iterable[QueryCase],
    calls: Mapping[str, Callable[[QueryCase], object]],
    before_each: Callable[[], object] | None = None,
    weights: Mapping[str, float] | None = None,
    mix: str = "weighted mix",
) -> dict[str, dict[str, Latency]]:
    """name -> kind -> latency of each `calls[name](case)` over `runs`. The calls run one
    after the other for each case (e.g. the engine, then its lower bound), so both see the
    same moment of a noisy machine; `before_each` (untimed, e.g. drop a cache) runs before
    every call. With `weights` (kind -> share of requests), also `mix`: the percentiles of
    requests drawn at those rates (Latency.weighted)."""
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in calls}
    for case in runs:
        for name, call in calls.items():
            if before_each is not None:
                before_each()
            started = time.perf_counter()
            call(case)
            elapsed = (time.perf_counter() - started) * 1000
            samples[name].setdefault(case.kind, []).append(elapsed)
    out = {
        name: {kind: Latency.of(values) for kind, values in by_kind.items()}
        for name, by_kind in samples.items()
    }
    if weights is not None:
        for name, by_kind in samples.items():
            out[name][mix] = Latency.weighted(by_kind, weights)
    return out


# --- machine and load -----------------------------------------------------------------------


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_info() -> dict[str, Any]:
    """Cores, RAM, CPU model, Python and SQLite versions, git commit (and whether the tree
    had uncommitted changes)."""
    mem_kb = cpu = ""
    try:
        with open("/proc/meminfo") as meminfo:
            mem_kb = next((line.split()[1] for line in meminfo if line.startswith("MemTotal")), "")
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        pass
    import elasticsearch

    return {
        "cores": os.cpu_count(),
        "ram_gb": round(int(mem_kb) / 2**20, 1) if mem_kb else None,
        "cpu": cpu or platform.processor(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "elasticsearch_client": elasticsearch.__versionstr__,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


class LoadSampler:
    """Samples the 1-minute load average every `interval` seconds in a background thread."""

    def __init__(self, interval: float = 5.0) -> None:
        self.interval = interval
        self.start = os.getloadavg()
        self.samples: list[float] = [self.start[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join()
        end = os.getloadavg()
        return {
            "start": [round(x, 2) for x in self.start],
            "end": [round(x, 2) for x in end],
            "during_1min": {
                "min": round(min(self.samples), 2),
                "mean": round(sum(self.samples) / len(self.samples), 2),
                "max": round(max(self.samples), 2),
            },
        }


# --- output ---------------------------------------------------------------------------------


@dataclass
class Table:
    """A plain-text table: a header row, then rows; `None` cells print as '-'; a row of a
    single string is a section title."""

    header: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)

    def add(self, *cells: Any) -> None:
        self.rows.append(cells)

    def section(self, title: str) -> None:
        self.rows.append((title,))

    def render(self) -> str:
        cells = [[("-" if c is None else str(c)) for c in row] for row in self.rows]
        grid = [list(self.header)] + [row for row in cells if len(row) > 1]
        widths = [max(len(row[i]) for row in grid if i < len(row)) for i in range(len(self.header))]
        line = "  ".join("-" * w for w in widths)

        def fmt(row: Sequence[str]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()

        out = [fmt(self.header), line]
        for row in cells:
            out.append(f"[{row[0]}]" if len(row) == 1 else fmt(row))
        return "\n".join(out)


def rate(value: float | None) -> str | None:
    return None if value is None else f"{value:,.0f}/s"


def ratio(slow: float | None, fast: float | None) -> str | None:
    """How many times the limit a figure is (times divide, rates the other way round)."""
    if not slow or not fast or math.isnan(slow) or math.isnan(fast):
        return None
    return f"{slow / fast:.2f}x"


def to_jsonable(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return to_jsonable(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_json(data: Mapping[str, Any], name: str, folder: Path = RESULTS_DIR) -> Path:
    """Write results to `folder/name` (created if needed); returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(to_jsonable(data), indent=2) + "\n", encoding="utf-8")
    return path


def log(message: str) -> None:
    """Progress on stderr, with the time of day (tables go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

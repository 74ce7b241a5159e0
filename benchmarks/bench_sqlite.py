"""Benchmark of the embedded engine (SQLite FTS5) on generated letters.

    python benchmarks/bench_sqlite.py --items 100000

Prints one table: indexing items/s against a raw FTS5 insert of the same rows measured in the
same run, query p50/p95 for phrase + facets + highlight, similar-cases p95, peak RSS while
indexing. A script, not a timed test: numbers depend on the machine (targets in issue 3).
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing
import os
import pickle
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from imr_search.engine import SearchRequest, SimilarRequest, SourceLetter
from imr_search.query import words_of
from imr_search.sqlite.engine import SqliteEngine
from imr_search.sqlite.schema import TOKENIZER
from imr_search.sqlite.search import MATCH_CACHE
from imr_search.sqlite.writer import build_row
from indexer.pipeline import BATCH_ITEMS
from indexer.records import Citation, Item, Letter, item_id

# --- a small deterministic letter generator (used when indexer.generate is missing) ---------

REGIONS = (
    "lumbar spine", "cervical spine", "thoracic spine", "knee", "shoulder", "hip", "wrist",
    "hand", "elbow", "ankle", "foot",
)
_TREATMENTS: dict[str, tuple[str, ...]] = {
    "physical_medicine": (
        "Physical therapy 2x6 for the {region}", "Chiropractic treatment x6 for the {region}",
        "Acupuncture 8 sessions for the {region}", "Aquatic therapy 12 sessions",
        "Massage therapy 6 sessions", "Work hardening program",
    ),
    "injection": (
        "Lumbar epidural steroid injection L4-L5", "Cervical epidural steroid injection C5-C6",
        "Facet injection {level}", "Hardware block {level}", "Trigger point injections x4",
        "Medial branch block {level}", "Radiofrequency ablation {level}",
        "Platelet rich plasma injection {region}", "Cortisone injection {region}",
    ),
    "surgery": (
        "Arthroscopy of the {region}", "Lumbar fusion {level}", "Total knee arthroplasty",
        "Carpal tunnel release", "Rotator cuff repair", "Anterior cervical discectomy and fusion",
        "Removal of hardware {level}", "Lumbar laminectomy {level}",
    ),
    "medication": (
        "Norco 10/325mg #60", "Tramadol 50mg #90", "Omeprazole 20mg #30",
        "Cyclobenzaprine 7.5mg #30", "Lidoderm 5% patches #30", "Gabapentin 600mg #90",
        "Naproxen 550mg #60", "Oxycontin 20mg #60", "Terocin lotion 120ml", "Ambien 10mg #30",
    ),
    "imaging": (
        "MRI of the {region}", "CT scan of the {region}", "X-rays of the {region}",
        "Bone scan", "Ultrasound of the {region}",
    ),
    "diagnostic": (
        "EMG/NCV of the bilateral lower extremities", "Urine drug screen",
        "Functional capacity evaluation", "Sleep study", "Genetic testing for opioid risk",
    ),
    "dme": (
        "TENS unit rental 30 days", "Knee brace", "Hot/cold therapy unit", "Lumbar support",
        "Interferential stimulator", "Shower chair",
    ),
    "behavioral": (
        "Cognitive behavioral therapy 6 sessions", "Psychological evaluation",
        "Biofeedback 6 sessions",
    ),
    "program": ("Functional restoration program 80 hours", "Weight loss program"),
}
CATEGORIES = tuple(_TREATMENTS)
LEVELS = ("L3-L4", "L4-L5", "L5-S1", "L4-S1", "C5-C6", "C6-C7")
SPECIALTIES = (
    "Orthopedic Surgery", "Physical Medicine & Rehabilitation", "Anesthesiology",
    "Internal Medicine", "Family Practice", "Pain Management", "Neurology", "Psychology",
    "Chiropractic", "Occupational Medicine",
)
_CITATIONS = (
    ("MTUS", True, "Chronic Pain Medical Treatment 2016", ("9792.24.2",)),
    ("MTUS", True, "Low Back Complaints 2004", ("Chapter 12",)),
    ("MTUS", True, "Neck and Upper Back Complaints 2004", ("Chapter 8",)),
    ("MTUS", True, "Knee Complaints 2004", ("Chapter 13",)),
    ("MTUS", True, "Opioid Treatment 2016", ("3.3.9",)),
    ("ODG", False, "Low Back", ()),
    ("ODG", False, "Pain", ()),
    ("ODG", False, "Knee & Leg", ()),
    ("ODG", False, "Shoulder", ()),
    ("ODG", False, "Neck and Upper Back", ()),
    ("other", False, "Chou R, Baisden J, et al. Interventional therapies", ()),
    ("other", False, "FDA drug label", ()),
)
_SENTENCES = (
    "The guidelines recommend {treatment} only when conservative care has failed.",
    "There is no documentation of objective functional improvement from prior sessions.",
    "The injured worker has completed an unknown number of prior sessions to date.",
    "Guidelines support a short course of active therapy with transition to a home program.",
    "The medical records do not document radiculopathy corroborated by imaging studies.",
    "Long term use is not supported in the absence of documented pain relief and function.",
    "There is no evidence of a failed trial of first line agents such as antidepressants.",
    "The treating physician did not document the frequency and duration requested.",
    "The patient reports ongoing {region} pain rated seven out of ten with spasm.",
    "Prior {treatment} provided more than fifty percent relief for six weeks.",
    "The clinical findings support the request given the neurologic deficits noted.",
    "Hardware related pain should be confirmed before removal is considered.",
    "A urine drug screen was consistent with the prescribed medications.",
    "Ongoing opioid management requires documentation of the four domains.",
)
_DIAGNOSES = (
    "lumbar radiculopathy", "cervical strain", "rotator cuff tear", "knee internal derangement",
    "carpal tunnel syndrome", "chronic pain syndrome", "lumbar disc herniation",
    "post laminectomy syndrome", "depression", "insomnia", "myofascial pain", "plantar fasciitis",
)
_SYLLABLES = ("ka", "lo", "mi", "ter", "vo", "san", "rix", "del", "pra", "nu", "zen", "tor")


def _rare_words(rng: random.Random, count: int) -> list[str]:
    """Synthetic words giving the corpus a long-tailed vocabulary like real clinical text."""
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def builtin_letters(n_items: int, seed: int = 7) -> Iterator[Letter]:
    """Yield letters until `n_items` items were produced (1-3 items a letter, ~1.6 average)."""
    rng = random.Random(seed)
    rare = _rare_words(rng, 20_000)
    produced = 0
    number = 0
    while produced < n_items:
        number += 1
        year = rng.randint(2013, 2024)
        case = f"CM{year % 100:02d}-{number:07d}"
        n = min(n_items - produced, rng.choice((1, 1, 1, 2, 2, 3)))
        region = rng.choice(REGIONS)
        items = []
        for k in range(1, n + 1):
            category = rng.choice(CATEGORIES)
            template = rng.choice(_TREATMENTS[category])
            treatment = template.format(region=region, level=rng.choice(LEVELS))
            outcome = "Upheld" if rng.random() < 0.85 else "Overturned"
            sentences = [
                rng.choice(_SENTENCES).format(treatment=treatment.lower(), region=region)
                for _ in range(rng.randint(3, 6))
            ]
            tail = " ".join(rng.choice(rare) for _ in range(rng.randint(8, 20)))
            verdict = "is not medically necessary" if outcome == "Upheld" else "is necessary"
            rationale = f"{' '.join(sentences)} {tail}. The request for {treatment} {verdict}."
            citations = []
            cited_nothing = []
            for party in ("claims_administrator", "reviewer"):
                if rng.random() < 0.08:
                    cited_nothing.append(party)
                    continue
                for source, mtus, guideline, sections in rng.sample(_CITATIONS, rng.randint(1, 2)):
                    citations.append(Citation(
                        party=party, source=source, mtus=mtus, guideline=guideline,
                        text=f"Decision based on {source} {guideline}", sections=sections,
                    ))
            items.append(Item(
                id=item_id(case, k), item_number=k, treatment=treatment, outcome=outcome,
                rationale=rationale, citations=tuple(citations),
                cited_nothing=tuple(cited_nothing), category=category,
                body_regions=(region,) if category not in ("medication", "behavioral") else (),
            ))
        diagnoses = ", ".join(rng.sample(_DIAGNOSES, 3))
        summary = (
            f"The injured worker is a {rng.randint(25, 65)} year old who sustained an industrial "
            f"injury on 0{rng.randint(1, 9)}-1{rng.randint(0, 9)}-{year - 3}. The diagnoses "
            f"include {diagnoses}. Treatment to date has included medications, physical therapy "
            f"and injections. The injured worker reported {region} pain. "
            + " ".join(rng.choice(rare) for _ in range(rng.randint(20, 40)))
            + f". The utilization review denied the request on {year}-0{rng.randint(1, 9)}-15."
        )
        yield Letter(
            case_number=case, format="standard", source=f"generated/{case}.txt",
            items=tuple(items),
            decision_date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            specialties=(rng.choice(SPECIALTIES),), clinical_summary=summary,
            age=rng.randint(25, 65), sex=rng.choice(("male", "female")),
        )
        produced += n


def letters_for(n_items: int, seed: int, generator: str) -> Iterator[Letter]:
    """Letters holding exactly `n_items` items (the last letter trimmed if needed)."""
    if generator == "builtin":
        yield from builtin_letters(n_items, seed)
        return
    from indexer.generate import generate_letters

    produced = 0
    for letter in generate_letters(10**9, seed):
        take = min(len(letter.items), n_items - produced)
        yield letter if take == len(letter.items) else replace(letter, items=letter.items[:take])
        produced += take
        if produced >= n_items:
            return


# --- measuring ------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _in_child(function: Callable[..., Any], *args: Any) -> Any:
    """Run in a forked process: its peak RSS is its own, not the benchmark's."""
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        return pool.apply(function, args)


def _write_batches(path: Path, n_items: int, seed: int, generator: str) -> tuple[int, int]:
    """Generate once, store pickled batches of BATCH_ITEMS items (not part of any timing)."""
    letters = items = 0
    batch: list[SourceLetter] = []
    size = 0
    with path.open("wb") as out:
        for letter in letters_for(n_items, seed, generator):
            source = f"/bench/{letter.letter_id}.txt"
            batch.append(SourceLetter(source, f"fp-{letters}", letter))
            letters += 1
            items += len(letter.items)
            size += len(letter.items)
            if size >= BATCH_ITEMS:
                pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                batch, size = [], 0
        if batch:
            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
    return letters, items


def _batches(path: Path) -> Iterator[list[SourceLetter]]:
    with path.open("rb") as source:
        while True:
            try:
                yield pickle.load(source)
            except EOFError:
                return


def _index_engine(batches: Path, target: str) -> dict[str, float]:
    gc.freeze()
    engine = SqliteEngine(target, writable=True)
    writing = 0.0
    items = 0
    for batch in _batches(batches):
        started = time.perf_counter()
        failures = engine.write_letters(batch)
        writing += time.perf_counter() - started
        assert not failures, failures[:3]
        items += sum(len(s.letter.items) for s in batch)
    started = time.perf_counter()
    engine.finish()
    finishing = time.perf_counter() - started
    engine.close()
    return {"items": items, "write": writing, "finish": finishing, "rss": _peak_rss_mb()}


def _index_raw(batches: Path, target: str) -> dict[str, float]:
    """The same rows' texts into a plain FTS5 table (default settings): the floor."""
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(f"CREATE VIRTUAL TABLE raw USING fts5(treatment, rationale, summary, citation,"
               f" tokenize = '{TOKENIZER}')")
    inserting = 0.0
    items = 0
    for batch in _batches(batches):
        rows = [build_row(s.letter, item).texts for s in batch for item in s.letter.items]
        started = time.perf_counter()
        db.execute("BEGIN")
        db.executemany("INSERT INTO raw VALUES (?, ?, ?, ?)", rows)
        db.execute("COMMIT")
        inserting += time.perf_counter() - started
        items += len(rows)
    started = time.perf_counter()
    db.execute("INSERT INTO raw(raw) VALUES ('optimize')")
    optimizing = time.perf_counter() - started
    db.close()
    return {"items": items, "write": inserting, "finish": optimizing, "rss": _peak_rss_mb()}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return p50, p95


_FUNCTION_WORDS = frozenset(words_of(
    "a an and are as at be been but by for from has have he her his in is it its not of on or "
    "over she such than that the their there these this those to under was were which while "
    "who with would also been more most other some only into each per"
))


def _phrases(engine: SqliteEngine, total: int, rng: random.Random, wanted: int) -> list[str]:
    """Two-word phrases a user would type (no function words), taken from the corpus's
    treatments and rationales, matching 1-12% of items: the benchmark's query mix."""
    db = engine.db
    sample = [r[0] for r in db.execute(
        "SELECT treatment || ' | ' || rationale FROM items WHERE rowid % 97 = 0 LIMIT 3000")]
    counts: Counter[tuple[str, str]] = Counter()
    for text in sample:
        words = words_of(text)
        counts.update({
            (a, b) for a, b in zip(words, words[1:], strict=False)
            if not ({a, b} & _FUNCTION_WORDS) and not (a.isdigit() or b.isdigit())
        })
    candidates = [" ".join(pair) for pair, n in counts.most_common(400)
                  if 0.01 <= n / max(len(sample), 1) <= 0.12]
    rng.shuffle(candidates)
    chosen = []
    for phrase in candidates:
        n = engine.search(SearchRequest(query=f'"{phrase}"', per_page=0)).total
        if 0.01 * total <= n <= 0.12 * total:
            chosen.append(f'"{phrase}"')
        if len(chosen) == wanted:
            break
    return chosen


def _query_mix(engine: SqliteEngine, phrases: list[str], n: int, rng: random.Random
               ) -> list[SearchRequest]:
    snap = engine.search(SearchRequest(per_page=0, facet_size=20)).facets
    requests = []
    for _ in range(n):
        filters: dict[str, list[str]] = {}
        names = ["outcome", "category", "reviewer_source", "year"]
        for name in rng.sample(names, rng.randint(0, 2)):
            values = [v.value for v in snap[name]]
            filters[name] = rng.sample(values, min(len(values), rng.randint(1, 2)))
        requests.append(SearchRequest(query=rng.choice(phrases), filters=filters))
    return requests


def _time_queries(engine: SqliteEngine, requests: list[SearchRequest], *, cold: bool
                  ) -> list[float]:
    samples = []
    for request in requests:
        if cold:
            MATCH_CACHE.clear()
        started = time.perf_counter()
        response = engine.search(request)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.facets and (response.hits or not response.total)
    return samples


def run(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    rng = random.Random(args.seed)
    work = Path(args.dir or tempfile.mkdtemp(prefix="bench-sqlite-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.queries_only:
        engine = SqliteEngine(str(work / "index.sqlite3"))
        items = args.items = engine.count()
        engine.close()
        return _read_side(args, work, items, rng)
    for name in ("index.sqlite3", "raw.sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            (work / f"{name}{suffix}").unlink(missing_ok=True)
    batches = work / "batches.pickle"
    started = time.perf_counter()
    letters, items = _in_child(_write_batches, batches, args.items, args.seed, args.generator)
    print(f"generated {letters:,} letters / {items:,} items ({args.generator}) in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)

    engine_run = _in_child(_index_engine, batches, str(work / "index.sqlite3"))
    raw_run = _in_child(_index_raw, batches, str(work / "raw.sqlite3"))
    if not args.keep:
        batches.unlink()
    e_rate = items / engine_run["write"]
    e_total = items / (engine_run["write"] + engine_run["finish"])
    r_rate = items / raw_run["write"]
    r_total = items / (raw_run["write"] + raw_run["finish"])
    rows: list[tuple[str, str, str]] = [
        ("index: engine write_letters", f"{e_rate:,.0f} items/s", "15,000+"),
        ("index: engine incl. finish()", f"{e_total:,.0f} items/s",
         f"finish {engine_run['finish']:.1f} s"),
        ("index: raw FTS5 insert (same rows)", f"{r_rate:,.0f} items/s",
         f"optimize {raw_run['finish']:.1f} s"),
        ("index: engine time / raw time", f"{r_rate / e_rate:.2f}x "
         f"(incl. finish/optimize {r_total / e_total:.2f}x)", "<= 1.5x"),
        ("index: peak RSS while indexing", f"{engine_run['rss']:,.0f} MB", "< 300 MB"),
        ("index file size", f"{(work / 'index.sqlite3').stat().st_size / 2**20:,.0f} MB "
         f"(raw FTS5 {(work / 'raw.sqlite3').stat().st_size / 2**20:,.0f} MB)", ""),
    ]
    rows += _read_side(args, work, items, rng)
    if not args.keep and not args.dir:
        shutil.rmtree(work)
    return rows


def _read_side(
    args: argparse.Namespace, work: Path, items: int, rng: random.Random
) -> list[tuple[str, str, str]]:
    """Query, common-phrase and similar-case timings on the built index."""
    rows: list[tuple[str, str, str]] = []
    engine = SqliteEngine(str(work / "index.sqlite3"))
    t0 = time.perf_counter()
    engine.search(SearchRequest(per_page=0))
    rows.append(("open + load facet postings", f"{(time.perf_counter() - t0) * 1000:,.0f} ms", ""))
    phrases = _phrases(engine, items, rng, 12)
    print("phrases: " + ", ".join(phrases), file=sys.stderr)
    requests = _query_mix(engine, phrases, args.queries, rng)
    _time_queries(engine, requests[:10], cold=True)  # warm the page cache
    cold = _percentiles(_time_queries(engine, requests, cold=True))
    warm = _percentiles(_time_queries(engine, requests, cold=False))
    target_p95 = "25 ms at 100k, 250 ms at 1M"
    rows += [
        (f"query p50/p95 phrase+facets+highlight ({len(phrases)} phrases, 1-12%)",
         f"{cold[0]:.1f} / {cold[1]:.1f} ms", f"p95 {target_p95}"),
        ("  same queries, match set cached", f"{warm[0]:.1f} / {warm[1]:.1f} ms", ""),
    ]
    for common in ('"medically necessary"', "pain"):
        MATCH_CACHE.clear()
        t0 = time.perf_counter()
        response = engine.search(SearchRequest(query=common))
        cold_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        engine.search(SearchRequest(query=common, filters={"outcome": ["Overturned"]}))
        warm_ms = (time.perf_counter() - t0) * 1000
        rows.append((f"common {common}: {response.total / items:.0%} of items",
                     f"{cold_ms:.0f} ms cold, {warm_ms:.0f} ms next",
                     "date order + notice" if response.notice else "ranked"))
    ids = [r[0] for r in engine.db.execute(
        "SELECT id FROM items ORDER BY random() LIMIT ?", (args.similar,))]
    samples = []
    for some_id in ids:
        t0 = time.perf_counter()
        engine.similar(SimilarRequest(item_id=some_id, k=10))
        samples.append((time.perf_counter() - t0) * 1000)
    sim = _percentiles(samples)
    rows.append(("similar cases p50/p95 (by item id, k=10)", f"{sim[0]:.1f} / {sim[1]:.1f} ms",
                 "p95 50 ms at 100k"))
    engine.close()
    rows.append(("load average during the run", " / ".join(f"{x:.1f}" for x in os.getloadavg()),
                 f"{os.cpu_count()} CPUs, shared"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--similar", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--generator", choices=("auto", "project", "builtin"), default="auto",
                        help="project: indexer.generate (realistic); builtin: this file's")
    parser.add_argument("--dir", default=None, help="work folder (kept); default a temp folder")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--queries-only", action="store_true",
                        help="only time queries and similar cases on the index in --dir")
    args = parser.parse_args()
    if args.generator == "auto":
        try:
            import indexer.generate  # noqa: F401

            args.generator = "project"
        except ImportError:
            args.generator = "builtin"
    rows = run(args)
    width = max(len(r[0]) for r in rows)
    value = max(len(r[1]) for r in rows)
    print(f"\nSQLite FTS5 engine, {args.items:,} items, SQLite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} CPUs")
    print(f"{'measure':<{width}}  {'result':<{value}}  target / note")
    print(f"{'-' * width}  {'-' * value}  {'-' * 30}")
    for name, result, note in rows:
        print(f"{name:<{width}}  {result:<{value}}  {note}")


if __name__ == "__main__":
    main()

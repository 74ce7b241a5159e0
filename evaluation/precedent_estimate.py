"""How good is the precedent estimate? Leave-one-out over an index, on each engine.

For every item with a decision date and at least one prior precedent, the estimate's upheld
share p is compared with the item's outcome y (1 = Upheld); the precedents are decisions
dated strictly before the item, never the item or its own letter (checked on every hit).
Two probes:

- `item`: imr_search.estimate.for_item, what the product shows for a decided item. Its
  similarity reads the item's own rationale, which argues the outcome: it can peek.
- `request`: the item's request written as a denial plus its letter's summary (what a user
  pastes; evaluation/similar_cases.py's text), the top MAX_PER_PAGE hits kept if decided
  before the item, then the first k: the estimate a new denial would get.

Each is reported raw (upheld/n) and smoothed: (upheld + M * p0) / (n + M), p0 being the
honest base rate below. The references: the whole-corpus upheld share (peeks at the future)
and the honest one, the upheld share of all decisions dated before the item. Reported: the
Brier score (mean (p - y)^2), skill 1 - Brier/Brier_ref against both, a 95% interval of
Brier - Brier(honest rate) from a bootstrap over letters, and calibration tables.

    python evaluation/precedent_estimate.py                       # SQLite, real letters
    python evaluation/precedent_estimate.py --generated 4000 --es http://127.0.0.1:9200

Run from the repository root; real letters are read from ../shared/real-letters (skipped
when absent). Indexes go to a temporary directory (or temporary Elasticsearch indices),
removed at the end. Prints one table per engine and corpus.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evaluation.similar_cases import REAL, index  # noqa: E402
from imr_search.contract import MAX_PER_PAGE, Engine, OutcomeRate, SimilarHit, SimilarRequest  # noqa: E402
from imr_search.engines import open_engine  # noqa: E402
from imr_search.estimate import PRECEDENTS, for_item  # noqa: E402
from indexer.documents import source_documents  # noqa: E402
from indexer.records import Letter  # noqa: E402
from mappings.schema import ItemDocument  # noqa: E402

KS = (5, 10, PRECEDENTS)
M = 10.0  # pseudo-decisions at the honest base rate in the smoothed estimate
BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0)
ROUNDS = 2000  # bootstrap resamples
PROBES = ("item", "request")


@dataclass(frozen=True)
class Case:
    """One scored item: its outcome, the honest base rate and each estimate's counts."""

    item_id: str
    letter_id: str
    upheld: bool
    prior: float  # upheld share of all decisions dated before the item
    counts: dict[tuple[str, int], tuple[int, int]]  # (probe, k) -> (upheld, precedents)


@dataclass
class Scored:
    cases: list[Case]
    skipped: dict[str, int]  # reason -> items
    corpus_rate: float  # whole-corpus upheld share (peeks at the future)


def request_text(doc: ItemDocument) -> str:
    return (
        f"The request for {doc.treatment} was non-certified by utilization review. "
        f"{doc.letter.clinical_summary}"
    )


def check_prior(doc: ItemDocument, hits: Sequence[SimilarHit]) -> None:
    """Raise if a precedent is the item, its letter, or not decided before it."""
    date = doc.letter.decision_date or ""
    for hit in hits:
        other = hit.doc
        decided = other.letter.decision_date
        if other.id == doc.id or other.letter_id == doc.letter_id or not decided or decided >= date:
            raise AssertionError(f"{doc.id} ({date}): {other.id} ({decided}) is not a precedent")


def item_counts(engine: Engine, doc: ItemDocument, k: int) -> tuple[int, int]:
    estimate = for_item(engine, doc.id, k)
    check_prior(doc, estimate.precedents)
    return estimate.rate.upheld, estimate.rate.total


def request_counts(engine: Engine, doc: ItemDocument, ks: Sequence[int]) -> list[tuple[int, int]]:
    hits = engine.similar(SimilarRequest(text=request_text(doc), k=MAX_PER_PAGE))
    date = doc.letter.decision_date or ""
    prior = [
        h
        for h in hits
        if h.doc.letter_id != doc.letter_id and (h.doc.letter.decision_date or date) < date
    ]
    check_prior(doc, prior)
    rates = [OutcomeRate.of(h.doc for h in prior[:k]) for k in ks]
    return [(r.upheld, r.total) for r in rates]


def decided_before(docs: Sequence[ItemDocument]) -> dict[str, tuple[int, int]]:
    """Decision date -> (upheld, decisions) of the decisions dated strictly before it."""
    dates = sorted((d.letter.decision_date or "", d.outcome == "Upheld") for d in docs)
    out: dict[str, tuple[int, int]] = {}
    upheld = total = 0
    for date, up in dates:
        if date:
            out.setdefault(date, (upheld, total))
            upheld, total = upheld + up, total + 1
    return out


def score(
    engine: Engine, docs: Sequence[ItemDocument], ks: Sequence[int] = KS, every: int = 1
) -> Scored:
    """Every `every`-th item of the corpus `docs` (all the index holds), scored."""
    before = decided_before(docs)
    skipped: dict[str, int] = defaultdict(int)
    cases: list[Case] = []
    for doc in docs[::every]:
        if not doc.letter.decision_date:
            skipped["no decision date"] += 1
            continue
        up, total = before[doc.letter.decision_date]
        if not total:
            skipped["no decision before it"] += 1
            continue
        counts = {("item", k): item_counts(engine, doc, k) for k in ks}
        if any(n == 0 for _, n in counts.values()):
            skipped["no prior precedent"] += 1
            continue
        request = request_counts(engine, doc, ks)
        counts.update(zip((("request", k) for k in ks), request, strict=True))
        cases.append(Case(doc.id, doc.letter_id, doc.outcome == "Upheld", up / total, counts))
    rate = sum(d.outcome == "Upheld" for d in docs) / len(docs) if docs else 0.0
    return Scored(cases, dict(skipped), rate)


Predict = Callable[[Case], float]


def raw(probe: str, k: int) -> Predict:
    """upheld/n; the honest base rate where the probe found no precedent (request only)."""

    def p(case: Case) -> float:
        up, n = case.counts[(probe, k)]
        return up / n if n else case.prior

    return p


def smoothed(probe: str, k: int, m: float = M) -> Predict:
    def p(case: Case) -> float:
        up, n = case.counts[(probe, k)]
        return (up + m * case.prior) / (n + m)

    return p


def brier(cases: Sequence[Case], predict: Predict) -> float:
    return sum((predict(c) - c.upheld) ** 2 for c in cases) / len(cases)


def skill(score_: float, reference: float) -> float:
    return 1.0 - score_ / reference if reference else float("nan")


def bootstrap(
    cases: Sequence[Case], predict: Predict, reference: Predict, rounds: int = ROUNDS
) -> tuple[float, float]:
    """95% interval of Brier(predict) - Brier(reference), resampling whole letters."""
    by_letter: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for c in cases:
        row = by_letter[c.letter_id]
        row[0] += (predict(c) - c.upheld) ** 2 - (reference(c) - c.upheld) ** 2
        row[1] += 1
    rows = list(by_letter.values())
    rng = random.Random(0)
    diffs = []
    for _ in range(rounds):
        sample = rng.choices(rows, k=len(rows))
        diffs.append(sum(r[0] for r in sample) / sum(r[1] for r in sample))
    diffs.sort()
    return diffs[int(0.025 * rounds)], diffs[int(0.975 * rounds) - 1]


def calibration(
    cases: Sequence[Case], predict: Predict, bins: Sequence[float] = BINS
) -> list[tuple[str, int, float, float]]:
    """(bin, items, mean predicted, observed upheld share) of each non-empty bin."""
    rows = []
    for low, high in zip(bins, bins[1:], strict=False):
        last = high == bins[-1]
        inside = [c for c in cases if low <= predict(c) < high or (last and predict(c) == high)]
        if inside:
            mean = sum(predict(c) for c in inside) / len(inside)
            seen = sum(c.upheld for c in inside) / len(inside)
            rows.append((f"[{low:.1f}, {high:.1f}{']' if last else ')'}", len(inside), mean, seen))
    return rows


def report(title: str, scored: Scored, ks: Sequence[int], rounds: int = ROUNDS) -> None:
    cases = scored.cases
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(scored.skipped.items())) or "none"
    print(f"\n{title}: {len(cases)} items scored; skipped: {skipped}")
    if not cases:
        return
    share = sum(c.upheld for c in cases) / len(cases)
    print(
        f"  upheld: {100 * share:.1f}% of the scored items, {100 * scored.corpus_rate:.1f}% "
        "of the corpus"
    )
    for k in ks:
        none = sum(c.counts[("request", k)][1] == 0 for c in cases)
        if none:
            print(
                f"  request k={k}: no prior precedent in its top {MAX_PER_PAGE} for {none} "
                "items (estimate: the prior rate)"
            )
    corpus: Predict = lambda c: scored.corpus_rate  # noqa: E731
    prior: Predict = lambda c: c.prior  # noqa: E731
    whole, honest = brier(cases, corpus), brier(cases, prior)
    print(
        f"  {'estimate':<28} {'Brier':>7} {'skill/corpus':>13} {'skill/prior':>12} "
        f"{'Brier - prior rate [95%]':>28}"
    )
    print(f"  {'corpus rate (peeks)':<28} {whole:>7.4f} {0:>13.3f} {skill(whole, honest):>12.3f}")
    print(f"  {'prior rate (honest)':<28} {honest:>7.4f} {skill(honest, whole):>13.3f} {0:>12.3f}")
    for probe in PROBES:
        for k in ks:
            for name, predict in (
                (f"{probe} k={k}", raw(probe, k)),
                (f"{probe} k={k} smoothed", smoothed(probe, k)),
            ):
                b = brier(cases, predict)
                low, high = bootstrap(cases, predict, prior, rounds)
                print(
                    f"  {name:<28} {b:>7.4f} {skill(b, whole):>13.3f} {skill(b, honest):>12.3f}"
                    f" {b - honest:>+10.4f} [{low:+.4f}, {high:+.4f}]"
                )
    k = max(ks)
    for probe in PROBES:
        print(f"  calibration, {probe} k={k}: {'items':>5} {'predicted':>9} {'upheld':>7}")
        for label, n, mean, seen in calibration(cases, raw(probe, k)):
            print(f"    {label:<26} {n:>5} {mean:>9.3f} {seen:>7.3f}")


def documents(letters: Sequence[Letter]) -> list[ItemDocument]:
    return [
        d for n, x in enumerate(letters) for d in source_documents(f"/eval/{n}.txt", "fp", x).items
    ]


def run(title: str, letters: Sequence[Letter], target: str, ks: Sequence[int], every: int) -> None:
    """Index the letters at target, score them, print the report, remove the index."""
    started = time.monotonic()
    try:
        index(letters, target)
        indexed = time.monotonic()
        engine = open_engine(target)
        try:
            scored = score(engine, documents(letters), ks, every)
        finally:
            engine.close()
    finally:
        drop(target)
    done = time.monotonic()
    report(
        f"{title} ({len(letters):,} letters; indexed in {indexed - started:.0f} s, "
        f"scored in {done - indexed:.0f} s)",
        scored,
        ks,
    )


def drop(target: str) -> None:
    if target.startswith("http"):
        from elasticsearch import Elasticsearch

        from imr_search.elastic import indices

        url, alias = target.rsplit("/", 1)
        client = Elasticsearch(url, request_timeout=120)
        try:
            indices.drop(client, alias)
        finally:
            client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--es", default=os.environ.get("IMR_SEARCH_ES_URL"), help="node URL")
    parser.add_argument("--generated", type=int, default=0, help="also N generated letters")
    parser.add_argument("--every", type=int, default=4, help="score every Nth generated item")
    parser.add_argument("--k", type=int, nargs="+", default=list(KS), help="precedents")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="imr-eval-") as work:
        engines = {"sqlite": lambda name: str(Path(work) / f"{name}.sqlite3")}
        if args.es:
            engines["elasticsearch"] = lambda name: (
                f"{args.es.rstrip('/')}/imr-eval-{name}-{uuid.uuid4().hex[:8]}"
            )
        for engine, target_of in engines.items():
            print(f"\n=== {engine} ===")
            if REAL.is_dir():
                run("Real letters", real_letters(), target_of("real"), args.k, 1)
            else:
                print(f"(no real letters at {REAL}: skipped)")
            if args.generated:
                title = f"Generated letters, one item in {args.every}"
                letters = generated_letters(args.generated)
                run(title, letters, target_of("generated"), args.k, args.every)


def real_letters() -> list[Letter]:
    from indexer.parse import parse_file

    return [parse_file(path) for path in sorted(REAL.glob("*.txt"))]


def generated_letters(n: int) -> list[Letter]:
    from synthetic.corpus import generate_letters

    return list(generate_letters(n, 11))


if __name__ == "__main__":
    main()

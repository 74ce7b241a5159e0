"""How similar are the "similar cases"? Measured on the real letters (hand labels) and on
generated letters, on each engine.

For every item whose kind of request (labelled concept) has at least MIN_KIND examples, the
top K similar cases are checked: the share of the same kind, and of the same kind and the
same body region (labelled context regions overlap). The bar: at least 85% and 60%. Pasted
text is checked too: the item's request written as a denial, with its letter's summary.

    python evaluation/similar_cases.py                      # SQLite, real letters
    python evaluation/similar_cases.py --es http://127.0.0.1:9200 --generated 2000

Run from the repository root; real letters are read from ../shared/real-letters (skipped
when absent). Prints one table per engine and corpus.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from imr_search.contract import Engine, SimilarRequest  # noqa: E402
from imr_search.engines import open_engine  # noqa: E402
from indexer.documents import source_documents  # noqa: E402
from indexer.parse import parse_file  # noqa: E402
from indexer.records import Letter  # noqa: E402

REAL = ROOT.parent / "shared" / "real-letters" / "txt"
LABELS = ROOT / "evaluation" / "labels" / "real_items.csv"
MIN_KIND = 6
K = 5
BAR_KIND, BAR_REGION = 85.0, 60.0


@dataclass(frozen=True)
class Label:
    kind: str
    regions: frozenset[str]
    treatment: str


def real_labels() -> dict[str, Label]:
    out: dict[str, Label] = {}
    with LABELS.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            regions = frozenset(r for r in row["context_regions"].split(";") if r)
            out[row["item_id"]] = Label(row["concept"], regions, row["treatment"])
    return out


def index(letters: Iterable[Letter], target: str) -> None:
    engine = open_engine(target, writable=True)
    try:
        batch = [source_documents(f"/eval/{n}.txt", "fp", x) for n, x in enumerate(letters)]
        for start in range(0, len(batch), 500):
            assert engine.write(batch[start : start + 500]) == []
        engine.finish()
    finally:
        engine.close()


def measure(
    engine: Engine, labels: dict[str, Label], probes: Iterable[tuple[str, SimilarRequest]]
) -> dict[str, tuple[int, int, int, int]]:
    """kind -> (probes, cases, same kind, same kind and region)."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for item_id, request in probes:
        own = labels[item_id]
        hits = engine.similar(request)
        row = out[own.kind]
        row[0] += 1
        for hit in hits:
            other = labels.get(hit.doc.id)
            if other is None:
                continue
            row[1] += 1
            if other.kind == own.kind:
                row[2] += 1
                if other.regions & own.regions or not (other.regions or own.regions):
                    row[3] += 1
    return {kind: (a, b, c, d) for kind, (a, b, c, d) in out.items()}


def report(title: str, figures: dict[str, tuple[int, int, int, int]]) -> tuple[float, float]:
    print(f"\n{title}")
    print(f"  {'kind of request':<32} {'items':>5} {'cases':>6} {'same kind':>10} {'+ region':>9}")
    totals = [0, 0, 0, 0]
    for kind, row in sorted(figures.items(), key=lambda kv: -kv[1][0]):
        probes, cases, kind_hits, both = row
        print(
            f"  {kind:<32} {probes:>5} {cases:>6} {_pct(kind_hits, cases):>10} "
            f"{_pct(both, cases):>9}"
        )
        totals = [t + v for t, v in zip(totals, row, strict=True)]
    probes, cases, kind_hits, both = totals
    kind_pct = 100.0 * kind_hits / cases if cases else 0.0
    both_pct = 100.0 * both / cases if cases else 0.0
    verdict = "meets" if kind_pct >= BAR_KIND and both_pct >= BAR_REGION else "MISSES"
    print(
        f"  {'all':<32} {probes:>5} {cases:>6} {kind_pct:>9.1f}% {both_pct:>8.1f}%   "
        f"({verdict} the bar: {BAR_KIND:.0f}% / {BAR_REGION:.0f}%)"
    )
    return kind_pct, both_pct


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def real_evaluation(target: str) -> dict[str, tuple[float, float]]:
    labels = real_labels()
    letters = [parse_file(path) for path in sorted(REAL.glob("*.txt"))]
    index(letters, target)
    kinds = Counter(label.kind for item_id, label in labels.items() if "-" in item_id)
    eligible = [i for i, label in labels.items() if kinds[label.kind] >= MIN_KIND]
    engine = open_engine(target)
    results: dict[str, tuple[float, float]] = {}
    try:
        by_item = [(i, SimilarRequest(item_id=i, k=K)) for i in eligible]
        results["item"] = report(
            f"Real letters, similar to an item (top {K}, kinds with {MIN_KIND}+ items)",
            measure(engine, labels, by_item),
        )
        summaries = {x.letter_id: x.clinical_summary for x in letters}
        pasted = [
            (
                i,
                SimilarRequest(
                    text=f"The request for {labels[i].treatment} was non-certified by "
                    f"utilization review. {summaries[i.rsplit('-', 1)[0]]}",
                    k=K,
                ),
            )
            for i in eligible
        ]
        results["text"] = report(
            "Real letters, similar to pasted text (the request as a denial + the summary)",
            measure(engine, labels, pasted),
        )
    finally:
        engine.close()
    return results


def generated_evaluation(target: str, letters: int) -> tuple[float, float]:
    """Generated letters, labelled by the concept rules (checked on the generator's own
    vocabulary: evaluation/generated_concepts.py): measures the ranking, not the rules."""
    from synthetic.corpus import generate_letters

    corpus = list(generate_letters(letters, 11))
    index(corpus, target)
    labels: dict[str, Label] = {}
    for n, letter in enumerate(corpus):
        for doc in source_documents(f"/eval/{n}.txt", "fp", letter).items:
            labels[doc.id] = Label(doc.request.concept, frozenset(doc.request.regions), "")
    kinds = Counter(label.kind for label in labels.values())
    eligible = [i for i, label in labels.items() if kinds[label.kind] >= MIN_KIND][::7][:400]
    engine = open_engine(target)
    try:
        requests = [(i, SimilarRequest(item_id=i, k=K)) for i in eligible]
        return report(
            f"Generated letters ({letters:,}), similar to an item (every 7th eligible, top {K})",
            measure(engine, labels, requests),
        )
    finally:
        engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--es", default=os.environ.get("IMR_SEARCH_ES_URL"), help="node URL")
    parser.add_argument("--generated", type=int, default=0, help="also N generated letters")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="imr-eval-"))
    engines = {"sqlite": lambda name: str(work / f"{name}.sqlite3")}
    if args.es:
        engines["elasticsearch"] = lambda name: (
            f"{args.es.rstrip('/')}/imr-eval-{name}-{uuid.uuid4().hex[:8]}"
        )
    for engine, target in engines.items():
        print(f"\n=== {engine} ===")
        if REAL.is_dir():
            real_evaluation(target("real"))
        else:
            print(f"(no real letters at {REAL}: skipped)")
        if args.generated:
            generated_evaluation(target("generated"), args.generated)


if __name__ == "__main__":
    main()

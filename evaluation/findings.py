"""How well `clinical.findings.findings()` agrees with hand labels of the real rationales.

evaluation/labels/real_findings.csv was written by reading each rationale of the 39 real
letters in ../shared/real-letters (one row per finding the rationale states about the patient:
item_id, finding key, negated yes/no; an item stating none has one row with an empty key),
before any rule was written; the rules were then developed against these labels, so their
figures flatter the rules. The four items of the two seed letters (../shared/seeds) were
labelled after that and never used to tune the rules: "held out (seeds)" is the honest,
if tiny, figure.
This script parses the letters, runs findings() on each labelled item's rationale and prints
precision and recall (a finding counts when key and polarity agree; "keys only" ignores the
polarity), the same figures with the criteria filter switched off (every guideline sentence
read as if it were about the patient: what telling criteria from findings buys), and every
disagreement. Run from the repository root:

    PYTHONPATH=$PWD python evaluation/findings.py

Skips (exit 0) when ../shared/real-letters is absent. `evaluate()` is what the tests pin.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from clinical.findings import explain_findings, finding_keys  # noqa: E402
from indexer.parse import parse_file  # noqa: E402

SHARED = ROOT.parent / "shared"
LABELS = ROOT / "evaluation" / "labels" / "real_findings.csv"

Statement = tuple[str, bool]  # (finding key, negated)


@dataclass
class Score:
    """Agreement counts over the labelled items."""

    true_positives: int = 0
    predicted: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    def add(self, got: set[Statement] | set[str], expected: set[Statement] | set[str]) -> None:
        self.true_positives += len(got & expected)  # type: ignore[operator]
        self.predicted += len(got)
        self.expected += len(expected)


@dataclass
class Report:
    items: int
    letters: int
    scores: dict[str, Score]  # "findings", "keys only", "no criteria filter", "held out (seeds)"
    # item id -> (missed, spurious) statements, for items that disagree
    disagreements: dict[str, tuple[list[Statement], list[Statement]]] = field(default_factory=dict)
    unknown_keys: list[str] = field(default_factory=list)  # labels naming no vocabulary key
    criteria_dropped: int = 0  # statements dropped as criteria on the labelled items


def labels() -> dict[str, set[Statement]]:
    """item id -> the labelled (key, negated) statements."""
    out: dict[str, set[Statement]] = defaultdict(set)
    with open(LABELS, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out[row["item_id"]]  # an item stating no finding is labelled all the same
            if row["finding"]:
                out[row["item_id"]].add((row["finding"], row["negated"] == "yes"))
    return dict(out)


def evaluate(shared: Path = SHARED) -> Report | None:
    """Compare findings() with the labels; None when the real letters are absent."""
    real = shared / "real-letters" / "txt"
    if not real.is_dir():
        return None
    expected = labels()
    rationales: dict[str, str] = {}
    for path in sorted(real.glob("*.txt")):
        for item in parse_file(path).items:
            rationales[item.id] = item.rationale
    seeds = shared / "seeds"
    for path in sorted(seeds.glob("*.txt")) if seeds.is_dir() else ():
        for item in parse_file(path).items:
            rationales[f"seed:{path.name[:3]}-{item.item_number}"] = item.rationale
    names = ("findings", "keys only", "no criteria filter", "held out (seeds)")
    scores = {name: Score() for name in names}
    letters = {i.rsplit("-", 1)[0] for i in expected if not i.startswith("seed:")}
    report = Report(sum(not i.startswith("seed:") for i in expected), len(letters), scores)
    known = set(finding_keys())
    report.unknown_keys = sorted({k for s in expected.values() for k, _ in s} - known)
    for ident, gold in sorted(expected.items()):
        if ident not in rationales:
            continue  # a seed file absent here
        explanations = explain_findings(rationales[ident])
        got = {(e.finding.key, e.finding.negated) for e in explanations if e.kept}
        if got != gold:
            report.disagreements[ident] = (sorted(gold - got), sorted(got - gold))
        if ident.startswith("seed:"):
            scores["held out (seeds)"].add(got, gold)
            continue
        report.criteria_dropped += sum(e.reason.startswith("criteria") for e in explanations)
        scores["findings"].add(got, gold)
        scores["keys only"].add({k for k, _ in got}, {k for k, _ in gold})
        scores["no criteria filter"].add(_without_criteria_filter(explanations), gold)
    return report


def _without_criteria_filter(explanations: list) -> set[Statement]:  # type: ignore[type-arg]
    """The findings when criteria sentences are read as findings (same dedupe rule)."""
    chosen: dict[str, bool] = {}
    for e in explanations:
        if e.kept or e.reason.startswith("criteria") or e.reason.startswith("same finding"):
            key, negated = e.finding.key, e.finding.negated
            if key not in chosen or (chosen[key] and not negated):
                chosen[key] = negated
        elif e.reason.startswith("stated both ways"):
            key = e.finding.key
            if key not in chosen or (chosen[key] and not e.finding.negated):
                chosen[key] = e.finding.negated
    return set(chosen.items())


def main() -> int:
    report = evaluate()
    if report is None:
        print(f"skipped: {SHARED / 'real-letters'} is absent")
        return 0
    print(f"{report.items} labelled items from {report.letters} letters")
    for name, score in report.scores.items():
        print(
            f"{name:20} precision {100 * score.precision:5.1f}%  recall {100 * score.recall:5.1f}%"
            f"  ({score.true_positives} agreed, {score.predicted} found, {score.expected} labelled)"
        )
    print(f"statements dropped as criteria: {report.criteria_dropped}")
    print(f"labels naming no vocabulary key: {report.unknown_keys or 'none'}")
    if report.disagreements:
        print("\ndisagreements (item: missed | spurious; '-' marks a negated finding):")
        for ident, (missed, spurious) in report.disagreements.items():
            print(f"  {ident}: {_show(missed)} | {_show(spurious)}")
    return 0


def _show(statements: list[Statement]) -> str:
    return ", ".join(f"{'-' if negated else ''}{key}" for key, negated in statements) or "-"


if __name__ == "__main__":
    sys.exit(main())

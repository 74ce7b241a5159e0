"""How well the classification rules agree with hand labels on the real letters.

Parses ../shared/real-letters/txt and ../shared/seeds (relative to the repository root),
applies the rules (treatment concept, body regions, reviewer specialties, injury regions,
canonical guidelines and sections) and compares them with evaluation/labels/*.csv, written
by reading the letters. Prints the accuracy of each task and every disagreement, plus a few
consistency checks (no specialty outside the board table, no guideline under two names, no
lab panel read as physical therapy). Run from the repository root:

    PYTHONPATH=$PWD python evaluation/classification.py

Skips (exit 0) when ../shared/real-letters is absent. `evaluate()` is what the tests pin.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from clinical.classify import categorize  # noqa: E402
from clinical.concepts import concept_regions, treatment_concept  # noqa: E402
from clinical.injury import injury_regions  # noqa: E402
from indexer.guidelines import canonical_guideline, canonical_sections  # noqa: E402
from indexer.parse import parse_file  # noqa: E402
from indexer.records import Letter  # noqa: E402
from indexer.specialties import board_names, normalize_specialties  # noqa: E402

SHARED = ROOT.parent / "shared"
LABELS = ROOT / "evaluation" / "labels"
TASKS = (
    "concept",
    "region",
    "context region",
    "specialty",
    "injury region",
    "guideline",
    "section",
)
# Lab panels that must never read as physical therapy (probes beside the real letters).
LAB_PROBES = (
    "Associated surgical service: PT/PTT",
    "PT/INR",
    "Pre-op labs: CBC, CMP, PT/PTT",
    "CBC, BMP, PT, PTT",
    "Associated Surgical Service: Labs (CBC, PT/INR)",
)


@dataclass
class Task:
    """Agreement of one task: counts and the disagreements, as (id, got, expected)."""

    name: str
    total: int = 0
    agreed: int = 0
    disagreements: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, ident: str, got: str, expected: str, same: bool | None = None) -> None:
        self.total += 1
        if got == expected if same is None else same:
            self.agreed += 1
        else:
            self.disagreements.append((ident, got, expected))

    @property
    def accuracy(self) -> float:
        return self.agreed / self.total if self.total else 1.0


@dataclass
class Report:
    tasks: dict[str, Task]
    unknown_specialties: list[str]
    guideline_conflicts: list[str]
    lab_as_therapy: list[str]


def evaluate(shared: Path = SHARED) -> Report | None:
    """Compare the rules with the labels; None when the real letters are absent."""
    letters = _letters(shared)
    if letters is None:
        return None
    items = _rows("real_items.csv", "item_id")
    letter_labels = _rows("real_letters.csv", "letter")
    citation_labels = _citation_rows()
    tasks = {name: Task(name) for name in TASKS}
    boards = set(board_names())
    unknown: list[str] = []
    predicted_by_label: dict[str, set[str]] = defaultdict(set)
    label_by_predicted: dict[str, set[str]] = defaultdict(set)
    for key, letter in letters:
        labels = letter_labels[key]
        specialties, _ = normalize_specialties(letter.specialties)
        unknown += [name for name in specialties if name not in boards]
        _compare(tasks["specialty"], key, specialties, _split(labels["specialties"]))
        injury = injury_regions(letter.clinical_summary)
        _compare(tasks["injury region"], key, injury, _split(labels["injury_regions"]))
        for item in letter.items:
            ident = _item_id(key, letter, item.item_number)
            label = items[ident]
            concept = treatment_concept(item.treatment, item.category)
            tasks["concept"].add(ident, concept.key, label["concept"])
            _compare(tasks["region"], ident, item.body_regions, _split(label["regions"]))
            context = concept_regions(item.treatment, concept, injury)
            _compare(tasks["context region"], ident, context, _split(label["context_regions"]))
            for party in ("claims_administrator", "reviewer"):
                for number, citation in enumerate(item.citations_by(party), start=1):  # type: ignore[arg-type]
                    row = citation_labels[(ident, party, number)]
                    cid = f"{ident} {party} #{number}"
                    name = canonical_guideline(citation.source, citation.guideline, citation.text)
                    tasks["guideline"].add(cid, name, row["guideline"])
                    predicted_by_label[row["guideline"]].add(name)
                    label_by_predicted[name].add(row["guideline"])
                    sections = canonical_sections(
                        citation.source, citation.guideline, citation.sections, citation.text
                    )
                    _compare(tasks["section"], cid, sections, _split(row["sections"], " | "))
    conflicts = [
        f"{label!r} predicted as {sorted(names)}"
        for label, names in predicted_by_label.items()
        if len(names) > 1
    ] + [
        f"{name!r} given to labels {sorted(labels)}"
        for name, labels in label_by_predicted.items()
        if len(labels) > 1
    ]
    lab_as_therapy = [
        probe
        for probe in LAB_PROBES
        if treatment_concept(probe).key == "physical-therapy"
        or categorize(probe) == "physical therapy"
    ]
    return Report(tasks, sorted(set(unknown)), conflicts, lab_as_therapy)


def main() -> int:
    report = evaluate()
    if report is None:
        print(f"skipped: {SHARED / 'real-letters'} is absent")
        return 0
    for task in report.tasks.values():
        print(f"{task.name:15} {task.agreed:4}/{task.total:<4} {100 * task.accuracy:6.1f}%")
    print(f"specialties outside the board table: {report.unknown_specialties or 'none'}")
    print(f"guidelines under two names: {report.guideline_conflicts or 'none'}")
    print(f"lab panels read as physical therapy: {report.lab_as_therapy or 'none'}")
    for task in report.tasks.values():
        if task.disagreements:
            print(f"\n{task.name} disagreements (id: got | expected):")
            for ident, got, expected in task.disagreements:
                print(f"  {ident}: {got or '-'} | {expected or '-'}")
    return 0


# ---------------------------------------------------------------------------------------------


def _letters(shared: Path) -> list[tuple[str, Letter]] | None:
    real = shared / "real-letters" / "txt"
    if not real.is_dir():
        return None
    out = [(path.stem, parse_file(path)) for path in sorted(real.glob("*.txt"))]
    seeds = shared / "seeds"
    if seeds.is_dir():
        out += [(f"seed:{path.name[:3]}", parse_file(path)) for path in sorted(seeds.glob("*.txt"))]
    return out


def _item_id(key: str, letter: Letter, number: int) -> str:
    return f"{key}-{number}" if key.startswith("seed:") else letter.items[number - 1].id


def _rows(name: str, key: str) -> dict[str, dict[str, str]]:
    with open(LABELS / name, newline="", encoding="utf-8") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


def _citation_rows() -> dict[tuple[str, str, int], dict[str, str]]:
    with open(LABELS / "real_citations.csv", newline="", encoding="utf-8") as handle:
        return {
            (row["item_id"], row["party"], int(row["n"])): row for row in csv.DictReader(handle)
        }


def _split(value: str, separator: str = ";") -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(separator) if part.strip())


def _compare(task: Task, ident: str, got: Iterable[str], expected: Iterable[str]) -> None:
    got, expected = tuple(got), tuple(expected)
    task.add(ident, "; ".join(got), "; ".join(expected), set(got) == set(expected))


if __name__ == "__main__":
    sys.exit(main())

"""How often is "did you mean" right? Measured on the real letters, on each engine.

labels/misspellings.csv lists misspellings of clinical words that occur in the real letters
(the intended word is in their texts; the misspelling is not), written the way such words
are mistyped: a letter dropped, vowels swapped, transposed letters, phonetic and common
misspellings. Each is searched alone, as typed, asking for a suggestion; the top (only)
suggestion is right when it is the intended word. A misspelling that stems as its word does
("impingment", "impingement": both "imping") already finds the intended word's decisions, so
it needs no suggestion and gets none: counted apart. Then each is searched again inside a
query with a group, an alternative and an exclusion (`(<misspelling> OR zzqx) -xyzzy`),
which must come back with only that word rewritten.

    python evaluation/spelling.py                            # SQLite
    python evaluation/spelling.py --es http://127.0.0.1:9200  # and Elasticsearch

Run from the repository root; real letters are read from ../shared/real-letters (the script
says so and stops when they are absent). Prints, per engine, the share right, the
misspellings without a suggestion, and every wrong suggestion.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluation.similar_cases import index  # noqa: E402
from imr_search.contract import Engine, SearchRequest  # noqa: E402
from imr_search.engines import open_engine  # noqa: E402
from indexer.documents import item_document  # noqa: E402
from indexer.parse import parse_file  # noqa: E402
from indexer.records import Letter  # noqa: E402

REAL = ROOT.parent / "shared" / "real-letters" / "txt"
LABELS = ROOT / "evaluation" / "labels" / "misspellings.csv"


@dataclass(frozen=True)
class Case:
    misspelled: str
    intended: str
    kind: str


def cases() -> list[Case]:
    with LABELS.open(encoding="utf-8") as f:
        return [Case(r["misspelled"], r["intended"], r["kind"]) for r in csv.DictReader(f)]


def vocabulary(letters: list[Letter]) -> set[str]:
    """The words of the texts suggestions come from (treatment, rationale, summary)."""
    words: set[str] = set()
    for letter in letters:
        for item in letter.items:
            doc = item_document(letter, item)
            text = f"{doc.treatment} {doc.rationale} {doc.letter.clinical_summary}"
            words.update(re.findall(r"\w+", text.lower()))
    return words


def measure(engine: Engine, labelled: list[Case]) -> None:
    right = inside = stemmed = 0
    missing: list[str] = []
    wrong: list[str] = []
    for case in labelled:
        found = engine.search(SearchRequest(query=case.misspelled, suggest=True, per_page=0))
        meant = engine.search(SearchRequest(query=case.intended, per_page=0))
        if found.suggestion == case.intended:
            right += 1
        elif found.suggestion is None and found.total and found.total == meant.total:
            stemmed += 1
        elif found.suggestion is None:
            missing.append(f"{case.misspelled} ({case.kind})")
        else:
            wrong.append(f"{case.misspelled} -> {found.suggestion} (meant {case.intended})")
        query = f"({case.misspelled} OR zzqx) -xyzzy"
        grouped = engine.search(SearchRequest(query=query, suggest=True, per_page=0))
        if grouped.suggestion == f"({case.intended} OR zzqx) -xyzzy":
            inside += 1
    n = len(labelled)
    needing = n - stemmed
    print(f"  top suggestion right: {right}/{n} ({100 * right / n:.0f}%)")
    print(
        f"  found the intended word's decisions anyway (same stem), no suggestion needed: "
        f"{stemmed}; right among the {needing} that need one: {100 * right / needing:.0f}%"
    )
    print(f"  inside a group with OR and an exclusion, only that word rewritten: {inside}/{n}")
    print(f"  no suggestion ({len(missing)}): {', '.join(missing) or '-'}")
    for line in wrong:
        print(f"  wrong: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--es", help="also measure on this Elasticsearch node (URL)")
    args = parser.parse_args()
    if not REAL.is_dir():
        sys.exit(f"{REAL} is absent: nothing to measure")
    letters = [parse_file(p) for p in sorted(REAL.glob("*.txt"))]
    words = vocabulary(letters)
    labelled = cases()
    for case in labelled:
        if case.intended not in words or case.misspelled in words:
            sys.exit(f"bad label {case}: the intended word must be in the letters, not the typo")
    items = sum(len(x.items) for x in letters)
    print(f"{len(labelled)} misspellings; {len(letters)} real letters, {items} items")
    targets = [("SQLite", str(Path(tempfile.mkdtemp()) / "spelling.sqlite3"))]
    if args.es:
        targets.append(("Elasticsearch", f"{args.es.rstrip('/')}/imr-eval-{uuid.uuid4().hex[:8]}"))
    for name, target in targets:
        index(letters, target)
        engine = open_engine(target)
        try:
            print(name)
            measure(engine, labelled)
        finally:
            engine.close()
            if target.startswith("http"):
                _drop(target)


def _drop(target: str) -> None:
    from elasticsearch import Elasticsearch

    from imr_search.elastic import indices

    url, alias = target.rsplit("/", 1)
    client = Elasticsearch(url)
    try:
        indices.drop(client, alias)
    finally:
        client.close()


if __name__ == "__main__":
    main()

"""The concept rules on generated letters: the distribution of concepts, and every treatment
that falls to "other:<category>" (a generated treatment should always find its concept).

    PYTHONPATH=$PWD python evaluation/generated_concepts.py /tmp/gen-concepts
    PYTHONPATH=$PWD python evaluation/generated_concepts.py --letters 2000 --seed 1

A directory is parsed letter by letter (what the index would see); without one, letters are
generated in memory with the project's generator.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from clinical.concepts import treatment_concept  # noqa: E402
from indexer.records import Item  # noqa: E402


def items_from(directory: Path | None, letters: int, seed: int) -> Iterator[Item]:
    """The items of the letters under a directory, or of freshly generated letters."""
    if directory is not None:
        from indexer.parse import parse_file

        for path in sorted(directory.rglob("*")):
            if path.suffix in (".txt", ".pdf") and path.is_file():
                yield from parse_file(path).items
        return
    from indexer.generate import generate_letters  # the generator may move; import late

    for letter in generate_letters(letters, seed):
        yield from letter.items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path)
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=0, help="show only the N commonest concepts")
    args = parser.parse_args(argv)
    concepts: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    other: Counter[tuple[str, str]] = Counter()
    total = 0
    for item in items_from(args.directory, args.letters, args.seed):
        total += 1
        concept = treatment_concept(item.treatment, item.category)
        concepts[concept.key] += 1
        groups[concept.group] += 1
        if concept.key.startswith("other:"):
            other[(item.category, item.treatment)] += 1
    print(f"{total} items, {len(concepts)} concepts, {sum(other.values())} in other:*")
    print("\ngroups:")
    for group, count in groups.most_common():
        print(f"  {count:6}  {group}")
    print("\nconcepts:")
    for key, count in concepts.most_common(args.top or None):
        print(f"  {count:6}  {key}")
    if other:
        print("\ntreatments in other:* (category | treatment):")
        for (category, treatment), count in other.most_common():
            print(f"  {count:4}  {category} | {treatment}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

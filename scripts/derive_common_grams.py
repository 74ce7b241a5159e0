"""Derive mappings/common_grams.txt, the common words of common grams, from corpus statistics.

    PYTHONPATH=. python scripts/derive_common_grams.py            # write the list
    PYTHONPATH=. python scripts/derive_common_grams.py --check    # exit 1 if it would change

The statistics come from the items of the real letters (../shared/real-letters/txt, or
--real) and of generated letters (synthetic.corpus, fixed seed), tokenized and stemmed by
SQLite FTS5 with the embedded engine's own tokenizer, so the words are exactly the stems both
engines index. A stem is common when it is

- a word of letters (no digits: numbers, dates and codes are not phrase words), and not the
  stem of an English function word (imr_search.query.STOP_WORDS: pairs with "of" or "the"
  would double the grams for little gain; phrases with them stay positional), and
- in at least MIN_SHARE of the items of either corpus (real or generated), or in the
  treatment text of at least MIN_TREATMENT_SHARE (and MIN_TREATMENT_ITEMS) of them: the
  treatment vocabulary, the words of "physical therapy", "lumbar fusion", "MRI" that people
  type as phrases.

A phrase is slow when all of its words are in many items; a phrase with one rare word is fast
already (FTS5 and Lucene skip to the rows holding it). The output is deterministic for the
same inputs; each index records the list it was built with, so changing it needs no migration
(new indexes use the new list).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from imr_search.query import STOP_WORDS  # noqa: E402
from imr_search.sqlite.rows import build_row  # noqa: E402
from imr_search.sqlite.schema import TOKENIZER  # noqa: E402
from indexer.documents import source_documents  # noqa: E402
from indexer.parse import parse_file  # noqa: E402
from mappings.common_grams import LIST_FILE, list_version, parse_words  # noqa: E402
from mappings.fields import SEARCH_FIELDS  # noqa: E402
from mappings.schema import ItemDocument  # noqa: E402
from synthetic.corpus import generate_letters  # noqa: E402

# 5%: at 1M items a phrase with a word in 9% of them ("rotator cuff": "cuff") took 156 ms as
# a position merge, against 41 ms for "lower extremity" as a gram. Words in 5-10% of items
# (295 more stems than with 10%) made the SQLite index 0.6% and the Elasticsearch index 1.4%
# larger at 100k items, at the same write time.
MIN_SHARE = 0.05
MIN_TREATMENT_SHARE = 0.01
MIN_TREATMENT_ITEMS = 3  # a small corpus: one treatment is not a vocabulary
GENERATED_LETTERS = 3000
GENERATED_SEED = 20141
DEFAULT_REAL = ROOT.parent / "shared" / "real-letters" / "txt"
OUTPUT = ROOT / "mappings" / LIST_FILE
_TREATMENT = [f.scope for f in SEARCH_FIELDS].index("treatment")


def real_items(folder: Path) -> list[ItemDocument]:
    paths = sorted(folder.glob("*.txt"))
    if not paths:
        raise SystemExit(f"no real letters in {folder} (give --real FOLDER)")
    return [
        doc
        for n, path in enumerate(paths)
        for doc in source_documents(f"/real/{n}.txt", "fp", parse_file(path)).items
    ]


def generated_items(letters: int, seed: int) -> list[ItemDocument]:
    return [
        doc
        for n, letter in enumerate(generate_letters(letters, seed))
        for doc in source_documents(f"/generated/{n}.txt", "fp", letter).items
    ]


def stem_statistics(items: list[ItemDocument]) -> tuple[Counter[str], Counter[str]]:
    """stem -> items holding it (any searchable text), and items whose treatment holds it."""
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(all_text, treatment, tokenize = '{TOKENIZER}')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, col)")
    rows = []
    for doc in items:
        texts = build_row(doc).texts
        rows.append((" . ".join(texts), texts[_TREATMENT]))
    db.executemany("INSERT INTO t VALUES (?, ?)", rows)
    anywhere: Counter[str] = Counter()
    treatment: Counter[str] = Counter()
    for term, column, docs in db.execute("SELECT term, col, doc FROM v"):
        (anywhere if column == "all_text" else treatment)[term] = docs
    return anywhere, treatment


def stems_of(words: list[str]) -> list[str]:
    """FTS5's terms of each word (one word per row), in order."""
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(w, tokenize = '{TOKENIZER}')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    db.executemany("INSERT INTO t(rowid, w) VALUES (?, ?)", enumerate(words))
    out = [""] * len(words)
    for term, doc in db.execute("SELECT term, doc FROM v"):
        out[doc] = term
    return out


def examples(items: list[ItemDocument], stems: set[str]) -> dict[str, str]:
    """stem -> its most frequent written form in these items (for the list's comments)."""
    from imr_search.query import words_of

    forms: Counter[str] = Counter()
    for doc in items:
        for text in build_row(doc).texts:
            forms.update(words_of(text))
    ranked = [w for w, _ in forms.most_common() if w.isascii()]
    best: dict[str, str] = {}
    for word, stem in zip(ranked, stems_of(ranked), strict=True):
        if stem in stems and stem not in best:
            best[stem] = word
    return best


def derive(real: Path, letters: int, seed: int) -> str:
    corpora = {"real": real_items(real), "generated": generated_items(letters, seed)}
    stats = {name: (len(items), *stem_statistics(items)) for name, items in corpora.items()}
    stop_stems = set(stems_of(sorted(STOP_WORDS)))
    chosen: dict[str, dict[str, float]] = {}
    for n, anywhere, treatment in stats.values():
        for stem in set(anywhere) | set(treatment):
            if not (stem.isascii() and stem.isalpha() and len(stem) >= 2) or stem in stop_stems:
                continue
            in_treatments = max(MIN_TREATMENT_ITEMS, MIN_TREATMENT_SHARE * n)
            if anywhere[stem] >= MIN_SHARE * n or treatment[stem] >= in_treatments:
                chosen.setdefault(stem, {})
    for stem, shares in chosen.items():
        for name, (n, anywhere, treatment) in stats.items():
            shares[name] = anywhere[stem] / n
            shares[name + " treatment"] = treatment[stem] / n
    shown = examples(corpora["real"] + corpora["generated"][:2000], set(chosen))
    words = sorted(chosen)
    lines = [
        "# Common words of common grams (mappings/common_grams.py), one Porter stem a line.",
        "# Derived by scripts/derive_common_grams.py: do not edit by hand, run it again.",
        f"# {len(corpora['real'])} real items, {len(corpora['generated'])} generated items "
        f"(seed {seed}); min share {MIN_SHARE:g} of items, or {MIN_TREATMENT_SHARE:g} in "
        "treatments.",
        f"# version {list_version(words)}",
        "# stem            example          % items real / generated, % treatments real / gen.",
    ]
    for stem in words:
        s = chosen[stem]
        lines.append(
            f"{stem:<17} # {shown.get(stem, ''):<16} {100 * s['real']:5.1f} "
            f"{100 * s['generated']:5.1f}  {100 * s['real treatment']:4.1f} "
            f"{100 * s['generated treatment']:4.1f}"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL, help="real letters (.txt)")
    parser.add_argument("--letters", type=int, default=GENERATED_LETTERS)
    parser.add_argument("--seed", type=int, default=GENERATED_SEED)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the list would change")
    args = parser.parse_args(argv)
    text = derive(args.real, args.letters, args.seed)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        same = parse_words(current) == parse_words(text)
        print(f"{args.out}: {'up to date' if same else 'differs from the derived list'}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {len(parse_words(text))} words to {args.out} ({list_version(parse_words(text))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Do result snippets explain the decision? Before and after the passage chooser, on the real
letters, on each engine, against hand labels.

For each of QUERIES (what people search for in these letters), the first TOP results are
taken and two snippets made of each hit: "before", each engine's own passage choice as it
was (SQLite: FTS5's snippet() of 32 tokens; Elasticsearch: the unified highlighter's best
200-character fragment; the first of rationale, summary, citations with a match), and
"after", the snippet the engine now returns (imr_search.passages). Each distinct snippet was
read and labelled by hand in labels/snippet_labels.csv (by a hash of its text: no letter
text is kept in the project): explanatory = it says why the request was or was not found
necessary for this patient (a finding or a gap in the records, a criterion met or not),
not only a retelling of the records, background about the treatment, boilerplate, or a bare
"the request is not medically necessary".

    python evaluation/snippets.py                              # SQLite
    python evaluation/snippets.py --es http://127.0.0.1:9200    # and Elasticsearch
    python evaluation/snippets.py --unlabelled                  # print snippets to label

Run from the repository root; real letters are read from ../shared/real-letters.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluation.similar_cases import index  # noqa: E402
from evaluation.spelling import _drop  # noqa: E402
from imr_search.contract import Engine, Hit, SearchRequest  # noqa: E402
from imr_search.engines import open_engine  # noqa: E402
from imr_search.marks import MARK_END, MARK_START, one_mark_per_word  # noqa: E402
from indexer.parse import parse_file  # noqa: E402

REAL = ROOT.parent / "shared" / "real-letters" / "txt"
LABELS = ROOT / "evaluation" / "labels" / "snippet_labels.csv"
TOP = 3
QUERIES = (
    "MRI shoulder",
    "physical therapy",
    "acupuncture",
    "Norco",
    "opioids",
    "epidural steroid injection",
    "psychological evaluation",
    "compound cream",
    "urine drug screen",
    "home health",
    "knee",
    "lumbar MRI",
    "gabapentin",
    "tramadol",
    "muscle relaxant",
    "functional capacity evaluation",
    "EMG",
    "chiropractic",
    "topical",
    "radiculopathy",
)
# Queried only after the chooser's cues were settled on QUERIES (their outputs had been read
# and two changes made): a check that the figures hold on queries not tuned on.
HELD_OUT = (
    "cyclobenzaprine",
    "lidocaine",
    "x-ray",
    "elbow",
    "injection",
    "pantoprazole",
    "sessions",
    "naproxen",
)


def readable(marked: str) -> str:
    """A snippet as labelled: marks as [brackets], white space collapsed."""
    return " ".join(marked.replace(MARK_START, "[").replace(MARK_END, "]").split())


def snippet_id(marked: str) -> str:
    return hashlib.sha1(readable(marked).encode("utf-8")).hexdigest()[:12]


def labels() -> dict[str, bool]:
    if not LABELS.exists():
        return {}
    with LABELS.open(encoding="utf-8") as f:
        return {row["snippet_id"]: row["explanatory"] == "yes" for row in csv.DictReader(f)}


# --- the snippets as each engine chose them before imr_search.passages ---------------------------


def sqlite_before(engine: Any, query: str, hit: Hit) -> str:
    """FTS5's snippet() of 32 tokens: rationale, else summary, else citations (the old
    imr_search/sqlite/marking.py)."""
    from imr_search.plan import plan
    from imr_search.sqlite.compiler import compile_match

    ast = plan(query).ast
    if ast is None:
        return hit.marked_snippet
    s, e = MARK_START, MARK_END
    row = engine.db.execute(
        f"SELECT snippet(items_fts, 1, '{s}', '{e}', '…', 32), snippet(items_fts, 2, '{s}',"
        f" '{e}', '…', 32), snippet(items_fts, 3, '{s}', '{e}', '…', 32) FROM items_fts"
        " WHERE items_fts MATCH ? AND rowid = (SELECT rowid FROM items WHERE id = ?)",
        (compile_match(ast), hit.id),
    ).fetchone()
    texts = list(row or ())
    best = next((t for t in texts if MARK_START in t), texts[0] if texts else "")
    return one_mark_per_word(best)


def elastic_before(engine: Any, query: str, hit: Hit) -> str:
    """The unified highlighter's best 200-character fragment (the old elastic/search.py)."""
    from elasticsearch.dsl import Search
    from elasticsearch.dsl.query import Ids

    from imr_search.elastic import run
    from imr_search.elastic.compile import highlight_queries
    from imr_search.elastic.search import HIGHLIGHT_OPTIONS, SNIPPET_FIELDS
    from imr_search.plan import plan

    search = (
        Search().query(Ids(values=[hit.id])).source(False).highlight_options(**HIGHLIGHT_OPTIONS)
    )
    for name, q in highlight_queries(plan(query).ast).items():
        if name != "treatment":
            search = search.highlight(
                name, fragment_size=200, number_of_fragments=1, highlight_query=q.to_dict()
            )
    answer = run.answer(engine.client, engine.items_index, search)
    marks = answer["hits"]["hits"][0].get("highlight", {})
    for name in SNIPPET_FIELDS:
        if marks.get(name):
            return one_mark_per_word(str(marks[name][0]))
    return hit.marked_snippet


def measure(
    name: str, engine: Engine, labelled: dict[str, bool], unlabelled: bool, queries: tuple[str, ...]
) -> None:
    before_of = sqlite_before if name.startswith("SQLite") else elastic_before
    counts = {"before": [0, 0], "after": [0, 0]}  # variant -> [explanatory, labelled]
    missing = 0
    for query in queries:
        hits = engine.search(SearchRequest(query=query, per_page=TOP)).hits
        for hit in hits:
            for variant, marked in (
                ("before", before_of(engine, query, hit)),
                ("after", hit.marked_snippet),
            ):
                sid = snippet_id(marked)
                if sid not in labelled:
                    missing += 1
                    if unlabelled:
                        print(f"{sid},{query},{hit.id},{variant}: {readable(marked)}")
                    continue
                counts[variant][0] += labelled[sid]
                counts[variant][1] += 1
    print(f"{name}, {len(queries)} queries")
    for variant, (yes, total) in counts.items():
        share = f"{100 * yes / total:.0f}%" if total else "-"
        print(f"  {variant}: {yes}/{total} snippets explain the decision ({share})")
    if missing:
        print(f"  {missing} snippets not labelled (--unlabelled lists them)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--es", help="also measure on this Elasticsearch node (URL)")
    parser.add_argument("--unlabelled", action="store_true", help="print unlabelled snippets")
    args = parser.parse_args()
    if not REAL.is_dir():
        sys.exit(f"{REAL} is absent: nothing to measure")
    letters = [parse_file(p) for p in sorted(REAL.glob("*.txt"))]
    print(f"top {TOP} results of each query, {len(letters)} real letters")
    targets = [("SQLite", str(Path(tempfile.mkdtemp()) / "snippets.sqlite3"))]
    if args.es:
        targets.append(("Elasticsearch", f"{args.es.rstrip('/')}/imr-eval-{uuid.uuid4().hex[:8]}"))
    labelled = labels()
    for name, target in targets:
        index(letters, target)
        engine = open_engine(target)
        try:
            measure(name, engine, labelled, args.unlabelled, QUERIES)
            measure(f"{name} held out", engine, labelled, args.unlabelled, HELD_OUT)
        finally:
            engine.close()
            if target.startswith("http"):
                _drop(target)


if __name__ == "__main__":
    main()

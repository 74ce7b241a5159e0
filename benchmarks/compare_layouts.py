"""Does the split after a full load change what users see? (issue 14, imr_search.elastic.optimize)

    IMR_SEARCH_ES_URL=http://127.0.0.1:9200 python benchmarks/compare_layouts.py --items 200000
    python benchmarks/compare_layouts.py --batches DIR/batches.pickle --items 200000

Loads the same generated items twice through the engine: into one primary
(IMR_SEARCH_ES_SHARDS=1; merged to one segment) and with the engine's default (split into one
primary per processor when large enough, each merged to one segment). Then asks both the same
treatment searches and similar-case requests and prints, per search: the totals and facet
counts (they must be equal), how many of the top 20 are the same items, and how far apart the
scores at each rank are; for similar cases, how many of the top 10 are the same. Several
primaries score with each shard's own term statistics, so near-equal scores may swap places:
the score columns say how near they were. The indices are dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from common import in_child, log, read_batches, write_batches
from elasticsearch import Elasticsearch

from devtools.esnode import elasticsearch_node
from imr_search.contract import SearchRequest, SimilarRequest, SourceDocuments
from imr_search.elastic import indices, optimize
from imr_search.elastic.engine import ElasticEngine

QUERIES = (
    '"physical therapy"', "MRI", "tramadol", "acupuncture", "knee", "chiropractic", "opioid",
    "injection", '"epidural steroid injection"', "shoulder", "gabapentin", "TENS", "cervical",
    "massage", "psychotherapy", "omeprazole", "arthroscopy", "NSAID", "carpal tunnel",
)  # fmt: skip
PROBES = 40


def first_items(batches: str, items: int) -> Iterator[list[SourceDocuments]]:
    """The stored batches up to `items` items."""
    seen = 0
    for batch in read_batches(batches):
        yield batch
        seen += sum(len(source.items) for source in batch)
        if seen >= items:
            return


def load(target: str, batches: str, items: int, shards: str | None) -> list[str]:
    """Load through the engine with IMR_SEARCH_ES_SHARDS=`shards` (None: the default);
    returns the item ids."""
    if shards is None:
        os.environ.pop("IMR_SEARCH_ES_SHARDS", None)
    else:
        os.environ["IMR_SEARCH_ES_SHARDS"] = shards
    ids: list[str] = []
    engine = ElasticEngine(target, writable=True)
    try:
        for batch in first_items(batches, items):
            assert engine.write(batch) == []
            ids += [item.id for source in batch for item in source.items]
        for note in engine.finish():
            log(f"{target}: {note}")
        index = engine.items_index
        log(
            f"{target}: {optimize.primaries(engine.client, index)} primaries, "
            f"{optimize.segment_count(engine.client, index)} segments"
        )
    finally:
        engine.close()
    return ids


def compare(one: ElasticEngine, split: ElasticEngine, ids: list[str]) -> None:
    overlaps: list[float] = []
    for query in QUERIES:
        a = one.search(SearchRequest(query=query, per_page=20))
        b = split.search(SearchRequest(query=query, per_page=20))
        same = "equal" if (a.total, a.facets) == (b.total, b.facets) else "DIFFERENT"
        if not a.hits or not b.hits:
            print(f"{query:30} totals {a.total} / {b.total}, facets {same}: no hits")
            continue
        top_a, top_b = {h.doc.id for h in a.hits}, {h.doc.id for h in b.hits}
        overlap = len(top_a & top_b) / len(top_a)
        overlaps.append(overlap)
        pairs = zip(a.hits, b.hits, strict=False)  # equal lengths: the totals are equal
        apart = [abs((x.score or 0.0) - (y.score or 0.0)) / (x.score or 1.0) for x, y in pairs]
        spread = ((a.hits[0].score or 0) - (a.hits[-1].score or 0)) / (a.hits[0].score or 1)
        print(
            f"{query:30} totals and facets {same}; top 20 the same {overlap:4.0%}; scores per "
            f"rank apart at most {max(apart):.2%}; top 20 span {spread:.1%} of the best score"
        )
    print(
        f"searches: top-20 overlap mean {statistics.mean(overlaps):.1%}, least {min(overlaps):.0%}"
    )
    similar: list[float] = []
    for item_id in random.Random(1).sample(ids, min(PROBES, len(ids))):
        a_ids = [h.doc.id for h in one.similar(SimilarRequest(item_id=item_id, k=10))]
        b_ids = [h.doc.id for h in split.similar(SimilarRequest(item_id=item_id, k=10))]
        similar.append(len(set(a_ids) & set(b_ids)) / max(1, len(a_ids)))
    print(
        f"similar cases ({len(similar)} items): top-10 overlap mean "
        f"{statistics.mean(similar):.1%}, least {min(similar):.0%}, "
        f"identical lists {sum(1 for s in similar if s == 1.0)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batches", help="a stored corpus (write_batches); else generated")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work, elasticsearch_node(work) as url:
        batches = args.batches
        if batches is None:
            batches = str(Path(work) / "batches.pickle")
            in_child(write_batches, batches, args.seed, args.items)
        stamp = uuid.uuid4().hex[:8]
        one_target, split_target = f"{url}/imr-one-{stamp}", f"{url}/imr-split-{stamp}"
        try:
            ids = load(one_target, batches, args.items, "1")
            load(split_target, batches, args.items, None)
            one, split = ElasticEngine(one_target), ElasticEngine(split_target)
            try:
                compare(one, split, ids)
            finally:
                one.close()
                split.close()
        finally:
            client = Elasticsearch(url, request_timeout=120)
            for target in (one_target, split_target):
                indices.drop(client, target.rsplit("/", 1)[1])
            client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

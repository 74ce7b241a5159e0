"""Reference answers computed from the corpus by plain Python (no engine involved).

Facet counts follow the contract literally: `facet_values()` of each stored document;
OR within a facet, AND across facets; each facet counted under every other facet's selection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from indexer.documents import item_document
from mappings.facets import FACETS, facet_values
from mappings.schema import ItemDocument

from .corpus import ITEMS


def doc(item_id: str) -> ItemDocument:
    letter, item = ITEMS[item_id]
    return item_document(letter, item)


def values(item_id: str, facet: str) -> list[str]:
    spec = next(f for f in FACETS if f.name == facet)
    return facet_values(doc(item_id), spec)


def passes(item_id: str, filters: Mapping[str, Sequence[str]], ignore: str | None = None) -> bool:
    return all(
        set(values(item_id, name)) & set(selected)
        for name, selected in filters.items()
        if selected and name != ignore
    )


def result(matching: Iterable[str], filters: Mapping[str, Sequence[str]]) -> set[str]:
    return {i for i in matching if passes(i, filters)}


def facet_counts(
    matching: Iterable[str], filters: Mapping[str, Sequence[str]], facet: str
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for i in matching:
        if passes(i, filters, ignore=facet):
            counts.update(set(values(i, facet)))
    return dict(counts)


def outcome_counts(ids: Iterable[str]) -> tuple[int, int]:
    outcomes = Counter(doc(i).outcome for i in ids)
    return outcomes["Upheld"], outcomes["Overturned"]

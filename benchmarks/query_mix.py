"""The query mix weighted like real use (issue 14), defined once for suite.py and load_web.py.

The named kinds of the issue's tables (rare phrase, common phrase, word + facets, citation
filter, similar cases: common.build_query_mix) each probe one cost. People mostly type what
was requested, in words of every frequency, sometimes narrow by facets, look a case number
up, or ask for similar cases; WEIGHTS says how often, in percent of requests. There are no
search logs yet: the weights are an estimate of how attorneys, adjusters and reviewers use
such a search (treatment words and phrases about half of all requests, filters on one in
six, lookups of a known case one in ten, similar cases one in six), to be replaced by
measured shares once a deployment logs them.

Treatment words and phrases are drawn from the corpus' own treatment vocabulary (words and
two- or three-word sequences of the requests) by document frequency band, measured on the
whole corpus with the caller's `count`. Requests are written from a closed list of treatments,
so few of their words are rare: when a band has too few of them, the words of the rationales
follow (drug names, conditions, procedures: what people also type when they look for a
treatment), by the same bands:

rare      at most 0.05% of items match (at 100,000 items: 1-50), and at least 1
medium    0.05% to 1%
common    more than 1%

On a small corpus the rare band reaches at least RARE_AT_LEAST items (at 2,000 items 0.05% is
one item), and the medium band starts above it.

The "weighted mix" row is the weighted percentile over the kinds' timings (each timing of a
kind weighs its kind's weight / its number of timings: common.Latency.weighted), which is what
timing requests drawn at these rates would give, without timing them twice.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from common import (
    CITATION_FILTERS,
    CLAUSE_BREAK,
    FACET_FILTERS,
    QueryCase,
    SampleItem,
    _usable,
    build_query_mix,
    facet_values,
    sample_items,
)

from imr_search.contract import Engine, SimilarRequest
from imr_search.query import words_of

MIX = "weighted mix"
# Share of requests of each kind, in percent (sum 100). "citation filter" and "similar cases"
# are the named kinds of common.build_query_mix, timed once for both.
WEIGHTS: dict[str, int] = {
    "treatment word, rare": 9,
    "treatment word, medium": 12,
    "treatment word, common": 9,
    "treatment phrase, rare": 8,
    "treatment phrase, medium": 10,
    "treatment phrase, common": 6,
    "treatment + filters": 14,
    "citation filter": 4,
    "case number": 10,
    "similar cases": 12,
    "similar to text": 6,
}
BANDS: dict[str, tuple[float, float]] = {  # share of items matching: (above, at most)
    "rare": (0.0, 0.0005),
    "medium": (0.0005, 0.01),
    "common": (0.01, 1.0),
}
# Kinds of this module (the others come from common.build_query_mix); the case number has no
# raw-count lower bound (it is a lookup, not a match).
RARE_AT_LEAST = 3
KINDS = tuple(k for k in WEIGHTS if k not in ("citation filter", "similar cases"))
NO_FLOOR = frozenset({"case number"})
_CASE_ID = re.compile(r"^(CM\d{2})-(\d+)-(\d+)$")


def rationale_words(sample: Sequence[SampleItem]) -> list[str]:
    """Words of the sampled rationales a user would type (letters only, 4 or more), most
    frequent first (ties alphabetical)."""
    words: Counter[str] = Counter()
    for item in sample:
        words.update(w for w in words_of(item.rationale) if w.isalpha() and _usable(w, 4))
    return sorted(words, key=lambda w: (-words[w], w))


def treatment_vocabulary(sample: Sequence[SampleItem]) -> tuple[list[str], list[str]]:
    """(words, phrases) of the sampled requests, most frequent first (ties alphabetical):
    words a user would type, and runs of two or three of them within a clause."""
    words: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    for item in sample:
        for clause in CLAUSE_BREAK.split(item.treatment):
            tokens = words_of(clause)
            words.update(w for w in tokens if _usable(w, 4))
            for size in (2, 3):
                for i in range(len(tokens) - size + 1):
                    run = tokens[i : i + size]
                    if all(_usable(w) for w in run):
                        phrases[" ".join(run)] += 1
    order = sorted(words, key=lambda w: (-words[w], w))
    return order, sorted(phrases, key=lambda p: (-phrases[p], p))


def build_weighted_mix(
    sample: Sequence[SampleItem],
    items: int,
    count: Callable[[str], int],
    facet_values: Mapping[str, Sequence[str]],
    seed: int,
    per_kind: int = 12,
) -> list[QueryCase]:
    """`per_kind` distinct queries of each kind of KINDS, chosen from the corpus with `seed`
    (`count(text)`: how many items a query text matches; `facet_values`: each facet's values)."""
    from search_ui.params import SearchState

    rng = random.Random(seed * 31 + 14)
    words, phrases = treatment_vocabulary(sample)
    rng.shuffle(words)
    rng.shuffle(phrases)
    known = set(words)
    more_words = [w for w in rationale_words(sample) if w not in known]
    rng.shuffle(more_words)

    def search_case(kind: str, query: str, filters: Mapping[str, Sequence[str]]) -> QueryCase:
        state = SearchState(query=query, filters={k: tuple(v) for k, v in filters.items()})
        floor = "" if kind in NO_FLOOR else query
        path = f"/search?{state.query_string()}"
        return QueryCase(kind, search=state.request(), floor_text=floor, web_path=path)

    def banded(candidates: list[str], band: str, quote: bool) -> list[str]:
        low, high = band_limits(band, items)
        chosen = []
        for text in candidates:
            query = f'"{text}"' if quote else text
            if low < count(query) <= high:
                chosen.append(query)
                if len(chosen) == per_kind:
                    break
        return chosen

    cases: list[QueryCase] = []
    typed: list[str] = []
    for band in BANDS:
        for query in banded(words + more_words, band, quote=False):
            cases.append(search_case(f"treatment word, {band}", query, {}))
            typed.append(query)
        for query in banded(phrases, band, quote=True):
            cases.append(search_case(f"treatment phrase, {band}", query, {}))
            typed.append(query)
    for i in range(per_kind if typed else 0):
        chosen: dict[str, list[str]] = {}
        names = [n for n in FACET_FILTERS + CITATION_FILTERS[:1] if facet_values.get(n)]
        for name in rng.sample(names, min(len(names), rng.randint(1, 2))):
            values = list(facet_values[name])
            chosen[name] = rng.sample(values, min(len(values), rng.randint(1, 2)))
        cases.append(search_case("treatment + filters", typed[i * 7 % len(typed)], chosen))
    picked = rng.sample(list(sample), min(per_kind, len(sample)))
    for n, item in enumerate(picked):
        cases.append(search_case("case number", case_number_as_typed(item.id, n), {}))
    for item in rng.sample(list(sample), min(per_kind, len(sample))):
        text = pasted_text(item)
        terms = list(dict.fromkeys(w for w in words_of(item.treatment) if _usable(w)))
        cases.append(
            QueryCase(
                "similar to text",
                similar=SimilarRequest(text=text, k=10),
                floor_text=" ".join(terms[:8]) or "pain",
                web_path="/similar?" + _urlencode({"text": text}),
            )
        )
    return cases


def band_limits(band: str, items: int) -> tuple[float, float]:
    """(above, at most) items a query of `band` matches in a corpus of `items` items."""
    low, high = (max(share * items, RARE_AT_LEAST) if share else 0.0 for share in BANDS[band])
    return low, max(high, low)


def case_number_as_typed(item_id: str, n: int) -> str:
    """The case number of an item as people type it: 'CM16-0213037', 'cm16 0213037', or the
    item id itself (a third each)."""
    match = _CASE_ID.match(item_id)
    if match is None:
        return item_id
    prefix, number, _ = match.groups()
    return (f"{prefix}-{number}", f"{prefix.lower()} {number}", item_id)[n % 3]


def pasted_text(item: SampleItem) -> str:
    """What a user pastes to find similar cases: the request and the start of a denial."""
    sentences = re.split(r"(?<=[.!?])\s+", item.rationale)
    return f"Request for {item.treatment}. " + " ".join(sentences[:2])[:600]


def _urlencode(fields: Mapping[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(fields)


def choose_cases(
    batches: str, items: int, engine: Engine, count: Callable[[str], int], seed: int
) -> list[QueryCase]:
    """The suite's query mix for a stored corpus: the named kinds (common.build_query_mix) and
    the weighted mix's (build_weighted_mix), filters chosen among the engine's facet values,
    frequency bands checked with `count` (a raw match count)."""
    sample = sample_items(batches, items)
    values = facet_values(engine)
    return build_query_mix(sample, items, count, values, seed) + build_weighted_mix(
        sample, items, count, values, seed
    )

"""Elasticsearch's vocabulary for spelling suggestions (imr_search.suggest): a term suggester
on the `words` field (mappings.elastic.WORDS_FIELD: the vocabulary texts' words, unstemmed).

One request asks for every word at once, one suggestion each; `suggest_mode: missing` lists
candidates only for words the index does not hold, within the same first letter and edit
distance as the embedded engine's (suggest.PREFIX, suggest.max_edits); imr_search.suggest
then chooses among them as it does for SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.dsl import Search

from imr_search.elastic import run
from imr_search.suggest import CANDIDATES, MIN_WORD, PREFIX, max_edits
from mappings.elastic import WORDS_FIELD


def suggest_body(words: Sequence[str]) -> Search[Any]:
    """One term suggestion per word, no hits."""
    search = Search().extra(size=0, track_total_hits=False)
    for n, word in enumerate(words):
        search = search.suggest(
            f"w{n}",
            word,
            term={
                "field": WORDS_FIELD,
                "suggest_mode": "missing",
                "max_edits": max_edits(word),
                "prefix_length": PREFIX,
                "min_word_length": MIN_WORD,
                "size": CANDIDATES,
                "sort": "score",
                "string_distance": "damerau_levenshtein",
                "max_term_freq": 1.0,
            },
        )
    return search


def lookup(
    client: Elasticsearch, index: str, words: Sequence[str]
) -> dict[str, list[tuple[str, int]]]:
    """word -> candidates, (word, documents holding it) ([] for a word the index knows)."""
    if not words:
        return {}
    answer = run.answer(client, index, suggest_body(words))
    found = answer.get("suggest", {})
    out: dict[str, list[tuple[str, int]]] = {}
    for n, word in enumerate(words):
        options = [
            (str(option["text"]), int(option["freq"]))
            for entry in found.get(f"w{n}", ())
            for option in entry.get("options", ())
        ]
        out[word] = options
    return out

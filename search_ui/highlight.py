"""Highlight a query's terms in full stored text (the item page), safely.

The engine highlights snippets itself; the item page shows whole texts, so the app marks the
words the query asked for (synonyms included, exclusions not) with the engine's private-use
markers and hands the result to `to_markup`, which escapes everything and only then turns the
markers into <mark>. Stored text can therefore never inject markup.

Matching is by a light suffix-stripping stem, close enough to the engines' stemmers for reading:
"injections" is marked for the query "injection", "therap*" marks "therapy" and "therapist",
and a phrase is marked only where its words follow each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

from imr_search.engine import MARK_END, MARK_START, to_markup
from imr_search.errors import QuerySyntaxError
from imr_search.query import And, Node, Not, Or, Phrase, Term, parse_query
from imr_search.synonyms import expand_synonyms

_WORD = re.compile(r"\w+", re.UNICODE)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s")


def stem(word: str) -> str:
    """Strip one common English suffix (never below 3 characters)."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Terms:
    """What the query looks for, as stems: single words, prefixes, and phrases."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes or self.phrases)


def query_terms(query: str) -> Terms:
    """The terms a query asks for (synonyms included, exclusions not); empty on bad syntax."""
    try:
        node = expand_synonyms(parse_query(query))
    except QuerySyntaxError:
        return Terms()
    words: set[str] = set()
    prefixes: list[str] = []
    phrases: list[tuple[str, ...]] = []
    _collect(node, words, prefixes, phrases)
    return Terms(
        frozenset(stem(w) for w in words),
        tuple(prefixes),
        tuple(tuple(stem(w) for w in p) for p in phrases),
    )


def _collect(
    node: Node | None, words: set[str], prefixes: list[str], phrases: list[tuple[str, ...]]
) -> None:
    if node is None or isinstance(node, Not):
        return
    if isinstance(node, Term):
        (prefixes.append(node.text) if node.prefix else words.add(node.text))
    elif isinstance(node, Phrase):
        phrases.append(node.words)
    elif isinstance(node, And | Or):
        for child in node.children:
            _collect(child, words, prefixes, phrases)


def highlight(text: str, query: str) -> Markup:
    """`text` as safe HTML with the query's words and phrases in <mark>."""
    terms = _query_terms(query) if query else Terms()
    clean = text.replace(MARK_START, "").replace(MARK_END, "")
    if not terms:
        return Markup(to_markup(clean))
    tokens = list(_WORD.finditer(clean))
    stems = [_stem(m.group()) for m in tokens]
    words, prefixes = terms.words, terms.prefixes
    marked = [s in words for s in stems]
    if prefixes:
        for i, m in enumerate(tokens):
            if not marked[i]:
                word = m.group().lower()
                marked[i] = any(word.startswith(p) for p in prefixes)
    for phrase in terms.phrases:
        n = len(phrase)
        first = phrase[0]
        for i, s in enumerate(stems):
            if s == first and tuple(stems[i : i + n]) == phrase:
                marked[i : i + n] = [True] * n
    out: list[str] = []
    last = 0
    for m, on in zip(tokens, marked, strict=True):
        if on:
            out.append(clean[last : m.start()])
            out.append(MARK_START + m.group() + MARK_END)
            last = m.end()
    out.append(clean[last:])
    return Markup(to_markup("".join(out)))


# The item page highlights three texts for one query, and the same words come back on every
# page: both are remembered (pure functions of their argument, bounded caches).
_stem = lru_cache(maxsize=1 << 16)(stem)
_query_terms = lru_cache(maxsize=256)(query_terms)

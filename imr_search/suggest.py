""" "Did you mean": a better spelling of a query's unknown words, from the index's own words.

When a search finds few results (fewer than FEW_RESULTS), the words it asks for that the
index has never seen are looked up in the engine's vocabulary (the unstemmed words of the
letters' texts, mappings.fields.VOCABULARY_FIELDS): SQLite's from an FTS5 index of those
words, Elasticsearch's from a term suggester on its `words` field. Each engine only lists
the candidates near a word (same first letter, at most two edits, as Lucene's spell checker
does); this module chooses among them the same way for both: the fewest edits (a swap of two
neighbouring letters is one), then the most frequent word, then the word itself.

Only the misspelled words are rewritten, in the query text as typed: quotes, scopes,
operators, exclusions and every other word stay as they are ("treatment:acupunture -knee"
-> "treatment:acupuncture -knee"). Excluded words, prefixes, words with digits, short words
and synonym entries ("PT") are never corrected. A suggestion is only made when it finds more
results than the query did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from rapidfuzz.distance import OSA

from imr_search.contract import SearchRequest, SearchResponse
from imr_search.errors import QuerySyntaxError
from imr_search.query import Term, parse_query, positive_leaves
from imr_search.synonyms import is_synonym_entry

FEW_RESULTS = 10  # a query finding fewer results than this gets a suggestion when it can
MIN_WORD = 4  # shorter words are not corrected (Lucene's min_word_length)
PREFIX = 1  # a candidate starts with the word's first letter(s) (Lucene's prefix_length)
MAX_EDITS = 2  # edits allowed for words of LONG_WORD letters or more; one below that
LONG_WORD = 6
CANDIDATES = 10  # candidates an engine lists per word

# word -> candidates near it in the index's vocabulary, (word, documents holding it); an
# engine answers [] for a word it knows.
Lookup = Callable[[Sequence[str]], Mapping[str, Sequence[tuple[str, int]]]]
Count = Callable[[str], int]  # query -> how many results it finds


@dataclass(frozen=True)
class Typed:
    """A word of the query that may be corrected: its text and where it stands."""

    word: str  # lower-cased
    start: int
    end: int


def correctable(query: str) -> list[Typed]:
    """The words a suggestion may rewrite, in query order."""
    try:
        ast = parse_query(query)
    except QuerySyntaxError:
        return []
    out: list[Typed] = []
    for leaf in positive_leaves(ast):
        if isinstance(leaf, Term):
            placed = [] if leaf.prefix else [(leaf.text, leaf.start)]
        else:
            placed = list(zip(leaf.words, leaf.starts, strict=False))
        for word, start in placed:
            if start < 0 or len(word) < MIN_WORD or not word.isalpha():
                continue
            if is_synonym_entry(word):
                continue
            out.append(Typed(word, start, start + len(word)))
    return out


def max_edits(word: str) -> int:
    return MAX_EDITS if len(word) >= LONG_WORD else 1


def best_candidate(word: str, candidates: Iterable[tuple[str, int]]) -> str | None:
    """The closest known word: fewest edits, then the most documents, then alphabetical."""
    allowed = max_edits(word)
    ranked = []
    for candidate, documents in candidates:
        if candidate == word or not candidate.isalpha() or len(candidate) < MIN_WORD:
            continue
        if candidate[:PREFIX] != word[:PREFIX]:
            continue
        edits = OSA.distance(word, candidate, score_cutoff=allowed)
        if edits <= allowed:
            ranked.append((edits, -documents, candidate))
    return min(ranked)[2] if ranked else None


def suggestion(query: str, total: int, lookup: Lookup, count: Count) -> str | None:
    """The query with its misspelled words corrected, when it found fewer than FEW_RESULTS
    results and the corrected query finds more; else None."""
    if total >= FEW_RESULTS:
        return None
    typed = correctable(query)
    if not typed:
        return None
    found = lookup(sorted({t.word for t in typed}))
    better = {word: best_candidate(word, found.get(word, ())) for word in found}
    fixes = [(t, better[t.word]) for t in typed if better.get(t.word)]
    if not fixes:
        return None
    text = query
    for place, word in sorted(fixes, key=lambda f: -f[0].start):
        assert word is not None
        text = (
            text[: place.start]
            + _same_case(query[place.start : place.end], word)
            + text[place.end :]
        )
    return text if count(text) > total else None


def with_suggestion(
    search: Callable[[SearchRequest], SearchResponse],
    request: SearchRequest,
    response: SearchResponse,
    lookup: Lookup,
) -> SearchResponse:
    """The response with its suggestion, when the request asks for one (an engine's search
    calls this with itself and its vocabulary lookup)."""
    if not request.suggest or response.total >= FEW_RESULTS or not request.query.strip():
        return response

    def count(query: str) -> int:
        probe = replace(
            request,
            query=query,
            page=1,
            per_page=0,
            facet_size=0,
            breakdown=None,
            highlight=False,
            suggest=False,
        )
        return search(probe).total

    found = suggestion(request.query, response.total, lookup, count)
    return replace(response, suggestion=found) if found else response


def _same_case(typed: str, word: str) -> str:
    """The suggestion written as the word was typed: "ACUPUNTURE" -> "ACUPUNCTURE"."""
    if typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


__all__ = [
    "FEW_RESULTS",
    "Lookup",
    "best_candidate",
    "correctable",
    "suggestion",
    "with_suggestion",
]

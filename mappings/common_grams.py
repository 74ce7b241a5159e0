"""The common words of common grams (common_grams.txt): one list for both engines.

A phrase of common words ("physical therapy", "medically necessary") matches a large share of
all items, and a phrase query merges the positions of its words over every item holding all
of them. Both engines therefore also index each pair of adjacent common words as one term (a
"gram"), the way Lucene's CommonGrams does, so that such a phrase is a term lookup:

- Elasticsearch: the `common_grams` token filter in the index analyzer (every pair with a
  common word, beside the words) and its query mode in the search analyzer (mappings.analysis);
- SQLite: gram columns beside the text columns of the FTS5 index (every pair of two common
  words), written by the writer and searched by the compiler (imr_search.sqlite.grams).

The words are Porter stems (as both analyzers produce them, after lower-casing and folding
accents), so "physical therapies" and "physical therapy" make the same gram. The list is
derived from corpus statistics by scripts/derive_common_grams.py and committed: it is the same
for every index build. Each index records the list it was built with (SQLite: the words
themselves, in its meta table; Elasticsearch: in its analysis settings and mapping _meta), and
searches it with that list, whatever list this version ships.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

LIST_FILE = "common_grams.txt"


def parse_words(text: str) -> tuple[str, ...]:
    """The words of a list file: one a line, '#' starts a comment; sorted, no duplicates."""
    words = {line.split("#", 1)[0].strip() for line in text.splitlines()}
    words.discard("")
    return tuple(sorted(words))


def list_version(words: tuple[str, ...] | list[str]) -> str:
    """A short name of a list's contents: the same words, the same version."""
    digest = hashlib.sha1("\n".join(sorted(words)).encode("utf-8")).hexdigest()
    return "cg-" + digest[:12]


@cache
def common_words() -> tuple[str, ...]:
    """The shipped list's words (stems), sorted."""
    text = resources.files(__package__).joinpath(LIST_FILE).read_text(encoding="utf-8")
    return parse_words(text)


@cache
def common_grams_version() -> str:
    """The shipped list's version (see list_version)."""
    return list_version(common_words())

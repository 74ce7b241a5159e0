"""Text analysis of the Elasticsearch index: one tokenizer, one analyzer, no stop words.

Unicode word tokens (the same rule as `imr_search.query.words_of`, so "L4-S1" and "3.3.9" are
phrases of their parts in the index exactly as in the query language), lower case, accents
folded, Porter stemming: what SQLite's `porter unicode61 remove_diacritics 2` tokenizer does.
Stop words are kept so that phrases such as "failure of conservative care" keep every word.

Common grams (mappings.common_grams): after stemming, the index analyzer adds a term for every
pair of adjacent words of which one is on the list ("physic_therapi", at the position of its
first word, beside the words), and the search analyzer of the same fields replaces a phrase's
words by its grams where it has some (the filter's query mode): a phrase of common words is a
term lookup, and finds exactly what the phrase of words finds. Scoring is not changed (the
grams overlap their words, and overlapping tokens do not count in a field's length). The plain
analyzer (without grams) is for prefixes, similar cases and their shared terms.

Synonyms are not part of the analysis: the query language expands them once, in Python, for
both engines (imr_search.synonyms), from mappings/synonyms.txt.

Only mappings.elastic imports elasticsearch; this module says what to build, in plain data.
"""

from __future__ import annotations

from typing import Any

from mappings.common_grams import common_words

INDEX_ANALYZER = "imr_english"
# What a query's words go through in the same fields: phrases of common words become grams.
SEARCH_ANALYZER = "imr_english_search"
# The index analyzer without grams: words only.
PLAIN_ANALYZER = "imr_english_plain"
# The same words unstemmed: the vocabulary spelling suggestions come from (a suggestion must
# be a word people write, "radiculopathy", not a stem, "radiculopathi"); SQLite's is an FTS5
# index with the `unicode61 remove_diacritics 2` tokenizer.
WORDS_ANALYZER = "imr_words_plain"
TOKENIZER: dict[str, Any] = {"imr_words": {"type": "pattern", "pattern": r"(?U)\W+"}}
_WORDS = ["lowercase", "asciifolding", "porter_stem"]
FILTER: dict[str, Any] = {
    "imr_common_grams": {"type": "common_grams", "common_words": list(common_words())},
    "imr_common_grams_query": {
        "type": "common_grams",
        "common_words": list(common_words()),
        "query_mode": True,
    },
}
ANALYZER: dict[str, Any] = {
    INDEX_ANALYZER: {
        "type": "custom",
        "tokenizer": "imr_words",
        "filter": [*_WORDS, "imr_common_grams"],
    },
    SEARCH_ANALYZER: {
        "type": "custom",
        "tokenizer": "imr_words",
        "filter": [*_WORDS, "imr_common_grams_query"],
    },
    PLAIN_ANALYZER: {
        "type": "custom",
        "tokenizer": "imr_words",
        "filter": _WORDS,
    },
    WORDS_ANALYZER: {
        "type": "custom",
        "tokenizer": "imr_words",
        "filter": ["lowercase", "asciifolding"],
    },
}

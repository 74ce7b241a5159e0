"""Text analysis of the Elasticsearch index: one tokenizer, one analyzer, no stop words.

Unicode word tokens (the same rule as `imr_search.query.words_of`, so "L4-S1" and "3.3.9" are
phrases of their parts in the index exactly as in the query language), lower case, accents
folded, Porter stemming: what SQLite's `porter unicode61 remove_diacritics 2` tokenizer does.
Stop words are kept so that phrases such as "failure of conservative care" keep every word.

Synonyms are not part of the analysis: the query language expands them once, in Python, for
both engines (imr_search.synonyms), from mappings/synonyms.txt.

Only mappings.elastic imports elasticsearch; this module says what to build, in plain data.
"""

from __future__ import annotations

from typing import Any

INDEX_ANALYZER = "imr_english"
# The same words unstemmed: the vocabulary spelling suggestions come from (a suggestion must
# be a word people write, "radiculopathy", not a stem, "radiculopathi"); SQLite's is an FTS5
# index with the `unicode61 remove_diacritics 2` tokenizer.
WORDS_ANALYZER = "imr_words_plain"
TOKENIZER: dict[str, Any] = {"imr_words": {"type": "pattern", "pattern": r"(?U)\W+"}}
ANALYZER: dict[str, Any] = {
    INDEX_ANALYZER: {
        "type": "custom",
        "tokenizer": "imr_words",
        "filter": ["lowercase", "asciifolding", "porter_stem"],
    },
    WORDS_ANALYZER: {
        "type": "custom",
        "tokenizer": "imr_words",
        "filter": ["lowercase", "asciifolding"],
    },
}

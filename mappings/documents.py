"""The item index as `elasticsearch.dsl` classes: the same definition as index.json, in code.

index.json is what people read and what the engine sends; these classes are for code that wants
typed access (and for the drift test, tests/test_elastic_mapping.py, which fails when the two
disagree). Change both together.
"""

from __future__ import annotations

from typing import Any, ClassVar

from elasticsearch.dsl import (
    Boolean,
    Date,
    Document,
    InnerDoc,
    Integer,
    Keyword,
    MetaField,
    Nested,
    Object,
    Text,
    analyzer,
    token_filter,
    tokenizer,
)

SCHEMA_VERSION = 1

# Unicode word tokens: the same rule as imr_search.query.words_of, so "L4-S1" and "3.3.9" are
# phrases of their parts in the index exactly as in the query language.
imr_words = tokenizer("imr_words", "pattern", pattern=r"(?U)\W+")
# The shared synonym list (mappings/synonyms.txt) is filled in when the index is created.
imr_synonyms = token_filter("imr_synonyms", "synonym_graph", expand=True)
imr_english = analyzer(
    "imr_english", tokenizer=imr_words, filter=["lowercase", "asciifolding", "porter_stem"]
)
imr_english_search = analyzer(
    "imr_english_search",
    tokenizer=imr_words,
    filter=["lowercase", "asciifolding", imr_synonyms, "porter_stem"],
)


def english_text(**kwargs: Any) -> Text:
    return Text(analyzer=imr_english, search_analyzer=imr_english_search, **kwargs)


def iso_date() -> Date:
    # A malformed date from the parser must not cost the whole item: it is kept in _source.
    return Date(format="strict_date", ignore_malformed=True)


class Citation(InnerDoc):
    """One guideline a party relied on (nested: party and source stay paired)."""

    party = Keyword()
    source = Keyword()
    mtus = Boolean()
    guideline = Keyword()
    label = Keyword(fields={"text": english_text()})
    sections = Keyword()
    pages = Keyword()
    text = english_text()


class LetterContext(InnerDoc):
    """The letter's context, copied into each of its items (imr_search.documents.LETTER_FIELDS)."""

    case_number = Keyword()
    date_assigned = iso_date()
    date_of_injury = iso_date()
    decision_date = iso_date()
    ur_denial_date = iso_date()
    application_received = iso_date()
    priority = Keyword()
    specialties = Keyword()
    licensure = Keyword()
    clinical_summary = english_text(index_options="offsets")
    age = Integer()
    sex = Keyword()
    format = Keyword()
    source = Keyword()


class ItemDocument(Document):
    """One disputed item: imr_search.documents.item_document()."""

    id = Keyword()
    letter_id = Keyword()
    item_number = Integer()
    item_count = Integer()
    treatment = english_text()
    outcome = Keyword()
    category = Keyword()
    body_regions = Keyword()
    rationale = english_text(index_options="offsets")
    citations = Nested(Citation)
    cited_nothing = Keyword()
    decision_year = Integer()
    indexed_from = Keyword()  # engine bookkeeping (the source file); left out of every read
    letter = Object(LetterContext)

    class Meta:
        dynamic = MetaField("strict")
        meta = MetaField(
            {
                "about": (
                    "One document per disputed IMR item (imr_search.documents.item_document). "
                    "Text fields use imr_english: Unicode word tokens (the query language's own "
                    "word rule), lowercase, accents folded, Porter stemming, no stop words "
                    "(phrases such as 'failure of conservative care' keep every word). "
                    "Searches add the shared "
                    "synonym list (mappings/synonyms.txt, filled into imr_synonyms when the index "
                    "is created). Every facet is a keyword field; citations are nested so 'who "
                    "cited what' stays within one citation. indexed_from (the source file as "
                    "the indexer named it) is the engine's bookkeeping, left out of every read."
                ),
                "schema_version": SCHEMA_VERSION,
            }
        )

    class Index:
        name = "imr-items"  # the alias; concrete indices are versioned behind it
        settings: ClassVar[dict[str, Any]] = {
            "index": {
                "number_of_shards": 1,
                "auto_expand_replicas": "0-1",
                "refresh_interval": "1s",
                "max_result_window": 10000,
            }
        }


def index_body() -> dict[str, Any]:
    """Settings + mappings as built from these classes (compare with mappings/index.json)."""
    return ItemDocument._index.to_dict()

"""The searchable fields: one table for the query language, both engines, highlighting and
similar cases.

A query scope (`treatment:`, `rationale:`, `summary:`, `citation:`, `request:`) is one
`SearchField`: the
text it covers (read from an ItemDocument), its relevance weight (SQLite bm25 column weight,
Elasticsearch boost), the Elasticsearch fields that hold that text, and its weight when the
similar-cases search picks an item's distinctive terms (0: not used). The SQLite FTS columns
are the scopes, in this order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mappings.schema import ItemDocument


@dataclass(frozen=True)
class SearchField:
    scope: str  # the query language's field name, and the SQLite FTS column
    weight: float  # relevance: a match in the treatment counts most, then the rationale
    es_fields: tuple[str, ...]  # Elasticsearch fields searched for this scope
    text_of: Callable[[ItemDocument], str]  # the text this scope covers
    nested: str | None = None  # Elasticsearch nested path of es_fields, if any
    similar_weight: float = 0.0  # weight of the field's terms when finding similar cases
    snippet: bool = True  # may give the hit's snippet (in table order, treatment excluded)
    default: bool = True  # searched by words without a scope (else only when scoped)
    # Its words make the vocabulary "did you mean" suggestions come from (the letter's own
    # texts: not the derived request words, nor guideline citations).
    vocabulary: bool = False


def citation_text(doc: ItemDocument) -> str:
    """Every citation's label and sentence(s): what `citation:` searches."""
    return " ".join(f"{c.label}. {c.text}" for c in doc.citations)


SEARCH_FIELDS: tuple[SearchField, ...] = (
    SearchField(
        "treatment",
        5.0,
        ("treatment",),
        lambda d: d.treatment,
        similar_weight=4.0,
        snippet=False,
        vocabulary=True,
    ),
    SearchField(
        "rationale",
        2.0,
        ("rationale",),
        lambda d: d.rationale,
        similar_weight=1.0,
        vocabulary=True,
    ),
    SearchField(
        "summary",
        1.0,
        ("letter.clinical_summary",),
        lambda d: d.letter.clinical_summary,
        similar_weight=0.5,
        vocabulary=True,
    ),
    SearchField(
        "citation",
        1.0,
        ("citations.label.text", "citations.text"),
        citation_text,
        nested="citations",
    ),
    # What was requested, normalised (see schema.Request.terms): the decisions *about* a
    # query are those it matches here. Searched only when asked for (`request:`).
    SearchField(
        "request",
        3.0,
        ("request.terms",),
        lambda d: d.request.terms,
        snippet=False,
        default=False,
    ),
)
FIELDS_BY_SCOPE: dict[str, SearchField] = {f.scope: f for f in SEARCH_FIELDS}
# The scopes a word without a scope searches: what the letter says, not derived words.
DEFAULT_SCOPES: tuple[str, ...] = tuple(f.scope for f in SEARCH_FIELDS if f.default)
SCOPES: tuple[str, ...] = tuple(FIELDS_BY_SCOPE)
# The texts whose words are the index's vocabulary for spelling suggestions.
VOCABULARY_FIELDS: tuple[SearchField, ...] = tuple(f for f in SEARCH_FIELDS if f.vocabulary)
# The texts of an item the similar-cases search reads, with their weights.
SIMILAR_FIELDS: tuple[SearchField, ...] = tuple(f for f in SEARCH_FIELDS if f.similar_weight)

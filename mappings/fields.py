"""The searchable fields: one table for the query language, both engines, highlighting and
similar cases.

A query scope (`treatment:`, `rationale:`, `summary:`, `citation:`, `request:`) is one
`SearchField`: the
text it covers (read from an ItemDocument), its relevance weight (SQLite bm25 column weight,
Elasticsearch boost), the Elasticsearch fields that hold that text, its weight when the
similar-cases search picks an item's distinctive terms (0: not used), and whether its text is
known before the review (what an "as requested" comparison may read: similar_fields). The
SQLite FTS columns are the scopes, in this order.
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
    # A field at the item's root that nested es_fields are copied to (copy_to), searched
    # instead of a nested query: a nested query scores every match (Lucene cannot skip by
    # its best score), which made a common word's page 5x slower at 1M items; searched flat,
    # citations are one text per item, as the embedded engine's citation column is.
    flat: str | None = None
    similar_weight: float = 0.0  # weight of the field's terms when finding similar cases
    snippet: bool = True  # may give the hit's snippet (in table order, treatment excluded)
    default: bool = True  # searched by words without a scope (else only when scoped)
    # Its words make the vocabulary "did you mean" suggestions come from (the letter's own
    # texts: not the derived request words, nor guideline citations).
    vocabulary: bool = False
    # Whether the text exists before the independent review decides: the request and the
    # records, not what the reviewer wrote or cited. Only such texts are compared when
    # similar cases are found "as requested" (the precedent estimate: a comparison that read
    # the item's own rationale would partly read its outcome). False unless shown otherwise.
    known_before_review: bool = False

    @property
    def searched(self) -> tuple[str, ...]:
        """The Elasticsearch fields a query of this scope searches."""
        return (self.flat,) if self.flat else self.es_fields


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
        known_before_review=True,  # what was requested: the UR denial and the application
    ),
    SearchField(
        "rationale",
        2.0,
        ("rationale",),
        lambda d: d.rationale,
        similar_weight=1.0,
        vocabulary=True,
        known_before_review=False,  # the reviewer's reasoning: written with the decision
    ),
    SearchField(
        "summary",
        1.0,
        ("letter.clinical_summary",),
        lambda d: d.letter.clinical_summary,
        similar_weight=0.5,
        vocabulary=True,
        # The records submitted for review, summarised: the case as it stood before it was
        # decided (the summary recounts; the decision and its reasons are the rationale's).
        known_before_review=True,
    ),
    SearchField(
        "citation",
        1.0,
        ("citations.label.text", "citations.text"),
        citation_text,
        flat="citation_text",
        # Both parties' citations in one text: the reviewer's are chosen in the review (the
        # claims administrator's are known before, but this text does not keep them apart).
        known_before_review=False,
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
        known_before_review=True,  # derived from the treatment and the summary's injuries
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
# Those of them known before the review: what an "as requested" comparison reads.
AS_REQUESTED_FIELDS: tuple[SearchField, ...] = tuple(
    f for f in SIMILAR_FIELDS if f.known_before_review
)


def similar_fields(as_requested: bool = False) -> tuple[SearchField, ...]:
    """The texts the similar-cases search compares (both engines: the probe's terms come from
    them and candidates are matched on them), with their weights; `as_requested`: only those
    known before the review (the request and the clinical summary, not the rationale)."""
    return AS_REQUESTED_FIELDS if as_requested else SIMILAR_FIELDS

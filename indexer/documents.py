"""Records -> stored documents: one ItemDocument per disputed item, with its letter's context.

The engines store exactly what this builds (mappings.schema.ItemDocument). Texts lose any
marker characters here (imr_search.marks): engines use them to mark matches, so stored text
must never contain them.
"""

from __future__ import annotations

import dataclasses

from imr_search.contract import SourceDocuments
from imr_search.marks import strip_marks
from indexer.records import Item, Letter
from mappings.schema import Citation, ItemDocument, LetterContext

# LetterContext's fields are Letter's fields of the same names.
_CONTEXT_FIELDS = tuple(f.name for f in dataclasses.fields(LetterContext))


def letter_context(letter: Letter) -> LetterContext:
    """The letter's context as every one of its items carries it."""
    values = {name: getattr(letter, name) for name in _CONTEXT_FIELDS}
    values["clinical_summary"] = strip_marks(letter.clinical_summary or "")
    return LetterContext(**values)


def item_document(letter: Letter, item: Item, context: LetterContext | None = None) -> ItemDocument:
    """The stored document of one item (`context`: the letter's, when already built)."""
    year = int(letter.decision_date[:4]) if letter.decision_date else None
    return ItemDocument(
        id=item.id,
        letter_id=letter.letter_id,
        item_number=item.item_number,
        item_count=len(letter.items),
        treatment=strip_marks(item.treatment),
        outcome=item.outcome,
        category=item.category,
        body_regions=item.body_regions,
        rationale=strip_marks(item.rationale),
        citations=tuple(_clean(c) for c in item.citations),
        cited_nothing=item.cited_nothing,
        decision_year=year,
        letter=context or letter_context(letter),
    )


def _clean(citation: Citation) -> Citation:
    text = strip_marks(citation.text)
    return citation if text == citation.text else dataclasses.replace(citation, text=text)


def source_documents(source: str, fingerprint: str, letter: Letter) -> SourceDocuments:
    """What the engine writes for one letter file."""
    context = letter_context(letter)
    return SourceDocuments(
        source=source,
        fingerprint=fingerprint,
        letter_id=letter.letter_id,
        items=tuple(item_document(letter, item, context) for item in letter.items),
    )

"""Records -> stored documents: one ItemDocument per disputed item, with its letter's context.

The engines store exactly what this builds (mappings.schema.ItemDocument), with the facts
derived by the classification rules (indexer.derive). Texts lose any marker characters here
(imr_search.marks): engines use them to mark matches, so stored text must never contain them.
"""

from __future__ import annotations

import dataclasses

from clinical.injury import injury_regions
from imr_search.contract import SourceDocuments
from imr_search.marks import strip_marks
from indexer.derive import canonical_citation, request, stated_findings
from indexer.records import Item, Letter
from indexer.specialties import normalize_specialties
from mappings.schema import Citation, ItemDocument, LetterContext

# LetterContext's fields are Letter's fields of the same names, but for the derived ones.
_DERIVED = ("injury_regions",)
_CONTEXT_FIELDS = tuple(f.name for f in dataclasses.fields(LetterContext) if f.name not in _DERIVED)


def letter_context(letter: Letter, source: str | None = None) -> LetterContext:
    """The letter's context as every one of its items carries it (specialties as board
    names, the injured body parts read from the summary); `source`: the file as shown (the
    pipeline's path relative to the folder indexed), else the letter's own."""
    values = {name: getattr(letter, name) for name in _CONTEXT_FIELDS}
    if source is not None:
        values["source"] = source
    summary = strip_marks(letter.clinical_summary or "")
    values["clinical_summary"] = summary
    values["specialties"] = normalize_specialties(letter.specialties)[0]
    return LetterContext(**values, injury_regions=injury_regions(summary))


def item_document(letter: Letter, item: Item, context: LetterContext | None = None) -> ItemDocument:
    """The stored document of one item (`context`: the letter's, when already built)."""
    year = int(letter.decision_date[:4]) if letter.decision_date else None
    context = context or letter_context(letter)
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
        citations=tuple(canonical_citation(_clean(c)) for c in item.citations),
        cited_nothing=item.cited_nothing,
        decision_year=year,
        request=request(item, context.injury_regions),
        findings=stated_findings(item.rationale, context.clinical_summary),
        letter=context,
    )


def _clean(citation: Citation) -> Citation:
    text = strip_marks(citation.text)
    return citation if text == citation.text else dataclasses.replace(citation, text=text)


def warnings_of(letter: Letter) -> tuple[str, ...]:
    """What the parser and the derivation rules noticed about a letter (for the report)."""
    return (*letter.warnings, *normalize_specialties(letter.specialties)[1])


def source_documents(
    source: str, fingerprint: str, letter: Letter, shown_source: str | None = None
) -> SourceDocuments:
    """What the engine writes for one letter file: `source` is the engine's key of the file
    (never shown), `shown_source` what the documents say (see letter_context)."""
    context = letter_context(letter, shown_source)
    return SourceDocuments(
        source=source,
        fingerprint=fingerprint,
        letter_id=letter.letter_id,
        items=tuple(item_document(letter, item, context) for item in letter.items),
    )

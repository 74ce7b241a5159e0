"""An item's row: how an ItemDocument is stored in `items` and read back.

The document is kept as JSON, except its three long texts (treatment, rationale, clinical
summary), which live in their own columns (the FTS5 index's external content) and are put
back on reading: every text is stored once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import msgspec

from mappings.facets import INDEXED_FACETS, facet_values
from mappings.fields import SEARCH_FIELDS
from mappings.schema import ItemDocument, decode, encode

# Columns to select for `load_doc`, in its argument order.
DOC_COLUMNS = "doc, treatment, rationale, summary"
# A posting the engine keeps beside the facets (never listed as one): each dated item's
# decision month, "2016-03", for decision-date ranges (imr_search.sqlite.dates).
MONTH_FACET = "_decision_month"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Row:
    """One item ready to insert: its columns, FTS texts and facet labels."""

    id: str
    letter_id: str
    item_number: int
    outcome: str
    category: str
    decision_date: str | None
    year: int | None
    doc_json: str
    texts: tuple[str, ...]  # one per FTS column (mappings.fields order)
    facets: list[tuple[str, str]] = field(default_factory=list)


def build_row(doc: ItemDocument) -> Row:
    """The row of a document: its lookup columns, its texts and its facet values."""
    return Row(
        id=doc.id,
        letter_id=doc.letter_id,
        item_number=doc.item_number,
        outcome=doc.outcome,
        category=doc.category,
        decision_date=doc.letter.decision_date,
        year=doc.decision_year,
        doc_json=_stored_json(doc),
        texts=tuple(f.text_of(doc) for f in SEARCH_FIELDS),
        facets=[(spec.name, value) for spec in INDEXED_FACETS for value in facet_values(doc, spec)]
        + _month(doc.letter.decision_date),
    )


def _stored_json(doc: ItemDocument) -> str:
    """The document as JSON with its three long texts left empty (they have columns): its
    builtins copy with them blanked, the same JSON in two thirds of the time of encoding a
    copy made by two dataclass replace() calls."""
    data = msgspec.to_builtins(doc)
    data["treatment"] = data["rationale"] = ""
    data["letter"]["clinical_summary"] = ""
    return encode(data).decode("utf-8")


def _month(date: str | None) -> list[tuple[str, str]]:
    """The item's decision-month posting, if it has a well-formed date."""
    return [(MONTH_FACET, date[:7])] if date and _ISO_DATE.fullmatch(date) else []


def load_doc(doc_json: str, treatment: str, rationale: str, summary: str) -> ItemDocument:
    """The stored document with its texts put back (columns: DOC_COLUMNS)."""
    doc = decode(doc_json, ItemDocument)
    return replace(
        doc,
        treatment=treatment,
        rationale=rationale,
        letter=replace(doc.letter, clinical_summary=summary),
    )

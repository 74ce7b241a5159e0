"""The searchable document: one disputed item plus its letter's context.

Both engines store exactly this shape (Elasticsearch indexes it as is; SQLite keeps it as
JSON beside its FTS and facet tables), so a search hit needs no second lookup and the UI
renders hits the same way whatever the engine.
"""

from __future__ import annotations

from typing import Any

from indexer.records import Item, Letter, Party

NONE = "none"  # facet value: that party cited nothing

# The letter context copied into every item document.
LETTER_FIELDS: tuple[str, ...] = (
    "case_number",
    "date_assigned",
    "date_of_injury",
    "decision_date",
    "ur_denial_date",
    "application_received",
    "priority",
    "specialties",
    "licensure",
    "clinical_summary",
    "age",
    "sex",
    "format",
    "source",
)


def party_sources(item: Item, party: Party) -> list[str]:
    """Distinct citation sources of one party ('MTUS', 'ODG', 'other'), or ['none']."""
    sources = sorted({c.source for c in item.citations_by(party)})
    return sources or [NONE]


def party_guidelines(item: Item, party: Party) -> list[str]:
    """Distinct guideline labels of one party ('MTUS: Chronic Pain Medical Treatment 2016')."""
    return sorted({c.label for c in item.citations_by(party)})


def item_document(letter: Letter, item: Item) -> dict[str, Any]:
    """Build the stored document for one item (plain JSON-able data)."""
    year = int(letter.decision_date[:4]) if letter.decision_date else None
    return {
        "id": item.id,
        "letter_id": letter.letter_id,
        "item_number": item.item_number,
        "item_count": len(letter.items),
        "treatment": item.treatment,
        "outcome": item.outcome,
        "category": item.category,
        "body_regions": list(item.body_regions),
        "rationale": item.rationale,
        "citations": [
            {
                "party": c.party,
                "source": c.source,
                "mtus": c.mtus,
                "guideline": c.guideline,
                "label": c.label,
                "sections": list(c.sections),
                "pages": c.pages,
                "text": c.text,
            }
            for c in item.citations
        ],
        "cited_nothing": list(item.cited_nothing),
        "decision_year": year,
        "letter": {name: _jsonable(getattr(letter, name)) for name in LETTER_FIELDS},
    }


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value

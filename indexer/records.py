"""The structured record of an IMR Final Determination Letter.

One letter -> one `Letter` holding its disputed `Item`s; each item holds the `Citation`s
each party relied on (the schema's own Citation type: a citation is stored as parsed). The
indexer turns these records into stored documents (indexer.documents); the synthetic corpus
generator writes letters from them. They are frozen, JSON-able and carry no behaviour beyond
(de)serialisation and stable ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from mappings.schema import (
    CITATION_SOURCES,
    OUTCOMES,
    PARTIES,
    Citation,
    CitationSource,
    Outcome,
    Party,
    from_builtins,
    to_builtins,
)

# Layouts the parser recognises (see ../shared/letter-formats.md).
FORMAT_STANDARD = "standard"  # 2014+: IMR ISSUES, DECISIONS AND RATIONALES
FORMAT_DOCUMENTS_REVIEWED = "documents_reviewed"  # ... IMR DECISION(S) AND RATIONALE(S)
FORMAT_PROFESSIONAL_REVIEW = "professional_review"  # MEDICAL PROFESSIONAL REVIEW
FORMAT_NOTICE_2013 = "notice_2013"  # Notice of Independent Medical Review Determination
FORMATS = (
    FORMAT_STANDARD,
    FORMAT_DOCUMENTS_REVIEWED,
    FORMAT_PROFESSIONAL_REVIEW,
    FORMAT_NOTICE_2013,
)


@dataclass(frozen=True)
class Item:
    """One disputed treatment request and its decision."""

    id: str
    item_number: int  # 1-based order in the letter
    treatment: str
    outcome: Outcome
    rationale: str
    citations: tuple[Citation, ...] = ()
    cited_nothing: tuple[Party, ...] = ()  # parties that "did not cite any medical evidence"
    category: str = "other"
    body_regions: tuple[str, ...] = ()

    def citations_by(self, party: Party) -> tuple[Citation, ...]:
        return tuple(c for c in self.citations if c.party == party)


@dataclass(frozen=True)
class Letter:
    """One Final Determination Letter. Dates are ISO strings (YYYY-MM-DD) or None."""

    case_number: str | None
    format: str
    source: str
    items: tuple[Item, ...] = ()
    date_assigned: str | None = None
    date_of_injury: str | None = None
    decision_date: str | None = None
    ur_denial_date: str | None = None
    application_received: str | None = None
    priority: str | None = None  # "Standard" | "Expedited"
    specialties: tuple[str, ...] = ()
    licensure: tuple[str, ...] = ()
    clinical_summary: str = ""
    age: int | None = None
    sex: str | None = None  # "male" | "female"
    warnings: tuple[str, ...] = ()

    @property
    def letter_id(self) -> str:
        """The case number, or a content hash where the letter has none."""
        treatments = (i.treatment for i in self.items)
        return self.case_number or content_id(self.clinical_summary, *treatments)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (tuples become lists): what `imr-search parse` prints."""
        data: dict[str, Any] = to_builtins(self)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Letter:
        return from_builtins(data, cls)


def content_id(*parts: str) -> str:
    """A short stable hash for letters without a case number (idempotent re-indexing)."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"H-{digest[:16]}"


def item_id(letter_key: str, item_number: int) -> str:
    """Stable item id: the letter's case number (or content hash) and the item's position."""
    return f"{letter_key}-{item_number}"


__all__ = [
    "CITATION_SOURCES",
    "OUTCOMES",
    "PARTIES",
    "Citation",
    "CitationSource",
    "Outcome",
    "Party",
    "Item",
    "Letter",
    "content_id",
    "item_id",
]

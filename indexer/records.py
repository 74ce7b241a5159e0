"""The structured record of an IMR Final Determination Letter.

One letter -> one `Letter` holding its disputed `Item`s; each item holds the `Citation`s
each party relied on. Everything downstream (both search engines, the web UI, the corpus
generator) builds on these types, so they are frozen, JSON-able and carry no behaviour
beyond (de)serialisation and stable ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, Literal

Outcome = Literal["Upheld", "Overturned"]
Party = Literal["claims_administrator", "reviewer"]
CitationSource = Literal["MTUS", "ODG", "other"]

OUTCOMES: tuple[Outcome, ...] = ("Upheld", "Overturned")
PARTIES: tuple[Party, ...] = ("claims_administrator", "reviewer")
CITATION_SOURCES: tuple[CitationSource, ...] = ("MTUS", "ODG", "other")

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
class Citation:
    """One guideline or source that one party relied on."""

    party: Party
    source: CitationSource
    mtus: bool
    guideline: str | None  # "Chronic Pain Medical Treatment 2016", "Low Back" (ODG chapter)
    text: str  # the raw sentence(s), whitespace-normalised
    sections: tuple[str, ...] = ()
    pages: str | None = None  # "308-310", as written

    @property
    def label(self) -> str:
        """Facet label naming source and guideline, e.g. 'ODG: Low Back'."""
        if self.source == "other":
            return f"Other: {self.guideline}" if self.guideline else "Other"
        return f"{self.source}: {self.guideline}" if self.guideline else self.source

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        return cls(
            party=data["party"],
            source=data["source"],
            mtus=bool(data["mtus"]),
            guideline=data.get("guideline"),
            text=data.get("text", ""),
            sections=tuple(data.get("sections") or ()),
            pages=data.get("pages"),
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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        return cls(
            id=data["id"],
            item_number=int(data["item_number"]),
            treatment=data["treatment"],
            outcome=data["outcome"],
            rationale=data.get("rationale", ""),
            citations=tuple(Citation.from_dict(c) for c in data.get("citations") or ()),
            cited_nothing=tuple(data.get("cited_nothing") or ()),
            category=data.get("category", "other"),
            body_regions=tuple(data.get("body_regions") or ()),
        )


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
        """JSON-able dict (tuples become lists)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Letter:
        return cls(
            case_number=data.get("case_number"),
            format=data["format"],
            source=data.get("source", ""),
            items=tuple(Item.from_dict(i) for i in data.get("items") or ()),
            date_assigned=data.get("date_assigned"),
            date_of_injury=data.get("date_of_injury"),
            decision_date=data.get("decision_date"),
            ur_denial_date=data.get("ur_denial_date"),
            application_received=data.get("application_received"),
            priority=data.get("priority"),
            specialties=tuple(data.get("specialties") or ()),
            licensure=tuple(data.get("licensure") or ()),
            clinical_summary=data.get("clinical_summary", ""),
            age=data.get("age"),
            sex=data.get("sex"),
            warnings=tuple(data.get("warnings") or ()),
        )


def content_id(*parts: str) -> str:
    """A short stable hash for letters without a case number (idempotent re-indexing)."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"H-{digest[:16]}"


def item_id(letter_key: str, item_number: int) -> str:
    """Stable item id: the letter's case number (or content hash) and the item's position."""
    return f"{letter_key}-{item_number}"


__all__ = [
    "Citation",
    "Item",
    "Letter",
    "content_id",
    "item_id",
]

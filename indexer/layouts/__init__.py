"""The letter layouts: one splitter per layout cuts a cleaned letter into a `Split`.

    detect.py        which layout a text has (heading scan)
    standard.py      2014+ letters: standard and documents_reviewed
    notice.py        2013 "Notice of Independent Medical Review Determination"
    professional.py  "MEDICAL PROFESSIONAL REVIEW"

This module holds what they share: the `RawItem` / `Split` shapes every splitter returns
(parse.py turns them into records) and the few text helpers more than one layout uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer import patterns as p
from indexer.records import Outcome


@dataclass
class RawItem:
    """One item as found in the text, before citations and facets are derived."""

    treatment: str
    outcome: Outcome
    ca_text: str | None = None  # None: the label is absent
    reviewer_text: str | None = None
    rationale: str = ""
    reviewer_same_as_ca: bool = False


@dataclass
class Split:
    """A letter cut into the parts every layout has."""

    format: str
    header: str = ""
    credentials: str = ""
    summary: str = ""
    items: list[RawItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    strong: bool = True  # a section heading or title proves it is a letter


def first_heading(
    text: str, pattern: re.Pattern[str], word: str, start: int = 0
) -> re.Match[str] | None:
    """The first match of a line-anchored heading pattern, tried only on lines holding
    `word` (lower case; str.find is cheap, scanning every line with the regex is not)."""
    lower = text.lower()
    position = lower.find(word, start)
    while position != -1:
        line_start = text.rfind("\n", 0, position) + 1
        match = pattern.match(text, max(line_start, start))
        if match:
            return match
        position = lower.find(word, position + len(word))
    return None


def outcome_from_rationale(rationale: str) -> Outcome:
    """Upheld when the conclusion says "not medically necessary"; the last verdict wins."""
    negative = [m.start() for m in p.NOT_NECESSARY.finditer(rationale)]
    positive = [m.start() for m in p.IS_NECESSARY.finditer(rationale)]
    if positive and (not negative or positive[-1] > negative[-1]):
        return "Overturned"
    return "Upheld"


def trim_treatment(text: str) -> str:
    """Drop the trailing "is" and punctuation left where the outcome was cut off."""
    text = " ".join(text.split())
    while True:
        trimmed = text.rstrip(" ,;:")
        if trimmed[-3:].lower() == " is":
            trimmed = trimmed[:-3]
        if trimmed == text:
            return text
        text = trimmed


__all__ = ["RawItem", "Split", "first_heading", "outcome_from_rationale", "trim_treatment"]

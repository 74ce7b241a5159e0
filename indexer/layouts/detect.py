"""Which layout a cleaned letter has: scan its headings, then decide (records.FORMAT_*)."""

from __future__ import annotations

import re

from indexer import patterns as p
from indexer.clean import squash
from indexer.layouts import first_heading
from indexer.layouts.notice import determinations
from indexer.records import (
    FORMAT_DOCUMENTS_REVIEWED,
    FORMAT_NOTICE_2013,
    FORMAT_PROFESSIONAL_REVIEW,
    FORMAT_STANDARD,
)

# Headings recognised line by line: name -> pattern. The 2014+ section headings stand alone
# on their line; the titles and "ISSUE AT DISPUTE:" may have text after them.
_HEADINGS: dict[str, re.Pattern[str]] = {
    "how": p.HOW_MADE,
    "notice": p.NOTICE_TITLE,
    "documents": p.DOCUMENTS_REVIEWED,
    "summary": p.CLINICAL_SUMMARY,
    "issues": p.ISSUES_DECISIONS,
    "decisions": p.DECISIONS_RATIONALES,
    "professional": p.PROFESSIONAL_TITLE,
    "issue_at_dispute": p.PR_ISSUE,
}
# A word every such heading contains: only lines holding it are tried (str.find is cheap,
# running eight regexes over every line is not).
_HEADING_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("DETERMINATION", ("how", "notice")),
    ("DOCUMENTS", ("documents",)),
    ("SUMMARY", ("summary",)),
    ("RATIONALE", ("issues", "decisions")),
    ("PROFESSIONAL", ("professional",)),
    ("DISPUTE", ("issue_at_dispute",)),
)


def scan_headings(text: str) -> dict[str, int]:
    """Line index of the first line matching each known heading."""
    upper = text.upper()
    if len(upper) != len(text):  # "ß".upper() == "SS": positions would not line up
        upper = "".join(char if len(char.upper()) != 1 else char.upper() for char in text)
    found: dict[str, int] = {}
    for word, names in _HEADING_WORDS:
        position = upper.find(word)
        while position != -1 and any(name not in found for name in names):
            start = upper.rfind("\n", 0, position) + 1
            end = upper.find("\n", position)
            end = len(upper) if end == -1 else end
            line = text[start:end]
            stripped = line.strip()
            if len(stripped) <= 70 or stripped[:5].isupper():
                for name in names:
                    if name not in found and _HEADINGS[name].match(line):
                        found[name] = text.count("\n", 0, start)
            if "issues" in found:
                found.setdefault("decisions", -1)  # the alternative items heading: stop looking
            position = upper.find(word, end)
    if found.get("decisions") == -1:
        del found["decisions"]
    return found


def detect_layout(text: str, headings: dict[str, int]) -> str | None:
    """The layout of a cleaned text given its `scan_headings`, or None when none fits."""
    if "notice" in headings:
        return FORMAT_NOTICE_2013
    if "professional" in headings or (
        "issue_at_dispute" in headings
        and (
            first_heading(text, p.PR_RATIONALE, "rationale for why")
            or first_heading(text, p.PR_GUIDELINES, "relied upon")
        )
    ):
        return FORMAT_PROFESSIONAL_REVIEW
    if "decisions" in headings or (
        "documents" in headings and "how" in headings and "issues" not in headings
    ):
        return FORMAT_DOCUMENTS_REVIEWED
    if "issues" in headings or "how" in headings or "summary" in headings:
        return FORMAT_STANDARD
    if "determined" in text.lower() and determinations(squash(text)):
        return FORMAT_NOTICE_2013
    return None


__all__ = ["detect_layout", "scan_headings"]

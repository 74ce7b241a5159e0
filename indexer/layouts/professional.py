"""The "MEDICAL PROFESSIONAL REVIEW" layout.

Sections in a fixed order: ISSUE AT DISPUTE (the numbered treatments, outcome words
optional), case summary, documents, guidelines relied upon, rationale, reviewer
qualifications. Guideline and rationale sections are numbered per item, or one text for all.
"""

from __future__ import annotations

import re

from indexer import patterns as p
from indexer.clean import squash
from indexer.layouts import RawItem, Split, first_heading, outcome_from_rationale, trim_treatment
from indexer.records import FORMAT_PROFESSIONAL_REVIEW, Outcome

# (section, heading pattern, a lower-case word on the heading's first line)
_PR_HEADINGS = (
    ("issue", p.PR_ISSUE, "dispute"),
    ("summary", p.PR_CASE_SUMMARY, "case summary"),
    ("documents", p.PR_DOCUMENTS, "for determination"),
    ("guidelines", p.PR_GUIDELINES, "relied upon"),
    ("rationale", p.PR_RATIONALE, "rationale for why"),
    ("qualifications", p.PR_QUALIFICATIONS, "qualifications"),
)


def split_professional(text: str) -> Split:
    split = Split(format=FORMAT_PROFESSIONAL_REVIEW)
    found = sorted(
        (m.start(), m.end(), name)
        for name, pattern, word in _PR_HEADINGS
        for m in [first_heading(text, pattern, word)]
        if m
    )
    sections: dict[str, str] = {}
    for index, (_, end, name) in enumerate(found):
        stop = found[index + 1][0] if index + 1 < len(found) else len(text)
        sections[name] = text[end:stop]
    split.header = text[: found[0][0]] if found else text
    split.summary = sections.get("summary", "")
    split.credentials = sections.get("qualifications", "")
    entries = _numbered_entries(sections.get("issue", ""))
    if not entries:
        split.warnings.append("no 'ISSUE AT DISPUTE' entries found")
        return split
    rationales = _per_entry(sections.get("rationale", ""), len(entries))
    guidelines = _per_entry(sections.get("guidelines", ""), len(entries))
    for number, entry in enumerate(entries, start=1):
        explicit = p.EXPLICIT_OUTCOME.search(entry)
        treatment = entry[: explicit.start()] if explicit else entry
        treatment = trim_treatment(treatment.strip(" -\u2013(:;,")).rstrip(" -\u2013(:;,")
        rationale = rationales[number - 1]
        if explicit:
            outcome: Outcome = (
                "Upheld" if explicit.group(1).lower().startswith("uph") else "Overturned"
            )
        elif p.NOT_NECESSARY.search(rationale) or p.IS_NECESSARY.search(rationale):
            outcome = outcome_from_rationale(rationale)
        else:
            # No outcome word and no verdict: the rationale is missing or cut short.
            split.warnings.append(
                f"text truncated: item {number} ({treatment[:50]!r}) has no stated outcome; dropped"
            )
            continue
        if not rationale:
            split.warnings.append(
                f"item {number} ({treatment[:50]!r}): no rationale (text truncated?)"
            )
        split.items.append(
            RawItem(
                treatment=treatment,
                outcome=outcome,
                reviewer_text=guidelines[number - 1] or None,
                rationale=rationale,
            )
        )
    if "qualifications" not in sections:
        split.warnings.append("no 'MEDICAL REVIEWER QUALIFICATIONS' section (text truncated?)")
    return split


def _numbered_entries(section: str) -> list[str]:
    """'1. A' / '2) B' entries of a list (joined per entry), or the whole text as one entry."""
    numbered = _numbered(section)
    if numbered is None:
        whole = squash(section)
        return [whole] if whole else []
    return [entry for _, entry in numbered if entry]


def _numbered(section: str) -> list[tuple[int, str]] | None:
    """(number, joined text) of each numbered entry; None when the section is not numbered.
    Entries count up from 1; a number out of sequence ("13." after a date wrapped at its
    hyphen, "11-30-" / "13. There ...") continues the entry before it."""
    starts: list[re.Match[str]] = []
    for match in p.NUMBERED_ENTRY.finditer(section):
        if int(match.group(1)) == len(starts) + 1:
            starts.append(match)
    if not starts:
        return None
    entries = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(section)
        entries.append(
            (int(match.group(1)), squash(match.group(2) + "\n" + section[match.end() : end]))
        )
    return entries


def _per_entry(section: str, count: int) -> list[str]:
    """The part of a section for each of `count` items: numbered parts by number (missing
    ones empty), or the whole section for every item when it is not numbered."""
    numbered = _numbered(section) if count > 1 else None
    if numbered is None:
        whole = squash(section)
        return [whole] * count
    by_number = dict(reversed(numbered))  # first entry of each number wins
    return [by_number.get(number, "") for number in range(1, count + 1)]


__all__ = ["split_professional"]

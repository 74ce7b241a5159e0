"""The 2013 "Notice of Independent Medical Review Determination" layout.

Numbered determinations ("1) ... has determined the request for X is [not] medically
necessary") give treatment and outcome; numbered "Regarding the request for X" blocks give
each item's guideline paragraphs and rationale. The header ends at the first paragraph
heading; the credentials and clinical summary are their own paragraphs.
"""

from __future__ import annotations

import re

from indexer import citation_patterns as cp
from indexer import patterns as p
from indexer.clean import squash
from indexer.header import CASE_NUMBER_SEARCH_CHARS
from indexer.layouts import RawItem, Split, first_heading, outcome_from_rationale
from indexer.records import FORMAT_NOTICE_2013, Outcome


def split_notice(text: str) -> Split:
    split = Split(format=FORMAT_NOTICE_2013)
    flat = squash(text)
    determined = determinations(flat)
    blocks = _numbered_phrases(
        flat, p.NOTICE_REGARDING, p.NOTICE_REGARDING_NUMBER, "regarding the request for", 8
    )
    details: dict[int, RawItem] = {}
    for index, (number, _, match) in enumerate(blocks):
        end = blocks[index + 1][1] if index + 1 < len(blocks) else len(flat)
        if number not in details:
            details[number] = _notice_detail(flat[match.end() : end])

    # Header: everything before the first paragraph heading or determination.
    how = first_heading(text, p.HOW_MADE, "determination")
    qualifications = first_heading(text, p.NOTICE_QUALIFICATIONS, "qualifications")
    summary = first_heading(text, p.NOTICE_CASE_SUMMARY, "case summary")
    cut_points = [m.start() for m in (how, qualifications, summary) if m]
    split.header = text[: min(cut_points)] if cut_points else text[:CASE_NUMBER_SEARCH_CHARS]
    if qualifications:
        stop = summary.start() if summary and summary.start() > qualifications.end() else len(text)
        split.credentials = text[qualifications.end() : stop]
    else:
        split.credentials = text[: summary.start()] if summary else text
    if summary:
        end_match = p.NOTICE_SUMMARY_END.search(text, summary.end())
        split.summary = text[summary.end() : end_match.start() if end_match else len(text)]

    numbers = sorted(set(determined) | set(details))
    for number in numbers:
        detail = details.get(number)
        if number in determined:
            treatment, outcome = determined[number]
            treatment = p.LEADING_ARTICLE.sub("", treatment)
        elif detail is not None:
            treatment = p.LEADING_ARTICLE.sub("", detail.treatment)
            outcome = outcome_from_rationale(detail.rationale)
            split.warnings.append(
                f"determination {number} not listed: outcome read from the rationale"
            )
        else:  # pragma: no cover - numbers come from the two dicts
            continue
        if detail is None:
            split.warnings.append(
                f"item {number} ({treatment[:50]!r}): no rationale found (text truncated?)"
            )
            split.items.append(RawItem(treatment=treatment, outcome=outcome))
            continue
        if not detail.rationale:
            split.warnings.append(
                f"item {number} ({treatment[:50]!r}): no rationale (text truncated?)"
            )
        detail.treatment, detail.outcome = treatment, outcome
        split.items.append(detail)
    if not blocks and determined:
        split.warnings.append(
            "no 'Regarding the request for' blocks: items have no rationale (text truncated?)"
        )
    return split


def determinations(flat: str) -> dict[int, tuple[str, Outcome]]:
    """The numbered 2013 determinations: number -> (treatment, outcome)."""
    found: dict[int, tuple[str, Outcome]] = {}
    for number, _, match in _numbered_phrases(
        flat, p.NOTICE_DETERMINED, p.NOTICE_DETERMINATION_NUMBER, "has determined", 80
    ):
        outcome: Outcome = "Upheld" if match.group("negation") else "Overturned"
        found.setdefault(number, (" ".join(match.group("treatment").split()), outcome))
    return found


def _numbered_phrases(
    flat: str, phrase: re.Pattern[str], number: re.Pattern[str], word: str, reach: int
) -> list[tuple[int, int, re.Match[str]]]:
    """(number, start of the number, phrase match) for each "<n>) ... <phrase>" in a text.
    Looks for the lower-case `word` with str.find first (cheap), then matches the phrase
    there and the number in the `reach` characters before it."""
    lower = flat.lower()
    found = []
    position = lower.find(word)
    while position != -1:
        match = phrase.match(flat, position)
        before = number.search(flat[max(0, position - reach) : position])
        if match and before:
            start = position - (min(position, reach) - before.start("number"))
            found.append((int(before.group("number")), start, match))
        position = lower.find(word, position + len(word))
    return found


def _notice_detail(block: str) -> RawItem:
    """Treatment, guideline paragraphs and rationale of one "Regarding the request for"
    block (outcome filled in by the caller)."""
    labels = sorted(
        (m.start(), m.end(), kind)
        for kind, pattern in (
            ("ca", p.NOTICE_CA_LABEL),
            ("reviewer", p.NOTICE_REVIEWER_LABEL),
            ("rationale", p.NOTICE_RATIONALE_LABEL),
        )
        for m in [pattern.search(block)]
        if m
    )
    treatment_end = labels[0][0] if labels else len(block)
    treatment = block[:treatment_end].strip().rstrip(":").strip()
    parts: dict[str, str] = {}
    for index, (_, end, kind) in enumerate(labels):
        stop = labels[index + 1][0] if index + 1 < len(labels) else len(block)
        parts[kind] = block[end:stop].strip()
    rationale = parts.get("rationale", "")
    trailer = p.NOTICE_TRAILER.search(rationale)
    if trailer:
        rationale = rationale[: trailer.start()].strip()
    reviewer = parts.get("reviewer")
    return RawItem(
        treatment=treatment,
        outcome="Upheld",
        ca_text=parts.get("ca"),
        reviewer_text=reviewer,
        rationale=rationale,
        reviewer_same_as_ca=bool(reviewer and cp.SAME_AS_ADMINISTRATOR.search(reviewer)),
    )


__all__ = ["determinations", "split_notice"]

"""The letter parser: text (or a file) in, one `Letter` with its disputed `Item`s out.

Pipeline, one explicit step each (`_parse` reads top-down in this order):

    clean      normalise the extraction (clean.py)
    detect     which layout (records.FORMAT_*), or LetterError for a text that is no letter
               (layouts/detect.py)
    split      header / credentials / clinical summary / raw items, per layout
               (layouts/standard.py, layouts/notice.py, layouts/professional.py)
    fields     case number, ISO dates, priority, specialties, licensure, age and sex
               (header.py)
    items      treatment, outcome, each party's citations (citations.py), rationale
    classify   category and body regions (classify.py)

The parser never depends on blank lines or column positions: pdfium text has neither, and
pdftotext's two-column header is read as one joined string. Truncated letters keep every
complete item and say so in `warnings`. Anything that goes wrong surfaces as LetterError.
Regular expressions live in patterns.py.
"""

from __future__ import annotations

from pathlib import Path

from clinical.classify import Text, body_regions, categorize
from indexer import patterns as p
from indexer.citations import copy_to, parse_citations
from indexer.clean import clean, squash
from indexer.errors import LetterError
from indexer.header import (
    find_age_sex,
    find_case_number,
    find_credentials,
    find_dates,
    find_priority,
    iso_date,
)
from indexer.layouts import RawItem, Split, trim_treatment
from indexer.layouts.detect import detect_layout, scan_headings
from indexer.layouts.notice import split_notice
from indexer.layouts.professional import split_professional
from indexer.layouts.standard import has_item_labels, split_standard
from indexer.read import read_letter
from indexer.records import (
    FORMAT_NOTICE_2013,
    FORMAT_PROFESSIONAL_REVIEW,
    FORMAT_STANDARD,
    Citation,
    Item,
    Letter,
    Party,
    content_id,
    item_id,
)

# Bump when parsing changes what a letter yields: index fingerprints include it, so a new
# version re-indexes letters parsed by an older one.
PARSER_VERSION = "1.1.0"


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def parse_file(path: str | Path) -> Letter:
    """Read and parse one .txt or .pdf letter; LetterError names the file and the reason."""
    return parse_text(read_letter(path), source=str(path))


def parse_text(text: str, source: str = "<text>") -> Letter:
    """Parse the text of one letter. Raises LetterError (only) when it is not a letter."""
    if not isinstance(text, str):
        raise LetterError(
            source, f"expected text, got {type(text).__name__}: decode the file first"
        )
    try:
        return _parse(text, source)
    except LetterError:
        raise
    except Exception as exc:  # the one-error-type contract: report, never crash a batch
        raise LetterError(
            source, f"parser failure ({type(exc).__name__}: {exc}): please report this letter"
        ) from exc


def detect_format(text: str) -> str | None:
    """The layout of a cleaned letter text (records.FORMAT_*), or None for a non-letter."""
    return detect_layout(text, scan_headings(text))


# ---------------------------------------------------------------------------------------------
# Pipeline
# ---------------------------------------------------------------------------------------------


def _parse(text: str, source: str) -> Letter:
    # clean
    cleaned = clean(text)
    if not cleaned.strip():
        raise LetterError(source, "empty text: nothing to parse (re-extract the letter)")
    lines = cleaned.split("\n")
    # detect
    headings = scan_headings(cleaned)
    layout = detect_layout(cleaned, headings)
    if layout is None and not has_item_labels(lines):
        raise LetterError(
            source,
            "not an IMR Final Determination Letter: none of its headings (e.g. 'IMR ISSUES, "
            "DECISIONS AND RATIONALES', 'CLINICAL CASE SUMMARY') or decision blocks were found",
        )
    # split
    if layout == FORMAT_NOTICE_2013:
        split = split_notice(cleaned)
    elif layout == FORMAT_PROFESSIONAL_REVIEW:
        split = split_professional(cleaned)
    else:
        split = split_standard(lines, headings, layout or FORMAT_STANDARD)
        split.strong = layout is not None
    if not split.items and not split.strong:
        raise LetterError(
            source,
            "not an IMR Final Determination Letter: no section headings and no decision "
            "('<treatment>: Upheld|Overturned') followed by guideline/rationale blocks",
        )
    # fields, items (citations, classify)
    return _build_letter(split, cleaned, source)


def _build_letter(split: Split, cleaned: str, source: str) -> Letter:
    """The Letter of a split: header fields, patient facts, and each item built."""
    warnings = list(split.warnings)
    header = squash(split.header)
    case_number = find_case_number(header, cleaned)
    if case_number is None:
        warnings.append(
            "no case number found: the header is missing (text truncated at the start?)"
        )
    dates = find_dates(header, warnings)
    specialties, licensure = find_credentials(split.credentials)
    summary = squash(split.summary)
    intro = p.SUMMARY_INTRO.match(summary)
    if intro:
        summary = summary[intro.end() :]
    age, sex = find_age_sex(summary)
    if not split.items:
        warnings.append("no complete disputed item found (text truncated or an unknown layout)")
    letter_key = case_number or content_id(summary, *(raw.treatment for raw in split.items))
    items = tuple(
        _build_item(raw, number, letter_key, warnings)
        for number, raw in enumerate(split.items, start=1)
    )
    return Letter(
        case_number=case_number,
        format=split.format,
        source=source,
        items=items,
        priority=find_priority(header),
        specialties=specialties,
        licensure=licensure,
        clinical_summary=summary,
        age=age,
        sex=sex,
        warnings=tuple(dict.fromkeys(warnings)),
        **dates,
    )


def _build_item(raw: RawItem, number: int, letter_key: str, warnings: list[str]) -> Item:
    """The Item of a raw item: each party's citations, then category and body regions."""
    citations: list[Citation] = []
    cited_nothing: list[Party] = []
    ca: tuple[Citation, ...] = ()
    for party, text in (("claims_administrator", raw.ca_text), ("reviewer", raw.reviewer_text)):
        if text is None:
            continue
        if party == "reviewer" and raw.reviewer_same_as_ca and ca:
            found, nothing = copy_to(ca, "reviewer", text), False
            extra, _ = parse_citations(text, "reviewer")
            found = found + tuple(
                c for c in extra if c.guideline not in {x.guideline for x in found}
            )
        else:
            found, nothing = parse_citations(text, party)  # type: ignore[arg-type]
        if party == "claims_administrator":
            ca = found
        citations.extend(found)
        if nothing:
            cited_nothing.append(party)  # type: ignore[arg-type]
        elif not found and text.strip():
            name = _PARTY_NAMES[party]
            warnings.append(f"item {number}: no citation recognised in the {name}'s guideline text")
    hints = [section for c in citations for section in c.sections]
    words = Text.of(raw.treatment)
    return Item(
        id=item_id(letter_key, number),
        item_number=number,
        treatment=raw.treatment,
        outcome=raw.outcome,
        rationale=raw.rationale,
        citations=tuple(citations),
        cited_nothing=tuple(cited_nothing),
        category=categorize(words, hints),
        body_regions=body_regions(words),
    )


_PARTY_NAMES = {"claims_administrator": "claims administrator", "reviewer": "reviewer"}


__all__ = [
    "PARSER_VERSION",
    "detect_format",
    "iso_date",
    "parse_file",
    "parse_text",
    "scan_headings",
    "trim_treatment",
]

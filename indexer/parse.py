"""The letter parser: text (or a file) in, one `Letter` with its disputed `Item`s out.

Pipeline, one explicit step each:

    clean      normalise the extraction (clean.py)
    detect     which layout (records.FORMAT_*), or LetterError for a text that is no letter
    split      header / credentials / clinical summary / raw items, per layout
    fields     case number, ISO dates, priority, specialties, licensure, age and sex
    items      treatment, outcome, each party's citations (citations.py), rationale
    classify   category and body regions (classify.py)

The parser never depends on blank lines or column positions: pdfium text has neither, and
pdftotext's two-column header is read as one joined string. Truncated letters keep every
complete item and say so in `warnings`. Anything that goes wrong surfaces as LetterError.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from indexer import patterns as p
from indexer.citations import copy_to, parse_citations
from indexer.classify import body_regions, categorize
from indexer.clean import clean, squash, unwrap
from indexer.errors import LetterError
from indexer.read import read_letter
from indexer.records import (
    FORMAT_DOCUMENTS_REVIEWED,
    FORMAT_NOTICE_2013,
    FORMAT_PROFESSIONAL_REVIEW,
    FORMAT_STANDARD,
    Citation,
    Item,
    Letter,
    Outcome,
    Party,
    content_id,
    item_id,
)

# Bump when parsing changes what a letter yields: index fingerprints include it, so a new
# version re-indexes letters parsed by an older one.
PARSER_VERSION = "1.0.0"

# Most lines a plain decision heading ("<treatment>: Upheld") wraps over, and a heading of a
# modified request ("... was the original request. ... is: Upheld").
MAX_HEADING_LINES = 4
MAX_MODIFIED_HEADING_LINES = 8
# Where to look for a case number when the header is missing or unlabelled.
CASE_NUMBER_SEARCH_CHARS = 3000
# Ages outside this range are misreads ("2016 year").
AGE_RANGE = range(1, 111)
SEX_WORDS = {
    "male": "male", "man": "male", "gentleman": "male", "boy": "male",
    "female": "female", "woman": "female", "lady": "female", "girl": "female",
}  # fmt: skip
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip


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
    return _layout(text, scan_headings(text))


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


def _layout(text: str, headings: dict[str, int]) -> str | None:
    if "notice" in headings:
        return FORMAT_NOTICE_2013
    if "professional" in headings or (
        "issue_at_dispute" in headings
        and (p.PR_RATIONALE.search(text) or p.PR_GUIDELINES.search(text))
    ):
        return FORMAT_PROFESSIONAL_REVIEW
    if "decisions" in headings or (
        "documents" in headings and "how" in headings and "issues" not in headings
    ):
        return FORMAT_DOCUMENTS_REVIEWED
    if "issues" in headings or "how" in headings or "summary" in headings:
        return FORMAT_STANDARD
    if ("determined" in text or "DETERMINED" in text) and p.NOTICE_DETERMINATION.search(
        squash(text)
    ):
        return FORMAT_NOTICE_2013
    return None


# ---------------------------------------------------------------------------------------------
# Intermediate shapes
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Pipeline
# ---------------------------------------------------------------------------------------------


def _parse(text: str, source: str) -> Letter:
    cleaned = clean(text)
    if not cleaned.strip():
        raise LetterError(source, "empty text: nothing to parse (re-extract the letter)")
    lines = cleaned.split("\n")
    headings = scan_headings(cleaned)
    layout = _layout(cleaned, headings)
    if layout is None and not _has_item_labels(lines):
        raise LetterError(
            source,
            "not an IMR Final Determination Letter: none of its headings (e.g. 'IMR ISSUES, "
            "DECISIONS AND RATIONALES', 'CLINICAL CASE SUMMARY') or decision blocks were found",
        )
    if layout == FORMAT_NOTICE_2013:
        split = _split_notice(cleaned)
    elif layout == FORMAT_PROFESSIONAL_REVIEW:
        split = _split_professional(cleaned)
    else:
        split = _split_standard(lines, headings, layout or FORMAT_STANDARD)
        split.strong = layout is not None
    if not split.items and not split.strong:
        raise LetterError(
            source,
            "not an IMR Final Determination Letter: no section headings and no decision "
            "('<treatment>: Upheld|Overturned') followed by guideline/rationale blocks",
        )
    return _build_letter(split, cleaned, source)


def _build_letter(split: Split, cleaned: str, source: str) -> Letter:
    warnings = list(split.warnings)
    header = squash(split.header)
    case_number = _case_number(header, cleaned)
    if case_number is None:
        warnings.append(
            "no case number found: the header is missing (text truncated at the start?)"
        )
    dates = {name: _date(pattern, header, name, warnings) for name, pattern in _DATE_FIELDS}
    priority_match = p.PRIORITY.search(header)
    specialties, licensure = _credentials(split.credentials)
    summary = squash(split.summary)
    intro = p.SUMMARY_INTRO.match(summary)
    if intro:
        summary = summary[intro.end() :]
    age, sex = _age_sex(summary)
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
        priority=priority_match.group(1).capitalize() if priority_match else None,
        specialties=specialties,
        licensure=licensure,
        clinical_summary=summary,
        age=age,
        sex=sex,
        warnings=tuple(dict.fromkeys(warnings)),
        **dates,
    )


def _build_item(raw: RawItem, number: int, letter_key: str, warnings: list[str]) -> Item:
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
    return Item(
        id=item_id(letter_key, number),
        item_number=number,
        treatment=raw.treatment,
        outcome=raw.outcome,
        rationale=raw.rationale,
        citations=tuple(citations),
        cited_nothing=tuple(cited_nothing),
        category=categorize(raw.treatment, hints),
        body_regions=body_regions(raw.treatment),
    )


_PARTY_NAMES = {"claims_administrator": "claims administrator", "reviewer": "reviewer"}


def _has_item_labels(lines: Sequence[str]) -> bool:
    return any(_label_kinds(lines))


# ---------------------------------------------------------------------------------------------
# Header fields, credentials, patient facts
# ---------------------------------------------------------------------------------------------

_DATE_FIELDS = (
    ("date_assigned", p.DATE_ASSIGNED),
    ("date_of_injury", p.DATE_OF_INJURY),
    ("decision_date", p.DECISION_DATE),
    ("ur_denial_date", p.UR_DENIAL_DATE),
    ("application_received", p.APPLICATION_RECEIVED),
)


def _case_number(header: str, text: str) -> str | None:
    match = p.CASE_NUMBER_LABELLED.search(header) or p.CASE_NUMBER_LABELLED.search(
        text[:CASE_NUMBER_SEARCH_CHARS]
    )
    if not match:
        match = p.CASE_NUMBER.search(header) or p.CASE_NUMBER.search(
            text[:CASE_NUMBER_SEARCH_CHARS]
        )
    return match.group(1).upper() if match else None


def _date(pattern: re.Pattern[str], header: str, name: str, warnings: list[str]) -> str | None:
    match = pattern.search(header)
    if not match:
        return None
    iso = iso_date(match.group(1))
    if iso is None:
        warnings.append(f"{name}: unreadable date {match.group(1)!r}")
    return iso


def iso_date(text: str) -> str | None:
    """'11/09/2016', '1-9-16', '2016-11-09', 'October 24, 2016' -> '2016-11-09'; None if the
    date is not valid."""
    text = " ".join(text.split())
    try:
        if m := p.DATE_ISO.match(text):
            year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        elif m := p.DATE_NUMERIC.match(text):
            month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if year < 100:
                year += 2000 if year < 70 else 1900
        elif m := p.DATE_WORDS.match(text):
            month = MONTHS[m.group(1).lower().rstrip(".")]
            day, year = int(m.group(2)), int(m.group(3))
        else:
            return None
        return dt.date(year, month, day).isoformat()
    except (ValueError, KeyError):
        return None


def _credentials(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(specialties, states of licensure) from credential lines or the prose form."""
    specialties: list[str] = []
    states: list[str] = []
    for line in text.split("\n"):
        if "pecialt" in line and (match := p.SPECIALTY_LINE.match(line)):
            specialties += _split_list(match.group(1), p.SPECIALTY_SEPARATOR)
        elif "icensure" in line and (match := p.LICENSURE_LINE.match(line)):
            states += _split_list(match.group(1), p.LIST_SEPARATOR)
    if not specialties or not states:
        flat = squash(text)
        prose = p.BOARD_CERTIFIED.search(flat)
        if prose:
            if not specialties:
                specialties += _split_list(prose.group("specialties"), p.SPECIALTY_SEPARATOR)
                if prose.group("subspecialties"):
                    specialties += _split_list(prose.group("subspecialties"), p.SPECIALTY_SEPARATOR)
            if not states and prose.group("states"):
                states += _split_list(prose.group("states"), p.LIST_SEPARATOR)
        if not states:
            licensed = p.LICENSED_IN.search(flat)
            if licensed:
                states += _split_list(licensed.group(1), p.LIST_SEPARATOR)
    return tuple(dict.fromkeys(specialties)), tuple(dict.fromkeys(states))


def _split_list(text: str, separator: re.Pattern[str]) -> list[str]:
    out = []
    for piece in separator.split(" ".join(text.split())):
        piece = piece.strip(" .,;:")
        if piece.lower().startswith("and "):
            piece = piece[4:]
        if piece:
            out.append(piece)
    return out


def _age_sex(summary: str) -> tuple[int | None, str | None]:
    for match in p.AGE_SEX.finditer(summary):
        age = int(match.group("age"))
        if age in AGE_RANGE:
            sex = match.group("sex")
            return age, SEX_WORDS[sex.lower()] if sex else None
    return None, None


# ---------------------------------------------------------------------------------------------
# Standard 2014+ layouts (IMR ISSUES, DECISIONS AND RATIONALES / IMR DECISION(S) AND ...)
# ---------------------------------------------------------------------------------------------

_SECTION_NAMES = {
    "how": "how",
    "documents": "documents",
    "summary": "summary",
    "issues": "items",
    "decisions": "items",
}


def _split_standard(lines: list[str], headings: dict[str, int], layout: str) -> Split:
    split = Split(format=layout)
    marks: list[tuple[int, str]] = []  # (line index, section name), first of each kind
    for name, index in sorted(headings.items(), key=lambda pair: pair[1]):
        section = _SECTION_NAMES.get(name)
        if section and section not in {s for _, s in marks}:
            marks.append((index, section))
    bounds = {name: (index + 1, _next_mark(marks, index, len(lines))) for index, name in marks}
    first = marks[0][0] if marks else 0
    split.header = "\n".join(lines[:first])

    if "items" in bounds:
        start, end = bounds["items"]
        item_lines = lines[start:end]
    else:
        # No items heading (truncated or unusual): items may follow any other section.
        start = bounds["summary"][0] if "summary" in bounds else (marks[-1][0] + 1 if marks else 0)
        item_lines = lines[start:]
        if any(p.RATIONALE_LABEL.match(line) for line in item_lines):
            split.warnings.append(
                "no 'IMR ISSUES, DECISIONS AND RATIONALES' heading: items read without it"
            )
    items, first_item, item_warnings = _split_items(item_lines)
    split.items = items
    split.warnings += item_warnings

    items_at = start + first_item  # first line of the first item (or end of text)
    if "summary" in bounds:
        s_start, s_end = bounds["summary"]
        split.summary = "\n".join(lines[s_start : min(s_end, items_at)])
    credentials_end = bounds["summary"][0] - 1 if "summary" in bounds else items_at
    split.credentials = "\n".join(lines[:credentials_end])
    heading_at = bounds["items"][0] - 1 if "items" in bounds else items_at
    split.warnings += _unknown_headings(lines, marks, heading_at)
    return split


def _next_mark(marks: list[tuple[int, str]], index: int, default: int) -> int:
    later = [i for i, _ in marks if i > index]
    return min(later) if later else default


def _unknown_headings(lines: list[str], marks: list[tuple[int, str]], stop: int) -> list[str]:
    """Upper-case stand-alone lines between the first known heading and the items."""
    if not marks:
        return []
    known = {index for index, _ in marks}
    warnings = []
    for index in range(marks[0][0] + 1, min(stop, len(lines))):
        line = lines[index]
        if (
            index not in known
            and line.isupper()
            and p.CAPS_HEADING.match(line)
            and len(line.split()) >= 2
        ):
            warnings.append(f"unknown section {line.strip()!r} ignored")
    return warnings


def _label_kind(line: str) -> str | None:
    if ":" not in line or line.lstrip()[:1] not in _LABEL_INITIALS:
        return None
    if p.CA_LABEL.match(line):
        return "ca"
    if p.REVIEWER_LABEL.match(line):
        return "reviewer"
    if p.RATIONALE_LABEL.match(line):
        return "rationale"
    return None


_LABEL_INITIALS = frozenset("CcMmEeDd")
_OUTCOME_WORDS = ("upheld", "overturned")


def _label_kinds(lines: Sequence[str]) -> list[str | None]:
    return [_label_kind(line) if ":" in line else None for line in lines]


def _lines_ending_in_outcome(lines: Sequence[str]) -> list[int]:
    """Indexes of lines ending in "Upheld"/"Overturned" (any case). One str.find pass over
    the joined text instead of a Python test per line."""
    text = "\n".join(lines).lower()
    found: list[int] = []
    for word in _OUTCOME_WORDS:
        line = 0
        previous = 0
        position = text.find(word)
        while position != -1:
            line += text.count("\n", previous, position)
            previous = position
            end = position + len(word)
            if end == len(text) or text[end] == "\n":
                found.append(line)
            position = text.find(word, end)
    return sorted(set(found))


def _split_items(lines: list[str]) -> tuple[list[RawItem], int, list[str]]:
    """Items of a 2014+ letter from the lines after its items heading.

    Returns the items, the index of the first item's heading (end of any preamble) and
    warnings. A decision heading is a line ending in ": Upheld|Overturned" (or the outcome
    alone after a line ending in ':') that is followed by a guideline or rationale label.
    """
    warnings: list[str] = []
    labels = _label_kinds(lines)
    decisions: list[tuple[int, str, bool]] = []  # (line index, outcome, heading starts above)
    for index in _lines_ending_in_outcome(lines):
        line = lines[index]
        if labels[index]:
            continue
        tail = p.OUTCOME_TAIL.match(line)
        alone = None if tail else p.OUTCOME_ALONE.match(line)
        if not tail and not alone:
            continue
        following = _next_filled(lines, index + 1)
        if following is not None and labels[following] is None:
            if tail and tail.group("head").strip():
                warnings.append(
                    f"line {line.strip()[:60]!r} looks like a decision but no guideline or "
                    "rationale follows: ignored"
                )
            continue
        if alone:
            before = _previous_filled(lines, index - 1)
            if (
                before is None
                or labels[before]
                or not lines[before].rstrip().endswith((":", " is"))
            ):
                continue
        outcome = (tail or alone).group("outcome").capitalize()  # type: ignore[union-attr]
        head = tail.group("head").strip().lower() if tail else ""
        decisions.append((index, outcome, bool(alone) or head in {"", "is"}))

    items: list[RawItem] = []
    starts: list[int] = []
    floor = 0
    for index, _outcome, starts_above in decisions:
        start = _heading_start(lines, labels, index, floor, starts_above)
        starts.append(start)
        floor = index + 1
    first_item = starts[0] if starts else len(lines)
    preamble = squash("\n".join(lines[:first_item]))
    intro = p.ITEMS_INTRO_SENTENCE.match(preamble)
    leftover = preamble[intro.end() :].strip() if intro else preamble
    if decisions and leftover:
        warnings.append(f"unrecognised text before the first item: {leftover[:60]!r}")

    for number, ((index, outcome, _), start) in enumerate(zip(decisions, starts, strict=True), 1):
        end = starts[number] if number < len(starts) else len(lines)
        heading = unwrap(lines[start : index + 1])
        treatment = _treatment(heading)
        if not treatment:
            warnings.append(f"decision {number} has no treatment text: skipped")
            continue
        raw, complete, body_warnings = _item_body(lines[index + 1 : end], labels[index + 1 : end])
        is_last = number == len(decisions)
        if not complete:
            if is_last:
                warnings.append(
                    f"text truncated inside item {number} ({treatment[:50]!r}): "
                    "incomplete item dropped"
                )
                continue
            warnings.append(f"item {number} ({treatment[:50]!r}) has no decision rationale")
        elif is_last and not p.CLOSED_TEXT.search(raw.rationale):
            warnings.append(f"text truncated: the rationale of item {number} stops mid-sentence")
        warnings += [f"item {number}: {w}" for w in body_warnings]
        raw.treatment, raw.outcome = treatment, outcome  # type: ignore[assignment]
        items.append(raw)
    return items, first_item, warnings


def _heading_start(
    lines: Sequence[str], labels: Sequence[str | None], index: int, floor: int, starts_above: bool
) -> int:
    """First line of the decision heading that ends on line `index`.

    Walk up over lines that do not end a sentence (a heading wraps; the rationale before it
    ends with a full stop), at most MAX_HEADING_LINES. A modified request ("X was the
    original request. Y was authorized ... The remaining IMR eligible portion of the original
    request, Z is: Upheld") is longer and has full stops inside: it may take
    MAX_MODIFIED_HEADING_LINES, and reaches up to the start of "X was the original request".
    """
    first = index
    if starts_above:
        before = _previous_filled(lines, index - 1)
        if before is not None and before >= floor and not labels[before]:
            first = before
    start = _walk_up(lines, labels, first, floor, MAX_HEADING_LINES - (index - first) - 1)
    heading = unwrap(lines[start : index + 1])
    if "original request" not in heading.lower():
        return start
    start = _walk_up(lines, labels, first, floor, MAX_MODIFIED_HEADING_LINES - (index - first) - 1)
    if not p.WAS_ORIGINAL_REQUEST.search(unwrap(lines[start : index + 1])):
        # "X was the original request." ended a line, which stopped the walk: go on up.
        for candidate in range(start - 1, max(floor, start - 3) - 1, -1):
            if not lines[candidate].strip() or labels[candidate]:
                break
            if p.WAS_ORIGINAL_REQUEST.search(lines[candidate]):
                start = _walk_up(lines, labels, candidate, floor, MAX_MODIFIED_HEADING_LINES)
                break
    return start


def _walk_up(
    lines: Sequence[str], labels: Sequence[str | None], start: int, floor: int, budget: int
) -> int:
    """Extend a heading upwards over lines that do not end a sentence."""
    while budget > 0 and start - 1 >= floor:
        above = lines[start - 1]
        if not above.strip() or labels[start - 1] or p.ITEMS_INTRO.match(above):
            break
        if p.ITEMS_INTRO_END.search(above):
            break
        if p.SENTENCE_END.search(above):
            break
        start -= 1
        budget -= 1
    return start


def _treatment(heading: str) -> str:
    """The disputed treatment from a decision heading (outcome and modified-request
    sentences removed)."""
    outcome = p.OUTCOME_END.search(heading, max(0, len(heading) - 40))
    text = heading[: outcome.start()] if outcome else heading
    if "original request" in text.lower():
        text = p.ORIGINAL_REQUEST_COMMA.split(text)[-1]
    enumerator = p.TREATMENT_ENUMERATOR.match(text)
    if enumerator:
        text = text[enumerator.end() :]
    return trim_treatment(text)


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


def _item_body(
    lines: Sequence[str], labels: Sequence[str | None]
) -> tuple[RawItem, bool, list[str]]:
    """Guideline paragraphs and rationale of one item. Returns (item, has rationale, warnings)."""
    parts: dict[str, list[str]] = {}
    current: str | None = None
    stray: list[str] = []
    stop = len(lines)
    for index, (line, label) in enumerate(zip(lines, labels, strict=True)):
        if label:
            current = label
            parts.setdefault(label, []).append(line.split(":", 1)[1])
            continue
        if (
            current == "rationale"
            and line.isupper()
            and p.CAPS_HEADING.match(line)
            and len(line.split()) >= 2
            and (index == 0 or not lines[index - 1] or p.SENTENCE_END.search(lines[index - 1]))
        ):
            stop = index  # a stand-alone upper-case line after a finished sentence
            break
        if current is None:
            if line.strip():
                stray.append(line.strip())
            continue
        parts[current].append(line)
    warnings = []
    if stray:
        warnings.append(f"unrecognised text after the decision heading: {' '.join(stray)[:60]!r}")
    if stop < len(lines):
        warnings.append(f"unknown section {lines[stop].strip()!r} after the rationale ignored")
    for label, name in (
        ("ca", "Claims Administrator guideline"),
        ("reviewer", "MAXIMUS guideline"),
    ):
        if label not in parts and "rationale" in parts:
            warnings.append(f"no {name!r} paragraph")
    rationale = unwrap(parts.get("rationale", []))
    item = RawItem(
        treatment="",
        outcome="Upheld",
        ca_text=unwrap(parts["ca"]) if "ca" in parts else None,
        reviewer_text=unwrap(parts["reviewer"]) if "reviewer" in parts else None,
        rationale=rationale,
    )
    return item, bool(rationale), warnings


def _next_filled(lines: Sequence[str], index: int) -> int | None:
    for candidate in range(index, len(lines)):
        if lines[candidate].strip():
            return candidate
    return None


def _previous_filled(lines: Sequence[str], index: int) -> int | None:
    for candidate in range(index, -1, -1):
        if lines[candidate].strip():
            return candidate
    return None


# ---------------------------------------------------------------------------------------------
# 2013 "Notice of Independent Medical Review Determination"
# ---------------------------------------------------------------------------------------------


def _split_notice(text: str) -> Split:
    split = Split(format=FORMAT_NOTICE_2013)
    flat = squash(text)
    determinations: dict[int, tuple[str, Outcome]] = {}
    for match in p.NOTICE_DETERMINATION.finditer(flat):
        number = int(match.group("number"))
        outcome: Outcome = "Upheld" if match.group("negation") else "Overturned"
        determinations.setdefault(number, (" ".join(match.group("treatment").split()), outcome))
    blocks = list(p.NOTICE_REGARDING.finditer(flat))
    details: dict[int, RawItem] = {}
    for index, match in enumerate(blocks):
        end = blocks[index + 1].start() if index + 1 < len(blocks) else len(flat)
        number = int(match.group("number"))
        if number not in details:
            details[number] = _notice_detail(flat[match.end() : end])

    # Header: everything before the first paragraph heading or determination.
    cut_points = [
        m.start()
        for m in (
            p.HOW_MADE.search(text),
            p.NOTICE_QUALIFICATIONS.search(text),
            p.NOTICE_CASE_SUMMARY.search(text),
        )
        if m
    ]
    split.header = text[: min(cut_points)] if cut_points else text[:CASE_NUMBER_SEARCH_CHARS]
    qualifications = p.NOTICE_QUALIFICATIONS.search(text)
    summary = p.NOTICE_CASE_SUMMARY.search(text)
    if qualifications:
        stop = summary.start() if summary and summary.start() > qualifications.end() else len(text)
        split.credentials = text[qualifications.end() : stop]
    else:
        split.credentials = text[: summary.start()] if summary else text
    if summary:
        end_match = p.NOTICE_SUMMARY_END.search(text, summary.end())
        split.summary = text[summary.end() : end_match.start() if end_match else len(text)]

    numbers = sorted(set(determinations) | set(details))
    for number in numbers:
        detail = details.get(number)
        if number in determinations:
            treatment, outcome = determinations[number]
            treatment = p.LEADING_ARTICLE.sub("", treatment)
        elif detail is not None:
            treatment = p.LEADING_ARTICLE.sub("", detail.treatment)
            outcome = _outcome_from_rationale(detail.rationale)
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
    if not blocks and determinations:
        split.warnings.append(
            "no 'Regarding the request for' blocks: items have no rationale (text truncated?)"
        )
    return split


def _notice_detail(block: str) -> RawItem:
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
        reviewer_same_as_ca=bool(reviewer and p.SAME_AS_ADMINISTRATOR.search(reviewer)),
    )


def _outcome_from_rationale(rationale: str) -> Outcome:
    """Upheld when the conclusion says "not medically necessary"; the last verdict wins."""
    negative = [m.start() for m in p.NOT_NECESSARY.finditer(rationale)]
    positive = [m.start() for m in p.IS_NECESSARY.finditer(rationale)]
    if positive and (not negative or positive[-1] > negative[-1]):
        return "Overturned"
    return "Upheld"


# ---------------------------------------------------------------------------------------------
# MEDICAL PROFESSIONAL REVIEW
# ---------------------------------------------------------------------------------------------

_PR_HEADINGS = (
    ("issue", p.PR_ISSUE),
    ("summary", p.PR_CASE_SUMMARY),
    ("documents", p.PR_DOCUMENTS),
    ("guidelines", p.PR_GUIDELINES),
    ("rationale", p.PR_RATIONALE),
    ("qualifications", p.PR_QUALIFICATIONS),
)


def _split_professional(text: str) -> Split:
    split = Split(format=FORMAT_PROFESSIONAL_REVIEW)
    found = sorted(
        (m.start(), m.end(), name)
        for name, pattern in _PR_HEADINGS
        for m in [pattern.search(text)]
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
            outcome = _outcome_from_rationale(rationale)
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
    starts = []
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


__all__ = ["PARSER_VERSION", "detect_format", "iso_date", "parse_file", "parse_text"]

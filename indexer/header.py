"""Header fields and patient facts: case number, dates, priority, the reviewer's credentials
(specialties, states of licensure), and the patient's age and sex from the clinical summary.

Each `find_*` reads one field from the text a layout splitter cut out (layouts/); none of
them depends on the layout.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from indexer import patterns as p
from indexer.clean import squash

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

# Letter field -> the header pattern of its date.
_DATE_FIELDS = (
    ("date_assigned", p.DATE_ASSIGNED),
    ("date_of_injury", p.DATE_OF_INJURY),
    ("decision_date", p.DECISION_DATE),
    ("ur_denial_date", p.UR_DENIAL_DATE),
    ("application_received", p.APPLICATION_RECEIVED),
)


def find_case_number(header: str, text: str) -> str | None:
    """The case number, upper case: a labelled one ("Case Number: CM16-...") before a bare
    one, each looked for in the header, then in the first CASE_NUMBER_SEARCH_CHARS of the text."""
    match = p.CASE_NUMBER_LABELLED.search(header) or p.CASE_NUMBER_LABELLED.search(
        text[:CASE_NUMBER_SEARCH_CHARS]
    )
    if not match:
        match = p.CASE_NUMBER.search(header) or p.CASE_NUMBER.search(
            text[:CASE_NUMBER_SEARCH_CHARS]
        )
    return match.group(1).upper() if match else None


def find_dates(header: str, warnings: list[str]) -> dict[str, str | None]:
    """The ISO dates of the header, by Letter field name (None when absent or unreadable;
    an unreadable one adds a warning)."""
    return {name: _date(pattern, header, name, warnings) for name, pattern in _DATE_FIELDS}


def find_priority(header: str) -> str | None:
    """The review priority (Standard, Expedited, Regular, Urgent) named in the header."""
    match = p.PRIORITY.search(header)
    return match.group(1).capitalize() if match else None


def _date(pattern: re.Pattern[str], header: str, name: str, warnings: list[str]) -> str | None:
    match = pattern.search(header)
    if not match:
        return None
    iso = iso_date(match.group(1))
    if iso is None:
        warnings.append(f"{name}: unreadable date {match.group(1)!r}")
    return iso


@functools.lru_cache(maxsize=4096)
def iso_date(text: str) -> str | None:
    """'11/09/2016', '1-9-16', '2016-11-09', 'October 24, 2016' -> '2016-11-09'; None if the
    date is not valid. Cached: a header holds five dates, and the letters of a batch share
    most of them (assignment and decision days), so most are already known."""
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


def find_credentials(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(specialties, states of licensure) from credential lines or the prose form."""
    specialties: list[str] = []
    states: list[str] = []
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if "pecialt" in line and (match := p.SPECIALTY_LINE.match(line)):
            value = _with_continuation(match.group(1), lines, number)
            specialties += _split_list(value, p.SPECIALTY_SEPARATOR)
        elif "icensure" in line and (match := p.LICENSURE_LINE.match(line)):
            value = _with_continuation(match.group(1), lines, number)
            states += _split_list(value, p.LIST_SEPARATOR)
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
        if not specialties:
            specialties += [
                " ".join(m.group("profession").split())
                for m in p.LICENSED_PROFESSION.finditer(flat)
            ]
        if not states:
            licensed = p.LICENSED_IN.search(flat)
            if licensed:
                states += _split_list(licensed.group(1), p.LIST_SEPARATOR)
    return tuple(dict.fromkeys(specialties)), tuple(dict.fromkeys(states))


def _with_continuation(value: str, lines: list[str], number: int) -> str:
    """A credential value with the lines it wrapped onto (see CREDENTIAL_CONTINUATION): the
    lines right after it that are neither blank, a label, a heading nor a sentence."""
    for line in lines[number + 1 : number + 3]:
        if ":" in line or p.SPECIALTY_LINE.match(line) or p.LICENSURE_LINE.match(line):
            break
        match = p.CREDENTIAL_CONTINUATION.match(line)
        if not match or not _title_case(match.group("value")):
            break
        value = f"{value.rstrip()} {match.group('value').strip()}"
    return value


def _title_case(value: str) -> bool:
    """Board and state names capitalise every long word; a wrapped sentence does not."""
    return all(word[:1].isupper() for word in p.LONG_WORD.findall(value))


def _split_list(text: str, separator: re.Pattern[str]) -> list[str]:
    out = []
    for piece in separator.split(" ".join(text.split())):
        piece = piece.strip(" .,;:")
        if piece.lower().startswith("and "):
            piece = piece[4:]
        if piece:
            out.append(piece)
    return out


def find_age_sex(summary: str) -> tuple[int | None, str | None]:
    """(age, "male"/"female"/None) of the first "<age>-year-old [<sex>]" with an age in
    AGE_RANGE; (None, None) when there is none."""
    for match in p.AGE_SEX.finditer(summary):
        age = int(match.group("age"))
        if age in AGE_RANGE:
            sex = match.group("sex")
            return age, SEX_WORDS[sex.lower()] if sex else None
    return None, None


__all__ = [
    "find_age_sex",
    "find_case_number",
    "find_credentials",
    "find_dates",
    "find_priority",
    "iso_date",
]

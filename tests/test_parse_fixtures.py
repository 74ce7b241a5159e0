"""The fixture letters (written for this project, one per layout) parse to known records,
under every kind of extraction noise and truncation.

tests/fixtures/letters/ holds: the 2014+ layout with credentials as lines (pdftotext style)
and in prose (pdfium style: CRLF, no blank lines, split header, U+FFFE hyphen), the
DOCUMENTS REVIEWED / IMR DECISION(S) AND RATIONALE(S) variant, the MEDICAL PROFESSIONAL
REVIEW layout, a 2013 Notice, a noisy double-spaced copy, a truncated copy and a non-letter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.errors import LetterError
from indexer.parse import parse_file, parse_text
from indexer.records import (
    FORMAT_DOCUMENTS_REVIEWED,
    FORMAT_NOTICE_2013,
    FORMAT_PROFESSIONAL_REVIEW,
    FORMAT_STANDARD,
    Letter,
)

LETTERS = Path(__file__).parent / "fixtures" / "letters"

M, G, X, N = "MTUS", "ODG", "other", "none"
U, V = "Upheld", "Overturned"

# file -> letter fields, then items: (treatment, outcome, administrator's sources,
# reviewer's sources, category, body regions)
FIXTURES: dict[str, dict[str, object]] = {
    "standard_credentials_lines.txt": {
        "format": FORMAT_STANDARD,
        "case_number": "CM17-0101234",
        "date_assigned": "2017-03-06",
        "date_of_injury": "2016-06-14",
        "decision_date": "2017-04-03",
        "ur_denial_date": "2017-02-21",
        "application_received": "2017-03-01",
        "priority": "Standard",
        "specialties": ("Physical Medicine & Rehabilitation", "Pain Medicine"),
        "licensure": ("California", "Arizona"),
        "age": 52,
        "sex": "female",
        "items": [
            (
                "Lumbar epidural steroid injection at L4-L5 and L5-S1",
                U,
                (M,),
                (M, G),
                "injection",
                ("lumbar spine",),
            ),
            ("Tramadol ER 150mg #30", V, (N,), (M,), "medication", ()),
            (
                "RETROSPECTIVE URINE DRUG SCREEN (DOS: 02/14/2017), QUANTITATIVE "
                "CONFIRMATION TESTING",
                U,
                (M,),
                (G,),
                "laboratory/testing",
                (),
            ),
            (
                "Physical therapy 2x6 for the right shoulder, 12 sessions",
                V,
                (M,),
                (M, X),
                "physical therapy",
                ("shoulder",),
            ),
            ("Lidocaine 5% ointment, apply twice daily, #1 tube", U, (X,), (X,), "medication", ()),
            ("TENS unit, 30 day home trial rental", U, (N,), (N,), "durable medical equipment", ()),
        ],
    },
    "standard_credentials_prose.txt": {
        "format": FORMAT_STANDARD,
        "case_number": "CM17-0107788",
        "date_assigned": "2017-03-09",
        "date_of_injury": "2017-01-18",
        "decision_date": "2017-03-16",
        "ur_denial_date": "2017-02-27",
        "application_received": "2017-03-02",
        "priority": "Expedited",
        "specialties": ("Orthopaedic Surgery",),
        "licensure": ("Texas", "Oklahoma"),
        "age": 34,
        "sex": "male",
        "items": [
            (
                "Right knee arthroscopy with partial medial meniscectomy",
                V,
                (M,),
                (M, G),
                "surgery",
                ("knee",),
            ),
            (
                "Post-operative cold therapy unit, 7 day rental",
                V,
                (G,),
                (G,),
                "durable medical equipment",
                (),
            ),
            ("Assistant surgeon", U, (N,), (X,), "surgery", ()),
        ],
    },
    "documents_reviewed.txt": {
        "format": FORMAT_DOCUMENTS_REVIEWED,
        "case_number": "CM14-0023456",
        "date_assigned": "2014-02-04",
        "date_of_injury": "2011-08-15",
        "decision_date": "2014-03-12",
        "ur_denial_date": "2014-01-22",
        "application_received": "2014-02-01",
        "priority": "Standard",
        "specialties": ("Family Practice", "Sports Medicine"),
        "licensure": ("California",),
        "age": 61,
        "sex": "male",
        "items": [
            (
                "Chiropractic manipulation 2x4 for the cervical spine",
                U,
                (M,),
                (M,),
                "chiropractic",
                ("cervical spine",),
            ),
            ("Omeprazole 20mg #60", V, (M,), (M,), "medication", ()),
            (
                "Cervical traction pillow",
                U,
                (G,),
                (N,),
                "durable medical equipment",
                ("cervical spine",),
            ),
        ],
    },
    "professional_review.txt": {
        "format": FORMAT_PROFESSIONAL_REVIEW,
        "case_number": "CM13-0004567",
        "date_assigned": None,
        "date_of_injury": "2012-05-02",
        "decision_date": "2013-08-20",
        "ur_denial_date": "2013-06-28",
        "application_received": "2013-07-09",
        "priority": "Standard",
        "specialties": ("Physical Medicine and Rehabilitation",),
        "licensure": ("California", "Nevada"),
        "age": 47,
        "sex": "female",
        "items": [
            (
                "Aquatic therapy 2 times a week for 4 weeks for the lumbar spine",
                V,
                (),
                (M,),
                "physical therapy",
                ("lumbar spine",),
            ),
            ("Cyclobenzaprine 7.5mg #90", U, (), (M,), "medication", ()),
        ],
    },
    "notice_2013.txt": {
        "format": FORMAT_NOTICE_2013,
        "case_number": "CM13-0001234",
        "date_assigned": None,
        "date_of_injury": "2011-03-11",
        "decision_date": "2013-11-14",
        "ur_denial_date": "2013-07-02",
        "application_received": "2013-07-18",
        "priority": None,
        "specialties": ("Physical Medicine and Rehabilitation", "Pain Medicine"),
        "licensure": ("California",),
        "age": 39,
        "sex": "male",
        "items": [
            (
                "physical therapy 2x6 for the lumbar spine",
                U,
                (M,),
                (M,),
                "physical therapy",
                ("lumbar spine",),
            ),
            ("Norco 10/325mg #60", V, (N,), (M,), "medication", ()),
            ("lumbar MRI", U, (M,), (G,), "imaging", ("lumbar spine",)),
        ],
    },
}
FIXTURES["noisy_double_spaced.txt"] = FIXTURES["standard_credentials_lines.txt"]


def _sources(letter: Letter, index: int, party: str) -> tuple[str, ...]:
    item = letter.items[index]
    if party in item.cited_nothing:
        return (N,)
    return tuple(sorted({c.source for c in item.citations_by(party)}))  # type: ignore[arg-type]


def _items(letter: Letter) -> list[tuple[object, ...]]:
    return [
        (
            item.treatment,
            item.outcome,
            _sources(letter, index, "claims_administrator"),
            _sources(letter, index, "reviewer"),
            item.category,
            item.body_regions,
        )
        for index, item in enumerate(letter.items)
    ]


def _expected_items(name: str) -> list[tuple[object, ...]]:
    return [
        (t, o, tuple(sorted(ca)), tuple(sorted(rv)), cat, regions)
        for t, o, ca, rv, cat, regions in FIXTURES[name]["items"]  # type: ignore[union-attr]
    ]


def _records(letter: Letter) -> dict[str, object]:
    record = letter.to_dict()
    record.pop("source")
    return record


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_letter(name: str) -> None:
    letter = parse_file(LETTERS / name)
    expected = FIXTURES[name]
    for field, value in expected.items():
        if field != "items":
            assert getattr(letter, field) == value, field
    assert _items(letter) == _expected_items(name)
    assert letter.warnings == ()
    assert letter.source == str(LETTERS / name)
    for number, item in enumerate(letter.items, start=1):
        assert item.item_number == number
        assert item.id == f"{letter.case_number}-{number}"
        assert item.rationale.endswith((".", '"'))
    assert (
        letter.clinical_summary and "following clinical case summary" not in letter.clinical_summary
    )


def test_modified_request_heading_is_not_in_the_previous_rationale() -> None:
    letter = parse_file(LETTERS / "standard_credentials_lines.txt")
    assert "original request" not in letter.items[0].rationale
    assert letter.items[0].rationale.endswith("The request is therefore not medically necessary.")


def test_notice_reviewer_agreeing_with_the_administrator_copies_the_guideline() -> None:
    item = parse_file(LETTERS / "notice_2013.txt").items[0]
    (ca,) = item.citations_by("claims_administrator")
    (reviewer,) = item.citations_by("reviewer")
    assert (
        (reviewer.guideline, reviewer.pages)
        == (ca.guideline, ca.pages)
        == ("Chronic Pain Medical Treatment 2009", "98-99")
    )
    assert reviewer.text.startswith("The Expert Reviewer found the guideline")


def test_notice_rationale_stops_before_the_closing_initials() -> None:
    item = parse_file(LETTERS / "notice_2013.txt").items[2]
    assert item.rationale.endswith("is not medically necessary and appropriate.")


def test_truncated_fixture_keeps_complete_items_and_warns() -> None:
    letter = parse_file(LETTERS / "truncated.txt")
    assert [(i.treatment, i.outcome) for i in letter.items] == [
        ("Lumbar epidural steroid injection at L4-L5 and L5-S1", U),
        ("Tramadol ER 150mg #30", V),
    ]
    assert any("truncated" in warning for warning in letter.warnings)


def test_non_letter_fixture_is_rejected_with_the_file_name() -> None:
    path = LETTERS / "not_a_letter.txt"
    with pytest.raises(LetterError) as caught:
        parse_file(path)
    assert caught.value.source == str(path)
    assert str(caught.value).startswith(f"{path}: not an IMR Final Determination Letter")


# --- extraction noise: every variant gives the same records --------------------------------------


CLEAN = [name for name in FIXTURES if name != "noisy_double_spaced.txt"]


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def double_spaced(text: str) -> str:
    """A blank line after every line; paragraph breaks become runs of blank lines."""
    return "\n\n".join(line if line.strip() else " \n" for line in text.split("\n"))


def no_blank_lines(text: str) -> str:
    """pdfium style: no blank lines, trailing spaces, CRLF."""
    return "\r\n".join(line + " " for line in text.split("\n") if line.strip())


def nbsp_and_tabs(text: str) -> str:
    return text.replace("based on", "based\u00a0on").replace(
        "Decision rationale:", "Decision\trationale:"
    )


def trailing_spaces(text: str) -> str:
    return "\n".join(line + "   " for line in text.split("\n"))


def paged(text: str) -> str:
    """Form feeds every 20 lines with a running header and 'Page n of m' footers."""
    lines = text.replace("\f", "").split("\n")
    pages = [lines[start : start + 20] for start in range(0, len(lines), 20)]
    total = len(pages)
    return "\f".join(
        "\n".join(
            [
                "MAXIMUS Federal Services - IMR Final Determination",
                *page,
                "",
                f"Page {n} of {total}",
            ]
        )
        for n, page in enumerate(pages, start=1)
    )


def hyphen_breaks(text: str) -> str:
    """Break lines after existing hyphens inside words ("x-rays" -> "x-\\nrays")."""
    return re.sub(r"(?<=[A-Za-z0-9])-(?=[A-Za-z]{3})", "-\n", text, count=6)


def pdfium_hyphens(text: str) -> str:
    """pdfium writes a hyphen at a line end as U+FFFE and joins the lines."""
    return hyphen_breaks(text).replace("-\n", "\ufffe")


def bom(text: str) -> str:
    return "\ufeff" + text


VARIANTS = [
    crlf,
    double_spaced,
    no_blank_lines,
    nbsp_and_tabs,
    trailing_spaces,
    paged,
    hyphen_breaks,
    pdfium_hyphens,
    bom,
]


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.__name__ for v in VARIANTS])
@pytest.mark.parametrize("name", CLEAN)
def test_noise_gives_the_same_records(name: str, variant: object) -> None:
    text = (LETTERS / name).read_text(encoding="utf-8")
    clean = _records(parse_text(text, name))
    noisy = parse_text(variant(text), name)  # type: ignore[operator]
    assert _records(noisy) == clean


def test_noise_combined() -> None:
    text = (LETTERS / "standard_credentials_lines.txt").read_text()
    noisy = bom(crlf(double_spaced(paged(trailing_spaces(hyphen_breaks(nbsp_and_tabs(text)))))))
    assert _records(parse_text(noisy, "x")) == _records(parse_text(text, "x"))


# --- truncation: every cut keeps a prefix of the items and never crashes -------------------------


def _cuts(text: str) -> list[int]:
    ends = [match.end() for match in re.finditer("\n", text)]
    mids = [(a + b) // 2 for a, b in zip([0, *ends], ends, strict=False)]
    return sorted(set(ends + mids))


@pytest.mark.parametrize("name", CLEAN)
def test_every_truncation_keeps_complete_items(name: str) -> None:
    text = (LETTERS / name).read_text(encoding="utf-8")
    full = [(i.treatment, i.outcome) for i in parse_text(text, name).items]
    first_heading = min(
        position
        for position in (
            text.find("HOW THE IMR"),
            text.find("ISSUE AT DISPUTE"),
            text.find("Notice of Independent"),
        )
        if position >= 0
    )
    for cut in _cuts(text):
        part = text[:cut]
        try:
            letter = parse_text(part, name)
        except LetterError:
            assert cut <= first_heading + 60, f"cut at {cut} rejected"
            continue
        got = [(i.treatment, i.outcome) for i in letter.items]
        assert got == full[: len(got)], f"cut at {cut}"
        if len(got) < len(full) and letter.case_number:
            # Some signal that the letter is incomplete, unless the cut fell exactly between
            # two items (indistinguishable from a shorter letter).
            assert letter.warnings or part.rstrip().endswith(".") or not got, f"cut at {cut}"

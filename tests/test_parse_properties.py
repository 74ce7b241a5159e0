"""Property-based tests: whatever the text, the parser returns a Letter or raises LetterError.

Arbitrary text, letter-like text built from the grammar's own pieces, and fixture letters
mutated by truncation, inserted noise and deleted spans. A LetterError whose reason is a
"parser failure" means an internal exception was caught by the safety net: that is a bug and
fails these tests too.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.clean import clean, single_spaced, unwrap
from indexer.errors import LetterError
from indexer.parse import parse_text
from indexer.records import FORMATS, OUTCOMES, PARTIES, Letter

LETTERS = Path(__file__).parent / "fixtures" / "letters"
FIXTURES = [
    (LETTERS / name).read_text(encoding="utf-8")
    for name in (
        "standard_credentials_lines.txt",
        "standard_credentials_prose.txt",
        "documents_reviewed.txt",
        "professional_review.txt",
        "notice_2013.txt",
    )
]

# Pieces of the letter grammar, so generated text reaches the deeper parsing paths.
PIECES = [
    "Case Number: CM16-0213037",
    "Date Assigned: 11/09/2016",
    "Application",
    "Received:",
    "HOW THE IMR FINAL DETERMINATION WAS MADE",
    "CLINICAL CASE SUMMARY",
    "IMR ISSUES, DECISIONS AND RATIONALES",
    "IMR DECISION(S) AND RATIONALE(S)",
    "DOCUMENTS REVIEWED",
    "MEDICAL PROFESSIONAL REVIEW",
    "ISSUE AT DISPUTE:",
    "MEDICAL REVIEWER QUALIFICATIONS:",
    "Notice of Independent Medical Review Determination",
    "1) MAXIMUS Federal Services, Inc. has determined the request for X is not medically "
    "necessary and appropriate.",
    "1) Regarding the request for X:",
    "Rationale for the Decision:",
    "MRI of the knee: Upheld",
    "Norco #60: Overturned",
    "Upheld",
    "Overturned",
    "is: Upheld",
    "was the original request.",
    "The remaining IMR eligible portion of the original request,",
    "Claims Administrator guideline:",
    "MAXIMUS guideline:",
    "Decision rationale:",
    "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Opioids, and",
    "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Low Back",
    "did not cite any medical evidence",
    "Board Certified in",
    "and is licensed to practice in",
    "State(s) of Licensure:",
    "Certification(s)/Specialty:",
    "48 year old male",
    "Page(s): 1-",
    "Section(s):",
    "http://",
    "study by",
    "\f",
    "\r\n",
    "\n",
    "\n\n",
    " ",
    "-",
    ":",
    ".",
    "\ufffe",
    "\u00a0",
]

letterish = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=60).map(
    lambda parts: " ".join(parts)
)


def _check(text: str) -> None:
    try:
        letter = parse_text(text, "generated.txt")
    except LetterError as error:
        assert error.source == "generated.txt"
        assert "parser failure" not in error.reason, error.reason
        return
    _assert_well_formed(letter)


def _assert_well_formed(letter: Letter) -> None:
    assert letter.format in FORMATS
    assert isinstance(letter.warnings, tuple)
    for number, item in enumerate(letter.items, start=1):
        assert item.item_number == number
        assert item.outcome in OUTCOMES
        assert item.treatment and item.treatment == " ".join(item.treatment.split())
        assert set(item.cited_nothing) <= set(PARTIES)
        for citation in item.citations:
            assert citation.party in PARTIES
            assert citation.source in {"MTUS", "ODG", "other"}
    assert Letter.from_dict(letter.to_dict()) == letter


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_arbitrary_text(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(letterish)
def test_letter_like_text(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIXTURES), st.data())
def test_truncated_fixtures(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) // 3))
    end = data.draw(st.integers(start, len(text)))
    _check(text[start:end])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIXTURES), st.data())
def test_mutated_fixtures(text: str, data: st.DataObject) -> None:
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["insert", "delete", "piece"]))
        if action == "insert":
            text = text[:position] + data.draw(st.text(max_size=40)) + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + data.draw(st.integers(1, 400)) :]
        else:
            text = text[:position] + data.draw(st.sampled_from(PIECES)) + text[position:]
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_clean_is_idempotent_and_normalised(text: str) -> None:
    once = clean(text)
    assert clean(once) == once
    assert "\r" not in once and "\f" not in once
    assert all(line == line.rstrip() for line in once.split("\n"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=20))
def test_unwrap_is_single_spaced(lines: list[str]) -> None:
    joined = unwrap(lines)
    assert joined == " ".join(joined.split())


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.sampled_from(" \n\t\r\x0b\x0c\x1c\x1fa-"), max_size=60)
    | st.text(st.sampled_from(" \n\x85\xa0\u2003a\u00e9"), max_size=60)
)
def test_single_spaced_is_split_and_join(text: str) -> None:
    """Its shortcut for ASCII text gives what str.split gives, whatever the whitespace."""
    assert single_spaced(text) == " ".join(text.split())

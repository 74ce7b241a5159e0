"""Unit tests of the parser's steps: cleaning, header fields, credentials, items, errors."""

from __future__ import annotations

import pytest

from indexer.clean import clean, squash, unwrap
from indexer.errors import LetterError
from indexer.parse import PARSER_VERSION, detect_format, iso_date, parse_text
from indexer.records import (
    FORMAT_DOCUMENTS_REVIEWED,
    FORMAT_NOTICE_2013,
    FORMAT_PROFESSIONAL_REVIEW,
    FORMAT_STANDARD,
    content_id,
)

# A small letter in the 2014+ layout, assembled per test from these parts.
HEADER = """Case Number:          CM16-0000001
Date Assigned:        11/09/2016                      Date of Injury:      10/13/2016
Decision Date:        12/09/2016                      UR Denial Date:      11/03/2016
Priority:             Standard                        Application          11/04/2016
                                                      Received:
"""
HOW = """
                 HOW THE IMR FINAL DETERMINATION WAS MADE
MAXIMUS Federal Services sent the complete case file to an expert reviewer.
The Expert Reviewer has the following credentials:
State(s) of Licensure: California,North Carolina
Certification(s)/Specialty: Family Practice, Sports Medicine
"""
SUMMARY = """
                                CLINICAL CASE SUMMARY
The expert reviewer developed the following clinical case summary based on a review of the
case file, including all medical records:

The injured worker is a 48 year old male with neck and shoulder pain after a fall.
"""
ISSUES = """
                      IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:
"""


def item(
    heading: str,
    outcome: str = "Upheld",
    rationale: str = "The request is not medically necessary.",
) -> str:
    return f"""
{heading}: {outcome}

Claims Administrator guideline: Decision based on MTUS Shoulder Complaints 2004.

MAXIMUS guideline: Decision based on MTUS Shoulder Complaints 2004, Section(s):
Special Studies.

Decision rationale: {rationale}
"""


def letter(*items: str) -> str:
    return HEADER + HOW + SUMMARY + ISSUES + "".join(items or (item("MRI of the right shoulder"),))


# --- clean -----------------------------------------------------------------------------------


def test_clean_normalises_line_ends_spaces_and_controls() -> None:
    assert clean("a\r\nb\rc\u00a0d\te\x00f\u200bg   \n") == "a\nb\nc d efg"


def test_clean_undoes_double_spacing() -> None:
    text = "one\n\ntwo\n\nthree\n\n \n\n\nfour\n\nfive"
    assert clean(text) == "one\ntwo\nthree\n\nfour\nfive"


def test_clean_keeps_single_blank_lines_of_normal_text() -> None:
    text = "para one line one\npara one line two\n\npara two line one\npara two line two"
    assert clean(text) == text


def test_clean_drops_page_numbers_and_running_headers_at_page_edges() -> None:
    pages = [
        "CM16-0000001 Final Determination\nbody line one\nbody line two\nPage 1 of 3",
        "CM16-0000001 Final Determination\nbody line three\nPage 2 of 3",
        "CM16-0000001 Final Determination\nbody line four\n- 3 -",
    ]
    assert (
        clean("\f".join(pages)) == "body line one\nbody line two\nbody line three\nbody line four"
    )


def test_clean_keeps_body_lines_repeated_at_page_edges() -> None:
    pages = ["first\nmedically necessary.", "second\nmedically necessary.", "third"]
    assert clean("\f".join(pages)).count("medically necessary.") == 2


def test_clean_turns_pdfium_hyphen_marks_into_line_breaks() -> None:
    assert clean("the x\uffferays were") == "the x-\nrays were"


def test_unwrap_joins_hyphenated_and_slashed_breaks() -> None:
    assert unwrap(["Decision based on Non-", "MTUS Citation x-", "rays and/", "or more"]) == (
        "Decision based on Non-MTUS Citation x-rays and/or more"
    )
    assert unwrap(["a dash -", "then text"]) == "a dash - then text"
    assert squash("  spaced   out \n  lines  ") == "spaced out lines"


def test_unwrap_joins_a_hyphen_break_across_a_blank_line() -> None:
    assert squash("long-\n\nterm use") == "long-term use"


def test_clean_drops_the_footer_of_a_one_page_text() -> None:
    assert clean("body text.\nmore text.\n\nPage 1 of 1\n") == "body text.\nmore text."
    assert clean("body text.\nthe count was\n12") == "body text.\nthe count was\n12"


def test_clean_keeps_label_lines_repeated_at_page_tops() -> None:
    line = "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016."
    pages = [
        f"Claims Administrator guideline: x.\n{line}\nDecision rationale: a.\nPage 1 of 3",
        f"{line}\nDecision rationale: b.\nmore\nPage 2 of 3",
        f"{line}\nDecision rationale: c.\nmore\nPage 3 of 3",
    ]
    assert clean("\f".join(pages)).count(line) == 3


def test_clean_drops_blank_lines_around_a_page_break() -> None:
    assert clean("one tablet by\n\nPage 1 of 2\n\fmouth #120") == "one tablet by\nmouth #120"


# --- layout detection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "layout"),
    [
        (letter(), FORMAT_STANDARD),
        (HOW + "\n  IMR DECISION(S) AND RATIONALE(S)\n", FORMAT_DOCUMENTS_REVIEWED),
        ("MEDICAL PROFESSIONAL REVIEW\nISSUE AT DISPUTE: knee MRI\n", FORMAT_PROFESSIONAL_REVIEW),
        ("   Notice of Independent Medical Review Determination\n", FORMAT_NOTICE_2013),
        (SUMMARY, FORMAT_STANDARD),
        ("A shopping list\nmilk\neggs\n", None),
    ],
)
def test_detect_format(text: str, layout: str | None) -> None:
    assert detect_format(clean(text)) == layout


# --- header fields -----------------------------------------------------------------------------


def test_header_fields_from_the_two_column_layout() -> None:
    parsed = parse_text(letter(), "x")
    assert parsed.case_number == "CM16-0000001"
    assert (parsed.date_assigned, parsed.date_of_injury, parsed.decision_date) == (
        "2016-11-09",
        "2016-10-13",
        "2016-12-09",
    )
    assert (parsed.ur_denial_date, parsed.application_received) == ("2016-11-03", "2016-11-04")
    assert parsed.priority == "Standard"


def test_header_fields_from_the_pdfium_split() -> None:
    header = (
        "Case Number: CM16-0000001\nDate Assigned: 11/09/2016 Date of Injury: 10/13/2016\n"
        "Decision Date: 12/09/2016 UR Denial Date: 11/03/2016\nPriority: Expedited Application \n"
        "Received: \n11/04/2016\n"
    )
    parsed = parse_text(header + HOW + SUMMARY + ISSUES + item("MRI of the right shoulder"), "x")
    assert parsed.application_received == "2016-11-04"
    assert parsed.priority == "Expedited"
    assert parsed.decision_date == "2016-12-09"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("11/09/2016", "2016-11-09"),
        ("1/9/16", "2016-01-09"),
        ("10-13-2016", "2016-10-13"),
        ("2016-11-09", "2016-11-09"),
        ("October 24, 2016", "2016-10-24"),
        ("Sept. 3 2015", "2015-09-03"),
        ("13/45/2016", None),
        ("02/30/2016", None),
    ],
)
def test_iso_date(text: str, iso: str | None) -> None:
    assert iso_date(text) == iso


def test_an_impossible_header_date_is_a_warning() -> None:
    parsed = parse_text(letter().replace("11/09/2016", "19/39/2016"), "x")
    assert parsed.date_assigned is None
    assert any("date_assigned" in warning for warning in parsed.warnings)


# --- credentials and patient facts ----------------------------------------------------------------


def test_credentials_as_lines() -> None:
    parsed = parse_text(letter(), "x")
    assert parsed.licensure == ("California", "North Carolina")
    assert parsed.specialties == ("Family Practice", "Sports Medicine")


@pytest.mark.parametrize(
    ("prose", "specialties", "states"),
    [
        (
            "The expert reviewer is Board Certified in Emergency Medicine and is licensed to "
            "practice in "
            "New York.",
            ("Emergency Medicine",),
            ("New York",),
        ),
        (
            "The expert reviewer is Board Certified in Physical Medicine and Rehabilitation, has a "
            "subspecialty in Pain Medicine and is licensed to practice in California and Nevada.",
            ("Physical Medicine and Rehabilitation", "Pain Medicine"),
            ("California", "Nevada"),
        ),
        (
            "The reviewer is Board Certified in Internal Medicine and is licensed to practice in "
            "Texas, "
            "Ohio and California.",
            ("Internal Medicine",),
            ("Texas", "Ohio", "California"),
        ),
    ],
)
def test_credentials_in_prose(
    prose: str, specialties: tuple[str, ...], states: tuple[str, ...]
) -> None:
    how = "\n                 HOW THE IMR FINAL DETERMINATION WAS MADE\n" + prose + "\n"
    parsed = parse_text(HEADER + how + SUMMARY + ISSUES + item("MRI of the knee"), "x")
    assert parsed.specialties == specialties
    assert parsed.licensure == states


@pytest.mark.parametrize(
    ("sentence", "age", "sex"),
    [
        ("The injured worker is a 48 year old male who fell.", 48, "male"),
        ("This case involves a now 56-year-old female with a claim.", 56, "female"),
        ("The 58 year old female injured worker suffered an injury.", 58, "female"),
        ("the injured worker is a(n) 57 year old male, who", 57, "male"),
        ("This 34 year old man twisted his knee.", 34, "male"),
        ("The patient has had pain for 5 years and is a nurse.", None, None),
        ("The patient is a 45 year old with back pain.", 45, None),
    ],
)
def test_age_and_sex(sentence: str, age: int | None, sex: str | None) -> None:
    summary = "\n                                CLINICAL CASE SUMMARY\n" + sentence + "\n"
    parsed = parse_text(HEADER + HOW + summary + ISSUES + item("MRI of the knee"), "x")
    assert (parsed.age, parsed.sex) == (age, sex)


def test_clinical_summary_drops_the_boilerplate_lead() -> None:
    parsed = parse_text(letter(), "x")
    assert parsed.clinical_summary == (
        "The injured worker is a 48 year old male with neck and shoulder pain after a fall."
    )


# --- items ---------------------------------------------------------------------------------------


def treatments(text: str) -> list[tuple[str, str]]:
    return [(i.treatment, i.outcome) for i in parse_text(text, "x").items]


def test_items_in_order_with_both_outcomes() -> None:
    text = letter(item("MRI of the right shoulder"), item("Norco 10/325mg #60", "Overturned"))
    assert treatments(text) == [
        ("MRI of the right shoulder", "Upheld"),
        ("Norco 10/325mg #60", "Overturned"),
    ]


@pytest.mark.parametrize(
    ("heading", "treatment"),
    [
        (
            "Retrospective Cyclobenzaprine 5mg tab #30 DOS: 11/14/16",
            "Retrospective Cyclobenzaprine 5mg tab #30 DOS: 11/14/16",
        ),
        ("NCV bilateral lower extremities QTY: 2", "NCV bilateral lower extremities QTY: 2"),
        ("PHYSICAL THERAPY 2X6 FOR THE LUMBAR SPINE", "PHYSICAL THERAPY 2X6 FOR THE LUMBAR SPINE"),
        (
            "EXPLORATION OF FUSION, L4-S1 POSSIBLE AUGMENTATION AND\nALLOGRAFT",
            "EXPLORATION OF FUSION, L4-S1 POSSIBLE AUGMENTATION AND ALLOGRAFT",
        ),
        ("1. Chiropractic care 2x4", "Chiropractic care 2x4"),
    ],
)
def test_treatment_text(heading: str, treatment: str) -> None:
    assert treatments(letter(item(heading))) == [(treatment, "Upheld")]


def test_outcome_alone_on_the_next_line() -> None:
    text = letter().replace(
        "MRI of the right shoulder: Upheld",
        "Additional physical therapy two times four visits (8) for the lumbar and bilateral "
        "knees:\nUpheld",
    )
    assert treatments(text) == [
        (
            "Additional physical therapy two times four visits (8) for the lumbar and bilateral "
            "knees",
            "Upheld",
        )
    ]


def test_modified_request_yields_the_eligible_portion() -> None:
    heading = (
        "Acupuncture 18 sessions was the original request. Acupuncture 6 sessions was authorized\n"
        "by the Claims Administrator. The remaining IMR eligible portion of the original request,\n"
        "Acupuncture 12 sessions is"
    )
    text = letter(item("MRI of the right shoulder"), item(heading))
    assert treatments(text) == [
        ("MRI of the right shoulder", "Upheld"),
        ("Acupuncture 12 sessions", "Upheld"),
    ]
    first = parse_text(text, "x").items[0]
    assert "original request" not in first.rationale


def test_modified_request_sentence_ending_a_line() -> None:
    heading = (
        "Physical therapy two times a week for six weeks (12 sessions) was the original request.\n"
        "Physical therapy 6 sessions was authorized by the Claims Administrator. The remaining\n"
        "IMR eligible portion of the original request, Physical therapy 6 sessions is"
    )
    text = letter(item("MRI of the right shoulder"), item(heading, "Overturned"))
    parsed = parse_text(text, "x")
    assert [(i.treatment, i.outcome) for i in parsed.items][-1] == (
        "Physical therapy 6 sessions",
        "Overturned",
    )
    assert parsed.items[0].rationale == "The request is not medically necessary."


def test_items_without_any_blank_lines() -> None:
    text = letter(item("MRI of the right shoulder"), item("Norco 10/325mg #60", "Overturned"))
    squeezed = "\n".join(line for line in text.split("\n") if line.strip())
    assert treatments(squeezed) == treatments(text)


def test_heading_line_ending_in_a_colon_without_blank_lines() -> None:
    heading = "Retrospective Norco 5/325mg every 8 hours as needed #120 DOS:\n3/5/14"
    text = letter(item("TENS unit"), item(heading))
    squeezed = "\n".join(line for line in text.split("\n") if line.strip())
    parsed = parse_text(squeezed, "x")
    assert [i.treatment for i in parsed.items] == [
        "TENS unit",
        "Retrospective Norco 5/325mg every 8 hours as needed #120 DOS: 3/5/14",
    ]
    assert parsed.items[0].rationale == "The request is not medically necessary."


def test_heading_split_by_a_page_break() -> None:
    heading = (
        "Norco 10/325mg every 8 hours as needed for breakthrough pain, one tablet by\n\n"
        "Page 1 of 2\n\fmouth #120"
    )
    parsed = parse_text(letter(item("TENS unit"), item(heading)), "x")
    assert parsed.items[1].treatment == (
        "Norco 10/325mg every 8 hours as needed for breakthrough pain, one tablet by mouth #120"
    )


def test_modified_request_wrapping_before_was_the_original_request() -> None:
    heading = (
        "Right shoulder arthroscopy with subacromial decompression, distal clavicle excision and\n"
        "extensive debridement was the original request. The Claims\n"
        "Administrator authorized an evaluation only, leaving the original request IMR\n"
        "eligible. The original request, Right shoulder arthroscopy with subacromial\n"
        "decompression, distal clavicle excision and extensive debridement is"
    )
    text = letter(item("TENS unit"), item(heading))
    squeezed = "\n".join(line for line in text.split("\n") if line.strip())
    parsed = parse_text(squeezed, "x")
    assert parsed.items[0].rationale == "The request is not medically necessary."
    assert parsed.items[1].treatment == (
        "Right shoulder arthroscopy with subacromial decompression, distal clavicle excision "
        "and extensive debridement"
    )


def test_outcome_words_inside_a_rationale_are_not_items() -> None:
    rationale = (
        "The prior decision was: Upheld\nand the reviewer agrees. It is not medically necessary."
    )
    parsed = parse_text(letter(item("MRI of the right shoulder", rationale=rationale)), "x")
    assert len(parsed.items) == 1
    assert parsed.items[0].rationale.startswith("The prior decision was: Upheld and")


def test_cited_nothing_is_recorded_per_party() -> None:
    text = letter().replace(
        "Claims Administrator guideline: Decision based on MTUS Shoulder Complaints 2004.",
        "Claims Administrator guideline: The Claims Administrator did not cite any medical "
        "evidence\n"
        "for its decision.",
    )
    parsed_item = parse_text(text, "x").items[0]
    assert parsed_item.cited_nothing == ("claims_administrator",)
    assert {c.party for c in parsed_item.citations} == {"reviewer"}


def test_item_ids_use_the_case_number_or_a_content_hash() -> None:
    with_case = parse_text(letter(), "x")
    assert [i.id for i in with_case.items] == ["CM16-0000001-1"]
    without = parse_text(letter().replace("CM16-0000001", ""), "x")
    key = content_id(without.clinical_summary, *(i.treatment for i in without.items))
    assert [i.id for i in without.items] == [f"{key}-1"] == [f"{without.letter_id}-1"]
    assert any("case number" in warning for warning in without.warnings)


def test_item_facets_are_derived() -> None:
    parsed_item = parse_text(letter(), "x").items[0]
    assert (parsed_item.category, parsed_item.body_regions) == ("imaging", ("shoulder",))


def test_unknown_section_is_a_warning() -> None:
    text = letter().replace(
        SUMMARY, "\n          ADDITIONAL RECORDS RECEIVED\nnothing new\n" + SUMMARY
    )
    parsed = parse_text(text, "x")
    assert any("ADDITIONAL RECORDS RECEIVED" in warning for warning in parsed.warnings)
    assert len(parsed.items) == 1


def test_unknown_section_after_the_last_rationale_is_cut_off() -> None:
    text = letter() + "\n          APPEAL RIGHTS INFORMATION\nYou may appeal this decision.\n"
    parsed = parse_text(text, "x")
    assert parsed.items[0].rationale == "The request is not medically necessary."
    assert any("APPEAL RIGHTS INFORMATION" in warning for warning in parsed.warnings)


def test_item_without_rationale_followed_by_another_is_kept_with_a_warning() -> None:
    first = item("MRI of the right shoulder").split("Decision rationale:")[0]
    parsed = parse_text(letter(first, item("Norco 10/325mg #60")), "x")
    assert [i.treatment for i in parsed.items] == [
        "MRI of the right shoulder",
        "Norco 10/325mg #60",
    ]
    assert parsed.items[0].rationale == ""
    assert any("no decision rationale" in warning for warning in parsed.warnings)


def test_text_cut_inside_the_last_item_drops_it_and_warns() -> None:
    text = letter(item("MRI of the right shoulder"), item("Norco 10/325mg #60"))
    cut = text[: text.rindex("MAXIMUS guideline:")]
    parsed = parse_text(cut, "x")
    assert [i.treatment for i in parsed.items] == ["MRI of the right shoulder"]
    assert any("truncated" in warning for warning in parsed.warnings)


def test_text_cut_mid_rationale_keeps_the_item_and_warns() -> None:
    text = letter(item("MRI of the right shoulder", rationale="Imaging is not indicated because"))
    parsed = parse_text(text, "x")
    assert len(parsed.items) == 1
    assert any("mid-sentence" in warning for warning in parsed.warnings)


def test_seed_style_letter_without_header() -> None:
    how = (
        " HOW THE IMR FINAL DETERMINATION WAS MADE\n"
        "MAXIMUS Federal Services sent the case file to an\n"
        "expert reviewer. The expert reviewer is Board Certified in Orthopedic Surgery and is\n"
        "licensed to practice in New York.\n"
    )
    text = how + SUMMARY + ISSUES + item("REMOVAL OF HARDWARE")
    double = "\n\n".join(text.split("\n"))
    parsed = parse_text(double, "seed.txt")
    assert [(i.treatment, i.outcome) for i in parsed.items] == [("REMOVAL OF HARDWARE", "Upheld")]
    assert parsed.case_number is None and parsed.warnings
    assert parsed.specialties == ("Orthopedic Surgery",)


# --- the professional review layout: outcome words on the issue lines ---------------------------


def test_professional_review_with_explicit_outcomes() -> None:
    text = """MEDICAL PROFESSIONAL REVIEW
IMR Case Number: CM13-0000002
ISSUE AT DISPUTE:
1. Lumbar MRI - Upheld
2. Knee brace (Overturned)
RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY:
The reviewer explains both decisions here.
MEDICAL REVIEWER QUALIFICATIONS:
Board Certified in Orthopedic Surgery and licensed to practice in Oregon.
"""
    parsed = parse_text(text, "x")
    assert [(i.treatment, i.outcome) for i in parsed.items] == [
        ("Lumbar MRI", "Upheld"),
        ("Knee brace", "Overturned"),
    ]
    assert parsed.licensure == ("Oregon",)


def test_professional_review_numbers_count_up() -> None:
    text = """MEDICAL PROFESSIONAL REVIEW
IMR Case Number: CM13-0000003
ISSUE AT DISPUTE:
1. Norco 10/325mg #60: Upheld
2. TENS unit: Upheld
RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY:
1. The worker was seen on 11-30-
13. There is no documented benefit. The request is not medically necessary.
2. There is no trial documented. The request is not medically necessary.
MEDICAL REVIEWER QUALIFICATIONS:
The expert reviewer is Board Certified in Anesthesiology and is licensed to practice in Ohio.
"""
    items = parse_text(text, "x").items
    assert items[0].rationale.startswith("The worker was seen on 11-30-13. There is no")
    assert (
        items[1].rationale
        == "There is no trial documented. The request is not medically necessary."
    )


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["", "   \n\n\t", "\x00\x00", "Hello world.\nNothing to see here.\n"]
)
def test_non_letters_raise_letter_error(text: str) -> None:
    with pytest.raises(LetterError) as caught:
        parse_text(text, "some/file.txt")
    assert caught.value.source == "some/file.txt"
    assert str(caught.value).startswith("some/file.txt: ")


def test_non_text_input_is_a_letter_error() -> None:
    with pytest.raises(LetterError, match="expected text"):
        parse_text(b"bytes", "f")  # type: ignore[arg-type]


def test_letter_error_names_file_and_reason() -> None:
    error = LetterError("a/b.txt", "empty file")
    assert (error.source, error.reason, str(error)) == (
        "a/b.txt",
        "empty file",
        "a/b.txt: empty file",
    )
    assert isinstance(error, ValueError)
    import pickle

    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_parser_version_is_a_string() -> None:
    assert isinstance(PARSER_VERSION, str) and PARSER_VERSION


def test_to_dict_round_trip() -> None:
    from indexer.records import Letter

    parsed = parse_text(
        letter(item("MRI of the right shoulder"), item("Norco #60", "Overturned")), "x"
    )
    assert Letter.from_dict(parsed.to_dict()) == parsed

"""Canonical guideline names across the letter eras, and canonical section names."""

from __future__ import annotations

import pytest

from indexer.citations import parse_citations
from indexer.guidelines import (
    canonical_guideline,
    canonical_section,
    canonical_sections,
    guideline_names,
    resolve_guideline,
)

LOW_BACK = "MTUS ACOEM Ch. 12: Low Back Complaints (2004)"
CP09 = "MTUS Chronic Pain Medical Treatment Guidelines (2009)"
CP16 = "MTUS Chronic Pain Medical Treatment Guidelines (2016)"

# (source, parsed guideline, citation sentence) -> canonical name
GUIDELINES: tuple[tuple[str, str | None, str, str], ...] = (
    ("MTUS", "Low Back Complaints 2004", "", LOW_BACK),
    ("MTUS", "ACOEM Chapter 12 Low Back Complaints", "", LOW_BACK),
    ("MTUS", "Low Back Complaints", "", LOW_BACK),
    ("MTUS", "ACOEM", "Decision based on MTUS ACOEM Page(s): 305-306.", LOW_BACK),
    ("MTUS", "ACOEM Chapter 12", "", LOW_BACK),
    ("MTUS", "ACOEM Chapter 8 Neck and Upper Back Complaints", "",
     "MTUS ACOEM Ch. 8: Neck and Upper Back Complaints (2004)"),
    ("MTUS", "ACOEM", "Decision based on MTUS ACOEM Page(s): 177-178.",
     "MTUS ACOEM Ch. 8: Neck and Upper Back Complaints (2004)"),
    ("MTUS", "ACOEM", "Decision based on MTUS ACOEM Page(s): 341-343.",
     "MTUS ACOEM Ch. 13: Knee Complaints (2004)"),
    ("MTUS", "Shoulder Complaints 2004", "", "MTUS ACOEM Ch. 9: Shoulder Complaints (2004)"),
    ("MTUS", "Knee Complaints 2004", "", "MTUS ACOEM Ch. 13: Knee Complaints (2004)"),
    ("MTUS", "Ankle and Foot Complaints 2004", "",
     "MTUS ACOEM Ch. 14: Ankle and Foot Complaints (2004)"),
    ("MTUS", "Forearm, Wrist, and Hand Complaints 2004", "",
     "MTUS ACOEM Ch. 11: Forearm, Wrist, and Hand Complaints (2004)"),
    ("MTUS", "Elbow Complaints 2007", "", "MTUS ACOEM Ch. 10: Elbow Complaints (2007)"),
    ("MTUS", "Elbow Disorders 2007", "", "MTUS ACOEM Ch. 10: Elbow Complaints (2007)"),
    ("MTUS", "Stress-Related Conditions 2004", "",
     "MTUS ACOEM Ch. 15: Stress-Related Conditions (2004)"),
    ("MTUS", "General Approaches 2004", "", "MTUS ACOEM General Approaches (2004)"),
    ("MTUS", "Chronic Pain Medical Treatment 2009", "", CP09),
    ("MTUS", "Chronic Pain Medical Treatment", "", CP09),
    ("MTUS", "Chronic Pain Medical Treatment Guidelines", "", CP09),
    ("MTUS", "Chronic Pain Medical Treatment 2016", "", CP16),
    ("MTUS", "Chronic Pain Medical Treatment 2010", "", CP09),
    ("MTUS", "Opioid Treatment 2016", "", "MTUS Opioid Treatment Guidelines (2016)"),
    ("MTUS", "Acupuncture Treatment 2007", "",
     "MTUS Acupuncture Medical Treatment Guidelines (2007)"),
    ("MTUS", "Acupuncture Medical Treatment", "",
     "MTUS Acupuncture Medical Treatment Guidelines (2007)"),
    ("MTUS", "Postsurgical Treatment 2009", "", "MTUS Postsurgical Treatment Guidelines (2009)"),
    ("MTUS", "Low Back Disorders 2019", "", "MTUS ACOEM: Low Back Disorders"),
    ("MTUS", "Shoulder Disorders", "", "MTUS ACOEM: Shoulder Disorders"),
    ("MTUS", "ACOEM Practice Guidelines, 3rd Edition (2011), Chapter 12 Low Back Disorders", "",
     "MTUS ACOEM: Low Back Disorders"),
    ("MTUS", "Cervical and Thoracic Spine Disorders 2018", "",
     "MTUS ACOEM: Cervical and Thoracic Spine Disorders"),
    ("MTUS", None, "which is part of the MTUS.", "MTUS (guideline not named)"),
    ("MTUS", "Eye 2004", "", "MTUS: Eye 2004"),
    ("ODG", "Low Back", "", "ODG: Low Back"),
    ("ODG", "Low Back - Lumbar & Thoracic (Acute & Chronic)", "", "ODG: Low Back"),
    ("ODG", "Pain (Chronic)", "", "ODG: Pain"),
    ("ODG", "Knee & Leg", "", "ODG: Knee & Leg"),
    ("ODG", None, "Official Disability Guidelines (ODG) Preface/Physical therapy", "ODG: Preface"),
    ("ODG", None, "Official Disability Guidelines (ODG).", "ODG (chapter not named)"),
    ("other", "ACOEM", "Non-MTUS Citation ACOEM Guidelines, Chapter 7, Independent Medical "
     "Examinations and Consultations, page 137", "MTUS ACOEM General Approaches (2004)"),
    ("other", "ACOEM", "Non-MTUS Citation ACOEM Hip and Groin Chapter", "ACOEM: Hip and Groin Disorders"),  # noqa: E501
    ("other", "ACOEM", "Non-MTUS Citation ACOEM Occupational Medicine Practice Guidelines, "
     "3rd ed., Shoulder Disorders, pg. 64", "ACOEM: Shoulder Disorders"),
    ("other", "ACOEM", "Non-MTUS Citation ACOEM guidelines and the Official Disability Guidelines",
     "ACOEM (chapter not named)"),
    ("other", "mdguidelines.com", "", "MDGuidelines (Reed Group)"),
    ("other", "Chou R et al.", "", "Chou R et al."),
    ("other", "slideshare.net", "", "slideshare.net"),
    ("other", None, "", "Other (source not named)"),
)  # fmt: skip


@pytest.mark.parametrize(("source", "guideline", "text", "name"), GUIDELINES)
def test_canonical_guideline(source: str, guideline: str | None, text: str, name: str) -> None:
    assert canonical_guideline(source, guideline, text) == name


@pytest.mark.parametrize(
    ("paragraph", "names"),
    [
        # The same MTUS chapter in three eras' wording is one guideline.
        ("Decision based on MTUS ACOEM Chapter 12 Low Back Complaints Page(s): 308-310.",
         {LOW_BACK}),
        ("Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies.",
         {LOW_BACK}),
        ("The Claims Administrator based its decision on the ACOEM Practice Guidelines, 2nd "
         "Edition (2004), Chapter 12, pages 303-305, which is part of the MTUS.", {LOW_BACK}),
        ("Decision based on MTUS (Effective July 18, 2009), Page(s): 79.", {CP09}),
        ("Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Low Back "
         "Chapter, MRIs (magnetic resonance imaging).", {"ODG: Low Back"}),
    ],
)  # fmt: skip
def test_parsed_citations_of_every_era(paragraph: str, names: set[str]) -> None:
    citations, _ = parse_citations(paragraph, "claims_administrator")
    assert citations
    assert {canonical_guideline(c.source, c.guideline, c.text) for c in citations} == names


# (source, guideline, sections, text) -> canonical sections
SECTIONS: tuple[tuple[str, str | None, tuple[str, ...], str, tuple[str, ...]], ...] = (
    ("MTUS", "Chronic Pain Medical Treatment 2016", ("Topical analgesics",), "",
     ("Chronic Pain Medical Treatment 2016: Topical analgesics",)),
    ("MTUS", "Chronic Pain Medical Treatment 2016", ("Topical Analgesics",), "",
     ("Chronic Pain Medical Treatment 2016: Topical analgesics",)),
    ("MTUS", "Chronic Pain Medical Treatment 2016", ("Physical medicine treatment",), "",
     ("Chronic Pain Medical Treatment 2016: Physical medicine",)),
    ("MTUS", "Chronic Pain Medical Treatment 2009", ("Physical Medicine",), "",
     ("Chronic Pain Medical Treatment 2009: Physical medicine",)),
    ("MTUS", "Chronic Pain Medical Treatment 2016", ("Bupropion (Wellbutrin®)",), "",
     ("Chronic Pain Medical Treatment 2016: Bupropion (Wellbutrin)",)),
    ("MTUS", "Chronic Pain Medical Treatment 2016", ("Opioids, criteria for use",), "",
     ("Chronic Pain Medical Treatment 2016: Opioids, criteria for use",)),
    ("MTUS", "Chronic Pain Medical Treatment 2016", ("Proton Pump Inhibitors (PPIs)",), "",
     ("Chronic Pain Medical Treatment 2016: Proton pump inhibitors (PPIs)",)),
    ("MTUS", "Chronic Pain Medical Treatment 2016", ("Urine drug testing",), "",
     ("Chronic Pain Medical Treatment 2016: Drug testing",)),
    ("MTUS", "Chronic Pain Medical Treatment 2016", ("Some Brand New Topic",), "",
     ("Chronic Pain Medical Treatment 2016: Some brand new topic",)),
    ("MTUS", "Low Back Complaints 2004", ("Special Studies", "Summary"), "",
     ("Low Back Complaints 2004: Special Studies", "Low Back Complaints 2004: Summary")),
    ("MTUS", "Low Back Complaints 2004", ("special studies",), "",
     ("Low Back Complaints 2004: Special Studies",)),
    ("MTUS", "Elbow Complaints 2007", ("326",), "", ()),
    ("MTUS", "Opioid Treatment 2016",
     ("3.3.9 Opioids for Chronic Pain and Chronic Opioid Treatment: Maintenance of Chronic "
      "Opioid Treatment",), "",
     ("Opioid Treatment 2016: 3.3.9 Opioids for Chronic Pain and Chronic Opioid Treatment: "
      "Maintenance of Chronic Opioid Treatment",)),
    ("ODG", "Low Back", ("MRI",), "", ("ODG Low Back: MRIs (magnetic resonance imaging)",)),
    ("ODG", "Low Back", ("Indications for imaging-Magnetic resonance imaging",), "",
     ("ODG Low Back: MRIs (magnetic resonance imaging)",)),
    ("ODG", "Knee & Leg", ("MRI's (magnetic resonance imaging)",), "",
     ("ODG Knee & Leg: MRIs (magnetic resonance imaging)",)),
    ("ODG", "Shoulder", ("Magnetic resonance imaging (MRI)",), "",
     ("ODG Shoulder: MRIs (magnetic resonance imaging)",)),
    ("ODG", "Low Back", ("Epidural Steroid Injection (ESI)",), "",
     ("ODG Low Back: Epidural steroid injections (ESIs)",)),
    ("ODG", "Pain", ("Home Health Services",), "", ("ODG Pain: Home health services",)),
    ("ODG", None, ("Criteria for skilled nursing facility",), "",
     ("ODG: Skilled nursing facility (SNF) care",)),
    ("ODG", None, ("Preface/Physical therapy",), "ODG Preface/Physical therapy",
     ("ODG Preface: Physical therapy (PT)",)),
    ("ODG", "Low Back", (), "Official Disability Guidelines (ODG) Low Back and neck Chapter, "
     "Physical Therapy.", ("ODG Low Back: Physical therapy (PT)",)),
    ("ODG", "Low Back", ("Hardware Implant Removal, (Fixation)",), "",
     ("ODG Low Back: Hardware implant removal (fixation)",)),
    ("other", "ACOEM", (), "ACOEM Guidelines, Chapter 7, Independent Medical Examinations and "
     "Consultations, page 137",
     ("General Approaches 2004: Independent Medical Examinations and Consultations",)),
    ("other", "cms.gov", (), "", ()),
)  # fmt: skip


@pytest.mark.parametrize(("source", "guideline", "sections", "text", "expected"), SECTIONS)
def test_canonical_sections(
    source: str,
    guideline: str | None,
    sections: tuple[str, ...],
    text: str,
    expected: tuple[str, ...],
) -> None:
    assert canonical_sections(source, guideline, sections, text) == expected


def test_sections_are_deduplicated_across_spellings() -> None:
    got = canonical_sections("ODG", "Elbow", ("MRI", "Magnetic Resonance Imaging"), "")
    assert got == ("ODG Elbow: MRIs (magnetic resonance imaging)",)


def test_section_case_rules() -> None:
    assert canonical_section(None, "Proton Pump Inhibitors (PPIs)") == (
        "Proton pump inhibitors (PPIs)"
    )
    assert canonical_section("acoem", "Some ACOEM Heading") == "Some ACOEM Heading"
    assert canonical_section("odg", "  12-14 ") is None


def test_names_are_unique_and_short_names_prefix_sections() -> None:
    names = guideline_names()
    assert len(names) == len(set(names))
    assert LOW_BACK in names and "ODG: Low Back" in names
    assert resolve_guideline("MTUS", "Low Back Complaints 2004").short == (
        "Low Back Complaints 2004"
    )
    assert resolve_guideline("ODG", "Pain").short == "ODG Pain"

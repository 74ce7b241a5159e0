"""Reviewer specialties as board names: wrapped header values joined, misspellings and old
names mapped, unknown values kept and reported; and the header keeps a wrapped value."""

from __future__ import annotations

import pytest

from indexer.header import find_credentials
from indexer.specialties import (
    board_names,
    canonical_specialty,
    normalize_specialties,
    specialty,
)

CASES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("Family Practice",), ("Family Medicine",)),
    (("Family Practice", "Sports Medicine"), ("Family Medicine", "Sports Medicine")),
    (("Preventive Medicine", "Occupational Medicine"), ("Preventive Medicine", "Occupational Medicine")),  # noqa: E501
    (
        ("Preventive Medicine", "Occupational Medicine", "Public Health &", "General Preventive Medicine"),  # noqa: E501
        ("Preventive Medicine", "Occupational Medicine", "Public Health & General Preventive Medicine"),  # noqa: E501
    ),
    (("Occupational", "Medicine"), ("Occupational Medicine",)),
    (("Physical Medicine &", "Rehabilitation"), ("Physical Medicine & Rehabilitation",)),
    (("Physical Medicine", "& Rehabilitation"), ("Physical Medicine & Rehabilitation",)),
    (("Orthopedic", "Surgery"), ("Orthopedic Surgery",)),
    (("Sports", "Medicine"), ("Sports Medicine",)),
    (("Hospice and", "Palliative Medicine"), ("Hospice & Palliative Medicine",)),
    (("Endocrinology", "Diabetes & Metabolism"), ("Endocrinology, Diabetes & Metabolism",)),
    (("Anesthesiology", "Pain Management", "Hospice & Palliative Medicine"),
     ("Anesthesiology", "Pain Medicine", "Hospice & Palliative Medicine")),
    (("PHYSICAL MEDICINE AND REHABILITATION",), ("Physical Medicine & Rehabilitation",)),
    (("physical  medicine & rehabilitation ",), ("Physical Medicine & Rehabilitation",)),
    (("Orthopaedic Surgery",), ("Orthopedic Surgery",)),
    (("Neurosurgery",), ("Neurological Surgery",)),
    (("Psychiatry & Neurology",), ("Psychiatry & Neurology",)),
    (("Internal Medicine", "Hospice & Palliative Medicine"),
     ("Internal Medicine", "Hospice & Palliative Medicine")),
    (("Physical Medicine & Rehabilitation", "Pediatric Rehabilitation Medicine"),
     ("Physical Medicine & Rehabilitation", "Pediatric Rehabilitation Medicine")),
    (("Preventive Medicine", "Occupational Medicine", "Medical Toxicology"),
     ("Preventive Medicine", "Occupational Medicine", "Medical Toxicology")),
    (("Chiropractor",), ("Chiropractic",)),
    (("Doctor of Chiropractic",), ("Chiropractic",)),
    (("Licensed Acupuncturist",), ("Acupuncture",)),
    (("Psychologist",), ("Psychology",)),
    (("Clinical Psychology",), ("Clinical Psychology",)),
    (("Physical Therapist",), ("Physical Therapy",)),
    (("Podiatrist",), ("Podiatric Medicine",)),
    (("Neurology", "Urology"), ("Neurology", "Urology")),
    (("Family Practice", "Family Medicine"), ("Family Medicine",)),
    (("and Sports Medicine",), ("Sports Medicine",)),
)  # fmt: skip


@pytest.mark.parametrize(("raw", "names"), CASES)
def test_normalize(raw: tuple[str, ...], names: tuple[str, ...]) -> None:
    got, warnings = normalize_specialties(raw)
    assert got == names
    assert warnings == ()


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Sports Medicinea", "Sports Medicine"),
        ("Anesthesiolgy", "Anesthesiology"),
        ("Orthopedic Sugery", "Orthopedic Surgery"),
        ("Occupational Medicne", "Occupational Medicine"),
        ("Physical Medicine & Rehabilitaion", "Physical Medicine & Rehabilitation"),
        ("Family Practise", "Family Medicine"),
    ],
)
def test_misspellings_are_mapped_and_reported(raw: str, name: str) -> None:
    names, warnings = normalize_specialties([raw])
    assert names == (name,)
    assert len(warnings) == 1 and raw in warnings[0] and name in warnings[0]
    assert canonical_specialty(raw) == name


def test_unknown_values_are_kept_as_written_and_reported() -> None:
    names, warnings = normalize_specialties(["Internal Medicine", "Underwater Basket Weaving"])
    assert names == ("Internal Medicine", "Underwater Basket Weaving")
    assert warnings == ("unknown specialty 'Underwater Basket Weaving' (kept as written)",)
    assert canonical_specialty("Underwater Basket Weaving") is None


def test_empty_values_are_dropped() -> None:
    assert normalize_specialties(["", "  ", "Psychiatry"]) == (("Psychiatry",), ())
    assert normalize_specialties([]) == ((), ())


def test_the_table_names_boards_and_licences() -> None:
    names = set(board_names())
    for name in (
        "Family Medicine",
        "Occupational Medicine",
        "Public Health & General Preventive Medicine",
        "Pain Medicine",
        "Physical Medicine & Rehabilitation",
        "Orthopedic Surgery",
        "Chiropractic",
        "Acupuncture",
        "Psychology",
        "Physical Therapy",
    ):
        assert name in names
    assert len(names) >= 100
    entry = specialty("Pain Medicine")
    assert entry is not None and entry.kind == "subspecialty"
    chiropractic = specialty("Chiropractic")
    assert chiropractic is not None and chiropractic.kind == "licence"


HEADER = """The Expert Reviewer has the following credentials:
State(s) of Licensure: {states}
Certification(s)/Specialty: {specialties}
{after}"""


@pytest.mark.parametrize(
    ("states", "specialties", "after", "found_states", "found_specialties"),
    [
        (
            "California",
            "Preventive Medicine, Occupational Medicine, Public Health &\nGeneral Preventive "
            "Medicine",
            "\nCLINICAL CASE SUMMARY",
            ("California",),
            ("Preventive Medicine", "Occupational Medicine",
             "Public Health & General Preventive Medicine"),
        ),
        (
            "California, Texas,\nFlorida",
            "Physical Medicine & Rehabilitation, Occupational\nMedicine",
            "CLINICAL CASE SUMMARY",
            ("California", "Texas", "Florida"),
            ("Physical Medicine & Rehabilitation", "Occupational Medicine"),
        ),
        (
            "New York",
            "Family Practice",
            "The expert reviewer developed the following clinical case summary based on a",
            ("New York",),
            ("Family Practice",),
        ),
        (
            "Utah",
            "Family Practice, Sports Medicine",
            "",
            ("Utah",),
            ("Family Practice", "Sports Medicine"),
        ),
    ],
)  # fmt: skip
def test_header_keeps_wrapped_values(
    states: str,
    specialties: str,
    after: str,
    found_states: tuple[str, ...],
    found_specialties: tuple[str, ...],
) -> None:
    text = HEADER.format(states=states, specialties=specialties, after=after)
    assert find_credentials(text) == (found_specialties, found_states)


@pytest.mark.parametrize(
    ("prose", "specialties", "states"),
    [
        ("The expert reviewer is Board Certified in Emergency Medicine and is licensed to "
         "practice in New York.", ("Emergency Medicine",), ("New York",)),
        ("The expert reviewer is a Licensed Chiropractor and is licensed to practice in "
         "California.", ("Chiropractor",), ("California",)),
        ("The expert reviewer is a licensed Acupuncturist and is licensed to practice in "
         "California.", ("Acupuncturist",), ("California",)),
    ],
)  # fmt: skip
def test_prose_credentials(
    prose: str, specialties: tuple[str, ...], states: tuple[str, ...]
) -> None:
    found = find_credentials(prose)
    assert found == (specialties, states)
    assert normalize_specialties(found[0])[1] == ()

"""Table-driven tests of citation parsing: every way a guideline paragraph is written.

Each case: a party's paragraph (written for this test) -> the expected citations as
(source, guideline, sections, pages) tuples, plus whether the party cited nothing.
"""

from __future__ import annotations

import pytest

from indexer.citations import copy_to, parse_citations, split_sections
from indexer.records import Citation

R = "reviewer"
C = "claims_administrator"

CASES: list[tuple[str, str, list[tuple[str, str | None, tuple[str, ...], str | None]]]] = [
    # --- "Decision based on MTUS ..." -----------------------------------------------------
    (
        "mtus with section",
        "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Topical "
        "analgesics.",
        [("MTUS", "Chronic Pain Medical Treatment 2016", ("Topical analgesics",), None)],
    ),
    (
        "mtus without section",
        "Decision based on MTUS Low Back Complaints 2004.",
        [("MTUS", "Low Back Complaints 2004", (), None)],
    ),
    (
        "mtus guideline name containing 'and'",
        "Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Special Studies.",
        [("MTUS", "Neck and Upper Back Complaints 2004", ("Special Studies",), None)],
    ),
    (
        "mtus guideline name containing ', and'",
        "Decision based on MTUS Forearm, Wrist, and Hand Complaints 2004.",
        [("MTUS", "Forearm, Wrist, and Hand Complaints 2004", (), None)],
    ),
    (
        "several sections split at capitals",
        "Decision based on MTUS Shoulder Complaints 2004, Section(s): Initial Care, Activity "
        "Modification, Special Studies, Summary.",
        [
            (
                "MTUS",
                "Shoulder Complaints 2004",
                ("Initial Care", "Activity Modification", "Special Studies", "Summary"),
                None,
            )
        ],
    ),
    (
        "section names with inner commas stay whole",
        "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): TENS, chronic "
        "pain (transcutaneous electrical nerve stimulation), NSAIDs, GI symptoms & "
        "cardiovascular risk.",
        [
            (
                "MTUS",
                "Chronic Pain Medical Treatment 2016",
                (
                    "TENS, chronic pain (transcutaneous electrical nerve stimulation)",
                    "NSAIDs, GI symptoms & cardiovascular risk",
                ),
                None,
            )
        ],
    ),
    (
        "numbered opioid sections",
        "Decision based on MTUS Opioid Treatment 2016, Section(s): 3.3.1.1 Opioids: Screening for "
        "Risk, Prior to Treatment: Drug Misuse, 3.3.1.2 Opioids: Screening for Risk, Prior to "
        "Treatment: Alcohol Misuse.",
        [
            (
                "MTUS",
                "Opioid Treatment 2016",
                (
                    "3.3.1.1 Opioids: Screening for Risk, Prior to Treatment: Drug Misuse",
                    "3.3.1.2 Opioids: Screening for Risk, Prior to Treatment: Alcohol Misuse",
                ),
                None,
            )
        ],
    ),
    (
        "two MTUS guidelines in one sentence",
        "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Compound drugs, "
        "and Opioid Treatment 2016, Section(s): 3.3 Opioids for Chronic Pain.",
        [
            ("MTUS", "Chronic Pain Medical Treatment 2016", ("Compound drugs",), None),
            ("MTUS", "Opioid Treatment 2016", ("3.3 Opioids for Chronic Pain",), None),
        ],
    ),
    (
        "'Guidelines' after the year is dropped",
        "Decision based on MTUS Chronic Pain Medical Treatment 2016 Guidelines, Section(s): "
        "Proton Pump Inhibitors (PPIs).",
        [("MTUS", "Chronic Pain Medical Treatment 2016", ("Proton Pump Inhibitors (PPIs)",), None)],
    ),
    (
        "older ACOEM chapter wording with pages",
        "Decision based on MTUS ACOEM Chapter 12 Low Back Complaints Page(s): 308-310.",
        [("MTUS", "ACOEM Chapter 12 Low Back Complaints", (), "308-310")],
    ),
    (
        "ACOEM pages only",
        "Decision based on MTUS ACOEM Page(s): 305-306.",
        [("MTUS", "ACOEM", (), "305-306")],
    ),
    (
        "effective-date wording names the 2009 chronic pain guidelines",
        "Decision based on MTUS (Effective July 18, 2009) Page(s): 58-60, Manual Therapy & "
        "Manipulation.",
        [
            (
                "MTUS",
                "Chronic Pain Medical Treatment 2009",
                ("Manual Therapy & Manipulation",),
                "58-60",
            )
        ],
    ),
    # --- outside the MTUS -------------------------------------------------------------------
    (
        "lead-in then ODG chapter and topic",
        "The Expert Reviewer based their decision on recommendation(s) outside of the MTUS "
        "Guidelines. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Pain "
        "Chapter, Topical Analgesics.",
        [("ODG", "Pain", ("Topical Analgesics",), None)],
    ),
    (
        "ODG with update date",
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Knee & Leg "
        "(updated 11/22/16) Chapter: Skilled nursing facility (SNF) care.",
        [("ODG", "Knee & Leg", ("Skilled nursing facility (SNF) care",), None)],
    ),
    (
        "ODG chapter with its long name",
        "Decision based on Non-MTUS Citation ODG Low Back - Lumbar & Thoracic (Acute & Chronic), "
        "Discography.",
        [("ODG", "Low Back", ("Discography",), None)],
    ),
    (
        "'Low Back Pain Chapter' is one chapter",
        "Decision based on Non-MTUS Citation ODG: Low Back Pain Chapter.",
        [("ODG", "Low Back", (), None)],
    ),
    (
        "two ODG chapters",
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Neck and Upper "
        "Back; Shoulder.",
        [("ODG", "Neck and Upper Back", (), None), ("ODG", "Shoulder", (), None)],
    ),
    (
        "ODG without a chapter",
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG).",
        [("ODG", None, (), None)],
    ),
    (
        "'Citation' word missing",
        "Decision based on Non-MTUS Official Disability Guidelines (ODG), Pain.",
        [("ODG", "Pain", (), None)],
    ),
    (
        "ODG head chapter with its parenthetical",
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Head (trauma, "
        "headaches, etc., not including stress & mental disorders) Hearing aids.",
        [("ODG", "Head", ("Hearing aids",), None)],
    ),
    (
        "ACOEM outside the MTUS with a page",
        "Decision based on Non-MTUS Citation ACOEM Guidelines, Chapter 7, Independent Medical "
        "Examinations and Consultations, page 137.",
        [("other", "ACOEM", (), "137")],
    ),
    (
        "ACOEM and ODG in one sentence are two sources",
        "Decision based on Non-MTUS Citation ACOEM guidelines and the Official Disability "
        "Guidelines.",
        [("other", "ACOEM", (), None), ("ODG", None, (), None)],
    ),
    (
        "a study names its first author",
        "Decision based on Non-MTUS Citation study by Okafor T, Lindqvist M, Harrow P, Exercise "
        "therapy for painful shoulder conditions.",
        [("other", "Okafor T et al.", (), None)],
    ),
    (
        "a drug monograph",
        "Decision based on Non-MTUS Citation Drugs.com, Lidocaine topical drug monograph.",
        [("other", "Drugs.com", (), None)],
    ),
    (
        "URLs give their hosts",
        "Decision based on Non-MTUS Citation http://www.example.org/a/rehab-skilled-nursing, "
        "https://guides.example.net/acute-rehabilitation.",
        [("other", "example.org", (), None), ("other", "guides.example.net", (), None)],
    ),
    (
        "ODG and other medical treatment guidelines",
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Knee/DME, Low "
        "Back Lumbar and Thoracic/Mattress selection and Other Medical Treatment Guidelines "
        "https://www.example.gov/guidance/R148.pdf.",
        [
            ("ODG", "Knee & Leg", ("DME",), None),
            ("ODG", "Low Back", ("Mattress selection",), None),
            ("other", "example.gov", (), None),
        ],
    ),
    (
        "MTUS and non-MTUS sentences together",
        "Decision based on MTUS Low Back Complaints 2004, Section(s): Physical Methods. Decision "
        "based on Non-MTUS Citation Official Disability Guidelines (ODG) Low Back, Epidural "
        "steroid "
        "injections (ESIs).",
        [
            ("MTUS", "Low Back Complaints 2004", ("Physical Methods",), None),
            ("ODG", "Low Back", ("Epidural steroid injections (ESIs)",), None),
        ],
    ),
    (
        "a reference opening with its authors",
        "Decision based on Non-MTUS Citation Chou R, Baisden J. Surgery for low back pain: a "
        "review of the evidence. Spine 2009.",
        [("other", "Chou R et al.", (), None)],
    ),
    (
        "a topic ending in a chapter name stays a topic",
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Pain Chapter, "
        "Antidepressants for chronic pain.",
        [("ODG", "Pain", ("Antidepressants for chronic pain",), None)],
    ),
    (
        "'(Acute & Chronic)' belongs to the chapter name",
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Shoulder "
        "(Acute & Chronic), Surgery.",
        [("ODG", "Shoulder", ("Surgery",), None)],
    ),
    (
        "a bare chapter before its update date",
        "Decision based on Non-MTUS Citation ODG Pain (updated 3/13/24).",
        [("ODG", "Pain", (), None)],
    ),
    # --- 2013 / professional review prose -----------------------------------------------------
    (
        "prose, part of the MTUS",
        "The Claims Administrator based its decision on the Chronic Pain Medical Treatment "
        "Guidelines (May 2009), Physical Medicine, pages 98-99, which is part of the California "
        "Medical Treatment Utilization Schedule (MTUS).",
        [("MTUS", "Chronic Pain Medical Treatment 2009", (), "98-99")],
    ),
    (
        "prose, ACOEM chapter part of the MTUS",
        "The Claims Administrator based its decision on the ACOEM Practice Guidelines, 2nd Edition "
        "(2004), Chapter 12, page 303, which is part of the MTUS.",
        [("MTUS", "ACOEM Chapter 12 Low Back Complaints", (), "303")],
    ),
    (
        "prose, ODG not part of the MTUS",
        "The Expert Reviewer based his/her decision on the Official Disability Guidelines (ODG), "
        "Low Back Chapter, Magnetic resonance imaging, which is not part of the MTUS.",
        [("ODG", "Low Back", ("Magnetic resonance imaging",), None)],
    ),
]


def _shape(
    citations: tuple[Citation, ...],
) -> list[tuple[str, str | None, tuple[str, ...], str | None]]:
    return [(c.source, c.guideline, c.sections, c.pages) for c in citations]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[case[0] for case in CASES])
def test_citation_table(name: str, text: str, expected: list[tuple[object, ...]]) -> None:
    citations, nothing = parse_citations(text, R)
    assert _shape(citations) == expected
    assert nothing is False
    for citation in citations:
        assert citation.party == R
        assert citation.mtus is (citation.source == "MTUS")
        assert citation.text and citation.text in " ".join(text.split())


@pytest.mark.parametrize(
    "text",
    [
        "The Claims Administrator did not cite any medical evidence for its decision.",
        "The Expert Reviewer did not cite any medical evidence for its decision.",
        "The Claims Administrator did not cite any evidence-based guidelines for its decision.",
    ],
)
def test_cited_nothing(text: str) -> None:
    assert parse_citations(text, C) == ((), True)


def test_each_sentence_is_the_citation_text() -> None:
    citations, _ = parse_citations(
        "Decision based on MTUS Knee Complaints 2004. Decision based on Non-MTUS Citation ODG "
        "Knee & Leg.",
        C,
    )
    assert [c.text for c in citations] == [
        "Decision based on MTUS Knee Complaints 2004.",
        "Decision based on Non-MTUS Citation ODG Knee & Leg.",
    ]
    assert [c.label for c in citations] == ["MTUS: Knee Complaints 2004", "ODG: Knee & Leg"]


def test_lead_in_without_a_citation_gives_nothing() -> None:
    assert parse_citations("The Expert Reviewer did not base their decision on the MTUS.", R) == (
        (),
        False,
    )


def test_empty_paragraph() -> None:
    assert parse_citations("   ", R) == ((), False)


def test_copy_to_keeps_guidelines_and_changes_party() -> None:
    citations, _ = parse_citations(
        "Decision based on MTUS Knee Complaints 2004, Section(s): Summary.", C
    )
    copied = copy_to(citations, R, "The Expert Reviewer found the guideline relevant.")
    assert [(c.party, c.guideline, c.sections, c.text) for c in copied] == [
        (
            R,
            "Knee Complaints 2004",
            ("Summary",),
            "The Expert Reviewer found the guideline relevant.",
        )
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Special Studies", ("Special Studies",)),
        ("Initial Care, Activity Modification.", ("Initial Care", "Activity Modification")),
        ("Work conditioning, work hardening", ("Work conditioning, work hardening",)),
        (
            "Cyclobenzaprine (Flexeril), Muscle relaxants (for pain)",
            ("Cyclobenzaprine (Flexeril)", "Muscle relaxants (for pain)"),
        ),
        (
            "3. Opioids: Overview, Regarding Treatment",
            ("3. Opioids: Overview, Regarding Treatment",),
        ),
        ("", ()),
    ],
)
def test_split_sections(text: str, expected: tuple[str, ...]) -> None:
    assert split_sections(text) == expected

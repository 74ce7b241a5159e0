"""Table-driven tests of the category and body-region keyword rules."""

from __future__ import annotations

import pytest

from clinical.classify import (
    BODY_REGION_RULES,
    CATEGORIES,
    CATEGORY_RULES,
    RuleSet,
    Text,
    body_regions,
    categorize,
    explain_category,
    is_lab_abbreviation_context,
)

CATEGORY_CASES: list[tuple[str, str]] = [
    # surgery
    ("Removal of hardware", "surgery"),
    ("ASSISTANT SURGEON", "surgery"),
    ("Exploration of fusion, L4-S1 possible augmentation and allograft", "surgery"),
    ("Right knee arthroscopy with partial medial meniscectomy", "surgery"),
    ("Neuroplasty, lumbar spine", "surgery"),
    ("Left carpal tunnel release", "surgery"),
    ("L4-L5 laminectomy and discectomy", "surgery"),
    ("Manipulation under anesthesia, left shoulder", "surgery"),
    # medication
    ("Norco 10/325mg #60", "medication"),
    ("Salonpas pad #60", "medication"),
    ("Deprizine (unknown quantity)", "medication"),
    ("Ketoprofen 20% in cream base 240g", "medication"),
    ("Retrospective Cyclobenzaprine 5mg tab #30 DOS: 11/14/16", "medication"),
    ("Lidocaine 5% patch #1", "medication"),
    ("Zorvolex 35mg #90", "medication"),  # unknown brand: the dose decides
    # injection
    ("Right L5-S1 epidural steroid injection", "injection"),
    (
        "Lumbar epidural steroid injection with pain interventionist consult and treatment",
        "injection",
    ),
    ("Platelet-rich plasma injection to the right knee", "injection"),
    (
        "Retrospective injection 5cc of lidocaine hcl 1percent and 1cc of dexamethasone 120mg",
        "injection",
    ),
    ("Bilateral L4-5 medial branch blocks", "injection"),
    ("Synvisc One, left knee", "injection"),
    # physical therapy
    ("Physical therapy 2x6 for the right shoulder", "physical therapy"),
    ("Physical therapy evaluation, cervical and thoracic spine", "physical therapy"),
    ("Occupational therapy for six sessions", "physical therapy"),
    ("Aquatic therapy 2 times a week for 4 weeks", "physical therapy"),
    ("Additional PT x 8 visits", "physical therapy"),
    # chiropractic
    ("Chiropractic manipulation 2x4 for the cervical spine", "chiropractic"),
    ("Chiropractic therapy with myofascial release", "chiropractic"),
    # acupuncture
    ("Six sessions of acupuncture one time a week for six weeks", "acupuncture"),
    ("Electroacupuncture x6", "acupuncture"),
    # imaging
    ("MRI of the right shoulder without contrast", "imaging"),
    ("X-rays lumbar spine", "imaging"),
    ("MR Arthrogram of the right shoulder", "imaging"),
    ("CT scan of the cervical spine", "imaging"),
    ("Bone scan", "imaging"),
    # durable medical equipment
    ("TENS unit", "durable medical equipment"),
    ("Hospital bed for an unspecified rental", "durable medical equipment"),
    ("Bilateral hearing aids", "durable medical equipment"),
    ("Post-operative cold therapy unit, 7 day rental", "durable medical equipment"),
    ("Lumbar brace", "durable medical equipment"),
    ("Front wheeled walker", "durable medical equipment"),
    # laboratory / testing
    ("EMG bilateral lower extremities", "laboratory/testing"),
    ("NCS/EMG RUE", "laboratory/testing"),
    ("Functional capacity evaluation (FCE)", "laboratory/testing"),
    ("Urine drug screen", "laboratory/testing"),
    ("Comprehensive metabolic panel", "laboratory/testing"),
    # consultation / referral
    ("Spine surgery evaluation for the lumbar", "consultation/referral"),
    ("Orthopedic consultation", "consultation/referral"),
    ("Referral to pain management", "consultation/referral"),
    ("Follow-up visit in 4 weeks", "consultation/referral"),
    # psychological
    ("Comprehensive psychological testing", "psychological"),
    ("Partial Hospitalization day treatment", "psychological"),
    ("Cognitive behavioral therapy, 6 sessions", "psychological"),
    ("Psych consultation", "psychological"),
    # functional restoration
    ("Functional restoration program, 80 hours", "functional restoration"),
    ("Work hardening 10 sessions", "functional restoration"),
    # home health / nursing
    ("Daily RN for 4 weeks for wound care", "home health/nursing"),
    ("Home health aide 4 hours a day", "home health/nursing"),
    ("Skilled nursing facility, 7 days", "home health/nursing"),
    # other
    ("Gym membership", "other"),
    ("Transportation to appointments", "other"),
    ("", "other"),
]


@pytest.mark.parametrize(("treatment", "category"), CATEGORY_CASES)
def test_category(treatment: str, category: str) -> None:
    assert categorize(treatment) == category


def test_hints_decide_when_the_treatment_names_nothing() -> None:
    assert categorize("Zyntrex kit") == "other"
    assert categorize("Zyntrex kit", ["Compound drugs"]) == "medication"
    assert categorize("Brand X", ["Physical medicine treatment"]) == "physical therapy"
    # the treatment wins over the hints
    assert categorize("MRI of the knee", ["Compound drugs"]) == "imaging"


def test_explain_category_names_the_keyword() -> None:
    assert explain_category("Right L5-S1 epidural steroid injection") == ("injection", "epidural*")
    assert explain_category("Spine surgery evaluation") == (
        "consultation/referral",
        "surgery evaluation",
    )
    assert explain_category("Gym membership") == ("other", None)


def test_rules_only_name_known_categories() -> None:
    assert {category for category, _ in CATEGORY_RULES} <= set(CATEGORIES)
    assert set(CATEGORIES) - {category for category, _ in CATEGORY_RULES} == {"other"}
    assert len(CATEGORIES) == 14


REGION_CASES: list[tuple[str, tuple[str, ...]]] = [
    ("MRI of the lumbar spine", ("lumbar spine",)),
    ("Lumbar spine surgery, L5-S1 fusion", ("lumbar spine",)),
    ("Exploration of fusion, L4-S1", ("lumbar spine",)),
    ("MRI of the neck without contrast", ("cervical spine",)),
    ("C5-C6 anterior cervical discectomy", ("cervical spine",)),
    (
        "Physical therapy for the cervical, thoracic, and lumbar",
        ("cervical spine", "thoracic spine", "lumbar spine"),
    ),
    ("Thoracolumbar brace", ("thoracic spine", "lumbar spine")),
    ("T12-L1 kyphoplasty", ("thoracic spine", "lumbar spine")),
    ("T7 vertebral fracture care", ("thoracic spine",)),
    ("MRI of the right shoulder", ("shoulder",)),
    ("Rotator cuff repair", ("shoulder",)),
    ("Right elbow MRI", ("elbow",)),
    ("Lateral epicondylitis injection", ("elbow",)),
    ("MRI of the fingers of the right hand without contrast", ("wrist/hand",)),
    ("Carpal tunnel release", ("wrist/hand",)),
    ("X-rays of right hip", ("hip",)),
    ("MRI of the right knee without contrast", ("knee",)),
    ("Acute inpatient rehabilitation for left foot fracture", ("ankle/foot",)),
    ("Ankle brace", ("ankle/foot",)),
    ("MRI of the bilateral brain/brainstem", ("head",)),
    ("EMG bilateral lower extremities", ("lower extremity",)),
    ("NCS/EMG RUE", ("upper extremity",)),
    ("Additional physical therapy for the lumbar and bilateral knees", ("lumbar spine", "knee")),
    ("Norco 10/325mg #60", ()),
    ("TENS unit", ()),
]


@pytest.mark.parametrize(("treatment", "regions"), REGION_CASES)
def test_body_regions(treatment: str, regions: tuple[str, ...]) -> None:
    assert body_regions(treatment) == regions


def test_region_order_follows_the_table() -> None:
    order = [region for region, _ in BODY_REGION_RULES]
    found = body_regions("knee, shoulder and low back")
    assert list(found) == sorted(found, key=order.index)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("X Ray", "imaging"),
        ("x-ray", "imaging"),
        ("XRAYS", "imaging"),
        ("x ray of ankle", "imaging"),
    ],
)
def test_keywords_ignore_case_and_hyphens(text: str, expected: str) -> None:
    assert categorize(text) == expected


# "PT" beside a lab word is prothrombin time: pre-operative panels are lab tests.
@pytest.mark.parametrize(
    ("treatment", "category", "lab_context"),
    [
        ("Associated surgical service: PT/PTT", "laboratory/testing", True),
        ("PT/INR", "laboratory/testing", True),
        ("CBC, CMP, PT/PTT", "laboratory/testing", True),
        ("Pre-op labs: CBC, PT, PTT", "laboratory/testing", True),
        ("PT and INR monitoring", "laboratory/testing", True),
        ("Physical therapy 2x6", "physical therapy", False),
        ("PT 2x4 lumbar spine", "physical therapy", False),
        ("PT evaluation", "physical therapy", False),
        ("Post-op PT x12", "physical therapy", False),
    ],
)
def test_pt_next_to_lab_words_is_a_lab_test(
    treatment: str, category: str, lab_context: bool
) -> None:
    assert categorize(treatment) == category
    assert is_lab_abbreviation_context(treatment) is lab_context


@pytest.mark.parametrize(
    ("keyword", "text", "matches"),
    [
        ("spine surg* consult*", "Spine surgery consultation", True),
        ("spine surg* consult*", "spine surgeon consult", True),
        ("spine surg* consult*", "spine consult", False),
        ("pre op* clearance", "Pre-operative clearance", True),
        ("pre op* clearance", "pre-op medical clearance", False),
        ("lateral epicondyl* release*", "Lateral epicondylitis release", True),
    ],
)
def test_wildcards_inside_phrases(keyword: str, text: str, matches: bool) -> None:
    rules = RuleSet.compile([("x", (keyword,))])
    assert (rules.first(Text.of(text)) is not None) is matches

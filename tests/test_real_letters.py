"""Every real letter in ../shared/real-letters parses to what a careful reader sees in it.

The table below was written by reading each letter (not by running the parser): for every
disputed item its treatment as requested (for modified requests, the IMR-eligible portion),
the outcome, and the citation sources each party relied on ("none" when the party "did not
cite any medical evidence"). The letters themselves stay in ../shared; the tests skip when
that folder is absent. The PDFs must give the same records as their pdftotext twins.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.parse import parse_file, parse_text
from indexer.records import FORMAT_STANDARD, Letter

SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL = SHARED / "real-letters"
SEEDS = SHARED / "seeds"

needs_real = pytest.mark.skipif(not (REAL / "txt").is_dir(), reason="../shared/real-letters absent")
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds absent")

M, G, X, N = "MTUS", "ODG", "other", "none"
U, V = "Upheld", "Overturned"

# case number -> [(treatment, outcome, claims administrator's sources, reviewer's sources)]
EXPECTED: dict[str, list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]] = {
    "CM16-0213037": [
        ("MRI of the right shoulder without contrast", U, (M,), (M,)),
        ("MRI of the cervical spine without contrast", U, (M,), (M,)),
    ],
    "CM16-0229336": [
        (
            "Acute inpatient rehabilitation physical therapy and occupational therapy 7-10 days "
            "for left foot fracture",
            V,
            (G,),
            (X,),
        ),
    ],
    "CM16-0231884": [("Comprehensive psychological testing", U, (M,), (M,))],
    "CM16-0234202": [("Norco 10/325mg #35", U, (N,), (M,))],
    "CM16-0236134": [("MRI of the lumbar spine", U, (M, G), (M,))],
    "CM16-0237844": [
        (
            "Additional physical therapy two times four visits (8) for the lumbar and "
            "bilateral knees",
            U,
            (N,),
            (M,),
        ),
    ],
    "CM16-0239190": [("Occupational therapy for six sessions", U, (G,), (M,))],
    "CM16-0240434": [("MRI of the right knee without contrast", V, (M,), (M,))],
    "CM16-0242302": [("MRI without contrast of the right elbow", U, (M,), (G,))],
    "CM16-0244053": [("MRI of the left hip", U, (G, X), (X,))],
    "CM16-0245796": [
        ("Salonpas pad #60", U, (M,), (G,)),
        ("Anecream cream 4% #30", U, (M,), (G,)),
    ],
    "CM16-0247274": [
        ("Neuroplasty, lumbar spine", U, (M, G), (G,)),
        ("Injection of neurolytic substance, lumbar spine", U, (N,), (N,)),
        ("Right L5-S1 epidural steroid injection", U, (M, G), (M, G)),
        ("Left L5-S1 epidural steroid injection", U, (M, G), (M,)),
        ("Physical therapy evaluation, cervical and thoracic spine", U, (M, G), (M,)),
        ("Physical therapy, 6 sessions, cervical and thoracic spine", U, (M, G), (M,)),
    ],
    "CM16-0247802": [
        ("Spine surgery evaluation for the lumbar", V, (M,), (M,)),
        ("Orphenadrine Citrate ER 100mg tabs #30", U, (N,), (M,)),
        ("Lidocaine 5% patch #1", U, (G,), (M,)),
        ("Norco 5/325mg oral tablet, one tablet twice daily 14 days #40", U, (N,), (M,)),
        ("Retrospective Cyclobenzaprine 5mg tab #30 DOS: 11/14/16", U, (G,), (M,)),
    ],
    "CM16-0248698": [
        ("X-rays lumbar spine", U, (M, G), (M,)),
        ("X-rays of right hip", U, (G,), (G,)),
        ("Acupuncture 12 sessions", U, (M,), (M,)),
        ("Functional capacity evaluation (FCE)", U, (X,), (M,)),
        ("MARS MRI scan of lumbar spine", U, (M,), (M,)),
        ("MARS MRI scan of right hip", U, (G,), (G,)),
        ("EMG bilateral lower extremities", U, (M,), (M,)),
        ("NCV bilateral lower extremities QTY: 2", U, (M,), (M,)),
        ("Deprizine (unknown quantity)", U, (G,), (M,)),
        ("Fanatrex (unknown quantity)", U, (G,), (M,)),
        ("Synapryn (unknown quantity)", U, (G,), (M,)),
        ("Tabradol (unknown quantity)", U, (G,), (M,)),
        ("Ketophene (unknown quantity)", U, (G,), (M,)),
        ("Ketoprofen 20% in cream base 240g", U, (M,), (M,)),
        ("Cyclobenzaprine 5% in cream base 240g", U, (M,), (M,)),
        ("Bupropion HCL 150mg #90", U, (M,), (M,)),
        ("Prilosec 20mg #90", U, (M,), (M,)),
        ("Pantoprazole sodium 20mg #60", U, (M,), (M,)),
        ("Celecoxib 200mg #90", U, (M,), (M,)),
        ("Venlafaxine HCL ER 37.5mg #90", U, (M,), (M,)),
        ("Dicopanol (unknown quantity)", U, (G,), (M,)),
    ],
    "CM16-0249726": [
        (
            "Daily RN for 4 weeks for wound care and monitoring of wound healing and home "
            "safety, medication management",
            V,
            (G,),
            (M, G),
        ),
    ],
    "CM17-0001749": [("Partial Hospitalization day treatment", V, (M, G), (M,))],
    "CM17-0002551": [("Bilateral hearing aids", U, (N,), (G,))],
    "CM17-0003591": [("MRI of Left lower extremity without contrast", U, (M, G), (M,))],
    "CM17-0004039": [
        ("MRI of the neck without contrast", U, (G,), (M,)),
        ("MRI of the lumbar spine without contrast", U, (G,), (M,)),
    ],
    "CM17-0005177": [("Physical therapy additional 3 visits per week for 2 weeks", U, (N,), (M,))],
    "CM17-0005589": [("MRI of the right shoulder", V, (G,), (M,))],
    "CM17-0006634": [
        ("Functional capacity evaluation", U, (M,), (M, G)),
        ("MRI of the cervical spine", U, (M, G), (M,)),
        ("MRI of the lumbar spine", U, (M, G), (M,)),
        ("Six sessions of acupuncture one time a week for six weeks", U, (M,), (M,)),
        ("TENS unit", U, (M,), (M,)),
        ("Diclofenac sodium 3% 300mg/g #1", U, (M,), (M,)),
        ("Lidocaine ointment 5% #1", U, (M,), (M,)),
        ("Physical therapy 6 sessions", U, (M,), (M,)),
    ],
    "CM17-0007151": [
        (
            "Lumbar epidural steroid injection with pain interventionist consult and treatment",
            U,
            (N,),
            (M, G, X),
        ),
    ],
    "CM17-0008177": [("MR Arthrogram of the right shoulder", U, (M, G), (G,))],
    "CM17-0008577": [("Open MRI of the lumbosacral spine", U, (M,), (M,))],
    "CM17-0009574": [("MRI of the left knee without contrast", V, (M,), (M, G))],
    "CM17-0009996": [("Hospital bed for an unspecified rental", U, (N,), (G, X))],
    "CM17-0010365": [
        (
            "Physical therapy three times a week for two weeks for the cervical, thoracic, "
            "and lumbar",
            V,
            (M,),
            (M, G),
        ),
    ],
    "CM17-0011543": [("NCS/EMG RUE", U, (M, G), (M, X))],
    "CM17-0012582": [
        ("Physical therapy for 6 sessions", U, (M,), (M,)),
        ("Ultram (tramadol) 50mg #90", U, (M,), (M,)),
        ("Platelet-rich plasma injection to the right knee", U, (G,), (G,)),
        (
            "Retrospective injection 5cc of lidocaine hcl 1percent and 1cc of dexamethasone "
            "120mg to the right knee",
            V,
            (G,),
            (M,),
        ),
    ],
    "CM17-0013240": [
        ("Additional physical therapy three times a week over two weeks", U, (M, X), (M,))
    ],
    "CM17-0013754": [("2 sessions of physical therapy", U, (G,), (M, G))],
    "CM17-0014800": [("Right elbow MRI", U, (M, G), (G,))],
    "CM17-0015348": [("Physical therapy, 2 times a week for 4 weeks, right knee", V, (M,), (G,))],
    "CM17-0016311": [
        ("MRI of the lumbar spine", U, (M, G), (M,)),
        ("Two physical therapy sessions for the lumbar", U, (M,), (M,)),
        ("Ultram 50mg #60", U, (M,), (M,)),
        ("Flexeril 10mg #90", U, (M,), (M,)),
    ],
    "CM17-0017693": [("MRI of the bilateral brain/brainstem without contrast", U, (G,), (G,))],
    "CM17-0018485": [("MRI Lumbosacral Spine without Contrast", U, (M, G), (M,))],
    "CM17-0019218": [("MRI of the fingers of the right hand without contrast", U, (M,), (M, G))],
    "CM17-0020728": [
        ("Physical therapy to the lumbar spine 2 times a week for 2 weeks (4)", U, (M, G), (M, G)),
    ],
}

# A few letters checked field by field (header, credentials, patient facts, guidelines).
HEADERS: dict[str, dict[str, object]] = {
    "CM16-0213037": {
        "date_assigned": "2016-11-09",
        "date_of_injury": "2016-10-13",
        "decision_date": "2016-12-09",
        "ur_denial_date": "2016-11-03",
        "application_received": "2016-11-03",
        "priority": "Standard",
        "specialties": ("Family Practice",),
        "licensure": ("California", "North Carolina"),
        "age": 48,
        "sex": "male",
    },
    "CM16-0248698": {
        "date_assigned": "2017-01-04",
        "date_of_injury": "2016-10-26",
        "decision_date": "2017-02-02",
        "ur_denial_date": "2016-12-23",
        "application_received": "2016-12-28",
        "priority": "Standard",
        "specialties": ("Physical Medicine & Rehabilitation", "Sports Medicine"),
        "licensure": ("Texas", "New York"),
        "age": 39,
        "sex": "male",
    },
    "CM16-0234202": {
        "specialties": ("Orthopedic Surgery",),
        "licensure": ("California", "Oregon", "Washington"),
        "age": 58,
        "sex": "female",
    },
    "CM16-0237844": {
        "specialties": ("Anesthesiology", "Pain Management", "Hospice & Palliative Medicine"),
        "licensure": ("California", "Texas", "Florida"),
        "age": 51,
        "sex": "female",
    },
}

# (case, item number) -> {party: guideline labels}, spot checks of guideline normalisation.
GUIDELINES: dict[tuple[str, int], dict[str, set[str]]] = {
    ("CM16-0213037", 2): {
        "claims_administrator": {"MTUS: Neck and Upper Back Complaints 2004"},
        "reviewer": {"MTUS: Neck and Upper Back Complaints 2004"},
    },
    ("CM16-0248698", 11): {
        "claims_administrator": {"ODG: Pain"},
        "reviewer": {"MTUS: Chronic Pain Medical Treatment 2016", "MTUS: Opioid Treatment 2016"},
    },
    ("CM17-0009996", 1): {"reviewer": {"ODG: Knee & Leg", "ODG: Low Back", "Other: cms.gov"}},
    ("CM17-0019218", 1): {
        "reviewer": {
            "MTUS: Forearm, Wrist, and Hand Complaints 2004",
            "ODG: Forearm, Wrist & Hand",
        },
    },
    ("CM16-0244053", 1): {
        "claims_administrator": {"Other: ACOEM", "ODG"},
        "reviewer": {"Other: ACOEM"},
    },
    ("CM17-0007151", 1): {
        "reviewer": {"MTUS: Low Back Complaints 2004", "ODG: Low Back", "Other: mdguidelines.com"},
    },
}


def _sources(letter: Letter, number: int, party: str) -> tuple[str, ...]:
    item = letter.items[number - 1]
    if party in item.cited_nothing:
        return (N,)
    return tuple(sorted({c.source for c in item.citations_by(party)}))  # type: ignore[arg-type]


def _txt(case: str) -> Path:
    return REAL / "txt" / f"{case}.txt"


@needs_real
def test_the_table_covers_every_real_letter() -> None:
    assert sorted(path.stem for path in (REAL / "txt").glob("*.txt")) == sorted(EXPECTED)


@needs_real
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_real_letter_items(case: str) -> None:
    letter = parse_file(_txt(case))
    assert letter.case_number == case
    assert letter.format == FORMAT_STANDARD
    assert letter.warnings == ()
    got = [
        (
            item.treatment,
            item.outcome,
            _sources(letter, item.item_number, "claims_administrator"),
            _sources(letter, item.item_number, "reviewer"),
        )
        for item in letter.items
    ]
    expected = [(t, o, tuple(sorted(ca)), tuple(sorted(rv))) for t, o, ca, rv in EXPECTED[case]]
    assert got == expected
    for number, item in enumerate(letter.items, start=1):
        assert item.item_number == number
        assert item.id == f"{case}-{number}"
        assert item.rationale and item.rationale[-1] in '."'
        assert "Claims Administrator guideline" not in item.rationale
        assert "was the original request" not in item.treatment


@needs_real
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_real_letter_header(case: str) -> None:
    letter = parse_file(_txt(case))
    for field in (
        "date_assigned",
        "date_of_injury",
        "decision_date",
        "ur_denial_date",
        "application_received",
    ):
        assert getattr(letter, field) is not None, field
    assert letter.priority == "Standard"
    assert letter.specialties and letter.licensure
    assert letter.age is not None and letter.sex in {"male", "female"}
    assert letter.clinical_summary and not letter.clinical_summary.startswith("The expert reviewer")
    assert "IMR ISSUES" not in letter.clinical_summary
    for field, value in HEADERS.get(case, {}).items():
        assert getattr(letter, field) == value, field


@needs_real
@pytest.mark.parametrize(("case", "number"), sorted(GUIDELINES))
def test_real_letter_guidelines(case: str, number: int) -> None:
    item = parse_file(_txt(case)).items[number - 1]
    for party, labels in GUIDELINES[(case, number)].items():
        assert {c.label for c in item.citations_by(party)} == labels  # type: ignore[arg-type]


@needs_real
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_pdf_gives_the_same_records_as_its_text_twin(case: str) -> None:
    pdf = REAL / "pdf" / f"{case}.pdf"
    from_text = parse_file(_txt(case)).to_dict()
    from_pdf = parse_file(pdf).to_dict()
    assert from_pdf.pop("source") == str(pdf)
    from_text.pop("source")
    assert from_pdf == from_text


@needs_real
def test_parsing_is_idempotent() -> None:
    case = "CM16-0248698"
    text = _txt(case).read_text()
    assert parse_text(text, "a") == parse_text(text, "a")
    assert [i.id for i in parse_text(text, "a").items] == [f"{case}-{n}" for n in range(1, 22)]


# --- the two truncated seeds ---------------------------------------------------------------------


def _seed(prefix: str) -> Letter:
    return parse_file(next(SEEDS.glob(f"{prefix}_*.txt")))


def _plain(text: str) -> str:
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())


@needs_seeds
def test_seed_000_has_three_upheld_items_and_a_warning() -> None:
    letter = _seed("000")
    assert [_plain(i.treatment) for i in letter.items] == [
        "removal of hardware",
        "assistant surgeon",
        "exploration of fusion l4s1 possible augmentation and allograft",
    ]
    assert [i.outcome for i in letter.items] == ["Upheld"] * 3
    assert letter.items[1].cited_nothing == ("claims_administrator", "reviewer")
    assert letter.specialties == ("Emergency Medicine",) and letter.licensure == ("New York",)
    assert letter.case_number is None and letter.warnings
    assert any("truncated" in warning for warning in letter.warnings)
    assert all(item.id.startswith("H-") for item in letter.items)


@needs_seeds
def test_seed_003_reviewer_cited_acoem_page_307_and_chou() -> None:
    letter = _seed("003")
    assert len(letter.items) == 1
    item = letter.items[0]
    assert (
        _plain(item.treatment) == "lumbar spine surgery l5s1 fusion and excisions of disc fragments"
    )
    assert item.outcome == "Upheld"
    reviewer = item.citations_by("reviewer")
    assert any(
        c.source == "MTUS"
        and c.guideline == "ACOEM Chapter 12 Low Back Complaints"
        and c.pages == "307"
        for c in reviewer
    )
    assert any(c.source == "other" and c.guideline == "Chou R et al." for c in reviewer)
    assert letter.age == 27 and letter.sex == "male"
    assert letter.specialties == ("Orthopedic Surgery",)
    assert letter.warnings

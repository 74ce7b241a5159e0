"""The web tests' fixture corpus, and the real SQLite index built from it.

Hand-written letters with known facts (a phrase in exactly one rationale, a letter with two
items, a party that cited nothing, markup in stored text) plus a deterministic set of varied
letters for volume, written through the engine's normal write path. Other test_ui_* / test_api_*
modules import `ui_index_path` and `make_app` from here; the index is built once per process.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from imr_search.engines import open_engine
from indexer.documents import source_documents
from indexer.records import Citation, Item, Letter, item_id

XSS_TREATMENT = "<script>alert('treatment')</script> Lidoderm 5% patch"
XSS_RATIONALE = 'The <img src=x onerror="alert(1)"> topical lidocaine patch is not recommended.'
XSS_SUMMARY = '<b>bold</b> patient with neuropathic pain & "quotes".'
FORMULA_TREATMENT = '=HYPERLINK("http://example.invalid","compound cream")'
FORMULA_RATIONALE = '=cmd|" /C calc"!A0 Compounded topical creams are not recommended.'


def _cite(party: str, source: str, guideline: str | None, text: str, **kw: Any) -> Citation:
    return Citation(
        party=party, source=source, mtus=source == "MTUS", guideline=guideline, text=text, **kw
    )  # type: ignore[arg-type]


ODG_LOW_BACK = ("ODG", "Low Back")
MTUS_CHRONIC = ("MTUS", "Chronic Pain Medical Treatment Guidelines")
MTUS_ACOEM = ("MTUS", "ACOEM Practice Guidelines")


def _letter(
    case: str,
    date: str,
    specialty: str,
    items: list[dict[str, Any]],
    *,
    summary: str,
    state: str = "California",
    age: int = 48,
    sex: str = "female",
) -> Letter:
    built = []
    for n, spec in enumerate(items, start=1):
        cites = tuple(spec.get("citations", ()))
        built.append(
            Item(
                id=item_id(case, n),
                item_number=n,
                treatment=spec["treatment"],
                outcome=spec["outcome"],
                rationale=spec["rationale"],
                citations=cites,
                cited_nothing=tuple(spec.get("cited_nothing", ())),
                category=spec["category"],
                body_regions=tuple(spec.get("regions", ())),
            )
        )
    return Letter(
        case_number=case,
        format="standard",
        source=f"{case}.txt",
        items=tuple(built),
        date_assigned=date[:8] + "01",
        date_of_injury="2010-07-15",
        decision_date=date,
        ur_denial_date=date[:5] + "01-02",
        application_received=date[:8] + "02",
        priority="Standard",
        specialties=(specialty,),
        licensure=(state,),
        clinical_summary=summary,
        age=age,
        sex=sex,
    )


def handwritten_letters() -> list[Letter]:
    """Letters whose every fact a test may assert."""
    return [
        _letter(
            "CM14-0000101",
            "2014-03-12",
            "Orthopedic Surgery",
            [
                {
                    "treatment": "Removal of hardware L4-S1",
                    "outcome": "Upheld",
                    "category": "surgery",
                    "regions": ["lumbar spine"],
                    "rationale": "This patient does not meet established criteria for removal of "
                    "hardware. Specifically the patient has not had pain relief with the hardware "
                    "block.\nThe hardware block is the accepted test before removal.",
                    "citations": [
                        _cite(
                            "claims_administrator",
                            *ODG_LOW_BACK,
                            "ODG Low Back, Hardware implant removal (fixation).",
                        ),
                        _cite(
                            "reviewer",
                            *ODG_LOW_BACK,
                            "ODG Low Back, Hardware implant removal.",
                            sections=("Hardware implant removal",),
                        ),
                    ],
                },
                {
                    "treatment": "Exploration of the fusion L5-S1",
                    "outcome": "Upheld",
                    "category": "surgery",
                    "regions": ["lumbar spine"],
                    "rationale": "Exploration of a solid fusion is not supported without "
                    "evidence of pseudarthrosis on imaging.",
                    "citations": [
                        _cite("reviewer", *ODG_LOW_BACK, "ODG Low Back, Fusion (spinal)."),
                    ],
                    "cited_nothing": ["claims_administrator"],
                },
            ],
            summary="The patient continues to have chronic low back pain after fusion L4-S1. "
            "On examination there is tenderness over the screw tops. A hardware block gave no "
            "relief.",
        ),
        _letter(
            "CM14-0000102",
            "2014-06-02",
            "Physical Medicine & Rehabilitation",
            [
                {
                    "treatment": "Physical therapy 2x6 for the right knee",
                    "outcome": "Overturned",
                    "category": "physical_therapy",
                    "regions": ["knee"],
                    "rationale": "Guidelines support up to 10 visits of physical therapy after "
                    "arthroscopic meniscectomy. The requested visits are within the guideline.",
                    "citations": [
                        _cite("claims_administrator", *MTUS_ACOEM, "ACOEM Knee Complaints."),
                        _cite(
                            "reviewer",
                            *MTUS_CHRONIC,
                            "MTUS Physical Medicine, page 99.",
                            pages="98-99",
                        ),
                    ],
                },
            ],
            summary="Right knee meniscal tear treated with arthroscopic meniscectomy; "
            "residual weakness of the quadriceps.",
            age=35,
            sex="male",
        ),
        _letter(
            "CM15-0000103",
            "2015-01-20",
            "Pain Medicine",
            [
                {
                    "treatment": "Norco 10/325mg #60",
                    "outcome": "Upheld",
                    "category": "medication",
                    "regions": ["lumbar spine"],
                    "rationale": "There is no documentation of functional improvement with "
                    "ongoing opioid use, nor of a signed opioid agreement or urine drug screens.",
                    "citations": [
                        _cite("reviewer", *MTUS_CHRONIC, "MTUS Opioids, criteria for use."),
                    ],
                    "cited_nothing": ["claims_administrator"],
                },
                {
                    "treatment": "Omeprazole 20mg #30",
                    "outcome": "Overturned",
                    "category": "medication",
                    "rationale": "The patient takes NSAIDs and has a history of gastrointestinal "
                    "bleeding, so a proton pump inhibitor is indicated.",
                    "citations": [
                        _cite("reviewer", *MTUS_CHRONIC, "MTUS NSAIDs, GI symptoms."),
                    ],
                },
            ],
            summary="Chronic lumbar pain on opioid medication for several years.",
            state="Texas",
        ),
        _letter(
            "CM15-0000104",
            "2015-05-05",
            "Internal Medicine",
            [
                {
                    "treatment": XSS_TREATMENT,
                    "outcome": "Upheld",
                    "category": "medication",
                    "rationale": XSS_RATIONALE,
                    "citations": [
                        _cite("reviewer", "other", "<i>Journal</i> of Pain", "Journal article."),
                    ],
                },
                {
                    "treatment": FORMULA_TREATMENT,
                    "outcome": "Upheld",
                    "category": "medication",
                    "rationale": FORMULA_RATIONALE,
                    "citations": [_cite("reviewer", *MTUS_CHRONIC, "MTUS Topical analgesics.")],
                },
            ],
            summary=XSS_SUMMARY,
        ),
    ]


_VARIED = [
    (
        "Lumbar epidural steroid injection L4-L5",
        "injection",
        ["lumbar spine"],
        "Epidural steroid injections are recommended for radiculopathy documented by examination "
        "and corroborated by imaging.",
    ),
    (
        "Cervical epidural steroid injection C5-C6",
        "injection",
        ["cervical spine"],
        "Radiculopathy is not corroborated by imaging or electrodiagnostic testing of the neck.",
    ),
    (
        "MRI of the left shoulder",
        "imaging",
        ["shoulder"],
        "Imaging is indicated when a rotator cuff tear is suspected after conservative care.",
    ),
    (
        "Acupuncture 8 sessions for the lumbar spine",
        "acupuncture",
        ["lumbar spine"],
        "Acupuncture is an option when pain medication is reduced or not tolerated.",
    ),
    (
        "TENS unit rental 30 days",
        "dme",
        ["lumbar spine"],
        "A one-month home trial of TENS may be considered with a functional restoration program.",
    ),
    (
        "Chiropractic treatment x6 for the neck",
        "chiropractic",
        ["cervical spine"],
        "Manual therapy is recommended for chronic pain caused by musculoskeletal conditions.",
    ),
    (
        "Urine drug screen",
        "testing",
        [],
        "Drug testing is recommended as an option to assess for illegal drugs in opioid therapy.",
    ),
    (
        "Cognitive behavioral therapy 6 sessions",
        "psychological",
        [],
        "Behavioral interventions are recommended for chronic pain with depression.",
    ),
]
_SPECIALTIES = (
    "Orthopedic Surgery",
    "Pain Medicine",
    "Anesthesiology",
    "Family Practice",
    "Chiropractic Medicine",
    "Physical Medicine & Rehabilitation",
)


def varied_letters(n: int = 36) -> list[Letter]:
    """Deterministic letters cycling treatments, outcomes, years, specialties, guidelines."""
    letters = []
    cycle = itertools.cycle(_VARIED)
    for i in range(n):
        treatment, category, regions, rationale = next(cycle)
        outcome = "Overturned" if i % 3 == 0 else "Upheld"
        year = 2013 + i % 5
        guide = [ODG_LOW_BACK, MTUS_CHRONIC, MTUS_ACOEM][i % 3]
        case = f"CM{year % 100:02d}-{1000 + i:07d}"
        item: dict[str, Any] = {
            "treatment": treatment,
            "outcome": outcome,
            "category": category,
            "regions": regions,
            "rationale": rationale + f" Case note {i}.",
            "citations": [_cite("reviewer", *guide, f"{guide[1]} section {i}.")],
        }
        if i % 4 == 0:
            item["cited_nothing"] = ["claims_administrator"]
        else:
            item["citations"].append(_cite("claims_administrator", *ODG_LOW_BACK, "ODG."))
        letters.append(
            _letter(
                case,
                f"{year}-{1 + i % 12:02d}-{1 + i % 27:02d}",
                _SPECIALTIES[i % 6],
                [item],
                summary=f"Injured worker with {treatment.lower()} requested. {i}",
            )
        )
    return letters


def all_letters() -> list[Letter]:
    return handwritten_letters() + varied_letters()


def build_index(path: Path | str, letters: list[Letter]) -> Path | str:
    """Write letters into a fresh index (file or Elasticsearch URL) via Engine.write."""
    engine = open_engine(str(path), writable=True)
    try:
        failures = engine.write(
            [
                source_documents(source=lt.source, fingerprint=f"fp-{lt.source}", letter=lt)
                for lt in letters
            ]
        )
        assert not failures, failures
        engine.finish()
    finally:
        engine.close()
    return path


_INDEX: dict[str, Path] = {}


def ui_index_path() -> Path:
    """The fixture index, built once per test process (read-only afterwards)."""
    if "path" not in _INDEX:
        folder = Path(tempfile.mkdtemp(prefix="imr-ui-tests-"))
        _INDEX["path"] = Path(build_index(folder / "ui.sqlite3", all_letters()))
    return _INDEX["path"]


def make_app(config: Mapping[str, Any] | None = None) -> Flask:
    from search_ui import create_app

    return create_app({"IMR_SEARCH_INDEX": str(ui_index_path()), "TESTING": True, **(config or {})})


def close_app(app: Flask) -> None:
    app.extensions["imr_search_engine"].close_all()


# --- the corpus itself ------------------------------------------------------------------------


def test_fixture_index_holds_every_item() -> None:
    expected = sum(len(letter.items) for letter in all_letters())
    engine = open_engine(str(ui_index_path()))
    try:
        assert engine.count() == expected
        assert engine.get_item("CM14-0000101-1").treatment == "Removal of hardware L4-S1"
    finally:
        engine.close()

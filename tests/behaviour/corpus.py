"""The behaviour suite's fixture corpus: 28 letters, 36 items, written by hand.

Every text is chosen so that the answers are known: which items contain which words, who cited
what, which dates sort where. The expected ids in the tests were worked out by reading these
texts (not by running an engine). Keep test words (knee, hardware, block, kyphoplasty, PT...)
out of new texts, or update the expectations. Items are addressed by short aliases:
`ID["L12-1"]` is the first item of letter 12.
"""

from __future__ import annotations

from typing import Any

from imr_search.contract import SourceDocuments
from indexer.documents import source_documents
from indexer.records import Citation, Item, Letter, content_id, item_id

SOURCE_DIR = "/fixtures/behaviour"


def _cite(party: str, source: str, guideline: str | None = None) -> Citation:
    if source == "MTUS":
        text = f"Decision based on MTUS {guideline}." if guideline else "Decision based on MTUS."
    elif source == "ODG":
        text = (
            "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), "
            f"{guideline}."
        )
    else:
        text = f"Decision based on Non-MTUS Citation {guideline}."
    return Citation(
        party=party,
        source=source,
        mtus=source == "MTUS",  # type: ignore[arg-type]
        guideline=guideline,
        text=text,
    )


def admin(source: str, guideline: str | None = None) -> Citation:
    return _cite("claims_administrator", source, guideline)


def reviewer(source: str, guideline: str | None = None) -> Citation:
    return _cite("reviewer", source, guideline)


CP16 = "Chronic Pain Medical Treatment 2016"
CP09 = "Chronic Pain Medical Treatment 2009"

# (alias, case number or None, decision date, specialties, clinical summary,
#  [(treatment, outcome, category, body regions, rationale, citations, cited nothing)])
_LETTERS: list[tuple[Any, ...]] = [
    (
        "L1",
        "CM16-0100001",
        "2016-03-14",
        ("Orthopedic Surgery",),
        "The injured worker is a 45 year old male with chronic low back pain after lifting boxes. "
        "Prior treatment included medications and chiropractic care.",
        [
            (
                "Physical therapy 2x6 for the lumbar spine",
                "Upheld",
                "physical therapy",
                ("lumbar spine",),
                "The guidelines allow a short course of active therapy. The records show twelve prior "
                "sessions without objective functional improvement, so further sessions are not "
                "supported.",
                (admin("MTUS", CP16), reviewer("MTUS", CP16)),
                (),
            )
        ],
    ),
    (
        "L2",
        "CM16-0100002",
        "2016-07-02",
        ("Physical Medicine & Rehabilitation",),
        "A 38 year old female injured her right knee when she slipped on a wet floor.",
        [
            (
                "PT 12 sessions for the right knee",
                "Overturned",
                "physical therapy",
                ("knee",),
                "Post-operative rehabilitation after the meniscus repair is recommended and the request "
                "is within the guideline allowance.",
                (admin("ODG", "Knee & Leg"), reviewer("MTUS", "Postsurgical Treatment 2009")),
                (),
            ),
            (
                "Right knee arthroscopy",
                "Upheld",
                "surgery",
                ("knee",),
                "Arthroscopic surgery is not indicated for degenerative tears without mechanical "
                "symptoms.",
                (admin("ODG", "Knee & Leg"), reviewer("ODG", "Knee & Leg")),
                (),
            ),
        ],
    ),
    (
        "L3",
        "CM17-0100003",
        "2017-01-20",
        ("Sports Medicine",),
        "The patient is a 52 year old male with a shoulder strain from overhead work.",
        [
            (
                "Physiotherapy 8 visits for the left shoulder",
                "Upheld",
                "physical therapy",
                ("shoulder",),
                "There is no documentation of the outcome of the previous visits.",
                (reviewer("MTUS", CP16),),
                ("claims_administrator",),
            ),
            (
                "Arthroscopic subacromial decompression, left shoulder",
                "Overturned",
                "surgery",
                ("shoulder",),
                "Three months of conservative care failed and imaging confirms impingement.",
                (admin("ODG", "Shoulder"), reviewer("ODG", "Shoulder")),
                (),
            ),
        ],
    ),
    (
        "L4",
        "CM15-0100004",
        "2015-05-05",
        ("Anesthesiology", "Pain Medicine"),
        "A 60 year old woman with lumbar radiculopathy confirmed on electrodiagnostic testing.",
        [
            (
                "Lumbar epidural steroid injection L4-L5",
                "Overturned",
                "injection",
                ("lumbar spine",),
                "Radiculopathy is documented by examination and corroborated by imaging, meeting the "
                "criteria.",
                (admin("MTUS", CP09), reviewer("MTUS", CP09)),
                (),
            )
        ],
    ),
    (
        "L5",
        "CM15-0100005",
        "2015-09-30",
        ("Anesthesiology",),
        "The injured worker reports neck pain radiating to the left arm.",
        [
            (
                "ESI C5-C6 under fluoroscopy",
                "Upheld",
                "injection",
                ("cervical spine",),
                "The examination does not show radiculopathy, so the injection is not indicated.",
                (admin("ODG", "Neck and Upper Back"), reviewer("ODG", "Neck and Upper Back")),
                (),
            )
        ],
    ),
    (
        "L6",
        "CM18-0100006",
        "2018-02-11",
        ("Physical Medicine & Rehabilitation",),
        "A 41 year old warehouse worker with chronic lumbar pain.",
        [
            (
                "TENS unit 30 day rental",
                "Upheld",
                "durable medical equipment",
                ("lumbar spine",),
                "A one month home trial is required before purchase and no trial is documented.",
                (admin("MTUS", CP16), reviewer("ODG", "Pain")),
                (),
            )
        ],
    ),
    (
        "L7",
        "CM18-0100007",
        "2018-06-19",
        ("Neurology",),
        "The claimant has neuropathic pain in both feet.",
        [
            (
                "Transcutaneous electrical nerve stimulation unit purchase",
                "Overturned",
                "durable medical equipment",
                ("ankle/foot",),
                "The one month trial documented a reduction of pain medication use.",
                (),
                ("claims_administrator", "reviewer"),
            )
        ],
    ),
    (
        "L8",
        "CM19-0100008",
        "2019-03-03",
        ("Internal Medicine",),
        "A 57 year old with chronic knee osteoarthritis and gastritis.",
        [
            (
                "Naproxen 550mg #60",
                "Upheld",
                "medication",
                (),
                "Long-term use of a nonsteroidal anti-inflammatory drug is not recommended in a patient "
                "with gastritis.",
                (admin("MTUS", CP16), reviewer("MTUS", CP16)),
                (),
            ),
            (
                "Omeprazole 20mg #30",
                "Overturned",
                "medication",
                (),
                "A proton pump inhibitor is appropriate while the patient remains at gastrointestinal "
                "risk.",
                (admin("ODG", "Pain"), reviewer("MTUS", CP16)),
                (),
            ),
        ],
    ),
    (
        "L9",
        "CM19-0100009",
        "2019-08-08",
        ("Family Practice",),
        "The injured worker has chronic wrist pain after a fall.",
        [
            (
                "NSAID topical cream 120g",
                "Upheld",
                "medication",
                ("hand",),
                "Topical analgesics are largely experimental and the cream contains ingredients that "
                "are not recommended.",
                (
                    admin("other", "FDA prescribing information"),
                    reviewer("other", "Derry S, et al. Topical analgesics for pain"),
                ),
                (),
            )
        ],
    ),
    (
        "L10",
        "CM20-0100010",
        "2020-01-15",
        ("Psychology",),
        "A 35 year old with chronic pain and depression after a back injury.",
        [
            (
                "Functional restoration program 80 hours",
                "Overturned",
                "functional restoration",
                (),
                "The patient is motivated, has exhausted lower levels of care and a thorough "
                "multidisciplinary evaluation was completed.",
                (admin("MTUS", CP16), reviewer("MTUS", CP16)),
                (),
            )
        ],
    ),
    (
        "L11",
        "CM20-0100011",
        "2020-05-25",
        ("Psychology",),
        "The injured worker has chronic widespread pain.",
        [
            (
                "FRP evaluation",
                "Upheld",
                "functional restoration",
                (),
                "Negative predictors of success have not been addressed.",
                (admin("ODG", "Pain"), reviewer("ODG", "Pain")),
                (),
            )
        ],
    ),
    (
        "L12",
        "CM21-0100012",
        "2021-04-01",
        ("Orthopedic Surgery",),
        "A 50 year old man underwent a lumbar fusion in 2019 and now reports pain over the "
        "hardware.",
        [
            (
                "Hardware block L4-S1",
                "Upheld",
                "injection",
                ("lumbar spine",),
                "A diagnostic hardware block is reasonable only when other pain generators are "
                "excluded; facet pain was not excluded.",
                (admin("ODG", "Low Back"), reviewer("MTUS", "Low Back Complaints 2004")),
                (),
            ),
            (
                "Removal of hardware L4-S1",
                "Upheld",
                "surgery",
                ("lumbar spine",),
                "Removal is not recommended until a hardware injection confirms the source of pain.",
                (admin("ODG", "Low Back"), reviewer("MTUS", "Low Back Complaints 2004")),
                (),
            ),
        ],
    ),
    (
        "L13",
        "CM21-0100013",
        "2021-09-09",
        ("Orthopedic Surgery",),
        "The claimant had a cervical fusion and a later nerve ablation.",
        [
            (
                "Cervical medial branch block C3-C4",
                "Upheld",
                "injection",
                ("cervical spine",),
                "The hardware was removed last year and a nerve block was not indicated before the "
                "ablation.",
                (reviewer("ODG", "Neck and Upper Back"),),
                ("claims_administrator",),
            )
        ],
    ),
    (
        "L14",
        "CM14-0100014",
        "2014-02-27",
        ("Chiropractic",),
        "A 29 year old delivery driver with neck pain after a collision.",
        [
            (
                "Chiropractic manipulation 6 visits",
                "Upheld",
                "chiropractic",
                ("cervical spine",),
                "Manual therapy is recommended for low back pain but not for neck pain beyond the "
                "trial.",
                (
                    admin("MTUS", "Neck and Upper Back Complaints 2004"),
                    reviewer("ODG", "Neck and Upper Back"),
                ),
                (),
            )
        ],
    ),
    (
        "L15",
        "CM14-0100015",
        "2014-10-10",
        ("Pain Medicine",),
        "The injured worker is on long-term opioid therapy for lumbar pain.",
        [
            (
                "Norco 10/325mg #120 <b>refill</b>",
                "Upheld",
                "medication",
                (),
                "Opioid <script>alert('x')</script> monitoring & weaning: there is no documentation of "
                "the four domains and no urine drug screen.",
                (admin("MTUS", CP09), reviewer("MTUS", CP09), reviewer("ODG", "Pain")),
                (),
            )
        ],
    ),
    (
        "L16",
        "CM13-0100016",
        "2013-11-12",
        ("Orthopedic Surgery",),
        "A 47 year old nurse with a torn rotator cuff.",
        [
            (
                "Rotator cuff repair, right shoulder",
                "Overturned",
                "surgery",
                ("shoulder",),
                "A full thickness tear with weakness failed conservative care; repair is indicated.",
                (
                    admin("MTUS", "Shoulder Complaints 2004"),
                    reviewer("MTUS", "Shoulder Complaints 2004"),
                ),
                (),
            )
        ],
    ),
    (
        "L17",
        "CM22-0100017",
        "2022-02-14",
        ("Orthopedic Surgery",),
        "The injured worker sustained a vertebral compression fracture at T12 after a fall from a "
        "ladder.",
        [
            (
                "Kyphoplasty T12",
                "Upheld",
                "surgery",
                ("thoracic spine",),
                "Kyphoplasty for an osteoporotic vertebral compression fracture is not recommended after "
                "the acute period; the fracture is six months old.",
                (admin("ODG", "Low Back"), reviewer("ODG", "Low Back")),
                (),
            ),
            (
                "Thoracolumbar brace",
                "Overturned",
                "durable medical equipment",
                ("thoracic spine",),
                "Bracing is reasonable while the fracture heals.",
                (reviewer("ODG", "Low Back"),),
                ("claims_administrator",),
            ),
        ],
    ),
    (
        "L18",
        "CM23-0100018",
        "2023-03-21",
        ("Orthopedic Surgery",),
        "A 66 year old warehouse worker with a painful vertebral compression fracture at L1.",
        [
            (
                "Kyphoplasty at L1",
                "Overturned",
                "surgery",
                ("lumbar spine",),
                "Kyphoplasty is recommended for a vertebral compression fracture with severe pain that "
                "failed bracing for six weeks.",
                (admin("ODG", "Low Back"), reviewer("ODG", "Low Back")),
                (),
            )
        ],
    ),
    (
        "L19",
        "CM24-0100019",
        "2024-01-09",
        ("Orthopedic Surgery",),
        "The claimant had a lumbar vertebral compression fracture after a motor vehicle accident.",
        [
            (
                "Vertebroplasty L2",
                "Upheld",
                "surgery",
                ("lumbar spine",),
                "Vertebroplasty and kyphoplasty for a compression fracture are not supported by high "
                "quality evidence.",
                (
                    admin("ODG", "Low Back"),
                    reviewer("other", "Buchbinder R, et al. Vertebroplasty trial"),
                ),
                (),
            )
        ],
    ),
    (
        "L20",
        "CM22-0100020",
        "2022-08-30",
        ("Family Practice",),
        "A 33 year old cashier with bilateral wrist pain.",
        [
            (
                "Bilateral wrist splints",
                "Upheld",
                "durable medical equipment",
                ("hand",),
                "Splinting is recommended at night for carpal tunnel syndrome, but the diagnosis is not "
                "confirmed by electrodiagnostic studies.",
                (
                    admin("MTUS", "Forearm, Wrist, and Hand Complaints 2004"),
                    reviewer("MTUS", "Forearm, Wrist, and Hand Complaints 2004"),
                ),
                (),
            ),
            (
                "EMG/NCV of the bilateral upper extremities",
                "Overturned",
                "laboratory/testing",
                ("hand",),
                "Electrodiagnostic studies are indicated to confirm carpal tunnel syndrome before "
                "surgery.",
                (reviewer("MTUS", "Forearm, Wrist, and Hand Complaints 2004"),),
                ("claims_administrator",),
            ),
        ],
    ),
    (
        "L21",
        "CM23-0100021",
        "2023-11-11",
        ("Internal Medicine",),
        "The injured worker has chronic neck pain and insomnia.",
        [
            (
                "Zolpidem 10mg #30",
                "Upheld",
                "medication",
                (),
                "Sleep aids are recommended for short-term use only; the patient has taken it for a "
                "year.",
                (admin("ODG", "Mental Illness & Stress"), reviewer("ODG", "Pain")),
                (),
            ),
            (
                "Cognitive behavioral therapy 6 sessions",
                "Overturned",
                "psychological",
                (),
                "CBT is recommended for insomnia and chronic pain with documented functional goals.",
                (admin("MTUS", CP16), reviewer("MTUS", CP16)),
                (),
            ),
        ],
    ),
    (
        "L22",
        "CM17-0100022",
        "2017-06-06",
        ("Orthopedic Surgery",),
        "A 58 year old man with end stage knee arthritis.",
        [
            (
                "Total knee arthroplasty, left",
                "Overturned",
                "surgery",
                ("knee",),
                "Radiographs show bone on bone arthritis and conservative care failed.",
                (admin("ODG", "Knee & Leg"), reviewer("ODG", "Knee & Leg")),
                (),
            )
        ],
    ),
    (
        "L23",
        "CM18-0100023",
        "2018-12-01",
        ("Orthopedic Surgery",),
        "The injured worker has hip pain and a labral tear on MRI.",
        [
            (
                "Hip arthroscopy with labral repair",
                "Upheld",
                "surgery",
                ("hip",),
                "Imaging shows advanced arthritis, a contraindication to arthroscopic labral repair.",
                (admin("ODG", "Hip & Pelvis"), reviewer("ODG", "Hip & Pelvis")),
                (),
            )
        ],
    ),
    (
        "L24",
        "CM16-0100024",
        "2016-12-24",
        ("Orthopedic Surgery",),
        "A 44 year old man with a knee sprain.",
        [
            (
                "MRI of the right knee",
                "Upheld",
                "imaging",
                ("knee",),
                "Plain radiographs were not obtained first and there are no red flags.",
                (admin("MTUS", "Knee Complaints 2004"), reviewer("MTUS", "Knee Complaints 2004")),
                (),
            )
        ],
    ),
    (
        "L25",
        "CM13-0100025",
        None,
        (),
        "The claimant requests home care after a hip fracture.",
        [
            (
                "Home health aide 4 hours a day",
                "Upheld",
                "home health/nursing",
                ("hip",),
                "Home health services cover medical treatment for homebound patients; help with bathing "
                "and dressing alone is not medical care.",
                (admin("MTUS", CP09),),
                ("reviewer",),
            )
        ],
    ),
    (
        "L26",
        None,
        "2019-12-12",
        ("Physical Medicine & Rehabilitation",),
        "A 39 year old teacher with chronic neck and shoulder pain.",
        [
            (
                "Acupuncture 6 sessions",
                "Overturned",
                "acupuncture",
                ("cervical spine", "shoulder"),
                "Acupuncture is recommended as an option when pain medication is reduced or not "
                "tolerated.",
                (
                    admin("MTUS", "Acupuncture Medical Treatment Guidelines"),
                    reviewer("MTUS", "Acupuncture Medical Treatment Guidelines"),
                ),
                (),
            )
        ],
    ),
    (
        "L27",
        "CM24-0100027",
        "2024-06-30",
        ("Pain Medicine",),
        "The injured worker has failed back surgery syndrome.",
        [
            (
                "Spinal cord stimulator trial",
                "Upheld",
                "surgery",
                ("lumbar spine",),
                "A psychological evaluation must precede a stimulator trial and none was done.",
                (admin("MTUS", CP16), reviewer("MTUS", CP16)),
                (),
            ),
            (
                "Psychological evaluation",
                "Overturned",
                "psychological",
                (),
                "An evaluation is recommended before a stimulator trial.",
                (admin("MTUS", CP16), reviewer("MTUS", CP16)),
                (),
            ),
        ],
    ),
    (
        "L28",
        "CM14-0100028",
        "2014-06-06",
        ("Internal Medicine",),
        "A 62 year old with diabetes and a foot ulcer after a crush injury.",
        [
            (
                "Hyperbaric oxygen therapy 20 sessions",
                "Upheld",
                "other",
                ("ankle/foot",),
                "Evidence does not support hyperbaric oxygen for this wound grade.",
                (
                    admin("other", "Medicare coverage policy"),
                    reviewer("other", "Cochrane review of hyperbaric oxygen"),
                ),
                (),
            )
        ],
    ),
]


def _build() -> tuple[list[Letter], dict[str, str]]:
    letters: list[Letter] = []
    ids: dict[str, str] = {}
    for alias, case, date, specialties, summary, raw_items in _LETTERS:
        key = case or content_id(summary, *(t[0] for t in raw_items))
        items = []
        for n, (treatment, outcome, category, regions, rationale, citations, nothing) in enumerate(
            raw_items, start=1
        ):
            items.append(
                Item(
                    id=item_id(key, n),
                    item_number=n,
                    treatment=treatment,
                    outcome=outcome,
                    rationale=rationale,
                    citations=tuple(citations),
                    cited_nothing=tuple(nothing),
                    category=category,
                    body_regions=tuple(regions),
                )
            )
            ids[f"{alias}-{n}"] = item_id(key, n)
        letter = Letter(
            case_number=case,
            format="standard",
            source=f"{SOURCE_DIR}/{alias}.txt",
            items=tuple(items),
            decision_date=date,
            date_assigned=date,
            specialties=tuple(specialties),
            licensure=("California",),
            clinical_summary=summary,
            priority="Standard",
        )
        assert letter.letter_id == key
        letters.append(letter)
    return letters, ids


LETTERS, ID = _build()
LETTERS_BY_ALIAS: dict[str, Letter] = {
    alias: letter for (alias, *_), letter in zip(_LETTERS, LETTERS, strict=True)
}
ITEMS: dict[str, tuple[Letter, Item]] = {
    item.id: (letter, item) for letter in LETTERS for item in letter.items
}
ALIAS: dict[str, str] = {v: k for k, v in ID.items()}


def source_letters(
    letters: list[Letter] | None = None, version: str = "1"
) -> list[SourceDocuments]:
    """What the pipeline would hand the engine for these letters."""
    return [
        source_documents(
            source=letter.source, fingerprint=f"fp-{letter.source}-{version}", letter=letter
        )
        for letter in (LETTERS if letters is None else letters)
    ]


def ids(*aliases: str) -> set[str]:
    return {ID[a] for a in aliases}

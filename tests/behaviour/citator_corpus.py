"""The citator's and the reasons' fixture corpus: 33 letters of one item each, written by hand.

Two parts that do not touch: every number the tests expect is counted here, by reading the
tables below (not by running an engine).

CITATOR, 13 letters dated 2016-2019: who relied on which guideline and section.

    alias  date        request (concept)  outcome     reviewer relied on        administrator cited
    R1     2016-02-10  physical therapy   Upheld      LB[PT]                    LB[PT]
    R2     2016-09-15  physical therapy   Overturned  LB[PT], PN[Opioids]       CP[Opioids]
    R3     2017-01-12  physical therapy   Upheld      LB[PT], AC                LB[PT]
    R4     2017-04-20  ESI                Upheld      LB[ESIs], PN              AC
    R5     2017-08-08  brace              Overturned  LB[Lumbar supports], CP   LB[Lumbar supports]
    R6     2019-03-03  ESI                Upheld      LB, PN[Opioids]           (nothing)
    R7     2019-10-10  physical therapy   Overturned  LB[PT] and LB[Lumbar      LB[MRIs]
                                                      supports] (two citations)
    A1     2018-01-05  chiropractic       Upheld      AC                        LB[PT]
    A2     2018-02-14  medication         Overturned  CP                        LB
    A3     2018-05-30  TENS unit          Upheld      PN[TENS]                  LB
    A4     2018-07-04  chiropractic       Upheld      (nothing)                 LB, AC
    P1     2018-09-09  TENS unit          Overturned  PN[TENS]                  PN[TENS]
    P2     2018-11-11  medication         Overturned  PN[Opioids]               CP, NK

    LB = ODG: Low Back, PN = ODG: Pain, CP = MTUS Chronic Pain (2016),
    AC = MTUS ACOEM Ch. 12 (2004), NK = ODG: Neck and Upper Back.

REASONS, 20 letters M01..M20 (oldest first, 2015; M05 and M06 share a date): the same request
(MRI of the lumbar spine, category "imaging"), no citation by either party. Every rationale
opens with BOILERPLATE; then, in this order, some of the sentences below:

    RED_FLAGS  the finding "no red flags"        Upheld M01 M03 M08 M11 M12 M14 M15, Overturned M07
    COLLISION  the phrase "motor vehicle         Upheld M09, Overturned M02 M04 M10 M13 M16 M18
               collision" (no finding)
    CONSULT    the finding "surgery contemplated" Upheld M01 M11 M17, Overturned M04 M16
    FAILED     the finding "failed conservative   Upheld M05 M06
               care"
    TEMPLATE   a template sentence               every Upheld decision, and Overturned M20

    Upheld: M01 M03 M05 M06 M08 M09 | M11 M12 M14 M15 M17 M19 (12; six in the newest ten)
    Overturned: M02 M04 M07 M10 | M13 M16 M18 M20 (8; four in the newest ten)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from imr_search.contract import SourceDocuments
from indexer.records import Citation, Item, Letter, item_id

from . import corpus

SOURCE_DIR = "/fixtures/citator"

LB = "ODG: Low Back"
PN = "ODG: Pain"
CP = "MTUS Chronic Pain Medical Treatment Guidelines (2016)"
AC = "MTUS ACOEM Ch. 12: Low Back Complaints (2004)"
NK = "ODG: Neck and Upper Back"

LB_PT = "ODG Low Back: Physical therapy (PT)"
LB_SUPPORTS = "ODG Low Back: Lumbar supports"
LB_ESIS = "ODG Low Back: Epidural steroid injections (ESIs)"
LB_MRIS = "ODG Low Back: MRIs (magnetic resonance imaging)"
PN_OPIOIDS = "ODG Pain: Opioids, criteria for use"
PN_TENS = "ODG Pain: TENS (transcutaneous electrical nerve stimulation)"
CP_OPIOIDS = "Chronic Pain Medical Treatment 2016: Opioids, criteria for use"

# (guideline as the letter writes it, source, sections as written) per short name above
_WRITTEN: dict[str, tuple[str, str]] = {
    "LB": ("ODG", "Low Back"),
    "PN": ("ODG", "Pain"),
    "NK": ("ODG", "Neck and Upper Back"),
    "CP": ("MTUS", "Chronic Pain Medical Treatment 2016"),
    "AC": ("MTUS", "Low Back Complaints 2004"),
}


def _cite(party: str, short: str, *sections: str) -> Citation:
    source, guideline = _WRITTEN[short]
    if source == "ODG":
        text = f"Official Disability Guidelines (ODG), {guideline} Chapter"
    else:
        text = f"MTUS {guideline}"
    if sections:
        text += ", Section(s): " + ", ".join(sections)
    return Citation(
        party=party,  # type: ignore[arg-type]
        source=source,  # type: ignore[arg-type]
        mtus=source == "MTUS",
        guideline=guideline,
        text=f"Decision based on {text}.",
        sections=sections,
    )


def rev(short: str, *sections: str) -> Citation:
    return _cite("reviewer", short, *sections)


def adm(short: str, *sections: str) -> Citation:
    return _cite("claims_administrator", short, *sections)


PT = "Physical therapy 12 sessions for the lumbar spine"
ESI = "Lumbar epidural steroid injection L4-L5"
BRACE = "Lumbar support brace"
CHIRO = "Chiropractic manipulation 6 visits"
TENS = "TENS unit rental"
NORCO = "Norco 10/325mg #90"
MRI = "MRI of the lumbar spine"

# Kinds of request (the concept rules' labels of the treatments above).
PT_LABEL = "Physical therapy"
ESI_LABEL = "Epidural steroid injection"
BRACE_LABEL = "Brace / orthosis / splint"

_CATEGORY = {
    PT: "physical therapy",
    ESI: "injection",
    BRACE: "durable medical equipment",
    CHIRO: "chiropractic",
    TENS: "durable medical equipment",
    NORCO: "medication",
    MRI: "imaging",
}

# (alias, date, treatment, outcome, summary, rationale, citations)
_CITATOR: list[tuple[Any, ...]] = [
    ("R1", "2016-02-10", PT, "Upheld",
     "A 44 year old laborer strained his lower back lifting pipes.",
     "Twelve earlier sessions produced no measurable gains, so more sessions are not supported.",
     (rev("LB", "Physical therapy (PT)"), adm("LB", "Physical therapy (PT)"))),
    ("R2", "2016-09-15", PT, "Overturned",
     "A 51 year old cook has lumbar strain and takes hydrocodone.",
     "The initial course was interrupted by surgery elsewhere and has not been completed.",
     (rev("LB", "Physical therapy (PT)"), rev("PN", "Opioids"),
      adm("CP", "Opioids, criteria for use"))),
    ("R3", "2017-01-12", PT, "Upheld",
     "A 36 year old mechanic with lumbar strain after a slip.",
     "The home exercise program should continue without supervision.",
     (rev("LB", "Physical therapy (PT)"), rev("AC"), adm("LB", "Physical therapy (PT)"))),
    ("R4", "2017-04-20", ESI, "Upheld",
     "A 48 year old driver with lumbar pain after a long haul.",
     "The injection is not supported without corroborating electrodiagnostic studies.",
     (rev("LB", "ESIs"), rev("PN"), adm("AC"))),
    ("R5", "2017-08-08", BRACE, "Overturned",
     "A 29 year old mover with lumbar instability after a fall.",
     "Bracing is reasonable while the instability is evaluated.",
     (rev("LB", "Lumbar supports"), rev("CP"), adm("LB", "Lumbar supports"))),
    ("R6", "2019-03-03", ESI, "Upheld",
     "A 62 year old gardener with lumbar stenosis.",
     "A repeat injection requires lasting relief from the first one, which lasted two weeks.",
     (rev("LB"), rev("PN", "Opioids"))),
    ("R7", "2019-10-10", PT, "Overturned",
     "A 40 year old welder returned to work after a lumbar sprain.",
     "A short course is appropriate after the new flare at work.",
     (rev("LB", "Physical therapy (PT)"), rev("LB", "Lumbar supports"), adm("LB", "MRIs"))),
    ("A1", "2018-01-05", CHIRO, "Upheld",
     "A 33 year old clerk with a stiff lower back.",
     "Manipulation beyond the trial showed no objective gain.",
     (rev("AC"), adm("LB", "Physical therapy (PT)"))),
    ("A2", "2018-02-14", NORCO, "Overturned",
     "A 58 year old roofer with chronic lumbar pain on opioids.",
     "Monitoring documents improved function and a signed agreement.",
     (rev("CP"), adm("LB"))),
    ("A3", "2018-05-30", TENS, "Upheld",
     "A 47 year old teacher with lumbar pain.",
     "A home trial must come before a rental of this length.",
     (rev("PN", "TENS"), adm("LB"))),
    ("A4", "2018-07-04", CHIRO, "Upheld",
     "A 39 year old nurse with lumbar pain after lifting a patient.",
     "The number of visits exceeds the allowance.",
     (adm("LB"), adm("AC"))),
    ("P1", "2018-09-09", TENS, "Overturned",
     "A 55 year old janitor with neuropathic pain in both legs.",
     "The trial documented less medication use.",
     (rev("PN", "TENS"), adm("PN", "TENS"))),
    ("P2", "2018-11-11", NORCO, "Overturned",
     "A 60 year old electrician with neck and back pain on opioids.",
     "A weaning plan is in place and the dose is being reduced.",
     (rev("PN", "Opioids"), adm("CP"), adm("NK"))),
]  # fmt: skip

BOILERPLATE = "Diagnostic spine imaging decisions weigh symptom history."
RED_FLAGS = "There are no red flags."
COLLISION = "There was a recent motor vehicle collision."
CONSULT = "A surgical consultation is scheduled."
FAILED = "Conservative care failed."
TEMPLATE = "The standard lumbar imaging pathway applies."
MRI_SUMMARY = "The injured worker reports low back pain after lifting a box."

# (alias, date, outcome, sentences after BOILERPLATE)
_REASONS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("M01", "2015-01-05", "Upheld", (RED_FLAGS, CONSULT, TEMPLATE)),
    ("M02", "2015-01-19", "Overturned", (COLLISION,)),
    ("M03", "2015-02-02", "Upheld", (RED_FLAGS, TEMPLATE)),
    ("M04", "2015-02-16", "Overturned", (COLLISION, CONSULT)),
    ("M05", "2015-03-02", "Upheld", (FAILED, TEMPLATE)),
    ("M06", "2015-03-02", "Upheld", (FAILED, TEMPLATE)),
    ("M07", "2015-03-30", "Overturned", (RED_FLAGS,)),
    ("M08", "2015-04-13", "Upheld", (RED_FLAGS, TEMPLATE)),
    ("M09", "2015-04-27", "Upheld", (COLLISION, TEMPLATE)),
    ("M10", "2015-05-11", "Overturned", (COLLISION,)),
    ("M11", "2015-05-25", "Upheld", (RED_FLAGS, CONSULT, TEMPLATE)),
    ("M12", "2015-06-08", "Upheld", (RED_FLAGS, TEMPLATE)),
    ("M13", "2015-06-22", "Overturned", (COLLISION,)),
    ("M14", "2015-07-06", "Upheld", (RED_FLAGS, TEMPLATE)),
    ("M15", "2015-07-20", "Upheld", (RED_FLAGS, TEMPLATE)),
    ("M16", "2015-08-03", "Overturned", (COLLISION, CONSULT)),
    ("M17", "2015-08-17", "Upheld", (CONSULT, TEMPLATE)),
    ("M18", "2015-08-31", "Overturned", (COLLISION,)),
    ("M19", "2015-09-14", "Upheld", (TEMPLATE,)),
    ("M20", "2015-09-28", "Overturned", (TEMPLATE,)),
]


def _letter(
    alias: str,
    number: int,
    date: str,
    treatment: str,
    outcome: str,
    summary: str,
    rationale: str,
    citations: tuple[Citation, ...],
) -> Letter:
    case = f"CM{date[2:4]}-02{number:05d}"
    parties = {c.party for c in citations}
    item = Item(
        id=item_id(case, 1),
        item_number=1,
        treatment=treatment,
        outcome=outcome,  # type: ignore[arg-type]
        rationale=rationale,
        citations=citations,
        cited_nothing=tuple(p for p in ("claims_administrator", "reviewer") if p not in parties),
        category=_CATEGORY[treatment],
        body_regions=("lumbar spine",),
    )
    return Letter(
        case_number=case,
        format="standard",
        source=f"{SOURCE_DIR}/{alias}.txt",
        items=(item,),
        decision_date=date,
        date_assigned=date,
        specialties=("Physical Medicine & Rehabilitation",),
        licensure=("California",),
        clinical_summary=summary,
        priority="Standard",
    )


def _build() -> tuple[list[Letter], dict[str, str], dict[str, str]]:
    letters: list[Letter] = []
    ids: dict[str, str] = {}
    dates: dict[str, str] = {}
    rows = [
        (alias, date, treatment, outcome, summary, rationale, citations)
        for alias, date, treatment, outcome, summary, rationale, citations in _CITATOR
    ] + [
        (alias, date, MRI, outcome, MRI_SUMMARY, " ".join((BOILERPLATE, *sentences)), ())
        for alias, date, outcome, sentences in _REASONS
    ]
    for number, (alias, date, *rest) in enumerate(rows, start=1):
        letter = _letter(alias, number, date, *rest)
        letters.append(letter)
        ids[alias] = letter.items[0].id
        dates[alias] = date
    return letters, ids, dates


LETTERS, ID, DATE = _build()
ALIAS: dict[str, str] = {v: k for k, v in ID.items()}
CITATOR = tuple(row[0] for row in _CITATOR)
REASONS = tuple(row[0] for row in _REASONS)


def source_letters() -> list[SourceDocuments]:
    """What the pipeline would hand the engine for these letters."""
    return corpus.source_letters(LETTERS)


def aliases(ids: Iterable[str]) -> set[str]:
    """The aliases of item ids (for readable assertions)."""
    return {ALIAS[i] for i in ids}

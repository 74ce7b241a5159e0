"""The "as requested" comparison's fixture corpus: 8 letters, 9 items, written by hand.

    alias  date        request                         reviewer cited   rationale says
    Q1     2020-06-01  MRI of the lumbar spine         ODG: Low Back    osteopenia, no red flags
    Q2     2020-06-01  MRI of the lumbar spine         MTUS ACOEM       conservative care untried
    MA     2019-03-01  MRI of the lumbar spine         (nothing)        no red flags
    MB     2019-04-01  MRI of the cervical spine       ODG: Low Back    collision history
    MC     2019-05-01  MRI of the lumbar spine         ODG: Low Back    no red flags
    CZ     2019-02-01  Calcium and vitamin D           (nothing)        osteopenia alone
    PT     2018-01-10  Physical therapy for the knee   (nothing)        sessions completed
    AC     2018-02-10  Acupuncture 6 sessions          (nothing)        no functional gain
    UN     (no date)   MRI of the lumbar spine         (nothing)        no red flags

Q1 and Q2 are the two items of one letter, requested alike: the same treatment and the same
clinical summary; only their rationales, outcomes and reviewers' guidelines differ, and each
is the other's own letter (never a similar case of it). "osteopenia" is in Q1's and CZ's
rationales and nowhere else; CZ (a medication) shares no word with Q1's request or summary.
MA and MC state the finding "no red flags" in their rationales, as Q1's does; no summary
states a finding but MA's ("radiating": radiculopathy). UN has no decision date.
"""

from __future__ import annotations

from collections.abc import Iterable

from imr_search.contract import SourceDocuments
from indexer.records import Citation, Item, Letter, item_id

from . import corpus

SOURCE_DIR = "/fixtures/as-requested"
LUMBAR_MRI = "MRI of the lumbar spine"

LB = ("ODG", "Low Back")
AC = ("MTUS", "ACOEM Ch. 12: Low Back Complaints (2004)")


def _rev(source_guideline: tuple[str, str]) -> Citation:
    source, guideline = source_guideline
    return Citation(
        party="reviewer",
        source=source,  # type: ignore[arg-type]
        mtus=source == "MTUS",
        guideline=guideline,
        text=f"Decision based on {source} {guideline}.",
    )


_Item = tuple[str, str, str, str, str, tuple[Citation, ...]]
# (date, summary, [(alias, treatment, category, outcome, rationale, reviewer's citations)])
_LETTERS: list[tuple[str | None, str, list[_Item]]] = [
    ("2020-06-01", "The injured worker reports low back pain after lifting a crate at the "
     "warehouse.", [
        ("Q1", LUMBAR_MRI, "imaging", "Upheld",
         "The radiographs showed osteopenia only and there are no red flags.", (_rev(LB),)),
        ("Q2", LUMBAR_MRI, "imaging", "Overturned",
         "Conservative care has not been tried yet so imaging is premature.", (_rev(AC),)),
    ]),
    ("2019-03-01", "Low back pain radiating to the leg after a fall from a ladder.", [
        ("MA", LUMBAR_MRI, "imaging", "Upheld",
         "There are no red flags and the examination is unchanged.", ()),
    ]),
    ("2019-04-01", "Neck pain since a rear end collision on the freeway.", [
        ("MB", "MRI of the cervical spine", "imaging", "Overturned",
         "The collision history and the deficits support imaging.", (_rev(LB),)),
    ]),
    ("2019-05-01", "Chronic low back pain in a delivery driver who lifts parcels.", [
        ("MC", LUMBAR_MRI, "imaging", "Upheld",
         "There are no red flags on the last two examinations.", (_rev(LB),)),
    ]),
    ("2019-02-01", "A bone scan was done for a seventy year old clerk.", [
        ("CZ", "Calcium and vitamin D supplements", "medication", "Upheld",
         "Supplements are not needed for osteopenia alone.", ()),
    ]),
    ("2018-01-10", "A cook twisted her knee on a wet floor.", [
        ("PT", "Physical therapy for the knee", "physical therapy", "Upheld",
         "Twelve sessions were completed with gains already.", ()),
    ]),
    ("2018-02-10", "A seamstress has chronic neck strain and headaches.", [
        ("AC", "Acupuncture 6 sessions", "acupuncture", "Overturned",
         "Prior sessions gave no functional gain for her headaches.", ()),
    ]),
    (None, "Low back pain in a roofer after a slip on wet tiles.", [
        ("UN", LUMBAR_MRI, "imaging", "Upheld",
         "There are no red flags and radiographs were normal.", ()),
    ]),
]  # fmt: skip


def _build() -> tuple[list[Letter], dict[str, str]]:
    letters: list[Letter] = []
    ids: dict[str, str] = {}
    for number, (date, summary, rows) in enumerate(_LETTERS, start=1):
        case = f"CM20-03{number:05d}"
        items = tuple(
            Item(
                id=item_id(case, n),
                item_number=n,
                treatment=treatment,
                outcome=outcome,  # type: ignore[arg-type]
                rationale=rationale,
                citations=cites,
                cited_nothing=() if cites else ("reviewer",),
                category=category,
                body_regions=(),
            )
            for n, (_, treatment, category, outcome, rationale, cites) in enumerate(rows, start=1)
        )
        letters.append(
            Letter(
                case_number=case,
                format="standard",
                source=f"{SOURCE_DIR}/{number}.txt",
                items=items,
                decision_date=date,
                date_assigned=date,
                clinical_summary=summary,
            )
        )
        ids.update((row[0], item.id) for row, item in zip(rows, items, strict=True))
    return letters, ids


LETTERS, ID = _build()
ALIAS: dict[str, str] = {v: k for k, v in ID.items()}


def source_letters() -> list[SourceDocuments]:
    return corpus.source_letters(LETTERS)


def aliases(ids: Iterable[str]) -> list[str]:
    """The aliases of item ids, in order (for readable assertions)."""
    return [ALIAS[i] for i in ids]

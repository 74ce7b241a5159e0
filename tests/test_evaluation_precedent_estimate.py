"""evaluation/precedent_estimate.py on a tiny corpus written for this test (no real letter):
the Brier scores, skills, smoothing, calibration and bootstrap worked out by hand from
precedents a stub engine returns; precedents that are not prior decisions are refused; and
the SQLite engine's prior-only estimate passes that check on the same letters.

The corpus (U = Upheld, O = Overturned):

    A-1  2017-01-05 U      B-1  2017-01-05 U      (nothing decided before: skipped)
    C-1  2017-02-01 U      C-2  2017-02-01 O
    D-1  2017-03-01 O      E-1  (no date) U       (skipped)

Whole-corpus rate 4/6; the honest prior rate is 2/2 = 1 for C-1 and C-2, 3/4 for D-1.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import cast

import pytest

from evaluation.precedent_estimate import (
    Case,
    bootstrap,
    brier,
    calibration,
    documents,
    index,
    raw,
    score,
    skill,
    smoothed,
)
from imr_search.contract import Engine, SimilarHit, SimilarRequest
from imr_search.engines import open_engine
from indexer.records import Item, Letter, item_id

SUMMARY = (
    "The injured worker is a {age} year old {sex} who strained the low back lifting a pallet. "
    "Treatment has included medication, home exercise and a course of physical therapy."
)
RATIONALE = {
    "Upheld": "Acupuncture may be used when pain medication is reduced or not tolerated. The "
    "notes show no functional gain from earlier sessions, so more sessions are not supported.",
    "Overturned": "Acupuncture may be used when pain medication is reduced or not tolerated. "
    "The notes record reduced medication use after a first trial, so a further trial is fit.",
}


def _letter(case: str, date: str | None, *outcomes: str, age: int = 40) -> Letter:
    items = tuple(
        Item(
            id=item_id(case, n),
            item_number=n,
            treatment=f"Acupuncture {4 + 2 * n} sessions for the lumbar spine",
            outcome=outcome,  # type: ignore[arg-type]
            rationale=RATIONALE[outcome],
            category="acupuncture",
            body_regions=("lumbar spine",),
        )
        for n, outcome in enumerate(outcomes, start=1)
    )
    return Letter(
        case_number=case,
        format="standard",
        source=f"/fixtures/estimate/{case}.txt",
        items=items,
        decision_date=date,
        date_assigned=date,
        clinical_summary=SUMMARY.format(age=age, sex="male" if age % 2 else "female"),
    )


LETTERS = [
    _letter("CM17-0000001", "2017-01-05", "Upheld", age=41),
    _letter("CM17-0000002", "2017-01-05", "Upheld", age=52),
    _letter("CM17-0000003", "2017-02-01", "Upheld", "Overturned", age=37),
    _letter("CM17-0000004", "2017-03-01", "Overturned", age=46),
    _letter("CM17-0000005", None, "Upheld", age=29),
]
DOCS = documents(LETTERS)
BY_ALIAS = {"ABCDE"[int(d.letter_id[-1]) - 1] + f"-{d.item_number}": d for d in DOCS}


class StubEngine:
    """Answers `similar` with the hits listed for each item (item probe) and for each item's
    pasted request (text probe, matched by its treatment and summary)."""

    def __init__(self, by_item: Mapping[str, str], by_text: Mapping[str, str]) -> None:
        self.by_item, self.by_text = by_item, by_text

    def similar(self, request: SimilarRequest) -> list[SimilarHit]:
        if request.item_id is not None:
            alias = next(a for a, d in BY_ALIAS.items() if d.id == request.item_id)
            names = self.by_item.get(alias, "")
        else:
            text = request.text or ""
            alias = next(
                a
                for a, d in BY_ALIAS.items()
                if d.treatment in text and d.letter.clinical_summary in text
            )
            names = self.by_text.get(alias, "")
        hits = [BY_ALIAS[name] for name in names.split()]
        return [SimilarHit(doc=d, score=1.0, shared_terms=()) for d in hits[: request.k]]


# Item probe: C-1 <- A, B (p 1, y 1); C-2 <- A (p 1, y 0); D-1 <- C-2, A (p 1/2, y 0).
# Request probe (filtered to prior decisions of other letters, then the first 2):
# C-1 <- [C-2 same letter, D-1 later] B (p 1); C-2 <- [E undated] nothing (the prior rate, 1);
# D-1 <- A, B (p 1).
STUB = StubEngine(
    by_item={"C-1": "A-1 B-1", "C-2": "A-1", "D-1": "C-2 A-1"},
    by_text={"C-1": "C-2 D-1 B-1", "C-2": "E-1", "D-1": "A-1 B-1 C-2"},
)


@pytest.fixture(scope="module")
def scored():  # type: ignore[no-untyped-def]
    return score(cast(Engine, STUB), DOCS, ks=(2,))


def test_skipped_and_scored(scored) -> None:  # type: ignore[no-untyped-def]
    assert [c.item_id for c in scored.cases] == [BY_ALIAS[a].id for a in ("C-1", "C-2", "D-1")]
    assert scored.skipped == {"no decision before it": 2, "no decision date": 1}
    assert scored.corpus_rate == pytest.approx(4 / 6)
    assert [c.prior for c in scored.cases] == [1.0, 1.0, 0.75]
    assert [c.counts[("item", 2)] for c in scored.cases] == [(2, 2), (1, 1), (1, 2)]
    assert [c.counts[("request", 2)] for c in scored.cases] == [(1, 1), (0, 0), (2, 2)]


def test_brier_by_hand(scored) -> None:  # type: ignore[no-untyped-def]
    cases: list[Case] = scored.cases
    corpus = brier(cases, lambda c: 4 / 6)  # (1/9 + 4/9 + 4/9) / 3
    prior = brier(cases, lambda c: c.prior)  # (0 + 1 + 0.5625) / 3
    item = brier(cases, raw("item", 2))  # (0 + 1 + 0.25) / 3
    request = brier(cases, raw("request", 2))  # (0 + 1 + 1) / 3
    item_smoothed = brier(cases, smoothed("item", 2))  # D-1: (1 + 7.5) / 12
    assert corpus == pytest.approx(1 / 3)
    assert prior == pytest.approx(1.5625 / 3)
    assert item == pytest.approx(1.25 / 3)
    assert request == pytest.approx(2 / 3)
    assert item_smoothed == pytest.approx((1 + (8.5 / 12) ** 2) / 3)
    assert skill(item, prior) == pytest.approx(0.2)
    assert skill(item, corpus) == pytest.approx(-0.25)


def test_calibration_and_bootstrap(scored) -> None:  # type: ignore[no-untyped-def]
    assert calibration(scored.cases, raw("item", 2)) == [
        ("[0.4, 0.6)", 1, 0.5, 0.0),
        ("[0.9, 1.0]", 2, 1.0, 0.5),
    ]
    # Per letter, Brier(item) - Brier(prior): C 0 over 2 items, D -0.3125 over 1 item; the
    # resampled means are 0 (C, C), -0.3125/3 (C, D) and -0.3125 (D, D).
    assert bootstrap(scored.cases, raw("item", 2), lambda c: c.prior) == pytest.approx(
        (-0.3125, 0.0)
    )


# F-1: another letter decided the same day as C.
SAME_DAY = documents([_letter("CM17-0000006", "2017-02-01", "Upheld", age=33)])[0]
BY_ALIAS["F-1"] = SAME_DAY


@pytest.mark.parametrize("leak", ["C-1", "C-2", "D-1", "F-1", "E-1"])
def test_a_precedent_not_decided_before_is_refused(leak: str) -> None:
    """The item itself, its own letter, a decision of the same day or later, or undated,
    is never a precedent."""
    engine = StubEngine(by_item={"C-1": leak}, by_text={})
    with pytest.raises(AssertionError, match="is not a precedent"):
        score(cast(Engine, engine), [*DOCS, SAME_DAY], ks=(2,))


def test_sqlite_estimate_uses_prior_decisions_only(tmp_path: Path) -> None:
    target = str(tmp_path / "estimate.sqlite3")
    index(LETTERS, target)
    engine = open_engine(target)
    try:
        result = score(engine, DOCS, ks=(1, 20))
    finally:
        engine.close()
    assert result.skipped == {"no decision before it": 2, "no decision date": 1}
    # Every prior decision of another letter is a precedent at k=20: A, B; A, B; A, B, C-1, C-2.
    assert [c.counts[("item", 20)] for c in result.cases] == [(2, 2), (2, 2), (3, 4)]
    assert all(c.counts[("item", 1)][1] == 1 for c in result.cases)

"""The precedent estimate (imr_search.estimate) on the citator corpus (any engine).

The 20 MRI decisions (M01..M20, 2015) are the oldest of the corpus; M05 and M06 were decided
the same day (2015-03-02). M01 Upheld, M02 Overturned, M03 Upheld, M04 Overturned.
"""

from __future__ import annotations

import pytest

from imr_search import estimate
from imr_search.contract import BreakdownRow, Engine, OutcomeRate, SimilarRequest
from imr_search.errors import InvalidParameter

from .citator_corpus import DATE, ID, REASONS, aliases


def test_a_short_text_is_refused_with_what_to_paste(citator_engine: Engine) -> None:
    with pytest.raises(InvalidParameter) as caught:
        estimate.check_text("lumbar MRI denied")
    assert caught.value.parameter == "text"
    assert "'text'" in str(caught.value) and "paste" in str(caught.value)
    with pytest.raises(InvalidParameter):
        estimate.for_text(citator_engine, "lumbar MRI denied")
    # Eight words are enough to compare.
    estimate.check_text("The lumbar MRI was denied after a motor vehicle collision.")


def test_an_item_is_compared_with_prior_decisions_only(citator_engine: Engine) -> None:
    """M06's prior decisions are M01..M04: not itself, not M05 (the same day), nothing later."""
    found = estimate.for_item(citator_engine, ID["M06"])
    assert aliases(h.doc.id for h in found.precedents) == {"M01", "M02", "M03", "M04"}
    assert all(h.doc.letter.decision_date < DATE["M06"] for h in found.precedents)  # type: ignore[operator]
    assert found.prior_only
    assert (found.rate.upheld, found.rate.overturned) == (2, 2)
    assert found.by_guideline == (BreakdownRow("cited nothing", OutcomeRate(2, 2)),)
    assert (found.reasons.read, found.reasons.upheld_read, found.reasons.overturned_read) == (
        4,
        2,
        2,
    )
    assert found.note == f"{estimate.NOT_A_PREDICTION} {estimate.AS_REQUESTED}"
    # Without the date bound the same-day and later MRI decisions are the most similar.
    everything = citator_engine.similar(SimilarRequest(item_id=ID["M06"], k=20))
    assert {"M05", "M07", "M20"} <= aliases(h.doc.id for h in everything)


def test_the_oldest_decision_has_no_precedent(citator_engine: Engine) -> None:
    found = estimate.for_item(citator_engine, ID["M01"])
    assert found.precedents == ()
    assert (found.rate.total, found.by_guideline, found.reasons.read) == (0, (), 0)


def test_k_bounds_the_precedents(citator_engine: Engine) -> None:
    """M12 has eleven prior MRI decisions (M01..M11), each more similar than any other
    request: the five precedents are five of them."""
    found = estimate.for_item(citator_engine, ID["M12"], k=5)
    got = aliases(h.doc.id for h in found.precedents)
    assert len(got) == 5 and got <= set(REASONS[:11])
    assert found.rate.total == 5 == found.reasons.read

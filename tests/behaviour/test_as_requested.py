"""Similar cases "as requested" (any engine): an item compared with what was known before its
review only (its request and its clinical summary), never its rationale nor its reviewer's
guidelines; the precedent estimate compares that way. Corpus: as_requested_corpus.py.
"""

from __future__ import annotations

from imr_search import estimate
from imr_search.contract import Engine, SimilarHit, SimilarRequest

from .as_requested_corpus import ID, aliases


def _similar(engine: Engine, alias: str, **options: object) -> list[SimilarHit]:
    return engine.similar(SimilarRequest(item_id=ID[alias], k=20, **options))  # type: ignore[arg-type]


def test_items_requested_alike_get_the_same_cases(as_requested_engine: Engine) -> None:
    """Q1 and Q2: the same request and summary, different rationales and guidelines."""
    q1 = _similar(as_requested_engine, "Q1", as_requested=True)
    q2 = _similar(as_requested_engine, "Q2", as_requested=True)
    assert aliases(h.doc.id for h in q1)[:4] == ["MC", "MA", "UN", "MB"]  # MRIs: lumbar first
    assert q1 == q2  # the same cases, scores, shared terms and reasons
    # Compared in full, their rationales and guidelines set them apart.
    full1 = _similar(as_requested_engine, "Q1")
    full2 = _similar(as_requested_engine, "Q2")
    assert [(h.doc.id, h.score) for h in full1] != [(h.doc.id, h.score) for h in full2]


def test_a_word_only_in_the_rationale_pulls_in_nothing(as_requested_engine: Engine) -> None:
    """'osteopenia' is in Q1's and CZ's rationales only: it finds CZ (another kind of request)
    in the full comparison, never as requested."""
    full = _similar(as_requested_engine, "Q1")
    assert "CZ" in aliases(h.doc.id for h in full)
    cz = next(h for h in full if h.doc.id == ID["CZ"])
    assert "osteopenia" in cz.shared_terms
    requested = _similar(as_requested_engine, "Q1", as_requested=True)
    assert "CZ" not in aliases(h.doc.id for h in requested)
    assert all("osteopenia" not in h.shared_terms for h in requested)


def test_reviewer_guidelines_and_rationale_findings_are_not_compared(
    as_requested_engine: Engine,
) -> None:
    """Q1's reviewer relied on ODG: Low Back and its rationale states "no red flags", as MC's
    does (MC's reviewer relied on ODG: Low Back too)."""
    full = {h.doc.id: h.why for h in _similar(as_requested_engine, "Q1")}
    assert full[ID["MC"]].shared_guidelines == ("ODG: Low Back",)
    assert "no red flags" in full[ID["MC"]].shared_findings
    requested = _similar(as_requested_engine, "Q1", as_requested=True)
    assert requested
    for hit in requested:
        assert (hit.why.shared_guidelines, hit.why.shared_sections) == ((), ())
        assert hit.why.shared_findings == ()  # Q1's summary states no finding


def test_the_estimate_compares_as_requested(as_requested_engine: Engine) -> None:
    found = estimate.for_item(as_requested_engine, ID["Q1"])
    expected = _similar(as_requested_engine, "Q1", as_requested=True, prior_only=True)
    assert [h.doc.id for h in found.precedents] == [h.doc.id for h in expected]
    assert set(aliases(h.doc.id for h in found.precedents)) <= {"MA", "MB", "MC", "PT", "AC"}
    assert found.prior_only
    assert found.note == f"{estimate.NOT_A_PREDICTION} {estimate.AS_REQUESTED}"
    assert "request and the clinical summary, as known before the review" in found.note


def test_an_undated_item_is_compared_with_every_decision_and_says_so(
    as_requested_engine: Engine,
) -> None:
    """UN has no decision date: no prior filter is possible, and the note says so."""
    found = estimate.for_item(as_requested_engine, ID["UN"])
    assert not found.prior_only
    assert found.note.endswith(estimate.UNDATED)
    got = set(aliases(h.doc.id for h in found.precedents))
    assert {"Q1", "Q2"} <= got  # decided in 2020, after every other dated decision

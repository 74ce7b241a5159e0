"""The reasons that separate outcomes (imr_search.reasons) on the citator corpus (any engine).

The set is the 20 MRI decisions (category "imaging"): 12 Upheld, 8 Overturned, one sentence
per reason as citator_corpus.py's docstring lists. Dunning's G² of each 2x2 table (uses it or
not x Upheld or Overturned), worked by hand from the counts:

- "no red flags" 7 of 12 Upheld, 1 of 8 Overturned: expected 4.8, 3.2, 7.2, 4.8;
  G² = 2 (7 ln 7/4.8 + ln 1/3.2 + 5 ln 5/7.2 + 7 ln 7/4.8) = 4.59 (> 3.84): leans Upheld;
- "motor vehicle collision" 1 of 12, 6 of 8: expected 4.2, 2.8, 7.8, 5.2; G² = 10.02;
- in the newest ten (M11..M20: 6 Upheld, 4 Overturned) they are 4 of 6 | 0 of 4 (G² 5.82) and
  0 of 6 | 3 of 4 (G² 7.72).
"""

from __future__ import annotations

import pytest

from imr_search import reasons
from imr_search.contract import Engine, SearchRequest
from imr_search.reasons import Reason

from .citator_corpus import BOILERPLATE, TEMPLATE

MRIS = SearchRequest(filters={"category": ["imaging"]})


def _counts(found: tuple[Reason, ...]) -> list[tuple[str, str, int, int, str]]:
    return [(r.text, r.kind, r.upheld, r.overturned, r.leans) for r in found]


def test_reasons_of_a_search(citator_engine: Engine) -> None:
    found = reasons.of_search(citator_engine, MRIS)
    assert (found.read, found.total, found.sampled) == (20, 20, False)
    assert (found.upheld_read, found.overturned_read) == (12, 8)
    # The finding only: the same words as a phrase say nothing more ("red flags" and "no
    # red" are inside it, with the same counts), and a phrase must pass G² 6.63 anyway.
    assert _counts(found.upheld) == [("no red flags", "finding", 7, 1, "Upheld")]
    # "a recent motor vehicle collision": "recent" carries no evidence, so the phrase starts
    # at "motor"; it states no finding.
    assert _counts(found.overturned) == [("motor vehicle collision", "phrase", 1, 6, "Overturned")]
    assert [r.g2 for r in found.upheld] == [pytest.approx(4.59, abs=0.01)]
    assert found.overturned[0].g2 == pytest.approx(10.02, abs=0.01)


def test_findings_too_rare_or_even_are_not_reasons(citator_engine: Engine) -> None:
    """The finding "failed conservative care": 2 decisions (fewer than MIN_SUPPORT = 3); "surgery
    contemplated": 3 of 12 Upheld and 2 of 8 Overturned, the same share (G² = 0)."""
    found = reasons.of_search(citator_engine, MRIS)
    texts = {r.text for r in found.upheld + found.overturned}
    assert not texts & {"failed conservative care", "surgery contemplated"}
    assert not any("conservative" in t or "consultation" in t for t in texts)
    facets = citator_engine.search(
        SearchRequest(filters=MRIS.filters, per_page=0, breakdown="finding", facet_size=20)
    )
    rows = {row.value: (row.rate.upheld, row.rate.overturned) for row in facets.breakdown}
    assert rows["failed conservative care"] == (2, 0)
    assert rows["surgery contemplated"] == (3, 2)


def test_boilerplate_and_template_are_never_reasons(
    citator_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every rationale opens with BOILERPLATE (20 of 20: no contrast); TEMPLATE is in every
    Upheld rationale and in M20 (13 of 20, more than MAX_SHARE = 60%): a template, however
    lopsided."""
    found = reasons.of_search(citator_engine, MRIS)
    template = reasons.phrases(TEMPLATE)
    boilerplate = reasons.phrases(BOILERPLATE)
    assert template and boilerplate
    for reason in found.upheld + found.overturned:
        assert reason.text not in template | boilerplate
        assert "imaging" not in reason.text
    # Without the share bound the template's phrases would lead the Upheld reasons (12 | 1);
    # the boilerplate still would not appear.
    monkeypatch.setattr(reasons, "MAX_SHARE", 1.0)
    unbounded = reasons.of_search(citator_engine, MRIS)
    texts = {r.text: (r.upheld, r.overturned) for r in unbounded.upheld}
    assert texts["standard lumbar imaging pathway"] == (12, 1)
    assert texts["lumbar imaging pathway applies"] == (12, 1)
    assert not {r.text for r in unbounded.upheld + unbounded.overturned} & boilerplate


def test_the_sample_bound_reads_the_newest(
    citator_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SAMPLE = 10 in pages of 5: the newest ten, M11..M20 (6 Upheld, 4 Overturned)."""
    monkeypatch.setattr(reasons, "SAMPLE", 10)
    monkeypatch.setattr(reasons, "PAGE", 5)
    found = reasons.of_search(citator_engine, MRIS)
    assert (found.read, found.total, found.sampled) == (10, 20, True)
    assert (found.upheld_read, found.overturned_read) == (6, 4)
    assert _counts(found.upheld) == [("no red flags", "finding", 4, 0, "Upheld")]  # M11 M12 M14 M15
    assert _counts(found.overturned) == [
        ("motor vehicle collision", "phrase", 0, 3, "Overturned")  # M13 M16 M18
    ]
    assert found.upheld[0].g2 == pytest.approx(5.82, abs=0.01)
    assert found.overturned[0].g2 == pytest.approx(7.72, abs=0.01)


def test_pages_are_read_to_the_end(citator_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 3: six full pages and a last one of 2 read all 20 (below the bound), and
    the answer is the one a single page gives."""
    whole = reasons.of_search(citator_engine, MRIS)
    monkeypatch.setattr(reasons, "PAGE", 3)
    found = reasons.of_search(citator_engine, MRIS)
    assert (found.read, found.total, found.sampled) == (20, 20, False)
    assert found == whole


def test_the_search_query_narrows_the_set(citator_engine: Engine) -> None:
    """ "collision" is in 7 rationales: M09 (Upheld) and 6 Overturned. Used by all of them,
    the phrase separates nothing there."""
    found = reasons.of_search(citator_engine, SearchRequest(query="collision"))
    assert (found.read, found.total, found.upheld_read, found.overturned_read) == (7, 7, 1, 6)
    assert found.overturned == ()


def test_phrases_stay_within_a_sentence() -> None:
    text = "There are no red flags. The standard lumbar imaging pathway applies."
    found = reasons.phrases(text)
    assert {"no red flags", "standard lumbar imaging pathway"} <= found
    assert not any("flags" in p and "standard" in p for p in found)

"""Similar prior cases (any engine): by item id or free text, self and own letter excluded.

L17-1, L18-1 and L19-1 are the corpus's kyphoplasty / vertebral compression fracture cases;
L17-2 is L17-1's sibling (same letter, same summary, different treatment).
"""

from __future__ import annotations

import pytest

from imr_search.contract import Engine, SimilarRequest
from imr_search.elastic import similar as elastic_similar
from imr_search.errors import InvalidParameter, ItemNotFound
from imr_search.sqlite import similar_terms
from mappings.schema import to_builtins
from search_ui.payloads import similar_case

from .corpus import ID, ITEMS

SHARED_STEMS = ("kyphoplast", "vertebr", "compress", "fractur")


def test_similar_to_an_item(engine: Engine) -> None:
    hits = engine.similar(SimilarRequest(item_id=ID["L17-1"], k=5))
    got = [h.doc.id for h in hits]
    assert ID["L17-1"] not in got and ID["L17-2"] not in got  # itself and its own letter
    assert set(got[:2]) == {ID["L18-1"], ID["L19-1"]}
    assert 1 <= len(hits) <= 5
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits[:2]:
        assert any(t.lower().startswith(SHARED_STEMS) for t in hit.shared_terms), hit.shared_terms
    for hit in hits:  # whole documents, long texts included
        assert hit.doc == engine.get_item(hit.doc.id)


def test_including_the_same_letter(engine: Engine) -> None:
    hits = engine.similar(SimilarRequest(item_id=ID["L17-1"], k=10, include_same_letter=True))
    got = [h.doc.id for h in hits]
    assert ID["L17-2"] in got and ID["L17-1"] not in got


def test_same_category(engine: Engine) -> None:
    hits = engine.similar(SimilarRequest(item_id=ID["L17-1"], k=10, same_category=True))
    assert hits and all(h.doc.category == "surgery" for h in hits)
    assert {h.doc.id for h in hits[:2]} == {ID["L18-1"], ID["L19-1"]}
    dme = engine.similar(
        SimilarRequest(item_id=ID["L17-1"], k=10, category="durable medical equipment")
    )
    assert dme and all(h.doc.category == "durable medical equipment" for h in dme)
    assert ID["L17-2"] not in {h.doc.id for h in dme}  # still its own letter


def test_similar_to_free_text(engine: Engine) -> None:
    text = (
        "The request for kyphoplasty of a painful vertebral compression fracture was "
        "denied by utilization review."
    )
    hits = engine.similar(SimilarRequest(text=text, k=3))
    assert {h.doc.id for h in hits} == {ID["L17-1"], ID["L18-1"], ID["L19-1"]}
    assert all(h.shared_terms for h in hits)
    surgery = engine.similar(SimilarRequest(text=text, k=10, category="surgery"))
    assert all(h.doc.category == "surgery" for h in surgery)


def test_similar_hit_json(engine: Engine) -> None:
    hit = engine.similar(SimilarRequest(item_id=ID["L18-1"], k=1))[0]
    data = to_builtins(similar_case(hit))
    assert set(data) >= {"id", "treatment", "outcome", "category", "score", "shared_terms"}
    assert data["id"] in {ID["L17-1"], ID["L19-1"]}
    assert hit.doc == engine.get_item(data["id"])


def test_similar_errors(engine: Engine) -> None:
    with pytest.raises(ItemNotFound):
        engine.similar(SimilarRequest(item_id="CM99-0000000-1"))
    with pytest.raises(InvalidParameter):
        SimilarRequest()
    with pytest.raises(InvalidParameter):
        SimilarRequest(item_id=ID["L1-1"], text="knee")
    with pytest.raises(InvalidParameter):
        SimilarRequest(text="   ")
    with pytest.raises(InvalidParameter):
        SimilarRequest(item_id=ID["L1-1"], k=0)


def test_text_without_known_words_finds_nothing(engine: Engine) -> None:
    assert engine.similar(SimilarRequest(text="qqqq zzzz xxxyyy")) == []


def test_every_item_has_some_similar_case(engine: Engine) -> None:
    for item_id in ITEMS:
        hits = engine.similar(SimilarRequest(item_id=item_id, k=3))
        letter = ITEMS[item_id][0].letter_id
        assert all(h.doc.letter_id != letter for h in hits)


def test_words_in_more_items_than_the_budget_make_no_case_similar(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """similarity.TERM_DF_BUDGET bounds how many items a word of similar cases may be in, on
    both engines: the kyphoplasty words (in L17-1, L17-2, L18-1 and L19-1) above it are
    nobody's shared terms; the same kind of request still comes first."""
    monkeypatch.setattr(similar_terms, "TERM_DF_BUDGET", 1)
    monkeypatch.setattr(elastic_similar, "TERM_DF_BUDGET", 1)
    hits = engine.similar(SimilarRequest(item_id=ID["L17-1"], k=7))  # k: no cached answer
    assert {h.doc.id for h in hits[:2]} == {ID["L18-1"], ID["L19-1"]}
    for hit in hits:
        assert not any(t.lower().startswith(SHARED_STEMS) for t in hit.shared_terms), hit


# --- the same kind of request first, and the options (imr_search.similarity) ---------------
# Kyphoplasty: L17-1 2022-02-14 Upheld thoracic; L18-1 2023-03-21 Overturned lumbar;
# L19-1 2024-01-09 Upheld lumbar. Physical therapy: L1-1 lumbar, L2-1 knee, L3-1 shoulder.


def test_the_same_kind_and_region_come_first_and_say_so(engine: Engine) -> None:
    hits = engine.similar(SimilarRequest(item_id=ID["L19-1"], k=3))
    assert [h.doc.id for h in hits[:2]] == [ID["L18-1"], ID["L17-1"]]  # lumbar before thoracic
    why = hits[0].why
    assert why.same_kind == "Kyphoplasty / vertebroplasty"
    assert why.same_regions == ("lumbar spine",) and why.same_request
    assert hits[1].why.same_kind and not hits[1].why.same_regions
    assert hits[0].score > hits[1].score > hits[2].score


def test_only_prior_decisions(engine: Engine) -> None:
    hits = engine.similar(SimilarRequest(item_id=ID["L18-1"], k=10, prior_only=True))
    assert hits[0].doc.id == ID["L17-1"]
    assert all(
        h.doc.letter.decision_date and h.doc.letter.decision_date < "2023-03-21" for h in hits
    )
    assert ID["L19-1"] not in {h.doc.id for h in hits}


def test_only_the_same_outcome_and_region(engine: Engine) -> None:
    upheld = engine.similar(SimilarRequest(item_id=ID["L19-1"], k=10, same_outcome=True))
    assert upheld[0].doc.id == ID["L17-1"] and all(h.doc.outcome == "Upheld" for h in upheld)
    lumbar = engine.similar(SimilarRequest(item_id=ID["L19-1"], k=10, same_region=True))
    assert lumbar[0].doc.id == ID["L18-1"]
    assert all("lumbar spine" in h.doc.request.regions for h in lumbar)


def test_pasted_text_is_read_for_its_kind_of_request_and_region(engine: Engine) -> None:
    text = (
        "The request for 12 sessions of physical therapy for the lumbar spine was "
        "non-certified by utilization review."
    )
    hits = engine.similar(SimilarRequest(text=text, k=3))
    assert [h.doc.id for h in hits][0] == ID["L1-1"]
    assert {h.doc.id for h in hits} == {ID["L1-1"], ID["L2-1"], ID["L3-1"]}
    assert all(h.why.same_kind == "Physical therapy" for h in hits)
    with pytest.raises(InvalidParameter):
        SimilarRequest(text=text, prior_only=True)

"""The "as requested" comparison's parts, without an engine (unit tests): which texts it
reads (the field table), the probe of an item, the request's validation, each engine's query
parts, and the estimate's request and note (a stub engine). Corpus: as_requested_corpus.py."""

from __future__ import annotations

from typing import cast

import pytest

from imr_search import estimate
from imr_search.contract import Engine, SimilarHit, SimilarRequest
from imr_search.elastic.similar import FIELDS, fields_of, more_like_this
from imr_search.errors import InvalidParameter
from imr_search.similarity import probe_of_item
from imr_search.sqlite.similar_terms import QueryTerm, terms_match
from indexer.documents import item_document
from mappings.fields import FIELDS_BY_SCOPE, SEARCH_FIELDS, SIMILAR_FIELDS, similar_fields
from mappings.schema import ItemDocument

from .as_requested_corpus import ID, LETTERS


def _doc(alias: str) -> ItemDocument:
    return next(
        item_document(letter, item)
        for letter in LETTERS
        for item in letter.items
        if item.id == ID[alias]
    )


def test_only_texts_known_before_the_review_are_compared_as_requested() -> None:
    assert [f.scope for f in similar_fields()] == ["treatment", "rationale", "summary"]
    assert similar_fields() == SIMILAR_FIELDS
    assert [f.scope for f in similar_fields(as_requested=True)] == ["treatment", "summary"]
    known = {f.scope for f in SEARCH_FIELDS if f.known_before_review}
    assert known == {"treatment", "summary", "request"}
    assert not FIELDS_BY_SCOPE["rationale"].known_before_review
    assert not FIELDS_BY_SCOPE["citation"].known_before_review
    # The weights stay the field table's.
    assert [f.similar_weight for f in similar_fields(as_requested=True)] == [4.0, 0.5]


def test_the_probe_of_an_item_as_requested() -> None:
    """Q1's rationale states "no red flags" and "imaging findings"; its reviewer relied on
    ODG: Low Back; its summary states no finding."""
    doc = _doc("Q1")
    full = probe_of_item(doc)
    assert full.guidelines == {"ODG: Low Back"} and "no red flags" in full.findings
    requested = probe_of_item(doc, as_requested=True)
    assert (requested.guidelines, requested.sections, requested.findings) == (
        frozenset(),
        frozenset(),
        frozenset(),
    )
    # The request, the date and the outcome (for the options' filters) stay.
    for name in ("concept", "family", "category", "phrase", "regions", "decision_date"):
        assert getattr(requested, name) == getattr(full, name), name
    assert (requested.item_id, requested.letter_id, requested.outcome) == (
        full.item_id,
        full.letter_id,
        full.outcome,
    )
    # Findings the summary states are kept: MA's summary reads "radiating to the leg".
    assert probe_of_item(_doc("MA"), as_requested=True).findings == {"radiculopathy"}


def test_as_requested_is_for_an_item() -> None:
    assert SimilarRequest(item_id="x", as_requested=True).as_requested
    assert not SimilarRequest(item_id="x").as_requested
    with pytest.raises(InvalidParameter) as caught:
        SimilarRequest(text="lumbar MRI after a fall", as_requested=True)
    assert caught.value.parameter == "as_requested"


def test_sqlite_matches_the_compared_texts_only() -> None:
    terms = [QueryTerm("crate", "crate", 2.0), QueryTerm("lift", "lifting", 1.0)]
    assert terms_match(terms) == '"crate" OR "lifting"'
    assert terms_match(terms, ["treatment", "summary"]) == (
        '{treatment summary} : ("crate" OR "lifting")'
    )


def test_elasticsearch_compares_the_allowed_fields_only() -> None:
    assert fields_of(SimilarRequest(item_id="x")) == FIELDS
    assert FIELDS == ("treatment", "rationale", "letter.clinical_summary")
    requested = fields_of(SimilarRequest(item_id="x", as_requested=True))
    assert requested == ("treatment", "letter.clinical_summary")
    query = more_like_this([{"_index": "i", "_id": "x"}], 2, 10, requested).to_dict()
    assert query["more_like_this"]["fields"] == ["treatment", "letter.clinical_summary"]


class _Stub:
    """Records the similar-cases requests of the estimate; answers with no case."""

    def __init__(self, doc: ItemDocument) -> None:
        self.doc = doc
        self.requests: list[SimilarRequest] = []

    def get_item(self, item_id: str) -> ItemDocument:
        assert item_id == self.doc.id
        return self.doc

    def similar(self, request: SimilarRequest) -> list[SimilarHit]:
        self.requests.append(request)
        return []


def test_the_estimate_of_an_item_compares_prior_decisions_as_requested() -> None:
    stub = _Stub(_doc("Q1"))
    found = estimate.for_item(cast(Engine, stub), ID["Q1"], k=7)
    assert stub.requests == [
        SimilarRequest(item_id=ID["Q1"], k=7, prior_only=True, as_requested=True)
    ]
    assert found.prior_only
    assert found.note == (
        "This summarises how the most similar past decisions went; it is not a prediction of "
        "how the next one will be decided. They are compared with this decision on the request "
        "and the clinical summary, as known before the review (not on its rationale or the "
        "guidelines its reviewer cited)."
    )


def test_an_undated_item_has_no_prior_filter_and_says_so() -> None:
    stub = _Stub(_doc("UN"))
    found = estimate.for_item(cast(Engine, stub), ID["UN"])
    assert stub.requests == [
        SimilarRequest(item_id=ID["UN"], k=estimate.PRECEDENTS, as_requested=True)
    ]
    assert not found.prior_only
    assert found.note.endswith(
        "This decision has no date, so it cannot be compared with prior decisions only: "
        "decisions of any date count, later ones included."
    )
    # A pasted text: no date, no item, the plain note.
    assert estimate.of_hits([], prior_only=False).note == estimate.NOT_A_PREDICTION

""" "Did you mean": misspelled words corrected from the index's own words, the rest of the
query as typed (any engine, the same suggestion on each)."""

from __future__ import annotations

import pytest

from imr_search.contract import Engine, SearchRequest


def _suggest(engine: Engine, query: str) -> tuple[int, str | None]:
    response = engine.search(SearchRequest(query=query, suggest=True))
    return response.total, response.suggestion


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("kyphoplsty", "kyphoplasty"),
        ("acupunture", "acupuncture"),
        ("KYPHOPLSTY", "KYPHOPLASTY"),  # written as typed
        ("Arthroscpy", "Arthroscopy"),
        ("treatment:acupunture -knee", "treatment:acupuncture -knee"),  # scope, exclusion kept
        ('"hardware blok"', '"hardware block"'),  # inside a phrase
        ("physcal therapy", "physical therapy"),
        ("kyphoplsty OR zzzzqq", "kyphoplasty OR zzzzqq"),  # no candidate: left as typed
        ("(acupunture OR chiropractc) NOT knee", "(acupuncture OR chiropractic) NOT knee"),
    ],
)
def test_misspelled_words_get_a_suggestion(engine: Engine, query: str, suggestion: str) -> None:
    total, found = _suggest(engine, query)
    assert found == suggestion
    assert engine.search(SearchRequest(query=found)).total > total


@pytest.mark.parametrize(
    "query",
    [
        "norco",  # known
        "acupunt*",  # a prefix is never corrected
        "-acupunture knee",  # nor an excluded word
        "zzzzqqqq",  # nothing near it
        "kyphoplsty knee",  # the correction finds nothing more
        "pain OR acupunture",  # enough results already
        "PT acupunture",  # PT (a synonym entry) stays; "PT acupuncture" finds nothing either
        "",
    ],
)
def test_no_suggestion(engine: Engine, query: str) -> None:
    assert _suggest(engine, query)[1] is None, query


def test_only_when_asked(engine: Engine) -> None:
    assert engine.search(SearchRequest(query="acupunture")).suggestion is None

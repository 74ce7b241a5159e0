"""The snippet of a hit is the passage that explains the decision, not boilerplate (any
engine, the same passage on each: imr_search.passages chooses it from the engine's marks)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from imr_search.contract import Engine, SearchRequest
from imr_search.engines import open_engine
from indexer.documents import source_documents
from indexer.records import Item, Letter
from search_ui.markup import to_markup

RATIONALES = {
    # The query's word is in every sentence: recap, boilerplate, standard, reason, conclusion.
    "reason": (
        "The documentation submitted for review indicates the patient was prescribed "
        "tizanidine in 2015. This decision addresses the medical necessity of tizanidine as "
        "prescribed. Guidelines recommend tizanidine only for short-term use in acute "
        "exacerbations. There is no documentation of objective functional improvement with "
        "tizanidine after more than a year of use. Therefore the request for tizanidine is "
        "not medically necessary."
    ),
    # One long sentence without an end: a window around its first mark.
    "long": "The patient reports " + "ongoing symptoms and " * 40 + "a zolpidem trial "
    "was given " + "with little change " * 20,
    "other": "Sleep hygiene was not documented, so the request is not medically necessary.",
}
SUMMARY = (
    "A 50 year old injured worker with chronic neck pain and insomnia treated with eszopiclone."
)


@pytest.fixture(scope="module")
def snippet_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    from .conftest import module_target

    target = module_target(request.param, tmp_path_factory.mktemp("snippets"), request)
    engine = open_engine(target, writable=True)
    letters = [
        Letter(
            case_number=f"CM17-08{n:05d}",
            format="standard",
            source=f"/snippets/{name}.txt",
            decision_date="2017-05-01",
            clinical_summary=SUMMARY,
            items=(
                Item(
                    id=f"CM17-08{n:05d}-1",
                    item_number=1,
                    treatment=f"Request {n}",
                    outcome="Upheld",
                    rationale=text,
                ),
            ),
        )
        for n, (name, text) in enumerate(RATIONALES.items())
    ]
    try:
        assert engine.write([source_documents(x.source, "fp", x) for x in letters]) == []
        engine.finish()
        yield engine
    finally:
        engine.close()


ENGINES = pytest.mark.parametrize("snippet_engine", ["sqlite", "elasticsearch"], indirect=True)


def _snippet(engine: Engine, query: str) -> str:
    (hit,) = engine.search(SearchRequest(query=query)).hits
    return to_markup(hit.marked_snippet)


@ENGINES
def test_the_snippet_explains_the_decision(snippet_engine: Engine) -> None:
    snippet = _snippet(snippet_engine, "tizanidine")
    assert snippet == (
        "…There is no documentation of objective functional improvement with "
        "<mark>tizanidine</mark> after more than a year of use. Therefore the request for "
        "<mark>tizanidine</mark> is not medically necessary."
    )


@ENGINES
def test_a_long_sentence_is_cut_around_its_match(snippet_engine: Engine) -> None:
    snippet = _snippet(snippet_engine, "zolpidem")
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>zolpidem</mark> trial" in snippet
    assert len(re.sub(r"</?mark>", "", snippet)) < 260


@ENGINES
def test_a_match_only_in_the_summary_shows_the_summary(snippet_engine: Engine) -> None:
    hits = snippet_engine.search(SearchRequest(query="eszopiclone insomnia")).hits
    assert len(hits) == 3
    for hit in hits:
        assert to_markup(hit.marked_snippet) == (
            "A 50 year old injured worker with chronic neck pain and <mark>insomnia</mark> "
            "treated with <mark>eszopiclone</mark>."
        )

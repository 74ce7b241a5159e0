"""An item's whole texts with a query's matches marked (the item page), on every engine.

Marking uses each engine's own analysis (stems, synonyms, phrases), so what the item page
marks is what matched; presenters then escape the text and only turn marks into <mark>.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from imr_search.contract import Engine
from imr_search.engines import open_engine
from imr_search.errors import ItemNotFound
from indexer.documents import source_documents
from indexer.records import Item, Letter
from search_ui.markup import to_markup

from .conftest import ENGINES as BEHAVIOUR_ENGINES

TEXTS = {
    "escape": '<script>alert("x")</script> hardware <b>block</b> blocks & injections',
    "phrase": "Active therapy. Physical therapy was done; physical exam.",
    "prefix": "therapy and therapist, but not radiculopathy",
}


@pytest.fixture(scope="module")
def marking_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    from .conftest import module_target

    target = module_target(request.param, tmp_path_factory.mktemp("marking"), request)
    engine = open_engine(target, writable=True)
    letters = [
        Letter(
            case_number=f"CM16-09{n:05d}",
            format="standard",
            source=f"/marking/{name}.txt",
            decision_date="2016-05-01",
            clinical_summary="A worker with chronic pain.",
            items=(
                Item(
                    id=f"CM16-09{n:05d}-1",
                    item_number=1,
                    treatment=f"Request {name}",
                    outcome="Upheld",
                    rationale=text,
                ),
            ),
        )
        for n, (name, text) in enumerate(TEXTS.items())
    ]
    try:
        engine.write([source_documents(x.source, "fp", x) for x in letters])
        engine.finish()
        yield engine
    finally:
        engine.close()


def _rationale(engine: Engine, name: str, query: str) -> str:
    n = list(TEXTS).index(name)
    return to_markup(engine.mark_item(f"CM16-09{n:05d}-1", query).rationale)


def _marked_words(html: str) -> list[str]:
    return [w for span in re.findall(r"<mark>(.*?)</mark>", html) for w in span.split()]


ENGINES = pytest.mark.parametrize("marking_engine", BEHAVIOUR_ENGINES, indirect=True)


@ENGINES
def test_marks_escape_first_then_mark(marking_engine: Engine) -> None:
    out = _rationale(marking_engine, "escape", "hardware block injection")
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out
    assert "<mark>hardware</mark>" in out
    assert "<mark>block</mark>" in out and "<mark>blocks</mark>" in out
    assert "<mark>injections</mark>" in out
    assert re.sub(r"</?mark>", "", out).count("<") == 0


@ENGINES
def test_phrases_are_marked_only_where_the_words_follow_each_other(marking_engine: Engine) -> None:
    out = _rationale(marking_engine, "phrase", '"physical therapy"')
    assert _marked_words(out) == ["Physical", "therapy"]
    assert re.sub(r"</mark> <mark>", " ", out).count("<mark>Physical therapy</mark> was") == 1


@ENGINES
def test_prefix_and_exclusion(marking_engine: Engine) -> None:
    out = _rationale(marking_engine, "prefix", "therap* -radiculopathy")
    assert "<mark>therapy</mark>" in out and "<mark>therapist</mark>" in out
    assert "<mark>radiculopathy</mark>" not in out
    # No query: the text as stored, escaped, nothing marked.
    assert "<mark>" not in _rationale(marking_engine, "escape", "")
    with pytest.raises(ItemNotFound):
        marking_engine.mark_item("CM99-0000000-1", "x")

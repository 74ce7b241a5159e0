"""The demo shows the product: its letters hold hardware-block and hardware-removal decisions
of both outcomes (synthetic.showcase), and the empty search page suggests example searches
that each lead to real results on the demo index (search_ui.examples)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest

from imr_search.contract import SearchRequest
from imr_search.engines import open_engine
from search_ui import create_app
from search_ui.examples import EXAMPLES
from synthetic.corpus import generate_letters
from synthetic.showcase import SHOWCASE, showcase_at


@pytest.fixture(scope="module")
def client(demo_index: str) -> Iterator[Any]:
    app = create_app({"IMR_SEARCH_INDEX": demo_index})
    yield app.test_client()


def _letters(n: int) -> list[dict[str, Any]]:
    return [letter.to_dict() for letter in generate_letters(n, 7, showcase=SHOWCASE)]


def test_showcase_letters_are_deterministic_and_spread_out() -> None:
    assert _letters(30) == _letters(30)
    places = showcase_at(2000, SHOWCASE)
    assert len(places) == len(SHOWCASE) and min(places) > 0 and max(places) < 2000
    assert showcase_at(3, SHOWCASE) == dict(enumerate(SHOWCASE[:3]))
    letters = list(generate_letters(len(SHOWCASE) * 3, 7, showcase=SHOWCASE))
    firsts = [letter.items[0] for letter in letters]
    shown = [firsts[i] for i in showcase_at(len(letters), SHOWCASE)]
    assert [i.outcome for i in shown] == [s.outcome for s in SHOWCASE]
    assert all("hardware" in i.treatment.lower() for i in shown)


@pytest.mark.parametrize("phrase", ['"hardware block"', 'request:"hardware removal"'])
def test_the_demo_holds_both_outcomes(demo_index: str, phrase: str) -> None:
    engine = open_engine(demo_index)
    try:
        response = engine.search(SearchRequest(query=phrase, per_page=0, decisions="about"))
    finally:
        engine.close()
    assert response.outcome_rate.upheld >= 2 and response.outcome_rate.overturned >= 2


def test_the_empty_search_page_suggests_examples_with_results(client: Any) -> None:
    page = client.get("/").get_data(as_text=True)
    start = page.index('id="examples-heading"')
    section = page[start : page.index("</section>", start)]
    links = [unescape(href) for href in re.findall(r'<a href="([^"]+)"', section)]
    assert len(links) == len(EXAMPLES)
    phrase, outcome, similar = links
    assert "hardware+block" in phrase and "outcome=Overturned" in outcome
    for url in (phrase, outcome):
        api = client.get(url.replace("/search?", "/api/search?", 1))
        assert api.status_code == 200 and api.json["total"] > 0, url
        assert client.get(url).status_code == 200
    assert similar.startswith("/item/") and similar.endswith("#similar-heading")
    item_id = similar.removeprefix("/item/").split("#")[0]
    cases = client.get(f"/api/items/{item_id}/similar").json["similar"]
    assert cases and "hardware" in cases[0]["treatment"].lower()
    assert client.get(similar.split("#")[0]).status_code == 200


def test_examples_are_only_on_the_empty_search_page(client: Any) -> None:
    assert 'id="examples-heading"' not in client.get("/search?q=knee").get_data(as_text=True)
    assert 'id="examples-heading"' not in client.get("/?outcome=Upheld").get_data(as_text=True)

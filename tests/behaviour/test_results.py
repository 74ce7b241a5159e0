"""Hits: sort orders, paging, safe highlighting, stored documents (any engine).

Date order is newest decision first, ties by item id ascending, undated items last.
"""

from __future__ import annotations

import pytest

from imr_search.contract import Engine, SearchRequest
from imr_search.errors import ItemNotFound
from indexer.documents import item_document
from mappings.schema import to_builtins
from search_ui.markup import to_markup
from search_ui.payloads import search_result

from .corpus import ID, ITEMS, LETTERS_BY_ALIAS, ids


def _date_order(item_ids: list[str]) -> list[str]:
    dated = sorted(
        (i for i in item_ids if ITEMS[i][0].decision_date),
        key=lambda i: (ITEMS[i][0].decision_date, _neg(i)),
        reverse=True,
    )
    return dated + sorted(i for i in item_ids if not ITEMS[i][0].decision_date)


def _neg(text: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in text) + (0,)  # id ascending inside a reverse sort


def test_sort_by_date_newest_first(engine: Engine) -> None:
    response = engine.search(SearchRequest(query="knee", sort="date", per_page=100))
    assert [h.id for h in response.hits] == [
        ID[a] for a in ("L8-1", "L8-2", "L22-1", "L24-1", "L2-1", "L2-2")
    ]
    assert all(h.score is None for h in response.hits)


def test_browsing_by_date_puts_undated_last(engine: Engine) -> None:
    response = engine.search(SearchRequest(sort="date", per_page=100))
    order = [h.id for h in response.hits]
    assert order == _date_order(list(ITEMS))
    assert order[0] == ID["L27-1"] and order[-1] == ID["L25-1"]


@pytest.mark.parametrize("sort", ["date", "relevance"])
def test_pages_partition_the_results(engine: Engine, sort: str) -> None:
    query = "" if sort == "date" else "pain"
    whole = engine.search(SearchRequest(query=query, sort=sort, per_page=100))
    pages = []
    for page in range(1, 6):
        response = engine.search(SearchRequest(query=query, sort=sort, page=page, per_page=8))
        assert response.total == whole.total
        pages.append([h.id for h in response.hits])
    flat = [i for page in pages for i in page]
    assert flat == [h.id for h in whole.hits][:40]
    assert len(set(flat)) == len(flat)
    beyond = engine.search(SearchRequest(query=query, sort=sort, page=50, per_page=8))
    assert beyond.hits == () and beyond.total == whole.total


def test_per_page_zero_gives_counts_only(engine: Engine) -> None:
    response = engine.search(SearchRequest(query="knee", per_page=0))
    assert response.total == 6 and response.hits == ()
    assert response.facets["outcome"]


def test_highlights_are_escaped_markup(engine: Engine) -> None:
    response = engine.search(SearchRequest(query="monitoring"))
    (hit,) = response.hits
    assert hit.id == ID["L15-1"]
    assert "<mark>monitoring</mark>" in to_markup(hit.marked_snippet).lower()
    assert "<script>" not in to_markup(hit.marked_snippet) and "&lt;script&gt;" in to_markup(
        hit.marked_snippet
    )
    assert "&amp;" in to_markup(hit.marked_snippet)
    assert "<b>" not in to_markup(
        hit.marked_treatment
    ) and "&lt;b&gt;refill&lt;/b&gt;" in to_markup(hit.marked_treatment)
    norco = engine.search(SearchRequest(query="norco")).hits[0]
    assert "<mark>norco</mark>" in to_markup(norco.marked_treatment).lower()
    assert "&lt;b&gt;" in to_markup(norco.marked_treatment)
    plain = engine.search(SearchRequest(query="monitoring", highlight=False)).hits[0]
    assert "<mark>" not in to_markup(plain.marked_snippet) + to_markup(plain.marked_treatment)
    assert "<script>" not in to_markup(plain.marked_snippet)


def test_highlights_show_synonyms_and_scoped_fields(engine: Engine) -> None:
    (hit,) = engine.search(SearchRequest(query="treatment:EMG")).hits
    assert "<mark>" in to_markup(hit.marked_treatment)
    hits = engine.search(SearchRequest(query="PT", per_page=10)).hits
    assert all("<mark>" in to_markup(h.marked_treatment) for h in hits)


def test_browse_hits_have_plain_escaped_text(engine: Engine) -> None:
    response = engine.search(SearchRequest(sort="date", per_page=100))
    for hit in response.hits:
        assert "<mark>" not in to_markup(hit.marked_snippet) and "<script>" not in to_markup(
            hit.marked_snippet
        )
        assert to_markup(hit.marked_snippet)  # every item has a rationale


def test_hits_carry_the_whole_document(engine: Engine) -> None:
    response = engine.search(SearchRequest(query='"hardware block"'))
    (hit,) = response.hits
    letter, item = ITEMS[hit.id]
    assert hit.doc == item_document(letter, item)
    item_json = to_builtins(search_result(response))["items"][0]
    assert item_json["id"] == ID["L12-1"] and item_json["outcome"] == "Upheld"
    assert item_json["citations"][0] == {
        "party": "claims_administrator",
        "source": "ODG",
        "label": "ODG: Low Back",
    }


def test_get_item_returns_the_stored_document(engine: Engine) -> None:
    for item_id, (letter, item) in ITEMS.items():
        assert engine.get_item(item_id) == item_document(letter, item)
    with pytest.raises(ItemNotFound):
        engine.get_item("CM99-0000000-1")


def test_letter_items_in_item_order(engine: Engine) -> None:
    letter = LETTERS_BY_ALIAS["L27"]
    assert [d.id for d in engine.letter_items(letter.letter_id)] == [ID["L27-1"], ID["L27-2"]]
    no_case = LETTERS_BY_ALIAS["L26"]
    assert [d.id for d in engine.letter_items(no_case.letter_id)] == [ID["L26-1"]]
    assert engine.letter_items("CM99-0000000") == []


def test_count_and_took_ms(engine: Engine) -> None:
    assert engine.count() == 36
    response = engine.search(SearchRequest(query="knee"))
    assert response.took_ms >= 0
    assert to_builtins(search_result(response))["total"] == 6


def test_json_shape(engine: Engine) -> None:
    response = engine.search(SearchRequest(query="kyphoplasty", breakdown="outcome"))
    data = to_builtins(search_result(response))
    assert set(data) >= {"total", "items", "facets", "outcome_rate", "took_ms", "breakdown"}
    assert {i["id"] for i in data["items"]} == ids("L17-1", "L18-1", "L19-1")
    assert data["facets"]["outcome"] == [
        {"value": "Upheld", "count": 2, "selected": False},
        {"value": "Overturned", "count": 1, "selected": False},
    ]
    assert data["outcome_rate"]["upheld_pct"] == 66.7

"""Everyday searching: decision-date ranges, every sort order, queries with no words to
search for, no lone stop word marked (any engine).

Expected answers come from the corpus listing (tests/behaviour/corpus.py): dates, outcomes and
ids read from it; `reference` recounts facets from the stored documents.
"""

from __future__ import annotations

import re

import pytest

from imr_search.contract import NO_WORDS_NOTICE, SORTS, Engine, SearchRequest
from imr_search.errors import InvalidParameter
from imr_search.query import STOP_WORDS
from search_ui.markup import to_markup

from . import reference
from .corpus import ID, ITEMS, ids

# --- decision-date ranges ---------------------------------------------------------------------


def _dated(low: str | None, high: str | None) -> set[str]:
    """The corpus items decided within [low, high] (by reading their letters' dates)."""
    out = set()
    for item_id, (letter, _) in ITEMS.items():
        date = letter.decision_date
        if date and (low is None or date >= low) and (high is None or date <= high):
            out.add(item_id)
    return out


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        ("2016-01-01", "2016-12-31", ("L1-1", "L2-1", "L2-2", "L24-1")),
        ("2023-06-01", None, ("L21-1", "L21-2", "L19-1", "L27-1", "L27-2")),
        (None, "2014-06-06", ("L16-1", "L14-1", "L28-1")),  # both ends included, undated out
        ("2016-07-02", "2016-07-02", ("L2-1", "L2-2")),  # one day
        ("2017-01-21", "2018-06-19", ("L22-1", "L6-1", "L7-1")),  # cuts two months
        ("2025-01-01", None, ()),
    ],
)
def test_date_range_keeps_the_decisions_dated_within_it(
    engine: Engine, low: str | None, high: str | None, expected: tuple[str, ...]
) -> None:
    assert ids(*expected) == _dated(low, high)  # the expectation reads the corpus right
    response = engine.search(SearchRequest(date_from=low, date_to=high, per_page=100))
    assert response.total == len(expected)
    assert {h.id for h in response.hits} == ids(*expected)


def test_date_range_narrows_facets_rate_and_breakdown(engine: Engine) -> None:
    request = SearchRequest(
        date_from="2016-01-01",
        date_to="2017-12-31",
        filters={"outcome": ["Upheld"]},
        breakdown="year",
        per_page=100,
    )
    response = engine.search(request)
    # 2016-2017: L1-1 U, L2-1 O, L2-2 U, L24-1 U, L3-1 U, L3-2 O, L22-1 O
    assert {h.id for h in response.hits} == ids("L1-1", "L2-2", "L24-1", "L3-1")
    assert (response.outcome_rate.upheld, response.outcome_rate.overturned) == (4, 0)
    outcome = {v.value: v.count for v in response.facets["outcome"]}
    assert outcome == {"Upheld": 4, "Overturned": 3}  # the outcome facet ignores its own filter
    years = {v.value: v.count for v in response.facets["year"]}
    assert years == {"2016": 3, "2017": 1}
    in_range = _dated("2016-01-01", "2017-12-31")
    for facet in ("category", "body_region"):
        counts = {v.value: v.count for v in engine.search(request).facets[facet]}
        assert counts == reference.facet_counts(in_range, request.filters, facet), facet
    # The breakdown leaves the outcome filter out, never the dates.
    rows = {r.value: (r.rate.upheld, r.rate.overturned) for r in response.breakdown}
    assert rows == {"2016": (3, 1), "2017": (1, 2)}


def test_date_range_with_a_query(engine: Engine) -> None:
    response = engine.search(SearchRequest(query="knee", date_from="2016-01-01", per_page=100))
    # "knee" matches L8-1, L8-2, L22-1, L24-1, L2-1, L2-2: all decided in 2016 or later
    assert response.total == 6
    response = engine.search(SearchRequest(query="knee", date_to="2016-12-31", per_page=100))
    assert {h.id for h in response.hits} == ids("L24-1", "L2-1", "L2-2")
    assert response.outcome_rate.total == 3


@pytest.mark.parametrize(
    ("low", "high", "parameter"),
    [
        ("2016-13-01", None, "date_from"),
        ("yesterday", None, "date_from"),
        (None, "2016-02-30", "date_to"),
        ("20160301", None, "date_from"),
        ("2017-01-01", "2016-01-01", "date_from"),  # from after to
    ],
)
def test_bad_dates_are_refused_naming_the_parameter(
    engine: Engine, low: str | None, high: str | None, parameter: str
) -> None:
    with pytest.raises(InvalidParameter) as caught:
        engine.search(SearchRequest(date_from=low, date_to=high))
    assert caught.value.parameter == parameter


# --- sort orders ------------------------------------------------------------------------------


def _by_date(item_ids: set[str], *, oldest: bool) -> list[str]:
    """Dated items by date (ties by id ascending), undated last."""
    dated = sorted((i for i in item_ids if ITEMS[i][0].decision_date), key=lambda i: i)
    dated.sort(key=lambda i: ITEMS[i][0].decision_date or "", reverse=not oldest)
    return dated + sorted(i for i in item_ids if not ITEMS[i][0].decision_date)


def test_oldest_first(engine: Engine) -> None:
    order = [h.id for h in engine.search(SearchRequest(sort="oldest", per_page=100)).hits]
    assert order == _by_date(set(ITEMS), oldest=True)
    assert order[:3] == [ID["L16-1"], ID["L14-1"], ID["L28-1"]]
    assert order[-1] == ID["L25-1"]  # undated last
    # Same day: item id order, as newest first has it.
    assert order.index(ID["L2-1"]) + 1 == order.index(ID["L2-2"])
    knee = engine.search(SearchRequest(query="knee", sort="oldest", per_page=100))
    assert [h.id for h in knee.hits] == [
        ID[a] for a in ("L2-1", "L2-2", "L24-1", "L22-1", "L8-1", "L8-2")
    ]
    assert all(h.score is None for h in knee.hits)


def test_by_outcome_overturned_first_then_newest(engine: Engine) -> None:
    order = [h.id for h in engine.search(SearchRequest(sort="outcome", per_page=100)).hits]
    overturned = {i for i, (_, item) in ITEMS.items() if item.outcome == "Overturned"}
    assert len(overturned) == 14
    expected = _by_date(overturned, oldest=False) + _by_date(set(ITEMS) - overturned, oldest=False)
    assert order == expected
    assert order[0] == ID["L27-2"] and order[14] == ID["L27-1"] and order[-1] == ID["L25-1"]
    knee = engine.search(SearchRequest(query="knee", sort="outcome", per_page=100))
    assert [h.id for h in knee.hits] == [
        ID[a] for a in ("L8-2", "L22-1", "L2-1", "L8-1", "L24-1", "L2-2")
    ]


@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_pages_alike(engine: Engine, sort: str) -> None:
    for query in ("", "pain"):
        whole = engine.search(SearchRequest(query=query, sort=sort, per_page=100))  # type: ignore[arg-type]
        pages = [
            h.id
            for page in range(1, 6)
            for h in engine.search(
                SearchRequest(query=query, sort=sort, page=page, per_page=7)  # type: ignore[arg-type]
            ).hits
        ]
        assert pages == [h.id for h in whole.hits][:35], (sort, query)


def test_an_item_id_comes_first_only_by_relevance(engine: Engine) -> None:
    relevance = engine.search(SearchRequest(query="CM21-0100012-2"))
    assert [h.id for h in relevance.hits] == [ID["L12-2"], ID["L12-1"]]
    for sort in ("date", "oldest"):
        dated = engine.search(SearchRequest(query="CM21-0100012-2", sort=sort))  # type: ignore[arg-type]
        assert [h.id for h in dated.hits] == [ID["L12-1"], ID["L12-2"]], sort


# --- queries with nothing to search for -------------------------------------------------------


@pytest.mark.parametrize("query", ["-", "*", '""', "- *", "-- **"])
def test_a_query_without_words_shows_everything_and_says_so(engine: Engine, query: str) -> None:
    response = engine.search(SearchRequest(query=query, per_page=5))
    assert response.total == 36
    assert response.notice == NO_WORDS_NOTICE


@pytest.mark.parametrize("query", ["", "   ", "knee", "CM21-0100012"])
def test_other_queries_carry_no_such_notice(engine: Engine, query: str) -> None:
    assert engine.search(SearchRequest(query=query)).notice is None


# --- marks: no lone stop words ----------------------------------------------------------------


def _marked_words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"<mark>(.*?)</mark>", to_markup(text))}


def test_lone_stop_words_are_searched_but_never_marked(engine: Engine) -> None:
    response = engine.search(SearchRequest(query="the knee", per_page=100))
    # "the" is searched like any word: of the six knee items, those whose texts have it
    assert {h.id for h in response.hits} == ids("L2-1", "L8-2", "L24-1")
    for hit in response.hits:
        marked = _marked_words(hit.marked_treatment) | _marked_words(hit.marked_snippet)
        assert "knee" in marked and not marked & STOP_WORDS, (hit.id, marked)
    marked_item = engine.mark_item(ID["L24-1"], "the knee OR of")
    words = set().union(*(_marked_words(t) for t in vars(marked_item).values()))
    assert words == {"knee"}
    only = engine.search(SearchRequest(query="treatment:the", per_page=100))
    assert {h.id for h in only.hits} == ids("L1-1", "L2-1", "L3-1", "L20-2", "L24-1")
    assert all(not _marked_words(h.marked_treatment + h.marked_snippet) for h in only.hits)


def test_stop_words_inside_a_phrase_are_marked_with_it(engine: Engine) -> None:
    (hit,) = engine.search(SearchRequest(query='"for the lumbar spine"')).hits
    assert hit.id == ID["L1-1"]
    assert _marked_words(hit.marked_treatment) == {"for", "the", "lumbar", "spine"}
    (outcome,) = engine.search(SearchRequest(query='"outcome of the previous"')).hits
    assert _marked_words(outcome.marked_snippet) == {"outcome", "of", "the", "previous"}

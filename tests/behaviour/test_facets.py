"""Facets, filters, outcome rate and breakdown on the fixture corpus (any engine).

Semantics (Elasticsearch FacetedSearch): selected values of one facet are OR-ed, facets are
AND-ed, and each facet's counts are computed under every *other* facet's selection, so the
user sees what choosing another value of the same facet would give. Values are listed by
count (descending), ties by value; at most `facet_size`, plus every selected value (count 0
when nothing has it); values with count 0 are otherwise left out. Citation facets count an
item under the party that cited: `reviewer_source=ODG` never matches an item where only the
claims administrator cited ODG; `none` means that party cited nothing.
"""

from __future__ import annotations

import pytest

from imr_search.contract import Engine, SearchRequest
from imr_search.errors import InvalidParameter
from mappings.facets import FACETS, ON_REQUEST

from . import reference
from .corpus import ID, ITEMS, ids
from .test_text_queries import KNEE


def _facets(response) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    return {name: {v.value: v.count for v in values} for name, values in response.facets.items()}


def _top(counts: dict[str, int], size: int, selected: list[str] = ()) -> list[tuple[str, int]]:  # type: ignore[assignment]
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    ordered += [(v, counts.get(v, 0)) for v in selected if v not in dict(ordered)]
    return sorted(ordered, key=lambda kv: (-kv[1], kv[0]))


FILTER_CASES: list[tuple[str, dict[str, list[str]]]] = [
    ("", {}),
    ("knee", {}),
    ("", {"outcome": ["Upheld"]}),
    ("", {"category": ["surgery", "injection"]}),
    ("", {"category": ["surgery", "injection"], "reviewer_source": ["ODG"]}),
    ("", {"reviewer_source": ["none"]}),
    ("", {"admin_source": ["ODG"], "reviewer_source": ["MTUS"]}),
    ("", {"reviewer_guideline": ["ODG: Low Back", "ODG: Pain"], "year": ["2022", "2023"]}),
    ("fracture", {"body_region": ["lumbar spine", "thoracic spine"]}),
    ("", {"specialty": ["Orthopedic Surgery"], "outcome": ["Overturned"]}),
    ("", {"year": ["1999"]}),
]


@pytest.mark.parametrize(
    ("query", "filters"), FILTER_CASES, ids=[f"{q or '*'}|{f}" for q, f in FILTER_CASES]
)
def test_facet_counts_follow_the_reference(
    engine: Engine, query: str, filters: dict[str, list[str]]
) -> None:
    every = dict.fromkeys(ON_REQUEST, 100)  # the facets counted on request too
    response = engine.search(
        SearchRequest(query=query, filters=filters, per_page=100, facet_size=100, facet_sizes=every)
    )
    matching = [h.id for h in engine.search(SearchRequest(query=query, per_page=100)).hits]
    expected = reference.result(matching, filters)
    assert {h.id for h in response.hits} == expected
    assert response.total == len(expected)
    for spec in FACETS:
        want = reference.facet_counts(matching, filters, spec.name)
        selected = filters.get(spec.name, [])
        got = [(v.value, v.count) for v in response.facets[spec.name]]
        assert got == _top(want, 100, selected), spec.name
        assert {v.value for v in response.facets[spec.name] if v.selected} == set(selected)
    # The rate counts the decisions about the query (tests/behaviour/test_about.py pins
    # which those are); without query words, every result.
    rated = expected
    if response.about is not None:
        about = engine.search(SearchRequest(query=query, decisions="about", per_page=100))
        rated = expected & {h.id for h in about.hits}
        assert (response.about.about, response.about.mentions) == (
            len(rated),
            len(expected) - len(rated),
        )
        rated = rated or expected  # nothing about it: every match counts
    upheld, overturned = reference.outcome_counts(rated)
    assert (response.outcome_rate.upheld, response.outcome_rate.overturned) == (upheld, overturned)


def test_hand_counted_facets_of_everything(engine: Engine) -> None:
    facets = _facets(engine.search(SearchRequest(per_page=0, facet_size=100)))
    assert facets["outcome"] == {"Upheld": 22, "Overturned": 14}
    assert facets["category"]["surgery"] == 10
    assert facets["category"]["injection"] == 4
    assert facets["reviewer_source"] == {"MTUS": 18, "ODG": 14, "other": 3, "none": 2}
    assert facets["admin_source"] == {"MTUS": 15, "ODG": 14, "other": 2, "none": 5}
    assert facets["year"]["2016"] == 4
    assert "None" not in facets["year"] and sum(facets["year"].values()) == 35
    assert facets["specialty"]["Orthopedic Surgery"] == 12
    assert facets["reviewer_guideline"]["ODG: Low Back"] == 3
    assert facets["body_region"]["shoulder"] == 4


def test_reviewer_citation_filter_respects_who_cited(engine: Engine) -> None:
    """L2-1, L8-2 and L12's items: only the administrator cited ODG; the reviewer cited MTUS."""
    only_admin = ids("L2-1", "L8-2", "L12-1", "L12-2")
    reviewer = engine.search(SearchRequest(filters={"reviewer_source": ["ODG"]}, per_page=100))
    admin = engine.search(SearchRequest(filters={"admin_source": ["ODG"]}, per_page=100))
    assert not only_admin & {h.id for h in reviewer.hits}
    assert only_admin <= {h.id for h in admin.hits}
    assert reviewer.total == 14 and admin.total == 14
    both = engine.search(
        SearchRequest(filters={"admin_source": ["ODG"], "reviewer_source": ["MTUS"]}, per_page=100)
    )
    assert {h.id for h in both.hits} == only_admin


def test_cited_nothing_is_the_none_value(engine: Engine) -> None:
    response = engine.search(SearchRequest(filters={"reviewer_source": ["none"]}, per_page=100))
    assert {h.id for h in response.hits} == ids("L7-1", "L25-1")
    response = engine.search(SearchRequest(filters={"admin_source": ["none"]}, per_page=100))
    assert {h.id for h in response.hits} == ids("L3-1", "L7-1", "L13-1", "L17-2", "L20-2")


def test_multi_select_is_or_within_and_across(engine: Engine) -> None:
    surgery = engine.search(SearchRequest(filters={"category": ["surgery"]})).total
    injection = engine.search(SearchRequest(filters={"category": ["injection"]})).total
    both = engine.search(SearchRequest(filters={"category": ["surgery", "injection"]}))
    assert both.total == surgery + injection == 14
    narrowed = engine.search(
        SearchRequest(
            filters={"category": ["surgery", "injection"], "year": ["2021"]}, per_page=100
        )
    )
    assert {h.id for h in narrowed.hits} == ids("L12-1", "L12-2", "L13-1")


def test_a_facet_ignores_its_own_selection(engine: Engine) -> None:
    response = engine.search(SearchRequest(query="knee", filters={"outcome": ["Upheld"]}))
    assert response.total == 3
    outcome = {v.value: (v.count, v.selected) for v in response.facets["outcome"]}
    assert outcome == {"Upheld": (3, True), "Overturned": (3, False)}
    category = {v.value: v.count for v in response.facets["category"]}
    assert category == {"surgery": 1, "medication": 1, "imaging": 1}


def test_selected_values_are_always_listed(engine: Engine) -> None:
    response = engine.search(SearchRequest(filters={"year": ["1999"]}))
    assert response.total == 0 and response.hits == ()
    assert [(v.value, v.count, v.selected) for v in response.facets["year"]][-1:] == [
        ("1999", 0, True)
    ]
    small = engine.search(SearchRequest(facet_size=2, filters={"category": ["acupuncture"]}))
    values = [(v.value, v.selected) for v in small.facets["category"]]
    assert len(values) == 3 and ("acupuncture", True) in values


def test_facet_size_limits_and_orders_values(engine: Engine) -> None:
    response = engine.search(SearchRequest(facet_size=3))
    category = [(v.value, v.count) for v in response.facets["category"]]
    assert category == [("surgery", 10), ("medication", 5), ("durable medical equipment", 4)]
    none = engine.search(SearchRequest(facet_size=0))
    assert all(values == () for values in none.facets.values())
    assert set(response.facets) == {spec.name for spec in FACETS}


def test_one_facet_can_list_more_values_than_the_others(engine: Engine) -> None:
    filters = {"specialty": ["Orthopedic Surgery"]}
    request = SearchRequest(
        facet_size=2,
        facet_sizes={"year": 5, "specialty": 0},
        filters=filters,
        breakdown="body_region",
    )
    response = engine.search(request)
    full = _facets(engine.search(SearchRequest(per_page=0, facet_size=100, filters=filters)))
    for spec in FACETS:
        size = {"year": 5, "specialty": 0}.get(spec.name, 2)
        got = [(v.value, v.count) for v in response.facets[spec.name]]
        assert got == _top(full[spec.name], size, filters.get(spec.name, [])), spec.name
    # A size of 0 lists only the selected values, with their counts.
    assert [v.selected for v in response.facets["specialty"]] == [True]
    assert len(full["year"]) > 5 and len(response.facets["year"]) == 5
    assert len(response.breakdown) <= 2  # the breakdown keeps facet_size
    with pytest.raises(InvalidParameter, match="facet_sizes"):
        SearchRequest(facet_sizes={"nope": 3})
    with pytest.raises(InvalidParameter, match="facet_sizes"):
        SearchRequest(facet_sizes={"category": -1})


def test_outcome_rate_of_the_result_set(engine: Engine) -> None:
    """ "knee" matches 6 items; 4 are requests about a knee (L2-1 Overturned, L2-2 Upheld,
    L22-1 Overturned, L24-1 Upheld) and 2 mention a knee in their summary (L8-1, L8-2): the
    rate counts the 4."""
    response = engine.search(SearchRequest(query="knee"))
    rate = response.outcome_rate
    assert (rate.upheld, rate.overturned, rate.total) == (2, 2, 4)
    assert response.about is not None
    assert (response.about.about, response.about.mentions) == (4, 2)
    assert (rate.upheld_pct, rate.overturned_pct) == (50.0, 50.0)
    empty = engine.search(SearchRequest(query="zzzunknownword")).outcome_rate
    assert (empty.total, empty.upheld_pct) == (0, 0.0)


def test_breakdown_rows(engine: Engine) -> None:
    response = engine.search(SearchRequest(breakdown="category", facet_size=100))
    rows = {row.value: (row.rate.upheld, row.rate.overturned) for row in response.breakdown}
    expected: dict[str, list[int]] = {}
    for item_id in ITEMS:
        upheld, overturned = reference.outcome_counts([item_id])
        counts = expected.setdefault(reference.doc(item_id).category, [0, 0])
        counts[0] += upheld
        counts[1] += overturned
    assert rows == {k: tuple(v) for k, v in expected.items()}
    assert rows["surgery"] == (6, 4)
    totals = [row.rate.total for row in response.breakdown]
    assert totals == sorted(totals, reverse=True)
    # Over the 4 requests about a knee: MTUS L2-1 (O), L24-1 (U); ODG L2-2 (U), L22-1 (O).
    knee = engine.search(SearchRequest(query="knee", breakdown="reviewer_source"))
    assert {r.value: (r.rate.upheld, r.rate.overturned) for r in knee.breakdown} == {
        "ODG": (1, 1),
        "MTUS": (1, 1),
    }


def test_knee_set_is_the_one_the_text_tests_use(engine: Engine) -> None:
    assert {h.id for h in engine.search(SearchRequest(query="knee")).hits} == {ID[a] for a in KNEE}

"""Filter values in any case, matched to the index's spelling; unknown values named with the
known or closest ones (imr_search.filter_values), alike on every engine."""

from __future__ import annotations

import pytest

from imr_search.contract import Engine, SearchRequest
from imr_search.filter_values import FilterValues, UnknownValue, Vocabulary, index_values


def _total(engine: Engine, filters: dict[str, list[str]]) -> int:
    return engine.search(SearchRequest(filters=filters, per_page=0, facet_size=0)).total


def test_values_in_any_case_find_what_the_exact_values_find(engine: Engine) -> None:
    values = FilterValues.of(engine)
    asked = {
        "outcome": ["overturned"],
        "reviewer_guideline": ["odg:  LOW back"],
        "concept": ["epidural STEROID injection"],
    }
    canonical = values.canonical(asked)
    assert canonical == {
        "outcome": ["Overturned"],
        "reviewer_guideline": ["ODG: Low Back"],
        "concept": ["Epidural steroid injection"],
    }
    for facet, [value] in canonical.items():
        exact = _total(engine, {facet: [value]})
        assert exact > 0, (facet, value)
        assert _total(engine, {facet: asked[facet]}) == 0  # the engines compare exactly
        assert _total(engine, {facet: values.canonical({facet: asked[facet]})[facet]}) == exact


def test_an_unknown_closed_value_lists_every_known_one(engine: Engine) -> None:
    with pytest.raises(UnknownValue) as info:
        FilterValues.of(engine).canonical({"outcome": ["Maybe"]})
    assert info.value.parameter == "outcome"
    assert info.value.suggestions == ("Upheld", "Overturned")
    assert "Upheld, Overturned" in str(info.value) and "'Maybe'" in str(info.value)


def test_an_unknown_open_value_names_the_closest_known_ones(engine: Engine) -> None:
    with pytest.raises(UnknownValue) as info:
        FilterValues.of(engine).canonical({"reviewer_guideline": ["ODG: Low Bak"]})
    assert info.value.parameter == "reviewer_guideline"
    assert info.value.suggestions[0] == "ODG: Low Back"
    with pytest.raises(UnknownValue) as years:
        FilterValues.of(engine).canonical({"year": ["1999"]})
    assert "2016" in years.value.suggestions  # few values: every year is listed


def test_the_index_values_are_read_once_and_again_for_a_new_value(engine: Engine) -> None:
    reads: list[float] = []
    now = [100.0]

    def fetch() -> dict[str, Vocabulary]:
        reads.append(now[0])
        return index_values(engine)

    values = FilterValues(fetch, max_age=60, min_refresh=1, clock=lambda: now[0])
    values.canonical({"outcome": ["upheld"]})
    assert reads == []  # a closed vocabulary needs no search
    values.canonical({"concept": ["mri"]})
    values.canonical({"concept": ["MRI"], "year": ["2016"]})
    assert reads == [100.0]
    with pytest.raises(UnknownValue):
        values.canonical({"concept": ["no such request"]})
    assert reads == [100.0]  # read again at most every second
    now[0] = 101.5
    with pytest.raises(UnknownValue):
        values.canonical({"concept": ["no such request"]})
    assert reads == [100.0, 101.5]  # a value not known: read again before saying so
    now[0] = 200.0
    values.canonical({"concept": ["mri"]})
    assert reads == [100.0, 101.5, 200.0]  # and once a minute anyway

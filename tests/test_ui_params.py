"""URL state and facet data: the pure parts of the web UI (highlighting: the engines,
tests/behaviour/test_marking.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from imr_search.contract import MAX_RESULT_WINDOW, FacetValue, OutcomeRate, SearchResponse
from imr_search.errors import InvalidParameter
from mappings.facets import FACETS
from search_ui.facets import active_filters, build_facets, value_label
from search_ui.params import (
    DEFAULT_BREAKDOWN,
    SearchState,
    parse_search_args,
    similar_text,
)


def parse(qs: str) -> SearchState:
    from urllib.parse import parse_qsl

    return parse_search_args(MultiDict(parse_qsl(qs, keep_blank_values=True)))


def test_repeated_filter_params_become_one_facet_selection() -> None:
    state = parse("q=knee&outcome=Upheld&outcome=Overturned&category=surgery&sort=date&page=3")
    assert state.query == "knee"
    assert state.filters == {"outcome": ("Upheld", "Overturned"), "category": ("surgery",)}
    assert state.sort == "date" and state.page == 3
    req = state.request()
    assert req.filters == {"outcome": ["Upheld", "Overturned"], "category": ["surgery"]}
    assert req.breakdown == DEFAULT_BREAKDOWN


def test_url_round_trip_is_canonical() -> None:
    qs = "q=hardware+block&outcome=Upheld&category=surgery&sort=date&breakdown=none&page=2"
    state = parse(qs)
    assert parse(state.query_string()) == state
    assert parse("").query_string() == ""
    # Form submissions carry defaults and empty values: they normalise away.
    assert parse("q=&sort=relevance&breakdown=reviewer_guideline&outcome=").query_string() == ""


def test_date_range_and_sorts_round_trip() -> None:
    state = parse("q=knee&date_from=2016-01-01&date_to=2016-12-31&sort=oldest&page=2")
    assert (state.date_from, state.date_to, state.sort) == ("2016-01-01", "2016-12-31", "oldest")
    assert parse(state.query_string()) == state
    request = state.request()
    assert (request.date_from, request.date_to) == ("2016-01-01", "2016-12-31")
    assert parse("date_from=&date_to=").query_string() == ""  # empty date inputs
    assert parse("sort=outcome").request().sort == "outcome"
    assert state.has_filters and not state.without_filters().has_filters
    only_to = state.removing("date_from", "2016-01-01")
    assert (only_to.date_from, only_to.date_to, only_to.page) == (None, "2016-12-31", 1)
    chips = active_filters(parse("outcome=Upheld&date_from=2016-01-01&date_to=2016-12-31"), _url)
    assert [(c.facet, c.value) for c in chips] == [
        ("outcome", "Upheld"),
        ("date_from", "2016-01-01"),
        ("date_to", "2016-12-31"),
    ]
    assert chips[1].remove_url == "/search?outcome=Upheld&date_to=2016-12-31"
    assert chips[2].facet_label == "Decided on or before"


def _url(state: SearchState) -> str:
    return "/search?" + state.query_string()


def test_toggle_adds_and_removes_a_value_and_resets_the_page() -> None:
    state = parse("outcome=Upheld&page=4")
    on = state.toggled("outcome", "Overturned")
    assert on.filters["outcome"] == ("Upheld", "Overturned") and on.page == 1
    off = on.toggled("outcome", "Upheld").toggled("outcome", "Overturned")
    assert "outcome" not in off.filters


@pytest.mark.parametrize(
    ("qs", "parameter"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("per_page=101", "per_page"),
        ("per_page=1e3", "per_page"),
        ("facet_size=500", "facet_size"),
        ("sort=random", "sort"),
        ("breakdown=nonsense", "breakdown"),
        ("colour=red", "colour"),
        ("q=a&q=b", "q"),
        (f"page={MAX_RESULT_WINDOW // 20 + 1}", "page"),
        ("q=" + "x" * 1001, "q"),
        ("outcome=" + "x" * 201, "outcome"),
        ("&".join(f"category=c{i}" for i in range(26)), "category"),
        ("date_from=2016-02-30", "date_from"),
        ("date_to=tomorrow", "date_to"),
        ("date_from=03/14/2016", "date_from"),
        ("date_from=2017-01-01&date_to=2016-12-31", "date_from"),
        ("date_to=2016-01-01&date_to=2017-01-01", "date_to"),
    ],
)
def test_bad_parameters_raise_with_the_parameter_named(qs: str, parameter: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        parse(qs)
    assert info.value.parameter == parameter
    assert info.value.reason


def test_similar_text_is_bounded() -> None:
    assert similar_text("  lumbar fusion ") == "lumbar fusion"
    with pytest.raises(InvalidParameter):
        similar_text("   ")
    with pytest.raises(InvalidParameter):
        similar_text("x" * 10_001)


def _response(facets: dict[str, tuple[FacetValue, ...]]) -> SearchResponse:
    return SearchResponse(
        total=3, hits=(), facets=facets, outcome_rate=OutcomeRate(2, 1), took_ms=1.0
    )


def test_facets_are_plain_data_with_toggle_urls_and_keep_selected_values() -> None:
    state = parse("outcome=Upheld&category=surgery")
    response = _response(
        {"outcome": (FacetValue("Upheld", 2, True), FacetValue("Overturned", 1, False))}
    )
    blocks = build_facets(response, state, lambda s: "/search?" + s.query_string())
    assert [b.name for b in blocks] == [f.name for f in FACETS]
    outcome = blocks[0]
    assert outcome.label == "Outcome"
    upheld, overturned = outcome.options
    assert upheld.selected and upheld.count == 2
    assert upheld.toggle_url == "/search?category=surgery"  # unticking drops it
    assert not overturned.selected
    assert overturned.toggle_url == "/search?outcome=Upheld&outcome=Overturned&category=surgery"
    # A selected value the engine did not list still shows (so it can be unticked).
    category = next(b for b in blocks if b.name == "category")
    assert [(o.value, o.count, o.selected) for o in category.options] == [("surgery", None, True)]
    chips = active_filters(state, lambda s: "/search?" + s.query_string())
    assert [(c.facet_label, c.label, c.remove_url) for c in chips] == [
        ("Outcome", "Upheld", "/search?category=surgery"),
        ("Treatment type", "Surgery", "/search?outcome=Upheld"),
    ]


def test_value_labels() -> None:
    assert value_label("reviewer_source", "none") == "Cited no medical evidence"
    assert value_label("category", "physical_therapy") == "Physical therapy"
    assert value_label("category", "durable medical equipment") == "Durable medical equipment"
    assert value_label("outcome", "Upheld") == "Upheld"


def test_palette_contrast_meets_wcag_aa() -> None:
    """Text colours of the stylesheet against the backgrounds they sit on: >= 4.5:1."""
    css = (Path(__file__).parents[1] / "search_ui" / "static" / "style.css").read_text()
    var = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [
        ("ink", "bg"),
        ("ink", "panel"),
        ("muted", "panel"),
        ("muted", "bg"),
        ("link", "panel"),
        ("link", "bg"),
        ("link-visited", "panel"),
        ("upheld-ink", "upheld-bg"),
        ("overturned-ink", "overturned-bg"),
        ("ink", "mark"),
        ("link", "mark"),
    ]
    for fg, bg in pairs:
        assert _contrast(var[fg], var[bg]) >= 4.5, (fg, bg, _contrast(var[fg], var[bg]))
    assert _contrast("#ffffff", var["navy"]) >= 7  # header text
    assert _contrast("#ffffff", var["navy-2"]) >= 4.5  # hovered header link
    for light in ("#edf0f3", "#eef1f5", "#e8eef7", "#fbfcfd"):  # rules, code, chips, cards
        assert _contrast(var["muted"], light) >= 4.5, light
        assert _contrast(var["link"], light) >= 4.5, light
    # Non-text: the bar colours against white, and the focus ring (WCAG 1.4.11: 3:1).
    for name in ("upheld", "overturned", "focus"):
        assert _contrast(var[name], "#ffffff") >= 3


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)

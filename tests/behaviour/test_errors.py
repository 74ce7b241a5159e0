"""Bad input gives the product's own errors, with a message saying what to fix (any engine)."""

from __future__ import annotations

import pytest

from imr_search.contract import Engine, SearchRequest
from imr_search.errors import InvalidParameter, QuerySyntaxError

BAD_QUERIES = [
    ("knee (", "Unclosed '('"),
    ("knee )", "Unmatched ')'"),
    ('"hardware block', "Unclosed quote"),
    ("color:red", "Unknown field"),
    ("-knee", "not only exclusions"),
    ("OR knee", "OR"),
    ("knee OR", "OR"),
    ("()", "Empty parentheses"),
    ("k*", "prefix"),
    ("x" * 1001, "limit"),
]


@pytest.mark.parametrize(("query", "message"), BAD_QUERIES, ids=[q[:20] for q, _ in BAD_QUERIES])
def test_syntax_errors(engine: Engine, query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        engine.search(SearchRequest(query=query))


BAD_PARAMETERS = [
    {"page": 0},
    {"per_page": 101},
    {"per_page": -1},
    {"sort": "newest"},
    {"filters": {"colour": ["red"]}},
    {"filters": {"outcome": "Upheld"}},
    {"facet_size": 2001},  # MAX_ENGINE_FACET_SIZE + 1 (pages and the API stop at 100)
    {"breakdown": "colour"},
    {"page": 1000, "per_page": 20},
]


@pytest.mark.parametrize("params", BAD_PARAMETERS, ids=[str(p) for p in BAD_PARAMETERS])
def test_invalid_parameters(params: dict) -> None:
    with pytest.raises(InvalidParameter) as info:
        SearchRequest(**params)
    assert info.value.parameter and info.value.reason


def test_unknown_filter_values_just_match_nothing(engine: Engine) -> None:
    response = engine.search(SearchRequest(filters={"category": ["no such category"]}))
    assert response.total == 0
    # The category facet ignores its own selection: every category is still offered.
    values = [(v.value, v.count, v.selected) for v in response.facets["category"]]
    assert values[0] == ("surgery", 10, False)
    assert values[-1] == ("no such category", 0, True)
    assert all(values == () for name, values in response.facets.items() if name != "category")

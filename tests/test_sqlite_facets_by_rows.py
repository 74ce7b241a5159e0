"""Small results have their facets counted row by row (postings.row_counts): the counts,
the outcome rate and the breakdown must be exactly those counted value by value."""

from __future__ import annotations

import pytest

from imr_search.contract import SearchRequest
from imr_search.engines import open_engine
from imr_search.sqlite.postings import Snapshot
from imr_search.sqlite.search import MATCH_CACHE

REQUESTS = [
    SearchRequest(query="therapy"),
    SearchRequest(query='"hardware block"'),
    SearchRequest(query="MRI", filters={"outcome": ["Overturned"]}),
    SearchRequest(query="knee", breakdown="reviewer_guideline", facet_size=3),
    SearchRequest(query="MRI", breakdown="year", decisions="about"),
    SearchRequest(query="", filters={"outcome": ["Upheld"]}, breakdown="concept"),
    SearchRequest(query="injection OR acupuncture", facet_sizes={"concept": 100}),
]


def _answer(target: str, request: SearchRequest, by_rows: bool, monkey: pytest.MonkeyPatch):
    monkey.setattr(Snapshot, "rows_pay", lambda self, members: by_rows and members > 0)
    MATCH_CACHE.clear()
    engine = open_engine(target)
    try:
        r = engine.search(request)
    finally:
        engine.close()
    return r.total, r.facets, r.outcome_rate, r.breakdown


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r.query or "browse")
def test_row_by_row_counts_are_the_value_by_value_counts(
    demo_index: str, request_: SearchRequest
) -> None:
    with pytest.MonkeyPatch.context() as monkey:
        by_values = _answer(demo_index, request_, False, monkey)
        by_rows = _answer(demo_index, request_, True, monkey)
    assert by_values[0] > 0, "the request should find something in the demo index"
    assert by_rows == by_values

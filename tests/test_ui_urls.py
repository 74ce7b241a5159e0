"""The app's fast URL helpers build exactly what `url_for` builds."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from flask import url_for
from test_ui_corpus import close_app, make_app

from search_ui.params import SearchState
from search_ui.presentation import fixed_url, item_url, search_url

IDS = ["CM16-0213037-1", "a b/c", "x%00y", "ünï?cödé#1", "&=+;'\"<>", ""]
QUERIES = ["", "lumbar", '"physical therapy" -knee', "a&b=c?d/e:f@g", "therap* ümlaut", "%00"]


@pytest.fixture(scope="module")
def app():  # type: ignore[no-untyped-def]
    application = make_app()
    yield application
    close_app(application)


@pytest.mark.parametrize("script_root", ["", "/imr", "/a b"])
def test_helpers_equal_url_for(app, script_root: str) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/search", environ_base={"SCRIPT_NAME": script_root}):
        for endpoint in ("items.item", "api.item"):
            for item_id in IDS:
                for query in QUERIES:
                    if not item_id:
                        continue
                    assert item_url(item_id, query, endpoint) == url_for(
                        endpoint, item_id=item_id, q=query or None
                    )
        for endpoint in ("search.search", "api.search", "export.export_csv", "items.similar"):
            assert fixed_url(endpoint) == url_for(endpoint)
        assert fixed_url("static", filename="style.css") == url_for("static", filename="style.css")
        state = SearchState(
            query='"low back" & ünï', filters={"outcome": ("Upheld", "a&b")}, sort="date", page=3
        )
        assert search_url(state) == url_for("search.search") + "?" + urlencode(state.params())
        assert search_url(SearchState()) == url_for("search.search")

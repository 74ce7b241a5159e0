"""The search page: query, facets, outcome chart and results; all state in the URL (GET only).

Bad input never becomes a 500: a query the parser rejects or a parameter out of range is shown
in the page itself, with the form still filled in, under HTTP 400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import Blueprint, Response, current_app, make_response, render_template, request

from imr_search.contract import SearchResponse
from imr_search.errors import InvalidParameter, QuerySyntaxError
from search_ui import backend
from search_ui.examples import shown_examples
from search_ui.facets import Chip, active_filters, build_facets
from search_ui.feed import feed_title, feed_url
from search_ui.params import (
    DATE_PARAMS,
    MAX_SIMILAR_TEXT,
    PER_PAGE_CHOICES,
    SearchState,
    parse_search_args,
)
from search_ui.payloads import BreakdownEntry
from search_ui.presentation import page_links, search_url

bp = Blueprint("search", __name__)

ALTERNATE = 'rel="alternate"; type="application/json"'
FEED = 'rel="alternate"; type="application/atom+xml"'
MAX_SUGGESTIONS = 8  # filters whose removal is counted on a zero-result page
RESULT_CONTROLS = ("sort", "breakdown", "per_page")  # the page's own controls, with results


@dataclass(frozen=True)
class Suggestion:
    """A way out of zero results: drop one filter (or all), with how many results that gives."""

    label: str
    url: str
    total: int


def _count(state: SearchState) -> int:
    request_ = state.request(
        page=1, per_page=0, facet_size=0, facet_sizes={}, breakdown=None, highlight=False
    )
    return backend.run(lambda e: e.search(request_)).total


def breakdown_entries(
    state: SearchState, response: SearchResponse, url_of: Callable[[SearchState], str]
) -> list[BreakdownEntry]:
    """The breakdown's rows, each linking to the search narrowed to its value."""
    facet = state.breakdown or ""
    return [BreakdownEntry.of(r, url_of(state.toggled(facet, r.value))) for r in response.breakdown]


def suggestions(state: SearchState, chips: list[Chip]) -> list[Suggestion]:
    """For a zero-result search with filters: which filter to drop, with the count it gives."""
    out: list[Suggestion] = []
    for chip in chips[:MAX_SUGGESTIONS]:
        relaxed = state.removing(chip.facet, chip.value)
        total = _count(relaxed)
        if total:
            out.append(Suggestion(f"{chip.facet_label}: {chip.label}", search_url(relaxed), total))
    if len(chips) > 1:
        relaxed = state.without_filters()
        total = _count(relaxed)
        if total:
            out.append(Suggestion("all filters", search_url(relaxed), total))
    out.sort(key=lambda s: -s.total)
    return out


@bp.get("/")
@bp.get("/search")
def search() -> Response:
    try:
        state = parse_search_args(request.args)
    except InvalidParameter as exc:
        fallback = SearchState(query=request.args.get("q", "")[:2000])
        return _page(fallback, error=str(exc), status=400)
    try:
        response = backend.run(lambda e: e.search(state.request(suggest=True)))
    except (QuerySyntaxError, InvalidParameter) as exc:
        return _page(state, error=str(exc), status=400)
    return _page(state, response=response)


def _page(
    state: SearchState,
    *,
    response: SearchResponse | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    chips = active_filters(state, search_url)
    hints = suggestions(state, chips) if response is not None and response.total == 0 else []
    shown: tuple[str, ...] = RESULT_CONTROLS if response is not None and response.total else ()
    if response is not None:  # the date inputs sit in the filters whenever results do
        shown = (*shown, *DATE_PARAMS)
    html = render_template(
        "search.html",
        state=state,
        response=response,
        error=error,
        facet_blocks=build_facets(response, state, search_url, toggle_urls=False),
        breakdown_rows=breakdown_entries(state, response, search_url) if response else [],
        chips=chips,
        suggestions=hints,
        hidden_fields=state.hidden_fields(shown),
        per_page_choices=sorted({*PER_PAGE_CHOICES, state.per_page}),
        examples=shown_examples() if response is not None and state == SearchState() else (),
        pages=page_links(state, response.total) if response else [],
        last_page=state.last_page(response.total) if response else 1,
        api_url=search_url(state, "api.search"),
        export_csv=search_url(replace(state, page=1), "export.export_csv"),
        export_json=search_url(replace(state, page=1), "export.export_json"),
        export_breakdown=search_url(replace(state, page=1), "export.export_breakdown_csv"),
        feed_url=feed_url(state) if error is None else None,
        feed_title=feed_title(state),
    )
    resp = make_response(html, status)
    links = [f"<{search_url(state, 'api.search')}>; {ALTERNATE}"]
    if error is None:
        links.append(f"<{feed_url(state)}>; {FEED}")
    resp.headers["Link"] = ", ".join(links)
    return resp


@bp.get("/help")
def help_page() -> str:
    """Query syntax, facets, exports, feeds; the API reference is /help/api."""
    return render_template(
        "help.html",
        max_export=current_app.config["EXPORT_MAX_ROWS"],
        max_similar=MAX_SIMILAR_TEXT,
    )

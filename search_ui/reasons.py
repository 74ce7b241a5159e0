"""The reasons that decide outcomes, for any search: what its upheld rationales say that the
overturned ones do not, and the reverse.

    /reasons?<search params>        /api/reasons?<search params>     /export/reasons.csv?...

Each reason links to the search listing the decisions that use it: a finding as a filter, a
phrase as `rationale:"..."` added to the query (so the page highlights it). The outcome filter
is left out (within one outcome nothing separates them). The work is bounded by
imr_search.reasons.SAMPLE decisions, and the page says when it read a sample.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from flask import Blueprint, Response, make_response, render_template, request

from imr_search import reasons as deciding
from imr_search.errors import InvalidParameter, QuerySyntaxError
from search_ui import backend
from search_ui.downloads import download_headers, exported_at, search_words
from search_ui.export import csv_cell, page_address
from search_ui.params import SearchState, parse_search_args
from search_ui.precedent_payloads import ReasonLists, ReasonsLinks, ReasonsPage, reason_lists
from search_ui.presentation import search_url
from search_ui.responses import json_response

bp = Blueprint("reasons", __name__)

ALTERNATE = 'rel="alternate"; type="application/json"'
CSV_COLUMNS = ("leans", "kind", "text", "upheld", "overturned", "g2", "url")


def reasons_state(args: object) -> SearchState:
    """The search whose reasons are asked for, without its outcome filter and paging."""
    state = parse_search_args(args)  # type: ignore[arg-type]
    filters = {k: v for k, v in state.filters.items() if k != "outcome"}
    return replace(state, filters=filters, page=1)


def listing(state: SearchState, reason: deciding.Reason) -> SearchState | None:
    """The search listing the decisions that use a reason (None: a finding when the search
    already filters by findings, whose values combine with OR, not AND)."""
    if reason.kind == "finding":
        if state.filters.get("finding"):
            return None
        return state.toggled("finding", reason.text)
    phrase = f'rationale:"{reason.text}"'
    query = f"({state.query}) {phrase}" if state.query else phrase
    return replace(state, query=query, page=1)


def compute(state: SearchState) -> ReasonLists:
    req = state.request(
        page=1, per_page=0, facet_size=0, facet_sizes={}, breakdown=None, highlight=False
    )
    found = backend.run(lambda e: deciding.of_search(e, req))

    def links(reason: deciding.Reason) -> tuple[str | None, str | None]:
        shown = listing(state, reason)
        if shown is None:
            return None, None
        return search_url(shown, "api.search"), search_url(shown)

    return reason_lists(found, links)


def payload(state: SearchState) -> ReasonsPage:
    return ReasonsPage(
        q=state.query,
        filters={k: tuple(v) for k, v in state.filters.items()},
        reasons=compute(state),
        links=ReasonsLinks(
            self=search_url(state, "reasons.reasons_api"),
            html=search_url(state, "reasons.reasons_page"),
            search=search_url(state),
            export_csv=search_url(state, "reasons.reasons_csv"),
        ),
    )


@bp.get("/reasons")
def reasons_page() -> Response:
    try:
        state = reasons_state(request.args)
        body = payload(state)
    except (InvalidParameter, QuerySyntaxError) as exc:
        html = render_template("reasons.html", body=None, error=str(exc), api_url=None)
        return make_response(html, 400)
    html = render_template("reasons.html", body=body, error=None, api_url=body.links.self)
    resp = make_response(html)
    resp.headers["Link"] = f"<{body.links.self}>; {ALTERNATE}"
    return resp


@bp.get("/api/reasons")
def reasons_api() -> Response:
    return json_response(payload(reasons_state(request.args)))


@bp.get("/export/reasons.csv")
def reasons_csv() -> Response:
    state = reasons_state(request.args)
    body = payload(state)
    base = request.host_url.rstrip("/")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for entry in (*body.reasons.upheld, *body.reasons.overturned):
        cells = (entry.leans, entry.kind, entry.text, entry.upheld, entry.overturned, entry.g2)
        url = base + (entry.html_url or "")
        writer.writerow([csv_cell(str(c)) for c in (*cells, url)])
    name = ("reasons", *search_words(state))
    headers = download_headers(*name, ext="csv", when=exported_at(), search_url=page_address(state))
    return Response(buf.getvalue(), mimetype="text/csv", headers=headers)

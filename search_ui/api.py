"""The JSON API: the twin of every page, with the same parameters as the page URLs.

    /api/search?<search params>        /search?...
    /api/facets?<search params>        facet counts, outcome rate and breakdown only
    /api/items/<id>[?q=]               /item/<id>
    /api/items/<id>/similar[?k=]       the item page's "similar prior cases"
    /api/similar?text=..[&category=&k=]  /similar (GET, or POST form / JSON body)
    /api/openapi.json                  /help/api (the API reference rendered from it)
Errors: {"error": {"status", "message", "parameter"}} with the matching HTTP status. Every
body is a typed payload (search_ui.payloads), described by the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request, url_for

from imr_search import estimate
from imr_search.contract import OutcomeRate, SearchResponse, SimilarRequest
from imr_search.errors import InvalidParameter
from search_ui import backend, items
from search_ui.bodies import similar_body
from search_ui.facets import active_filters, build_facets
from search_ui.feed import feed_url
from search_ui.openapi import openapi_spec
from search_ui.params import SearchState, check_known, parse_int, parse_search_args
from search_ui.payloads import (
    About,
    ActiveFilter,
    ApiIndex,
    FacetsPage,
    Health,
    ItemLinks,
    Rate,
    SearchEcho,
    SearchLinks,
    SearchPage,
    SimilarCase,
    SimilarPage,
    item_page,
    result_item,
    similar_case,
)
from search_ui.presentation import item_url, search_url
from search_ui.responses import json_response
from search_ui.search import breakdown_entries

bp = Blueprint("api", __name__, url_prefix="/api")


def _links(state: SearchState, response: SearchResponse) -> SearchLinks:
    last = state.last_page(response.total)
    has_next = state.page < last and state.per_page

    def listing(decisions: str) -> str | None:
        if response.about is None:
            return None
        return search_url(state.listing(decisions), "api.search")

    return SearchLinks(
        self=search_url(state, "api.search"),
        html=search_url(state),
        next=search_url(state.at_page(state.page + 1), "api.search") if has_next else None,
        prev=search_url(state.at_page(state.page - 1), "api.search") if state.page > 1 else None,
        export_csv=search_url(state.at_page(1), "export.export_csv"),
        export_json=search_url(state.at_page(1), "export.export_json"),
        export_breakdown_csv=search_url(state.at_page(1), "export.export_breakdown_csv"),
        feed=feed_url(state),
        about=listing("about"),
        mentions=listing("mentions"),
        all=listing("all"),
        suggestion=(
            search_url(state.with_query(response.suggestion), "api.search")
            if response.suggestion
            else None
        ),
    )


def _echo(state: SearchState) -> SearchEcho:
    return SearchEcho(
        q=state.query,
        filters={k: tuple(v) for k, v in state.filters.items()},
        sort=state.sort,
        page=state.page,
        per_page=state.per_page,
        facet_size=state.facet_size,
        more=state.more,
        breakdown=state.breakdown,
        decisions=state.decisions,
        date_from=state.date_from,
        date_to=state.date_to,
    )


def _facet_parts(
    state: SearchState, response: SearchResponse
) -> tuple[tuple[Any, ...], tuple[ActiveFilter, ...]]:
    def api_url(s: SearchState) -> str:
        return search_url(s, "api.search")

    blocks = tuple(b.payload() for b in build_facets(response, state, api_url))
    chips = tuple(
        ActiveFilter(c.facet, c.value, c.remove_url) for c in active_filters(state, api_url)
    )
    return blocks, chips


@bp.get("/search")
def search() -> Response:
    state = parse_search_args(request.args)
    response = backend.run(lambda e: e.search(state.request(suggest=True)))
    blocks, chips = _facet_parts(state, response)
    return json_response(
        SearchPage(
            total=response.total,
            took_ms=round(response.took_ms, 2),
            items=tuple(
                result_item(
                    h,
                    url=lambda i: item_url(i, state.query, "api.item"),
                    html_url=lambda i: item_url(i, state.query),
                )
                for h in response.hits
            ),
            facets=blocks,
            active_filters=chips,
            outcome_rate=Rate.of(response.outcome_rate),
            breakdown=tuple(breakdown_entries(state, response, search_url)),
            notice=response.notice,
            about=About.of(response.about),
            breakdown_ignores=response.breakdown_ignores,
            request=_echo(state),
            links=_links(state, response),
            suggestion=response.suggestion,
        )
    )


@bp.get("/facets")
def facets() -> Response:
    state = parse_search_args(request.args)
    response = backend.run(lambda e: e.search(state.request(per_page=0, page=1)))
    blocks, chips = _facet_parts(state, response)
    return json_response(
        FacetsPage(
            total=response.total,
            took_ms=round(response.took_ms, 2),
            facets=blocks,
            active_filters=chips,
            outcome_rate=Rate.of(response.outcome_rate),
            breakdown=tuple(breakdown_entries(state, response, search_url)),
            about=About.of(response.about),
            breakdown_ignores=response.breakdown_ignores,
            request=_echo(state),
        )
    )


def _similar_cases(hits: Any) -> tuple[SimilarCase, ...]:
    return tuple(
        similar_case(h, url=lambda i: item_url(i, endpoint="api.item"), html_url=item_url)
        for h in hits
    )


@bp.get("/items/<item_id>")
def item(item_id: str) -> Response:
    ctx = items.item_context(item_id, items.item_query(), items.SimilarOptions.of(request.args))
    return json_response(
        item_page(
            ctx.doc,
            ctx.letter_items,
            ctx.similar,
            links=ItemLinks(
                self=url_for("api.item", item_id=item_id, q=ctx.query or None),
                html=item_url(item_id, ctx.query),
                similar=url_for("api.item_similar", item_id=item_id),
            ),
            url=lambda i: item_url(i, endpoint="api.item"),
            html_url=item_url,
            rationale_html=str(ctx.rationale_html) if ctx.query else None,
        )
    )


@bp.get("/items/<item_id>/similar")
def item_similar(item_id: str) -> Response:
    check_known(request.args, ("k", "same_category", *items.SimilarOptions.PARAMS))
    k = parse_int(request.args, "k", items.ITEM_SIMILAR_K, 1, 100)
    same = request.args.get("same_category", "").lower() in ("1", "true", "yes", "on")
    options = items.SimilarOptions.of(request.args)
    req = SimilarRequest(
        item_id=item_id,
        k=k,
        same_category=same,
        prior_only=options.prior_only,
        same_outcome=options.same_outcome,
        same_region=options.same_region,
    )
    hits = backend.run(lambda e: e.similar(req))
    return json_response(
        SimilarPage(
            similar=_similar_cases(hits),
            outcome_rate=Rate.of(OutcomeRate.of(h.doc for h in hits)),
            item_id=item_id,
        )
    )


def _text_source() -> Any:
    """The parameters of a pasted-text request: the query string (GET), or a form or JSON
    object (POST)."""
    if request.method != "POST":
        return request.args
    check_known(request.args, ())
    if not request.is_json:
        return request.form
    return similar_body(request)


@bp.route("/similar", methods=["GET", "POST"])
def similar_text() -> Response:
    source = _text_source()
    text, category, k = items.similar_args(source)
    if text is None:
        raise InvalidParameter("text", "is empty; paste a denial or a case summary")
    hits = items.similar_to_text(text, category, k)
    return json_response(
        SimilarPage(
            similar=_similar_cases(hits),
            outcome_rate=Rate.of(OutcomeRate.of(h.doc for h in hits)),
        )
    )


@bp.route("/estimate", methods=["GET", "POST"])
def estimate_text() -> Response:
    """The precedent estimate for a pasted denial or summary (text of at least MIN_WORDS)."""
    text, category, k = items.similar_args(_text_source())
    if text is None:
        raise InvalidParameter("text", "is empty; paste a denial or a case summary")
    estimate.check_text(text)
    found = estimate.of_hits(items.similar_to_text(text, category, k), prior_only=False)
    return json_response(items.estimate_body(found))


@bp.get("/items/<item_id>/estimate")
def item_estimate(item_id: str) -> Response:
    """The precedent estimate of an item: its most similar decisions dated before it."""
    check_known(request.args, ("k",))
    k = parse_int(request.args, "k", estimate.PRECEDENTS, 1, 100)
    found = backend.run(lambda e: estimate.for_item(e, item_id, k))
    return json_response(items.estimate_body(found, item_id))


@bp.get("/health")
def health() -> Response:
    """For load balancers and compose health checks: 200 with the item count, or 503."""
    count = backend.run(lambda e: e.count())
    return json_response(Health(status="ok", items=count))


@bp.get("/openapi.json")
def openapi() -> Response:
    resp = json_response(openapi_spec(current_app.config["EXPORT_MAX_ROWS"]))
    doc = url_for("reference.api_reference")
    resp.headers["Link"] = f'<{doc}>; rel="alternate service-doc"; type="text/html"'
    return resp


@bp.get("")
@bp.get("/")
def index() -> Response:
    def template(endpoint: str) -> str:
        return url_for(endpoint, item_id="ID").replace("/ID", "/{id}")

    return json_response(
        ApiIndex(
            openapi=url_for("api.openapi"),
            reference=url_for("reference.api_reference"),
            endpoints={
                "search": url_for("api.search"),
                "facets": url_for("api.facets"),
                "item": template("api.item"),
                "item_similar": template("api.item_similar"),
                "similar": url_for("api.similar_text"),
                "estimate": url_for("api.estimate_text"),
                "item_estimate": template("api.item_estimate"),
                "guidelines": url_for("citator.guidelines_api"),
                "sections": url_for("citator.sections_api"),
                "reasons": url_for("reasons.reasons_api"),
                "export_csv": url_for("export.export_csv"),
                "export_json": url_for("export.export_json"),
                "export_breakdown_csv": url_for("export.export_breakdown_csv"),
                "feed": url_for("feed.feed"),
                "health": url_for("api.health"),
            },
        )
    )

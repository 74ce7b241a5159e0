"""The JSON API: the twin of every page, with the same parameters as the page URLs.

    /api/search?<search params>        /search?...
    /api/facets?<search params>        facet counts, outcome rate and breakdown only
    /api/items/<id>[?q=]               /item/<id>
    /api/items/<id>/similar[?k=]       the item page's "similar prior cases"
    /api/similar?text=..[&category=&k=]  /similar (GET, or POST form / JSON body)
    /api/openapi.json                  /help
Errors: {"error": {"status", "message", "parameter"}} with the matching HTTP status.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from werkzeug.datastructures import MultiDict

from imr_search.engine import SearchResponse, SimilarRequest
from imr_search.errors import InvalidParameter
from search_ui import backend, items
from search_ui.facets import active_filters, build_facets
from search_ui.openapi import openapi_spec
from search_ui.params import SearchState, check_known, parse_int, parse_search_args
from search_ui.presentation import item_url, search_url

bp = Blueprint("api", __name__, url_prefix="/api")


def _links(state: SearchState, response: SearchResponse) -> dict[str, str | None]:
    last = state.last_page(response.total)
    return {
        "self": search_url(state, "api.search"),
        "html": search_url(state),
        "next": search_url(state.at_page(state.page + 1), "api.search")
        if state.page < last and state.per_page
        else None,
        "prev": search_url(state.at_page(state.page - 1), "api.search") if state.page > 1 else None,
        "export_csv": search_url(state.at_page(1), "export.export_csv"),
        "export_json": search_url(state.at_page(1), "export.export_json"),
    }


def _state_dict(state: SearchState) -> dict[str, Any]:
    return {
        "q": state.query,
        "filters": {k: list(v) for k, v in state.filters.items()},
        "sort": state.sort,
        "page": state.page,
        "per_page": state.per_page,
        "facet_size": state.facet_size,
        "breakdown": state.breakdown,
    }


def _facets_payload(state: SearchState, response: SearchResponse) -> dict[str, Any]:
    def api_url(s: SearchState) -> str:
        return search_url(s, "api.search")

    return {
        "facets": [b.to_dict() for b in build_facets(response, state, api_url)],
        "active_filters": [
            {"facet": c.facet, "value": c.value, "remove_url": c.remove_url}
            for c in active_filters(state, api_url)
        ],
    }


@bp.get("/search")
def search() -> Response:
    state = parse_search_args(request.args)
    response = backend.run(lambda e: e.search(state.request()))
    body = response.to_dict()
    for hit in body["items"]:
        hit["url"] = item_url(hit["id"], state.query, "api.item")
        hit["html_url"] = item_url(hit["id"], state.query)
    body.update(_facets_payload(state, response))
    body["request"] = _state_dict(state)
    body["links"] = _links(state, response)
    return jsonify(body)


@bp.get("/facets")
def facets() -> Response:
    state = parse_search_args(request.args)
    response = backend.run(lambda e: e.search(state.request(per_page=0, page=1)))
    body: dict[str, Any] = {
        "total": response.total,
        "took_ms": round(response.took_ms, 2),
        **_facets_payload(state, response),
        "outcome_rate": response.outcome_rate.to_dict(),
        "breakdown": [{"value": r.value, **r.rate.to_dict()} for r in response.breakdown],
        "request": _state_dict(state),
    }
    return jsonify(body)


@bp.get("/items/<item_id>")
def item(item_id: str) -> Response:
    ctx = items.item_context(item_id, items.item_query())
    doc = ctx["doc"]
    body: dict[str, Any] = {
        "item": doc,
        "letter_items": [
            {
                "id": d["id"],
                "item_number": d["item_number"],
                "treatment": d["treatment"],
                "outcome": d["outcome"],
                "url": item_url(d["id"], endpoint="api.item"),
            }
            for d in ctx["letter_items"]
        ],
        "similar": [_similar_dict(h) for h in ctx["similar"]],
        "similar_outcome_rate": ctx["similar_rate"].to_dict(),
        "links": {
            "self": url_for("api.item", item_id=item_id, q=ctx["query"] or None),
            "html": item_url(item_id, ctx["query"]),
            "similar": url_for("api.item_similar", item_id=item_id),
        },
    }
    if ctx["query"]:
        body["rationale_html"] = str(ctx["rationale_html"])
    return jsonify(body)


def _similar_dict(hit: Any) -> dict[str, Any]:
    d = hit.to_dict()
    d["url"] = item_url(d["id"], endpoint="api.item")
    d["html_url"] = item_url(d["id"])
    return d


@bp.get("/items/<item_id>/similar")
def item_similar(item_id: str) -> Response:
    check_known(request.args, ("k", "same_category"))
    k = parse_int(request.args, "k", items.ITEM_SIMILAR_K, 1, 100)
    same = request.args.get("same_category", "").lower() in ("1", "true", "yes", "on")
    req = SimilarRequest(item_id=item_id, k=k, same_category=same)
    hits = backend.run(lambda e: e.similar(req))
    return jsonify(
        {
            "item_id": item_id,
            "similar": [_similar_dict(h) for h in hits],
            "outcome_rate": items.outcome_rate(hits).to_dict(),
        }
    )


@bp.route("/similar", methods=["GET", "POST"])
def similar_text() -> Response:
    if request.method == "POST":
        check_known(request.args, ())
        if request.is_json:
            data = request.get_json(silent=True)
            if not isinstance(data, dict):
                raise InvalidParameter("body", 'send a JSON object like {"text": "..."}')
            source: Any = MultiDict({k: str(v) for k, v in data.items() if v is not None})
        else:
            source = request.form
    else:
        source = request.args
    text, category, k = items.similar_args(source)
    if text is None:
        raise InvalidParameter("text", "is empty; paste a denial or a case summary")
    hits = items.similar_to_text(text, category, k)
    return jsonify(
        {
            "similar": [_similar_dict(h) for h in hits],
            "outcome_rate": items.outcome_rate(hits).to_dict(),
        }
    )


@bp.get("/health")
def health() -> Response:
    """For load balancers and compose health checks: 200 with the item count, or 503."""
    count = backend.run(lambda e: e.count())
    return jsonify({"status": "ok", "items": count})


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_spec(current_app.config["EXPORT_MAX_ROWS"]))


@bp.get("")
@bp.get("/")
def index() -> Response:
    def template(endpoint: str) -> str:
        return url_for(endpoint, item_id="ID").replace("/ID", "/{id}")

    return jsonify(
        {
            "openapi": url_for("api.openapi"),
            "endpoints": {
                "search": url_for("api.search"),
                "facets": url_for("api.facets"),
                "item": template("api.item"),
                "item_similar": template("api.item_similar"),
                "similar": url_for("api.similar_text"),
                "export_csv": url_for("export.export_csv"),
                "export_json": url_for("export.export_json"),
                "health": url_for("api.health"),
            },
        }
    )

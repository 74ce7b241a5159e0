"""Item pages and "find similar": one decision in full, with its letter and its precedents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from flask import Blueprint, Response, make_response, render_template, request, url_for
from markupsafe import Markup

from imr_search.contract import OutcomeRate, SearchRequest, SimilarHit, SimilarRequest
from imr_search.errors import InvalidParameter, ItemNotFound, QuerySyntaxError
from mappings.schema import ItemDocument
from search_ui import backend, limits
from search_ui.markup import marked
from search_ui.params import (
    DEFAULT_SIMILAR_K,
    MAX_SIMILAR_TEXT,
    MAX_VALUE_LENGTH,
    check_known,
    parse_int,
    similar_text,
)

bp = Blueprint("items", __name__)

ITEM_SIMILAR_K = 10
MAX_ITEM_QUERY = 1000
MAX_ITEM_ID = 200


@dataclass(frozen=True)
class ItemContext:
    """What the item page and its JSON twin show: the item, its letter's items, precedents."""

    doc: ItemDocument
    letter_items: list[ItemDocument]
    similar: list[SimilarHit]
    similar_rate: OutcomeRate
    query: str
    treatment_html: Markup  # the texts with the query's matches marked, as HTML
    rationale_html: Markup
    summary_html: Markup


def item_context(item_id: str, query: str) -> ItemContext:
    if len(item_id) > MAX_ITEM_ID:
        raise ItemNotFound(f"No item with an id of {len(item_id)} characters.")
    doc = backend.run(lambda e: e.get_item(item_id))
    try:
        texts = backend.run(lambda e: e.mark_item(item_id, query))
    except QuerySyntaxError:  # the page still shows the item, unmarked
        texts = backend.run(lambda e: e.mark_item(item_id, ""))
    letter_items = backend.run(lambda e: e.letter_items(doc.letter_id))
    similar = backend.run(lambda e: e.similar(SimilarRequest(item_id=item_id, k=ITEM_SIMILAR_K)))
    return ItemContext(
        doc=doc,
        letter_items=letter_items,
        similar=similar,
        similar_rate=outcome_rate(similar),
        query=query,
        treatment_html=marked(texts.treatment),
        rationale_html=marked(texts.rationale),
        summary_html=marked(texts.summary),
    )


def outcome_rate(hits: Sequence[SimilarHit]) -> OutcomeRate:
    """How the similar cases were decided (the question the user came with)."""
    return OutcomeRate.of(h.doc for h in hits)


def item_query() -> str:
    check_known(request.args, ("q",))
    query = request.args.get("q", "").strip()
    if len(query) > MAX_ITEM_QUERY:
        raise InvalidParameter("q", f"the query is longer than {MAX_ITEM_QUERY} characters")
    return query


@bp.get("/item/<item_id>")
def item(item_id: str) -> Response:
    ctx = item_context(item_id, item_query())
    api = url_for("api.item", item_id=item_id, q=ctx.query or None)
    values = {f.name: getattr(ctx, f.name) for f in fields(ctx)}
    resp = make_response(render_template("item.html", api_url=api, **values))
    resp.headers["Link"] = f'<{api}>; rel="alternate"; type="application/json"'
    return resp


def similar_args(source: Any) -> tuple[str | None, str | None, int]:
    """(text, category, k) from a query string or a posted form; bounded."""
    check_known(source, ("text", "category", "k"))
    raw = source.get("text")
    text = similar_text(raw) if raw is not None and raw.strip() else None
    category = (source.get("category") or "").strip() or None
    if category is not None and len(category) > MAX_VALUE_LENGTH:
        raise InvalidParameter("category", f"is longer than {MAX_VALUE_LENGTH} characters")
    k = parse_int(source, "k", DEFAULT_SIMILAR_K * 2, 1, 100)
    return text, category, k


def similar_to_text(text: str, category: str | None, k: int) -> list[SimilarHit]:
    req = SimilarRequest(text=text, k=k, category=category, same_category=category is not None)
    with limits.gate("similar_text").held():  # a few at once per process, else 429
        return backend.run(lambda e: e.similar(req))


@bp.route("/similar", methods=["GET", "POST"])
def similar() -> Response:
    """Paste a denial or a case summary; see how similar requests were decided.

    GET keeps the text in the URL (shareable); the form posts because a pasted denial is
    often longer than a URL should be. Nothing is stored either way.
    """
    source = request.form if request.method == "POST" else request.args
    error: str | None = None
    text, category, hits = None, None, []
    try:
        if request.method == "POST":
            check_known(request.args, ())
        text, category, k = similar_args(source)
        if text is None and request.method == "POST":
            raise InvalidParameter("text", "is empty; paste a denial or a case summary")
        hits = similar_to_text(text, category, k) if text else []
    except InvalidParameter as exc:
        error = str(exc)
        text = (source.get("text") or "")[: MAX_SIMILAR_TEXT + 1000]
    html = render_template(
        "similar.html",
        text=text or "",
        category=category,
        categories=category_choices(),
        hits=hits,
        rate=outcome_rate(hits),
        searched=bool(text) and error is None,
        error=error,
        api_url=url_for("api.similar_text"),
    )
    return make_response(html, 400 if error else 200)


def category_choices() -> list[str]:
    """Treatment types present in the index, most frequent first (for the optional filter)."""
    req = SearchRequest(per_page=0, facet_size=50, breakdown=None, highlight=False)
    response = backend.run(lambda e: e.search(req))
    return [v.value for v in response.facets.get("category", ())]

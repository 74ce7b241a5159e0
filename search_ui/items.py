"""Item pages and "find similar": one decision in full, with its letter and its precedents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from flask import Blueprint, Response, make_response, render_template, request, url_for
from markupsafe import Markup

from imr_search import estimate
from imr_search.contract import OutcomeRate, SearchRequest, SimilarHit, SimilarRequest
from imr_search.errors import InvalidParameter, ItemNotFound, QuerySyntaxError
from mappings.schema import ItemDocument
from search_ui import backend, citator, letters, limits
from search_ui.markup import marked
from search_ui.params import (
    DEFAULT_SIMILAR_K,
    MAX_SIMILAR_TEXT,
    MAX_VALUE_LENGTH,
    check_known,
    parse_int,
    similar_text,
)
from search_ui.payloads import similar_case
from search_ui.precedent_payloads import EstimatePayload, estimate_payload
from search_ui.presentation import item_url

bp = Blueprint("items", __name__)

ITEM_SIMILAR_K = 10
MAX_ITEM_QUERY = 1000
MAX_ITEM_ID = 200


@dataclass(frozen=True)
class SimilarOptions:
    """The similar-cases options of the item page (in its URL)."""

    prior_only: bool = False
    same_outcome: bool = False
    same_region: bool = False

    PARAMS = ("prior", "same_outcome", "same_region")

    @classmethod
    def of(cls, args: Any) -> SimilarOptions:
        def flag(name: str) -> bool:
            return args.get(name, "").strip().lower() in ("1", "true", "yes", "on")

        return cls(flag("prior"), flag("same_outcome"), flag("same_region"))


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
    options: SimilarOptions
    estimate: estimate.Estimate  # from the most similar prior decisions


def item_context(item_id: str, query: str, options: SimilarOptions | None = None) -> ItemContext:
    options = options or SimilarOptions()
    if len(item_id) > MAX_ITEM_ID:
        raise ItemNotFound(f"No item with an id of {len(item_id)} characters.")
    doc = backend.run(lambda e: e.get_item(item_id))
    try:
        texts = backend.run(lambda e: e.mark_item(item_id, query))
    except QuerySyntaxError:  # the page still shows the item, unmarked
        texts = backend.run(lambda e: e.mark_item(item_id, ""))
    letter_items = backend.run(lambda e: e.letter_items(doc.letter_id))
    request_ = SimilarRequest(
        item_id=item_id,
        k=ITEM_SIMILAR_K,
        prior_only=options.prior_only,
        same_outcome=options.same_outcome,
        same_region=options.same_region,
    )
    similar = backend.run(lambda e: e.similar(request_))
    found = backend.run(lambda e: estimate.for_item(e, item_id))
    return ItemContext(
        doc=doc,
        letter_items=letter_items,
        similar=similar,
        similar_rate=outcome_rate(similar),
        query=query,
        treatment_html=marked(texts.treatment),
        rationale_html=marked(texts.rationale),
        summary_html=marked(texts.summary),
        options=options,
        estimate=found,
    )


def estimate_body(found: estimate.Estimate, item_id: str | None = None) -> EstimatePayload:
    """The estimate's payload (the page shows it; the API sends it)."""
    cases = tuple(
        similar_case(h, url=lambda i: item_url(i, endpoint="api.item"), html_url=item_url)
        for h in found.precedents
    )
    return estimate_payload(
        found,
        cases,
        guideline_url=lambda name: (
            citator.page_url("guideline", name) if name != estimate.CITED_NOTHING else None
        ),
        item_id=item_id,
    )


def outcome_rate(hits: Sequence[SimilarHit]) -> OutcomeRate:
    """How the similar cases were decided (the question the user came with)."""
    return OutcomeRate.of(h.doc for h in hits)


def item_query() -> str:
    check_known(request.args, ("q", *SimilarOptions.PARAMS))
    query = request.args.get("q", "").strip()
    if len(query) > MAX_ITEM_QUERY:
        raise InvalidParameter("q", f"the query is longer than {MAX_ITEM_QUERY} characters")
    return query


@bp.get("/item/<item_id>")
def item(item_id: str) -> Response:
    ctx = item_context(item_id, item_query(), SimilarOptions.of(request.args))
    api = url_for("api.item", item_id=item_id, q=ctx.query or None)
    values = {f.name: getattr(ctx, f.name) for f in fields(ctx)}
    values["estimate_body"] = estimate_body(ctx.estimate)
    values["letter_file"] = letters.letter_link(item_id, ctx.doc.letter.source)
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
    found: estimate.Estimate | None = None
    too_short: str | None = None
    try:
        if request.method == "POST":
            check_known(request.args, ())
        text, category, k = similar_args(source)
        if text is None and request.method == "POST":
            raise InvalidParameter("text", "is empty; paste a denial or a case summary")
        hits = similar_to_text(text, category, k) if text else []
        if text:
            try:
                estimate.check_text(text)
                found = estimate.of_hits(hits, prior_only=False)
            except InvalidParameter as exc:  # the cases are listed, without an estimate
                too_short = exc.reason
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
        estimate_body=estimate_body(found) if found is not None else None,
        too_short=too_short,
        error=error,
        api_url=url_for("api.similar_text"),
    )
    return make_response(html, 400 if error else 200)


def category_choices() -> list[str]:
    """Treatment types present in the index, most frequent first (for the optional filter)."""
    req = SearchRequest(per_page=0, facet_size=50, breakdown=None, highlight=False)
    response = backend.run(lambda e: e.search(req))
    return [v.value for v in response.facets.get("category", ())]

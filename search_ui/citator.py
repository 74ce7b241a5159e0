"""The guideline citator pages: every guideline (section) cited, and one report per guideline
and per section, each with its JSON twin and CSV export.

    /guidelines[?q=]            /api/guidelines       /export/guidelines.csv
    /guidelines/<name>          /api/guidelines/<name> /export/guideline.csv?name=
    /sections[?q=]              /api/sections         /export/sections.csv
    /sections/<name>            /api/sections/<name>   /export/section.csv?name=

A name nobody cites is a 404 that lists the closest cited names (pages link them). The work is
bounded: a report is eight facet searches, the index one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Blueprint, Response, make_response, render_template, request, url_for

from imr_search import citator
from imr_search.contract import OutcomeRate
from imr_search.errors import InvalidParameter
from search_ui import backend
from search_ui.downloads import download_headers, exported_at
from search_ui.export import RATE_COLUMNS, csv_cell, rate_cells
from search_ui.params import MAX_VALUE_LENGTH, SearchState, check_known
from search_ui.payloads import BreakdownEntry
from search_ui.precedent_payloads import (
    CitatorIndex,
    CitatorLinks,
    CitatorReport,
    UrlOf,
    citator_index,
    citator_report,
)
from search_ui.presentation import search_url
from search_ui.responses import json_response
from search_ui.security import error_response

bp = Blueprint("citator", __name__)

ALTERNATE = 'rel="alternate"; type="application/json"'
PLURAL: dict[citator.Kind, str] = {"guideline": "guidelines", "section": "sections"}


def page_url(kind: citator.Kind, name: str) -> str:
    return url_for(f"citator.{kind}_page", name=name)


# The facets whose values have a citator record, and which kind of record.
RECORD_FACETS: dict[str, citator.Kind] = {
    facet: kind for kind, facets in citator.FACETS.items() for facet in facets
}


@bp.app_template_global()
def record_url(facet: str, value: str) -> str | None:
    """The citator page of a facet value (a guideline or section), None for other facets."""
    kind = RECORD_FACETS.get(facet)
    return page_url(kind, value) if kind is not None else None


def api_url(kind: citator.Kind, name: str) -> str:
    return url_for(f"citator.{kind}_api", name=name)


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_VALUE_LENGTH:
        raise InvalidParameter("name", f"must be 1 to {MAX_VALUE_LENGTH} characters")
    return name


def _name_filter() -> str:
    check_known(request.args, ("q",))
    text = request.args.get("q", "").strip()
    if len(text) > MAX_VALUE_LENGTH:
        raise InvalidParameter("q", f"is longer than {MAX_VALUE_LENGTH} characters")
    return text


# --- building the payloads ------------------------------------------------------------------


def index_payload(kind: citator.Kind, name_filter: str = "") -> CitatorIndex:
    rows = backend.run(lambda e: citator.index(e, kind))
    shown = [r for r in rows if name_filter.lower() in r.name.lower()] if name_filter else rows
    return citator_index(
        kind,
        shown,
        url=lambda n: api_url(kind, n),
        html_url=lambda n: page_url(kind, n),
        name_filter=name_filter,
        total=len(rows),
    )


def report_payload(kind: citator.Kind, name: str) -> CitatorReport:
    report = backend.run(lambda e: citator.report(e, name, kind))
    reviewer, administrator = report.reviewer_facet, report.administrator_facet

    def listing(**filters: tuple[str, ...]) -> str:
        return search_url(SearchState(filters=filters, breakdown="concept"))

    def within(facet: str) -> UrlOf:
        return lambda value: search_url(
            SearchState(filters={reviewer: (name,), facet: (value,)}, breakdown="concept")
        )

    links = CitatorLinks(
        self=api_url(kind, name),
        html=page_url(kind, name),
        export_csv=url_for(f"citator.{kind}_csv", name=name),
        reviewer_decisions=listing(**{reviewer: (name,)}),
        administrator_decisions=listing(**{administrator: (name,)}),
        both_decisions=listing(**{reviewer: (name,), administrator: (name,)}),
    )
    return citator_report(
        report,
        links,
        concept_url=within("concept"),
        year_url=within("year"),
        co_cited_url=lambda value: page_url(kind, value),
        section_url=lambda value: api_url("section", value),
        section_html_url=lambda value: page_url("section", value),
    )


# --- pages ------------------------------------------------------------------------------------


def _index_page(kind: citator.Kind) -> Response:
    name_filter = _name_filter()
    payload = index_payload(kind, name_filter)
    api = url_for(f"citator.{PLURAL[kind]}_api", q=name_filter or None)
    html = render_template(
        "citator_index.html",
        index=payload,
        kind=kind,
        api_url=api,
        export_csv=url_for(f"citator.{PLURAL[kind]}_csv"),
    )
    resp = make_response(html)
    resp.headers["Link"] = f"<{api}>; {ALTERNATE}"
    return resp


def _report_page(kind: citator.Kind, name: str) -> Response:
    check_known(request.args, ())
    name = _name(name)
    try:
        payload = report_payload(kind, name)
    except citator.NotCited as exc:
        return _not_cited(exc)
    rates, links = payload.rates, payload.links
    parties = [
        BreakdownEntry.of_rate(label, rate, url if rate.total else None)
        for label, rate, url in (
            ("The reviewer relied on it", rates.reviewer, links.reviewer_decisions),
            (
                "The claims administrator cited it",
                rates.administrator,
                links.administrator_decisions,
            ),
            ("Both cited it", rates.both, links.both_decisions),
            (
                "Only the claims administrator cited it (the reviewer relied on other evidence)",
                rates.only_administrator,
                None,
            ),
        )
    ]
    html = render_template(
        "citator_report.html", report=payload, parties=parties, api_url=payload.links.self
    )
    resp = make_response(html)
    resp.headers["Link"] = f"<{payload.links.self}>; {ALTERNATE}"
    return resp


def _not_cited(exc: citator.NotCited) -> Response:
    """404 listing the closest cited names (as links on a page, as data in JSON)."""
    if request.path.startswith(("/api/", "/export")):
        return error_response(404, str(exc), "name", suggestions=exc.suggestions)
    html = render_template(
        "error.html",
        status=404,
        message=f"No decision cites the {exc.kind} “{exc.name}”.",
        suggestions=[(s, page_url(exc.kind, s)) for s in exc.suggestions],
        index_url=url_for(f"citator.{PLURAL[exc.kind]}_page"),
    )
    return make_response(html, 404)


@bp.get("/guidelines")
def guidelines_page() -> Response:
    return _index_page("guideline")


@bp.get("/sections")
def sections_page() -> Response:
    return _index_page("section")


@bp.get("/guidelines/<path:name>")
def guideline_page(name: str) -> Response:
    return _report_page("guideline", name)


@bp.get("/sections/<path:name>")
def section_page(name: str) -> Response:
    return _report_page("section", name)


# --- JSON twins ----------------------------------------------------------------------------


@bp.get("/api/guidelines")
def guidelines_api() -> Response:
    return json_response(index_payload("guideline", _name_filter()))


@bp.get("/api/sections")
def sections_api() -> Response:
    return json_response(index_payload("section", _name_filter()))


def _report_json(kind: citator.Kind, name: str) -> Response:
    check_known(request.args, ())
    try:
        return json_response(report_payload(kind, _name(name)))
    except citator.NotCited as exc:
        return _not_cited(exc)


@bp.get("/api/guidelines/<path:name>")
def guideline_api(name: str) -> Response:
    return _report_json("guideline", name)


@bp.get("/api/sections/<path:name>")
def section_api(name: str) -> Response:
    return _report_json("section", name)


# --- CSV exports ----------------------------------------------------------------------------

INDEX_COLUMNS = ("name", "reviewer_decisions", "claims_administrator_decisions", "url")
REPORT_COLUMNS = ("part", "value", *RATE_COLUMNS)


def _csv(rows: Iterable[Iterable[object]], *name: str) -> Response:
    """A CSV download named `imr-<name>-<date>.csv` (search_ui.downloads)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow([csv_cell(str(v)) for v in row])
    headers = download_headers(*name, ext="csv", when=exported_at())
    return Response(buf.getvalue(), mimetype="text/csv", headers=headers)


def _index_csv(kind: citator.Kind) -> Response:
    check_known(request.args, ())
    base = request.host_url.rstrip("/")
    payload = index_payload(kind)
    rows: list[Iterable[object]] = [INDEX_COLUMNS]
    rows += [
        (e.name, e.reviewer, e.administrator, base + (e.html_url or "")) for e in payload.entries
    ]
    return _csv(rows, PLURAL[kind])


def _report_csv(kind: citator.Kind) -> Response:
    check_known(request.args, ("name",))
    name = _name(request.args.get("name", ""))
    try:
        report = backend.run(lambda e: citator.report(e, name, kind))
    except citator.NotCited as exc:
        return _not_cited(exc)
    parts: list[tuple[str, str, OutcomeRate]] = [
        ("reviewer relied on it", name, report.reviewer),
        ("claims administrator cited it", name, report.administrator),
        ("both cited it", name, report.both),
        ("only the claims administrator cited it", name, report.only_administrator),
    ]
    parts += [("kind of request", r.value, r.rate) for r in report.concepts]
    parts += [("year", r.value, r.rate) for r in report.years]
    parts += [(f"{kind} relied on beside it", r.value, r.rate) for r in report.co_cited]
    rows: list[Iterable[object]] = [REPORT_COLUMNS]
    rows += [(part, value, *rate_cells(rate)) for part, value, rate in parts]
    rows += [("section (reviewer relied on it)", v.value, v.count) for v in report.sections]
    return _csv(rows, kind, name)


@bp.get("/export/guidelines.csv")
def guidelines_csv() -> Response:
    return _index_csv("guideline")


@bp.get("/export/sections.csv")
def sections_csv() -> Response:
    return _index_csv("section")


@bp.get("/export/guideline.csv")
def guideline_csv() -> Response:
    return _report_csv("guideline")


@bp.get("/export/section.csv")
def section_csv() -> Response:
    return _report_csv("section")

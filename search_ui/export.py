"""CSV and JSON export of the current results, streamed and bounded.

The export takes the search page's parameters (page and per_page are ignored: it starts at the
first result) plus `limit`, and pages through the engine 100 results at a time, so memory stays
flat and the engine's result window is never exceeded. At most EXPORT_MAX_ROWS rows (5,000 by
default) are written; the JSON export says when the results were cut off. Exports are
expensive: a few run at once per process, others get a 429 (search_ui.limits), and one stops
producing rows after EXPORT_TIMEOUT_S (the JSON export then says so in "stopped").
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from flask import Blueprint, Response, current_app, request, stream_with_context

from imr_search.contract import (
    MAX_PER_PAGE,
    MAX_RESULT_WINDOW,
    Hit,
    OutcomeRate,
    SearchRequest,
    SearchResponse,
)
from mappings.schema import ItemDocument, Party, encode
from search_ui import backend, limits
from search_ui.params import DEFAULT_BREAKDOWN, SearchState, parse_int, parse_search_args
from search_ui.presentation import item_url
from search_ui.public import public_document

bp = Blueprint("export", __name__)

EXPORT_PAGE = MAX_PER_PAGE  # results fetched per engine call


def _joined(values: Iterable[str]) -> str:
    return "; ".join(values)


def _guidelines(party: Party) -> Callable[[ItemDocument], str]:
    def of(doc: ItemDocument) -> str:
        return _joined(dict.fromkeys(c.label for c in doc.citations_by(party) if c.label))

    return of


def _sections(party: Party) -> Callable[[ItemDocument], str]:
    def of(doc: ItemDocument) -> str:
        return _joined(dict.fromkeys(s for c in doc.citations_by(party) for s in c.section_labels))

    return of


# The CSV columns: name -> the value of a document (the item's page address is added last).
CSV_COLUMNS: tuple[tuple[str, Callable[[ItemDocument], str]], ...] = (
    ("id", lambda d: d.id),
    ("case_number", lambda d: d.letter.case_number or ""),
    ("decision_date", lambda d: d.letter.decision_date or ""),
    ("treatment", lambda d: d.treatment),
    ("outcome", lambda d: d.outcome),
    ("request", lambda d: d.request.phrase),
    ("kind_of_request", lambda d: d.request.label),
    ("category", lambda d: d.category),
    ("body_regions", lambda d: _joined(d.body_regions)),
    ("injured_body_parts", lambda d: _joined(d.letter.injury_regions)),
    ("reviewer_specialties", lambda d: _joined(d.letter.specialties)),
    ("claims_administrator_guidelines", _guidelines("claims_administrator")),
    ("reviewer_guidelines", _guidelines("reviewer")),
    ("claims_administrator_guideline_sections", _sections("claims_administrator")),
    ("reviewer_guideline_sections", _sections("reviewer")),
    ("cited_no_medical_evidence", lambda d: _joined(d.cited_nothing)),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _max_rows() -> int:
    return min(int(current_app.config["EXPORT_MAX_ROWS"]), MAX_RESULT_WINDOW)


def _parse() -> tuple[SearchState, int]:
    state = parse_search_args(request.args, allowed_extra=("limit",))
    limit = parse_int(request.args, "limit", _max_rows(), 1, _max_rows())
    return replace(state, page=1, per_page=EXPORT_PAGE, facet_size=0, breakdown=None), limit


class _Deadline:
    """When an export stops producing rows (EXPORT_TIMEOUT_S after it started)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.passed = False

    def check(self) -> bool:
        self.passed = self.passed or time.monotonic() > self.at
        return self.passed

    def message(self) -> str:
        return f"stopped after {self.seconds:g} s; narrow the search or lower the limit"


def _hits(
    state: SearchState, limit: int, first: SearchResponse, deadline: _Deadline
) -> Iterator[Hit]:
    """Every hit up to `limit`, page by page (the first page already fetched), until the
    deadline passes."""
    sent = 0
    response = first
    page = 1
    while True:
        for hit in response.hits:
            if sent >= limit:
                return
            yield hit
            sent += 1
        if sent >= limit or len(response.hits) < state.per_page:
            return
        page += 1
        if page * state.per_page > MAX_RESULT_WINDOW or deadline.check():
            return
        response = _page(state.request(page=page, highlight=False))


@dataclass
class _Export:
    """A started export: its search, first page, deadline and slot of the export gate."""

    state: SearchState
    limit: int
    first: SearchResponse
    deadline: _Deadline
    slot: limits.Slot

    def hits(self) -> Iterator[Hit]:
        return _hits(self.state, self.limit, self.first, self.deadline)

    def _body(self, body: Iterator[str]) -> Iterator[str]:
        """The body; the slot is given back once the last chunk has been taken (or when the
        server closes the response, whichever comes first)."""
        try:
            yield from body
        finally:
            self.slot.release()

    def response(self, body: Iterator[str], mimetype: str, ext: str) -> Response:
        response = Response(
            stream_with_context(self._body(body)),
            mimetype=mimetype,
            headers={
                "Content-Disposition": f'attachment; filename="{_filename(ext)}"',
                "X-Total-Count": str(self.first.total),
                "X-Export-Limit": str(self.limit),
            },
        )
        response.call_on_close(self.slot.release)
        return response


def _start() -> _Export:
    """Parse, take an export slot (429 when none is free), fetch the first page."""
    state, limit = _parse()
    slot = limits.gate("export").slot()
    try:
        first = _first(state)
    except BaseException:
        slot.release()
        raise
    deadline = _Deadline(float(current_app.config["EXPORT_TIMEOUT_S"]))
    return _Export(state, limit, first, deadline, slot)


def _page(req: SearchRequest) -> SearchResponse:
    return backend.run(lambda e: e.search(req))


def _first(state: SearchState) -> SearchResponse:
    """Fetched before streaming starts, so bad syntax is still a clean 400, not a cut stream."""
    req = state.request(highlight=False)
    return backend.run(lambda e: e.search(req))


def csv_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection): stored text is not trusted."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def rate_cells(rate: OutcomeRate) -> list[object]:
    """A rate's CSV cells: decisions, upheld, overturned, each share with its 95% interval,
    small sample (the columns after `value` in BREAKDOWN_COLUMNS)."""
    return [
        rate.total, rate.upheld, rate.overturned,
        rate.upheld_pct, *rate.upheld_interval,
        rate.overturned_pct, *rate.overturned_interval,
        "yes" if rate.small else "no",
    ]  # fmt: skip


def _row(doc: ItemDocument, base_url: str) -> list[str]:
    cells = [value(doc) for _, value in CSV_COLUMNS]
    return [csv_cell(v) for v in (*cells, base_url + item_url(doc.id))]


def _filename(ext: str) -> str:
    return f"imr-search-results.{ext}"


@bp.get("/export.csv")
def export_csv() -> Response:
    export = _start()
    base = request.host_url.rstrip("/")

    def generate() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([name for name, _ in CSV_COLUMNS] + ["url"])
        for hit in export.hits():
            writer.writerow(_row(hit.doc, base))
            if buf.tell() > 32_768:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return export.response(generate(), "text/csv", "csv")


@bp.get("/export.json")
def export_json() -> Response:
    export = _start()
    state, first, limit = export.state, export.first, export.limit
    head = {
        "query": state.query,
        "filters": {k: list(v) for k, v in state.filters.items()},
        "date_from": state.date_from,
        "date_to": state.date_to,
        "sort": state.sort,
        "total": first.total,
        "limit": limit,
        "truncated": first.total > limit,
    }

    def generate() -> Iterator[str]:
        yield json.dumps(head)[:-1] + ', "items": ['
        sep = ""
        chunk: list[str] = []
        for hit in export.hits():
            chunk.append(sep + encode(public_document(hit.doc)).decode("utf-8"))
            sep = ","
            if len(chunk) >= 50:
                yield "".join(chunk)
                chunk = []
        deadline = export.deadline
        stopped = f', "stopped": {json.dumps(deadline.message())}' if deadline.passed else ""
        yield "".join(chunk) + "]" + stopped + "}\n"

    return export.response(generate(), "application/json", "json")


# The breakdown's CSV: one row per value, with sample size and 95% Wilson intervals.
BREAKDOWN_COLUMNS = (
    "facet",
    "value",
    "decisions",
    "upheld",
    "overturned",
    "upheld_pct",
    "upheld_pct_95_low",
    "upheld_pct_95_high",
    "overturned_pct",
    "overturned_pct_95_low",
    "overturned_pct_95_high",
    "small_sample",
    "counts",
)


@bp.get("/export/breakdown.csv")
def export_breakdown_csv() -> Response:
    """The outcome rate and the breakdown of a search (the search page's numbers) as CSV."""
    state = parse_search_args(request.args)
    if state.breakdown is None:
        state = replace(state, breakdown=DEFAULT_BREAKDOWN)
    response = _page(state.request(page=1, per_page=0, highlight=False))
    counted = "decisions about the query" if response.about and response.about.about else "all"
    if response.breakdown_ignores:
        counted += "; ignores the " + ", ".join(response.breakdown_ignores) + " filter"
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(BREAKDOWN_COLUMNS)
    rows = [("all", "all results", response.outcome_rate)]
    rows += [(state.breakdown or "", r.value, r.rate) for r in response.breakdown]
    for facet, value, rate in rows:
        writer.writerow([csv_cell(facet), csv_cell(value), *rate_cells(rate), counted])
    return Response(
        buf.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="imr-search-breakdown.csv"'},
    )

"""CSV and JSON export of the current results, streamed and bounded.

The export takes the search page's parameters (page and per_page are ignored: it starts at the
first result) plus `limit` (and, for CSV, `columns`: a comma-separated choice of CSV_COLUMNS,
in the order wanted), and pages through the engine 100 results at a time, so memory stays
flat and the engine's result window is never exceeded. At most EXPORT_MAX_ROWS rows (5,000 by
default) are written; the JSON export says when the results were cut off. Exports are
expensive: a few run at once per process, others get a 429 (search_ui.limits), and one stops
producing rows after EXPORT_TIMEOUT_S (the JSON export then says so in "stopped").

What people cite travels with each row (dates of injury, of the UR denial and of the decision,
the guidelines and sections each party relied on, the rationale, the item's address) and with
the file: its name says what search it holds and when (search_ui.downloads), the response
carries the search's address and the export time in headers, and the JSON export in its
"search" object. Every text cell is neutralised against spreadsheet formulas (`csv_cell`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

import msgspec
from flask import Blueprint, Response, current_app, request, stream_with_context

from imr_search.contract import (
    MAX_PER_PAGE,
    MAX_RESULT_WINDOW,
    Hit,
    OutcomeRate,
    SearchRequest,
    SearchResponse,
)
from imr_search.errors import InvalidParameter
from mappings.schema import ItemDocument, Party, encode
from search_ui import backend, limits
from search_ui.downloads import download_headers, exported_at, iso_time, search_words
from search_ui.params import DEFAULT_BREAKDOWN, SearchState, parse_int, parse_search_args
from search_ui.payloads import ExportSearch
from search_ui.presentation import item_url, search_url
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


Column = Callable[[ItemDocument], str]

# The CSV columns, in their default order: name -> the value of a document. `url` (the item's
# page) is added by the export, which knows the server's address.
CSV_COLUMNS: tuple[tuple[str, Column], ...] = (
    ("id", lambda d: d.id),
    ("case_number", lambda d: d.letter.case_number or ""),
    ("decision_date", lambda d: d.letter.decision_date or ""),
    ("date_of_injury", lambda d: d.letter.date_of_injury or ""),
    ("ur_denial_date", lambda d: d.letter.ur_denial_date or ""),
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
    ("findings", lambda d: _joined(d.findings)),
    ("rationale", lambda d: d.rationale),
)
URL_COLUMN = "url"
COLUMN_NAMES: tuple[str, ...] = (*(name for name, _ in CSV_COLUMNS), URL_COLUMN)
_COLUMNS = dict(CSV_COLUMNS)
MAX_COLUMNS_PARAM = 1_000  # characters of `columns`
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _max_rows() -> int:
    return min(int(current_app.config["EXPORT_MAX_ROWS"]), MAX_RESULT_WINDOW)


def parse_columns(raw: list[str]) -> tuple[str, ...]:
    """`columns=id,treatment,rationale` (or the parameter repeated): the CSV columns wanted, in
    that order; every column when not given."""
    if not raw:
        return COLUMN_NAMES
    text = ",".join(raw)
    if len(text) > MAX_COLUMNS_PARAM:
        raise InvalidParameter("columns", f"is longer than {MAX_COLUMNS_PARAM} characters")
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise InvalidParameter("columns", "name at least one column: " + ", ".join(COLUMN_NAMES))
    unknown = [n for n in names if n not in COLUMN_NAMES]
    if unknown:
        raise InvalidParameter(
            "columns",
            f"no column {', '.join(unknown)}; the columns are " + ", ".join(COLUMN_NAMES),
        )
    return tuple(dict.fromkeys(names))


def _parse(extra: tuple[str, ...] = ()) -> tuple[SearchState, int]:
    state = parse_search_args(request.args, allowed_extra=("limit", *extra))
    limit = parse_int(request.args, "limit", _max_rows(), 1, _max_rows())
    return (
        replace(state, page=1, per_page=EXPORT_PAGE, facet_size=0, more=(), breakdown=None),
        limit,
    )


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
    when: dt.datetime

    def search_url(self) -> str:
        """The absolute address of the search page this export holds."""
        return page_address(self.state)

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
        names = search_words(self.state)
        headers = download_headers(
            *names, ext=ext, when=self.when, search_url=self.search_url(), fallback="all-decisions"
        )
        response = Response(
            stream_with_context(self._body(body)),
            mimetype=mimetype,
            headers={
                **headers,
                "X-Total-Count": str(self.first.total),
                "X-Export-Limit": str(self.limit),
            },
        )
        response.call_on_close(self.slot.release)
        return response


def page_address(state: SearchState) -> str:
    """The absolute address of the search page of a search (what it finds, as it is sorted)."""
    shown = SearchState(
        query=state.query, filters=state.filters, sort=state.sort, decisions=state.decisions
    )
    return request.host_url.rstrip("/") + search_url(shown)


def _start(extra: tuple[str, ...] = ()) -> _Export:
    """Parse, take an export slot (429 when none is free), fetch the first page."""
    state, limit = _parse(extra)
    slot = limits.gate("export").slot()
    try:
        first = _first(state)
    except BaseException:
        slot.release()
        raise
    deadline = _Deadline(float(current_app.config["EXPORT_TIMEOUT_S"]))
    return _Export(state, limit, first, deadline, slot, exported_at())


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
    """A rate's CSV cells, in the order of RATE_COLUMNS."""
    return [
        rate.total, rate.upheld, rate.overturned,
        rate.upheld_pct, *rate.upheld_interval,
        rate.overturned_pct, *rate.overturned_interval,
        "yes" if rate.small else "no",
    ]  # fmt: skip


def _row(doc: ItemDocument, columns: tuple[str, ...], base_url: str) -> list[str]:
    cells = (
        base_url + item_url(doc.id) if name == URL_COLUMN else _COLUMNS[name](doc)
        for name in columns
    )
    return [csv_cell(v) for v in cells]


@bp.get("/export.csv")
def export_csv() -> Response:
    columns = parse_columns(request.args.getlist("columns"))
    export = _start(("columns",))
    base = request.host_url.rstrip("/")

    def generate() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns)
        for hit in export.hits():
            writer.writerow(_row(hit.doc, columns, base))
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
    search = ExportSearch(
        q=state.query,
        filters={k: tuple(v) for k, v in state.filters.items()},
        sort=state.sort,
        decisions=state.decisions,
        url=export.search_url(),
        exported_at=iso_time(export.when),
    )
    head = {
        "query": state.query,  # kept for the readers of earlier exports: see "search"
        "filters": search.filters,
        "date_from": state.date_from,
        "date_to": state.date_to,
        "sort": state.sort,
        "search": msgspec.to_builtins(search),
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


# A rate's columns (rate_cells): sample size, counts, shares with their 95% Wilson intervals.
RATE_COLUMNS = (
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
)
# The breakdown's CSV: one row per value.
BREAKDOWN_COLUMNS = ("facet", "value", *RATE_COLUMNS, "counts")


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
    page_url = page_address(replace(state, page=1))
    name = ("outcomes-by", state.breakdown or "", *search_words(state))
    headers = download_headers(*name, ext="csv", when=exported_at(), search_url=page_url)
    return Response(buf.getvalue(), mimetype="text/csv", headers=headers)

"""URL parameters <-> search state: the URL holds the whole state of a search.

One parser serves the HTML pages, the JSON API and the exports, so `/search?...`,
`/api/search?...` and `/export.csv?...` accept exactly the same parameters:

    q=<query>                 the query language of imr_search.query
    <facet>=<value>           repeated: outcome=Upheld&outcome=Overturned (OR within a facet,
                              AND across facets); facet names are those of mappings.facets.FACETS;
                              values in any case, as the index spells them (filter_values)
    date_from=YYYY-MM-DD      date_to=YYYY-MM-DD   decision date range (both ends included,
                              either optional; undated decisions are left out by either)
    sort=relevance|date|oldest|outcome   page=<n>   per_page=<n>   facet_size=<n>
    breakdown=<facet>|none    the facet whose top values get their own outcome counts
    more=<facet>              repeatable: list up to MORE_FACET_SIZE values of this facet (its
                              "More values" link), the others keep facet_size; a facet
                              counted on request (guideline sections) is listed only then
    decisions=all|about|mentions  which matches to list (imr_search.plan: the decisions about
                              the query first, only those, or only those that mention it)

Every value is bounded; anything unknown or out of range raises InvalidParameter (HTTP 400)
with a message saying what to do, so no request reaches the engine unchecked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

from flask import has_request_context
from werkzeug.datastructures import MultiDict

from imr_search.contract import (
    DECISIONS,
    MAX_FACET_SIZE,
    MAX_PER_PAGE,
    MAX_RESULT_WINDOW,
    SORTS,
    SearchRequest,
    date_range,
)
from imr_search.errors import InvalidParameter
from imr_search.filter_values import FilterValues
from imr_search.query import MAX_QUERY_LENGTH
from mappings.facets import FACETS, FACETS_BY_NAME

DEFAULT_PER_PAGE = 20
PER_PAGE_CHOICES: tuple[int, ...] = (10, 20, 50, 100)  # the page's "per page" menu
DEFAULT_FACET_SIZE = 10
MORE_FACET_SIZE = MAX_FACET_SIZE  # values of a facet named by `more`
DEFAULT_BREAKDOWN = "reviewer_guideline"
NO_BREAKDOWN = "none"
MAX_FILTER_VALUES = 25  # values selected in one facet
MAX_VALUE_LENGTH = 200  # characters of one facet value
MAX_SIMILAR_TEXT = 10_000  # characters of pasted text for "find similar"
DEFAULT_SIMILAR_K = 10
MAX_PAGE = MAX_RESULT_WINDOW  # page numbers beyond this cannot be valid at any page size

DATE_PARAMS: tuple[str, ...] = ("date_from", "date_to")
SEARCH_PARAMS: tuple[str, ...] = (
    "q",
    *DATE_PARAMS,
    "sort",
    "page",
    "per_page",
    "facet_size",
    "breakdown",
    "decisions",
)
MORE = "more"  # the one repeatable parameter besides the facets
# Characters werkzeug leaves unquoted in a query string it builds (url_for's `q=...`).
URL_QUERY_SAFE = "!$'()*,/:;?@"
_quote = lru_cache(maxsize=4096)(quote_plus)


@dataclass(frozen=True)
class SearchState:
    """Everything a search URL says, validated; turns into a SearchRequest or back into a URL."""

    query: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    facet_size: int = DEFAULT_FACET_SIZE
    breakdown: str | None = DEFAULT_BREAKDOWN
    decisions: str = "all"
    more: tuple[str, ...] = ()  # facets listing MORE_FACET_SIZE values, in FACETS order
    date_from: str | None = None
    date_to: str | None = None

    def request(self, **overrides: Any) -> SearchRequest:
        """The engine request (its own checks, e.g. result window depth, also raise 400s)."""
        args: dict[str, Any] = {
            "query": self.query,
            "filters": {k: list(v) for k, v in self.filters.items()},
            "sort": self.sort,
            "page": self.page,
            "per_page": self.per_page,
            "facet_size": self.facet_size,
            # One value more than shown: whether a facet has more values is then known
            # (search_ui.facets); the breakdown keeps facet_size.
            "facet_sizes": {
                f.name: self.facet_size_of(f.name) + 1 for f in FACETS if self.facet_size_of(f.name)
            },
            "breakdown": self.breakdown,
            "decisions": self.decisions,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }
        args.update(overrides)
        return SearchRequest(**args)

    def params(self, *, page: bool = True) -> list[tuple[str, str]]:
        """Canonical URL parameters (defaults left out, filters in facet order)."""
        out: list[tuple[str, str]] = []
        if self.query:
            out.append(("q", self.query))
        for spec in FACETS:
            out.extend((spec.name, value) for value in self.filters.get(spec.name, ()))
        if self.date_from:
            out.append(("date_from", self.date_from))
        if self.date_to:
            out.append(("date_to", self.date_to))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.decisions != "all":
            out.append(("decisions", self.decisions))
        if self.breakdown != DEFAULT_BREAKDOWN:
            out.append(("breakdown", self.breakdown or NO_BREAKDOWN))
        if self.per_page != DEFAULT_PER_PAGE:
            out.append(("per_page", str(self.per_page)))
        if self.facet_size != DEFAULT_FACET_SIZE:
            out.append(("facet_size", str(self.facet_size)))
        out.extend((MORE, name) for name in self.more)
        if page and self.page != 1:
            out.append(("page", str(self.page)))
        return out

    def query_string(self, *, page: bool = True) -> str:
        """`urlencode(self.params(page=page))`, with the quoting of each part remembered (a
        results page links to dozens of states that differ in one parameter)."""
        return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in self.params(page=page))

    @property
    def has_filters(self) -> bool:
        return any(self.filters.values()) or bool(self.date_from or self.date_to)

    def toggled(self, name: str, value: str) -> SearchState:
        """The state with one facet value switched on or off (back to page 1)."""
        values = list(self.filters.get(name, ()))
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        filters = {k: v for k, v in self.filters.items() if k != name}
        if values:
            filters[name] = tuple(values)
        return replace(self, filters=filters, page=1)

    def facet_size_of(self, facet: str) -> int:
        """How many values of `facet` the page lists (besides its selected ones): none of a
        facet counted on request (FacetSpec.on_request) until `more` names it."""
        if facet in self.more:
            return max(MORE_FACET_SIZE, self.facet_size)
        return 0 if FACETS_BY_NAME[facet].on_request else self.facet_size

    def with_more(self, facet: str, more: bool = True) -> SearchState:
        """The same search listing more values of one facet (or back to facet_size); the
        results do not change, so neither does the page."""
        names = (set(self.more) | {facet}) if more else (set(self.more) - {facet})
        return replace(self, more=tuple(f.name for f in FACETS if f.name in names))

    def hidden_fields(self, shown: Iterable[str]) -> list[tuple[str, str]]:
        """The parameters a search form must carry as hidden inputs: every one but the query,
        the filters (checkboxes) and the controls `shown` on the page."""
        skip = {"q", *FACETS_BY_NAME, *shown}
        return [(k, v) for k, v in self.params(page=False) if k not in skip]

    def removing(self, name: str, value: str) -> SearchState:
        """The state without one active filter: a facet value, or a date bound (its
        parameter name), back to page 1."""
        if name in DATE_PARAMS:
            return replace(self, **{name: None}, page=1)  # type: ignore[arg-type]
        return self.toggled(name, value)

    def without_filters(self) -> SearchState:
        return replace(self, filters={}, date_from=None, date_to=None, page=1)

    def with_query(self, query: str) -> SearchState:
        """The same search for another query (a suggested spelling), from page 1."""
        return replace(self, query=query, page=1)

    def at_page(self, page: int) -> SearchState:
        return replace(self, page=page)

    def listing(self, decisions: str) -> SearchState:
        """The same search listing other matches (all, about, mentions), from page 1."""
        return replace(self, decisions=decisions, page=1)

    def last_page(self, total: int) -> int:
        """The last page that can be served (total results, bounded by the result window)."""
        if self.per_page == 0:
            return 1
        reachable = min(total, MAX_RESULT_WINDOW)
        return max(1, -(-reachable // self.per_page))


def parse_search_args(
    args: MultiDict[str, str],
    *,
    allowed_extra: Iterable[str] = (),
    values_of: FilterValues | None = None,
) -> SearchState:
    """Validate search parameters from a query string; raise InvalidParameter on any problem.

    Filter values are matched to the index's spelling (`outcome=overturned` is Overturned) by
    `values_of`, by default the app's (search_ui.backend.filter_values) when called in a request;
    a value no decision has raises imr_search.filter_values.UnknownValue (a 400 that lists
    the known or closest values). Outside an app (benchmarks, unit tests) values pass as
    given unless `values_of` is passed."""
    known = {*SEARCH_PARAMS, MORE, *FACETS_BY_NAME, *allowed_extra}
    for name in args:
        if name not in known:
            raise InvalidParameter(
                name,
                "unknown parameter; use "
                + ", ".join((*SEARCH_PARAMS, MORE))
                + " or a facet name ("
                + ", ".join(FACETS_BY_NAME)
                + ")",
            )
    for name in SEARCH_PARAMS:
        if len(args.getlist(name)) > 1:
            raise InvalidParameter(name, "give it once")

    query = args.get("q", "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidParameter(
            "q", f"the query is {len(query)} characters long; the limit is {MAX_QUERY_LENGTH}"
        )
    filters: dict[str, tuple[str, ...]] = {}
    for spec in FACETS:
        values: list[str] = []
        for raw in args.getlist(spec.name):
            value = raw.strip()
            if not value:
                continue  # an empty checkbox value or "outcome=": means no filter
            if len(value) > MAX_VALUE_LENGTH:
                raise InvalidParameter(
                    spec.name, f"a value is longer than {MAX_VALUE_LENGTH} characters"
                )
            if value not in values:
                values.append(value)
        if len(values) > MAX_FILTER_VALUES:
            raise InvalidParameter(
                spec.name, f"at most {MAX_FILTER_VALUES} values can be selected in one facet"
            )
        if values:
            filters[spec.name] = tuple(values)
    if filters:
        if values_of is None and has_request_context():
            from search_ui.backend import filter_values

            values_of = filter_values()
        if values_of is not None:
            filters = {k: tuple(v) for k, v in values_of.canonical(filters).items()}

    sort = args.get("sort", "relevance") or "relevance"
    if sort not in SORTS:
        raise InvalidParameter("sort", "must be one of " + ", ".join(SORTS))
    per_page = _int(args, "per_page", DEFAULT_PER_PAGE, 0, MAX_PER_PAGE)
    page = _int(args, "page", 1, 1, MAX_PAGE)
    facet_size = _int(args, "facet_size", DEFAULT_FACET_SIZE, 0, MAX_FACET_SIZE)
    if per_page and page * per_page > MAX_RESULT_WINDOW:
        raise InvalidParameter(
            "page",
            f"results deeper than {MAX_RESULT_WINDOW:,} are not served; narrow the search "
            "with a filter or a more precise query",
        )
    breakdown_raw = args.get("breakdown", DEFAULT_BREAKDOWN) or NO_BREAKDOWN
    if breakdown_raw == NO_BREAKDOWN:
        breakdown = None
    elif breakdown_raw in FACETS_BY_NAME:
        breakdown = breakdown_raw
    else:
        raise InvalidParameter(
            "breakdown", "must be 'none' or a facet name: " + ", ".join(FACETS_BY_NAME)
        )
    decisions = args.get("decisions", "all") or "all"
    if decisions not in DECISIONS:
        raise InvalidParameter("decisions", "must be one of " + ", ".join(DECISIONS))
    more: set[str] = set()
    for raw in args.getlist(MORE):
        name = raw.strip()
        if name not in FACETS_BY_NAME:
            raise InvalidParameter(
                MORE, f"{name[:50]!r} is not a facet; use one of " + ", ".join(FACETS_BY_NAME)
            )
        more.add(name)
    date_from, date_to = date_range(args.get("date_from"), args.get("date_to"))
    return SearchState(
        more=tuple(f.name for f in FACETS if f.name in more),
        date_from=date_from,
        date_to=date_to,
        decisions=decisions,
        query=query,
        filters=filters,
        sort=sort,
        page=page,
        per_page=per_page,
        facet_size=facet_size,
        breakdown=breakdown,
    )


def _int(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise InvalidParameter(name, f"must be a whole number between {low} and {high}")
    value = int(raw)
    if not low <= value <= high:
        raise InvalidParameter(name, f"must be between {low} and {high}")
    return value


def parse_int(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    """A bounded integer parameter (400 with a message otherwise)."""
    return _int(args, name, default, low, high)


def check_known(args: MultiDict[str, str], allowed: Iterable[str]) -> None:
    """Reject parameters a route does not take (typos should not be silently ignored)."""
    allowed = tuple(allowed)
    for name in args:
        if name not in allowed:
            raise InvalidParameter(
                name, "unknown parameter; this address takes " + (", ".join(allowed) or "none")
            )


def similar_text(raw: str | None) -> str:
    """Pasted text for 'find similar', bounded."""
    text = (raw or "").strip()
    if not text:
        raise InvalidParameter("text", "is empty; paste a denial or a case summary")
    if len(text) > MAX_SIMILAR_TEXT:
        raise InvalidParameter(
            "text", f"is {len(text):,} characters long; the limit is {MAX_SIMILAR_TEXT:,}"
        )
    return text

"""Small view helpers shared by the templates and the API: URLs, dates, citations, paging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask, current_app, request, url_for

from imr_search.contract import SORT_LABELS
from mappings.facets import FACETS, FACETS_BY_NAME
from mappings.schema import PARTIES, Citation, ItemDocument
from search_ui.facets import PARTY_LABELS, value_label
from search_ui.markup import marked
from search_ui.params import URL_QUERY_SAFE, SearchState
from search_ui.payloads import reasons

FIXED_URLS = "imr_fixed_urls"
_PLACEHOLDER = "\x00"
_MAX_FIXED = 512


def fixed_url(endpoint: str, **values: str) -> str:
    """`url_for` for the app's fixed addresses (no values, or a static file name),
    remembered per app and script root: every page links to the same dozen addresses, and
    building one costs as much as rendering a line of results."""
    key = (request.script_root, endpoint, *(f"{k}={v}" for k, v in sorted(values.items())))
    cache: dict[tuple[str, ...], str] = current_app.extensions.setdefault(FIXED_URLS, {})
    found = cache.get(key)
    if found is None:
        found = url_for(endpoint, **values)  # type: ignore[arg-type]
        if len(cache) >= _MAX_FIXED:  # bounded whatever script roots a proxy sends
            cache.clear()
        cache[key] = found
    return found


def search_url(state: SearchState, endpoint: str = "search.search", **values: Any) -> str:
    """The address of a search state (page, API or export)."""
    base = fixed_url(endpoint) if not values else url_for(endpoint, **values)
    qs = state.query_string()
    return f"{base}?{qs}" if qs else base


def item_url(item_id: str, query: str = "", endpoint: str = "items.item") -> str:
    """An item page, carrying the query along so its terms are highlighted there.

    The same address `url_for(endpoint, item_id=item_id, q=query or None)` builds (quoted
    as werkzeug quotes a path segment and a query string), from a remembered template.
    """
    path = fixed_url(endpoint, item_id=_PLACEHOLDER).replace(
        "%00", quote(item_id, safe="!$&'()*+,/:;=@"), 1
    )
    if not query:
        return path
    return f"{path}?{urlencode([('q', query)], safe=URL_QUERY_SAFE)}"


def format_date(value: str | None) -> str:
    """'2014-03-12' -> 'Mar 12, 2014' (unparseable dates are shown as stored)."""
    if not value:
        return "—"
    try:
        d = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{d:%b} {d.day}, {d.year}"


@dataclass(frozen=True)
class PartyCitations:
    party: str
    label: str
    guidelines: tuple[str, ...]  # distinct labels, in citation order
    citations: tuple[Citation, ...]
    cited_nothing: bool


def citations_by_party(doc: ItemDocument) -> list[PartyCitations]:
    """Who relied on what, in the letter's order (claims administrator, then reviewer)."""
    out: list[PartyCitations] = []
    nothing = set(doc.cited_nothing)
    for party in PARTIES:
        cites = doc.citations_by(party)
        labels: list[str] = []
        for c in cites:
            if c.label and c.label not in labels:
                labels.append(c.label)
        if cites or party in nothing:
            out.append(
                PartyCitations(
                    party=party,
                    label=PARTY_LABELS.get(party, party),
                    guidelines=tuple(labels),
                    citations=cites,
                    cited_nothing=party in nothing and not cites,
                )
            )
    return out


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap ("…")
    url: str
    current: bool = False


def page_links(state: SearchState, total: int, window: int = 2) -> list[PageLink]:
    """1 … 4 5 [6] 7 8 … 20, bounded by the deepest page the engine serves."""
    last = state.last_page(total)
    if last <= 1:
        return []
    numbers = sorted(
        {1, last, *range(max(1, state.page - window), min(last, state.page + window) + 1)}
    )
    links: list[PageLink] = []
    previous = 0
    for n in numbers:
        if n - previous > 1:
            links.append(PageLink(None, ""))
        links.append(PageLink(n, search_url(state.at_page(n)), n == state.page))
        previous = n
    return links


def breakdown_choices() -> Sequence[tuple[str, str]]:
    return [(f.name, f.label) for f in FACETS if f.name != "outcome"]


def interval(bounds: tuple[float, float]) -> str:
    """(8.9, 53.2) -> '8.9–53.2%'."""
    low, high = bounds
    return f"{pct(low)[:-1]}–{pct(high)}"


def pct(value: float) -> str:
    """42.0 -> '42%', 42.5 -> '42.5%'."""
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        fixed_url=fixed_url,
        search_url=search_url,
        item_url=item_url,
        citations_by_party=citations_by_party,
        breakdown_choices=breakdown_choices,
        sort_choices=SORT_LABELS,
        facets=FACETS,
        facet_label=lambda name: FACETS_BY_NAME[name].label,
        value_label=value_label,
        similarity_reasons=reasons,
    )
    app.jinja_env.filters.update(
        date=format_date,
        pct=pct,
        interval=interval,
        thousands=lambda n: f"{n:,}",
        marked=marked,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

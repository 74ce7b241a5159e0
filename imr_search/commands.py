"""CLI commands of this package (registered by imr_search.cli): `search` and `similar`.

    imr-search search QUERY [--filter FIELD=VALUE ...] [--sort relevance|date] [--page N] [--json]
    imr-search similar ITEM_ID | --text "..." [-k 10] [--same-category] [--json]

Thin wrappers over the Engine API (the web UI uses the same calls). Mistakes the user can fix
(query syntax, unknown filter, bad page, missing index) print one clear line and exit 2.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from imr_search.engine import (
    FACETS,
    FACETS_BY_NAME,
    SORTS,
    Engine,
    SearchRequest,
    SearchResponse,
    SimilarHit,
    SimilarRequest,
    open_engine,
)
from imr_search.errors import ImrSearchError, InvalidParameter

COMMANDS: list[click.Command] = []

_INDEX_HELP = (
    "Index file (SQLite) or http(s) URL (Elasticsearch); default $IMR_SEARCH_INDEX or "
    "./imr-index.sqlite3."
)
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


@contextmanager
def _engine(target: str | None) -> Iterator[Engine]:
    """Open the index; any user-fixable error becomes one line on stderr and exit status 2."""
    engine = None
    try:
        engine = open_engine(target)
        yield engine
    except ImrSearchError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    finally:
        if engine is not None:
            engine.close()


def parse_filters(values: tuple[str, ...]) -> dict[str, list[str]]:
    """('outcome=Upheld', 'year=2016', 'year=2017') -> {'outcome': [...], 'year': [...]}."""
    filters: dict[str, list[str]] = {}
    for raw in values:
        name, eq, value = raw.partition("=")
        name = name.strip()
        if not eq or not name or not value.strip():
            raise InvalidParameter(
                "--filter",
                f"{raw!r} is not FIELD=VALUE (e.g. outcome=Upheld); fields: "
                + ", ".join(FACETS_BY_NAME),
            )
        filters.setdefault(name, []).append(value.strip())
    return filters


def _terminal(markup: str) -> str:
    """Snippet HTML -> terminal text: matches in bold, entities decoded."""
    text = _MARK.sub(lambda m: click.style(m.group(1), bold=True), markup)
    return html.unescape(text)


# --- search ---------------------------------------------------------------------------------


@click.command("search")
@click.argument("query", default="", required=False)
@click.option(
    "--filter",
    "-f",
    "filters",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Keep items with this facet value; repeat: OR within a field, AND across "
    "fields. Fields: " + ", ".join(f.name for f in FACETS) + ".",
)
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--per-page", type=int, default=20, show_default=True)
@click.option(
    "--breakdown",
    metavar="FACET",
    default=None,
    help="Also show Upheld/Overturned counts per value of this facet.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the full response as JSON.")
@click.option("--index", "target", default=None, metavar="TARGET", help=_INDEX_HELP)
def search_command(
    query: str,
    filters: tuple[str, ...],
    sort: str,
    page: int,
    per_page: int,
    breakdown: str | None,
    as_json: bool,
    target: str | None,
) -> None:
    """Search the decisions: words, "phrases", OR, -exclude, prefix*, (groups), and
    treatment: rationale: summary: citation: scopes.

    Example: imr-search search 'treatment:"facet injection" -rationale:radiculopathy'
    --filter reviewer_source=ODG
    """
    with _engine(target) as engine:
        request = SearchRequest(
            query=query,
            filters=parse_filters(filters),
            sort=sort,  # type: ignore[arg-type]
            page=page,
            per_page=per_page,
            breakdown=breakdown,
        )
        response = engine.search(request)
    if as_json:
        click.echo(json.dumps(response.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_response(request, response, click.echo)


def _print_response(
    request: SearchRequest, response: SearchResponse, echo: Callable[[str], Any]
) -> None:
    rate = response.outcome_rate
    echo(
        f"{response.total:,} items ({rate.upheld_pct}% upheld, {rate.overturned_pct}% "
        f"overturned) in {response.took_ms:.0f} ms"
    )
    if response.notice:
        echo(f"Note: {response.notice}")
    if response.hits:
        echo("")
        echo(f"{'#':>4}  {'Item':<18} {'Decided':<10}  {'Outcome':<10} {'Score':>6}  Treatment")
    for n, hit in enumerate(response.hits, start=request.offset + 1):
        doc = hit.doc
        score = f"{hit.score:6.2f}" if hit.score is not None else "     -"
        echo(
            f"{n:>4}  {doc['id']:<18} {doc['letter']['decision_date'] or '-':<10}  "
            f"{doc['outcome']:<10} {score}  {_terminal(hit.treatment_html)}"
        )
        if hit.snippet:
            echo(f"{'':>6}{_terminal(hit.snippet)}")
    echo("")
    for name, values in response.facets.items():
        if not values:
            continue
        shown = ", ".join(("*" if v.selected else "") + f"{v.value} ({v.count:,})" for v in values)
        echo(f"{FACETS_BY_NAME[name].label}: {shown}")
    if response.breakdown:
        echo("")
        echo(f"Outcomes by {request.breakdown}:")
        for row in response.breakdown:
            echo(
                f"  {row.value}: {row.rate.total:,} items, {row.rate.upheld_pct}% upheld, "
                f"{row.rate.overturned_pct}% overturned"
            )
    if request.per_page:
        pages = max(1, -(-response.total // request.per_page))
        more = f"  Next: --page {request.page + 1}" if request.page < pages else ""
        echo(f"\nPage {request.page} of {pages:,}.{more}")


# --- similar --------------------------------------------------------------------------------


@click.command("similar")
@click.argument("item_id", required=False)
@click.option(
    "--text",
    default=None,
    help='Find cases like this text (a denial, a case summary); "-" reads stdin.',
)
@click.option("-k", "k", type=int, default=10, show_default=True, help="How many cases.")
@click.option(
    "--same-category", is_flag=True, help="Only cases of the same treatment category as the item."
)
@click.option("--category", default=None, help="Only cases of this treatment category.")
@click.option(
    "--include-same-letter",
    is_flag=True,
    help="Also list the other items of the item's own letter.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the cases as JSON.")
@click.option("--index", "target", default=None, metavar="TARGET", help=_INDEX_HELP)
def similar_command(
    item_id: str | None,
    text: str | None,
    k: int,
    same_category: bool,
    category: str | None,
    include_same_letter: bool,
    as_json: bool,
    target: str | None,
) -> None:
    """Similar prior cases to an item (ITEM_ID, e.g. CM16-0213037-1) or to pasted --text."""
    if text == "-":
        text = sys.stdin.read()
    with _engine(target) as engine:
        request = SimilarRequest(
            item_id=item_id,
            text=text,
            k=k,
            same_category=same_category,
            category=category,
            include_same_letter=include_same_letter,
        )
        hits = engine.similar(request)
    if as_json:
        click.echo(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
        return
    _print_similar(hits, click.echo)


def _print_similar(hits: list[SimilarHit], echo: Callable[[str], Any]) -> None:
    if not hits:
        echo("No similar cases found.")
        return
    echo(f"{'#':>3}  {'Item':<18} {'Decided':<10}  {'Outcome':<10} {'Score':>6}  Treatment")
    for n, hit in enumerate(hits, start=1):
        d = hit.to_dict()
        echo(
            f"{n:>3}  {d['id']:<18} {d['decision_date'] or '-':<10}  {d['outcome']:<10} "
            f"{d['score']:6.2f}  {d['treatment']}"
        )
        if hit.shared_terms:
            echo(f"{'':>5}shared: {', '.join(hit.shared_terms)}")


COMMANDS.extend([search_command, similar_command])

"""search, similar: the engine's answers in the terminal, or as the API's JSON.

Thin wrappers over the engine contract (the web UI makes the same calls). Mistakes the user
can fix (query syntax, unknown filter, bad page, missing index) print one line and exit 2.
"""

from __future__ import annotations

import sys

import click

from imr_cli.options import engine_filters, engine_for, filter_option, index_option, json_option
from imr_cli.terminal import echo_wrapped, print_response, print_similar
from imr_search.contract import (
    DECISIONS,
    SORT_LABELS,
    SORTS,
    SearchRequest,
    SimilarRequest,
    date_range,
)
from imr_search.plural import plural
from mappings.schema import encode

COMMANDS: list[click.Command] = []


def print_json(payload: object) -> None:
    import json

    click.echo(json.dumps(json.loads(encode(payload)), indent=2, ensure_ascii=False))


@click.command("search")
@click.argument("query", default="", required=False)
@filter_option
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="; ".join(f"{name}: {label.lower()}" for name, label in SORT_LABELS.items()) + ".",
)
@click.option(
    "--from",
    "date_from",
    metavar="YYYY-MM-DD",
    default=None,
    help="Only decisions dated on or after this day.",
)
@click.option(
    "--to",
    "date_to",
    metavar="YYYY-MM-DD",
    default=None,
    help="Only decisions dated on or before this day.",
)
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--per-page", type=int, default=20, show_default=True)
@click.option(
    "--breakdown",
    metavar="FACET",
    default=None,
    help="Also show Upheld/Overturned counts per value of this facet.",
)
@click.option(
    "--decisions",
    type=click.Choice(DECISIONS),
    default="all",
    show_default=True,
    help="List every match (the decisions about the query first), only the decisions about "
    "it (their request matches), or only those that merely mention it.",
)
@json_option
@index_option
def search_command(
    query: str,
    filters: tuple[str, ...],
    sort: str,
    date_from: str | None,
    date_to: str | None,
    page: int,
    per_page: int,
    breakdown: str | None,
    decisions: str,
    as_json: bool,
    target: str | None,
) -> None:
    """Search the decisions: words, "phrases", OR, -exclude, prefix*, (groups), and
    treatment: rationale: summary: citation: scopes.

    Example: imr-search search 'treatment:"facet injection" -rationale:radiculopathy'
    --filter reviewer_source=ODG --from 2016-01-01 --sort oldest
    """
    with engine_for(target) as engine:
        date_from, date_to = date_range(date_from, date_to, ("--from", "--to"))
        request = SearchRequest(
            query=query,
            filters=engine_filters(engine, filters),
            sort=sort,  # type: ignore[arg-type]
            page=page,
            per_page=per_page,
            breakdown=breakdown,
            decisions=decisions,  # type: ignore[arg-type]
            date_from=date_from,
            date_to=date_to,
            suggest=True,
        )
        response = engine.search(request)
    if as_json:
        from search_ui.payloads import search_result

        print_json(search_result(response))
        return
    print_response(request, response, click.echo)


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
@click.option("--prior-only", is_flag=True, help="Only decisions dated before the item's.")
@click.option("--same-outcome", is_flag=True, help="Only decisions with the item's outcome.")
@click.option("--same-region", is_flag=True, help="Only requests for the same body region.")
@json_option
@index_option
def similar_command(
    item_id: str | None,
    text: str | None,
    k: int,
    same_category: bool,
    category: str | None,
    include_same_letter: bool,
    prior_only: bool,
    same_outcome: bool,
    same_region: bool,
    as_json: bool,
    target: str | None,
) -> None:
    """Similar cases to an item (ITEM_ID, e.g. CM16-0213037-1) or to pasted --text: the same
    kind of request first, then the same body region, guidelines and findings, then wording.
    The output first names what the cases are compared with; --json prints the API's
    /api/items/ITEM_ID/similar (or /api/similar) payload."""
    from imr_search.contract import OutcomeRate
    from search_ui.payloads import Rate, SimilarPage, reasons, similar_case

    if text == "-":
        text = sys.stdin.read()
    with engine_for(target) as engine:
        request = SimilarRequest(
            item_id=item_id,
            text=text,
            k=k,
            same_category=same_category,
            category=category,
            include_same_letter=include_same_letter,
            prior_only=prior_only,
            same_outcome=same_outcome,
            same_region=same_region,
        )
        hits = engine.similar(request)
        compared = engine.get_item(item_id) if item_id else None
    if as_json:
        rate = Rate.of(OutcomeRate.of(h.doc for h in hits))
        print_json(SimilarPage(tuple(similar_case(h) for h in hits), rate, item_id))
        return
    if compared is not None:
        echo_wrapped(
            click.echo,
            f"Cases similar to {compared.id}: {compared.treatment} ({compared.outcome}, "
            f"decided {compared.letter.decision_date or 'on an unknown date'})",
            "  ",
            "",
        )
    else:
        words = len((text or "").split())
        echo_wrapped(click.echo, f"Cases similar to the text given ({plural(words, 'word')})")
    click.echo("")
    print_similar(hits, click.echo, reasons)


COMMANDS.extend([search_command, similar_command])

"""guideline, reasons, estimate: the precedent tools in the terminal, or as the API's JSON.

Thin wrappers over imr_search.citator, .reasons and .estimate (the web UI makes the same
calls). An unknown guideline name prints the closest cited names and exits 2.
"""

from __future__ import annotations

import sys

import click

from imr_cli.options import engine_filters, engine_for, filter_option, index_option, json_option
from imr_cli.search import print_json
from imr_cli.terminal import print_estimate, print_reasons, print_report
from imr_search import citator, estimate, reasons
from imr_search.contract import DECISIONS, SearchRequest
from imr_search.plural import plural

COMMANDS: list[click.Command] = []


@click.command("guideline")
@click.argument("name", required=False)
@click.option("--section", is_flag=True, help="NAME is a guideline section, not a guideline.")
@click.option("--top", type=int, default=30, show_default=True, help="Names listed without NAME.")
@json_option
@index_option
def guideline_command(
    name: str | None, section: bool, top: int, as_json: bool, target: str | None
) -> None:
    """The guideline citator: how decisions relying on guideline NAME went (by party, kind of
    request and year, with the guidelines relied on beside it). Without NAME: the guidelines
    (or --section: the sections) most often cited.

    Example: imr-search guideline "ODG: Low Back"
    """
    from search_ui.precedent_payloads import CitatorLinks, citator_index, citator_report

    kind: citator.Kind = "section" if section else "guideline"
    with engine_for(target) as engine:
        if name is None:
            rows = citator.index(engine, kind)
            if as_json:
                print_json(citator_index(kind, rows, url=None, html_url=None))
                return
            click.echo(
                f"{plural(len(rows), kind)} cited. Reviewer relied on it / administrator cited it:"
            )
            for row in rows[:top]:
                click.echo(f"  {row.reviewer:>7,} {row.administrator:>7,}  {row.name}")
            return
        report = citator.report(engine, name, kind)
    if as_json:
        none = CitatorLinks("", "", "", "", "", "")
        print_json(citator_report(report, none, *(lambda value: None,) * 3))
        return
    print_report(report, click.echo)


@click.command("reasons")
@click.argument("query", default="", required=False)
@filter_option
@click.option("--decisions", type=click.Choice(DECISIONS), default="all", show_default=True)
@json_option
@index_option
def reasons_command(
    query: str, filters: tuple[str, ...], decisions: str, as_json: bool, target: str | None
) -> None:
    """The findings and phrases that separate the upheld rationales of a search from its
    overturned ones (the outcome filter is left out; large sets are sampled, and say so).

    Example: imr-search reasons "lumbar MRI"
    """
    from search_ui.precedent_payloads import reason_lists

    with engine_for(target) as engine:
        request = SearchRequest(
            query=query,
            filters=engine_filters(engine, filters),
            decisions=decisions,  # type: ignore[arg-type]
        )
        found = reasons.of_search(engine, request)
    if as_json:
        print_json(reason_lists(found))
        return
    print_reasons(found, click.echo)


@click.command("estimate")
@click.argument("item_id", required=False)
@click.option("--text", default=None, help='A denial or case summary; "-" reads stdin.')
@click.option("-k", "k", type=int, default=estimate.PRECEDENTS, show_default=True)
@json_option
@index_option
def estimate_command(
    item_id: str | None, text: str | None, k: int, as_json: bool, target: str | None
) -> None:
    """The precedent estimate: how the k most similar decisions went (for ITEM_ID, only those
    dated before it), by guideline, with the reasons that separated them. A summary of past
    decisions, not a prediction."""
    from search_ui.payloads import similar_case
    from search_ui.precedent_payloads import estimate_payload

    if text == "-":
        text = sys.stdin.read()
    if (item_id is None) == (text is None):
        raise click.UsageError("give an ITEM_ID or --text (one of the two)")
    with engine_for(target) as engine:
        if item_id is not None:
            found = estimate.for_item(engine, item_id, k)
        else:
            found = estimate.for_text(engine, text or "", k)
    if as_json:
        cases = tuple(similar_case(h) for h in found.precedents)
        print_json(estimate_payload(found, cases, item_id=item_id))
        return
    print_estimate(found, click.echo)


COMMANDS.extend([guideline_command, reasons_command, estimate_command])

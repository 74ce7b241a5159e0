"""show: one decision in full in the terminal (as its page shows it), or as the API's JSON.

    imr-search show CM16-0213037-1           one item
    imr-search show CM16-0213037             every item of that letter
    imr-search show CM16-0213037-1 --json    the twin of /api/items/CM16-0213037-1

The JSON is the API's item payload (search_ui.payloads.item_page: the document, its letter's
items, its similar cases and how they went), without the API's addresses; for a case number, a
list of them in item order.
"""

from __future__ import annotations

import click

from imr_cli.options import engine_for, fail, index_option, json_option
from imr_cli.search import print_json
from imr_cli.terminal import print_item
from imr_search.contract import Engine, SimilarRequest
from imr_search.plan import extract_cases
from mappings.schema import ItemDocument

COMMANDS: list[click.Command] = []


def find_items(engine: Engine, wanted: str) -> tuple[list[ItemDocument], bool]:
    """(the item an item id names, or every item of the letter a case number names; whether
    it was a case number)."""
    cases, rest = extract_cases(wanted)
    if len(cases) == 1 and not rest:
        case = cases[0]
        if case.item_id is not None:
            return [engine.get_item(case.item_id)], False
        found = engine.letter_items(case.letter_id)
        if not found:
            fail(
                f"no letter with case number {case.letter_id} in the index {engine.target}; "
                f"check the number, or search for it: imr-search search '{case.letter_id}'"
            )
        return found, True
    return [engine.get_item(wanted.strip())], False  # an id without a case number (a hash)


@click.command("show")
@click.argument("wanted", metavar="ITEM_ID_OR_CASE_NUMBER")
@json_option
@index_option
def show_command(wanted: str, as_json: bool, target: str | None) -> None:
    """Print one decision in full: the request, its outcome, the guidelines each party relied
    on, the rationale, the clinical summary and the letter's facts. A case number (CM16-0213037)
    prints every item of its letter; --json prints the item page's JSON twin.

    Example: imr-search show CM16-0213037-1
    """
    from search_ui.items import ITEM_SIMILAR_K
    from search_ui.payloads import item_page

    with engine_for(target) as engine:
        docs, whole_letter = find_items(engine, wanted)
        letters = {d.letter_id: engine.letter_items(d.letter_id) for d in docs}
        if as_json:
            pages = [
                item_page(
                    d,
                    letters[d.letter_id],
                    engine.similar(SimilarRequest(item_id=d.id, k=ITEM_SIMILAR_K)),
                )
                for d in docs
            ]
    if as_json:
        print_json(pages if whole_letter else pages[0])
        return
    for n, doc in enumerate(docs):
        if n:
            click.echo("\n" + "=" * 40 + "\n")
        print_item(doc, letters[doc.letter_id], click.echo)


COMMANDS.append(show_command)

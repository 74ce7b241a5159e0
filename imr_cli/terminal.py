"""The terminal presenter: the engine's answers as text (matches in bold)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from imr_search.contract import SearchRequest, SearchResponse, SimilarHit
from imr_search.marks import MARK_END, MARK_START
from mappings.facets import FACETS_BY_NAME

Echo = Callable[[str], Any]


def bold_marks(marked_text: str) -> str:
    """Marked text -> terminal text, matches in bold."""
    on, off = click.style("", bold=True, reset=False), "\x1b[0m"
    return marked_text.replace(MARK_START, on).replace(MARK_END, off)


def print_response(request: SearchRequest, response: SearchResponse, echo: Echo) -> None:
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
            f"{n:>4}  {doc.id:<18} {doc.letter.decision_date or '-':<10}  "
            f"{doc.outcome:<10} {score}  {bold_marks(hit.marked_treatment)}"
        )
        if hit.marked_snippet:
            echo(f"{'':>6}{bold_marks(hit.marked_snippet)}")
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


def print_similar(hits: list[SimilarHit], echo: Echo) -> None:
    if not hits:
        echo("No similar cases found.")
        return
    echo(f"{'#':>3}  {'Item':<18} {'Decided':<10}  {'Outcome':<10} {'Score':>6}  Treatment")
    for n, hit in enumerate(hits, start=1):
        d = hit.doc
        echo(
            f"{n:>3}  {d.id:<18} {d.letter.decision_date or '-':<10}  {d.outcome:<10} "
            f"{hit.score:6.2f}  {d.treatment}"
        )
        if hit.shared_terms:
            echo(f"{'':>5}shared: {', '.join(hit.shared_terms)}")

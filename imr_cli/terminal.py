"""The terminal presenter: the engine's answers as text (matches in bold)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import click

from imr_search.citator import Report
from imr_search.contract import (
    BreakdownRow,
    OutcomeRate,
    SearchRequest,
    SearchResponse,
    SimilarHit,
    Why,
)
from imr_search.estimate import Estimate
from imr_search.marks import MARK_END, MARK_START
from imr_search.reasons import Reasons
from mappings.facets import FACETS_BY_NAME

Echo = Callable[[str], Any]


def bold_marks(marked_text: str) -> str:
    """Marked text -> terminal text, matches in bold."""
    on, off = click.style("", bold=True, reset=False), "\x1b[0m"
    return marked_text.replace(MARK_START, on).replace(MARK_END, off)


def rate_text(rate: OutcomeRate) -> str:
    """'12 decisions: 75.0% upheld (95% interval 46.8-91.1%), 25.0% overturned'."""
    low, high = rate.upheld_interval
    few = ", few decisions: the rate says little" if rate.small and rate.total else ""
    noun = "decision" if rate.total == 1 else "decisions"
    return (
        f"{rate.total:,} {noun}: {rate.upheld_pct}% upheld (95% interval {low}-{high}%), "
        f"{rate.overturned_pct}% overturned{few}"
    )


def print_response(request: SearchRequest, response: SearchResponse, echo: Echo) -> None:
    rate = response.outcome_rate
    echo(f"{response.total:,} items in {response.took_ms:.0f} ms")
    if response.suggestion:
        echo(f"Did you mean: {response.suggestion}")
    about = response.about
    if about is not None and about.about and request.decisions == "all":
        echo(f"About the query (the request matches): {rate_text(rate)}")
        echo(f"  {about.mentions:,} more only mention it (--decisions mentions lists them)")
    else:
        echo(f"Outcomes: {rate_text(rate)}")
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
        ignores = response.breakdown_ignores
        note = f" (ignoring the {', '.join(ignores)} filter)" if ignores else ""
        echo(f"Outcomes by {request.breakdown}{note}:")
        for row in response.breakdown:
            echo(f"  {row.value}: {rate_text(row.rate)}")
    if request.per_page:
        pages = max(1, -(-response.total // request.per_page))
        more = f"  Next: --page {request.page + 1}" if request.page < pages else ""
        echo(f"\nPage {request.page} of {pages:,}.{more}")


def print_similar(
    hits: list[SimilarHit], echo: Echo, reasons: Callable[[Why], Iterable[str]]
) -> None:
    """The cases, newest facts first: date, outcome, treatment, and why each is similar."""
    if not hits:
        echo("No similar cases found.")
        return
    echo(f"{'#':>3}  {'Item':<18} {'Decided':<10}  {'Outcome':<10} {'Score':>6}  Treatment")
    for n, hit in enumerate(hits, start=1):
        d = hit.doc
        echo(
            f"{n:>3}  {d.id:<18} {d.letter.decision_date or '-':<10}  {d.outcome:<10} "
            f"{hit.score:6.1f}  {d.treatment}"
        )
        for reason in reasons(hit.why):
            echo(f"{'':>5}- {reason}")


def _rows(title: str, rows: Iterable[BreakdownRow], echo: Echo) -> None:
    rows = list(rows)
    if rows:
        echo(f"\n{title}:")
        for row in rows:
            echo(f"  {row.value}: {rate_text(row.rate)}")


def print_report(report: Report, echo: Echo) -> None:
    """The citator's report on one guideline (section)."""
    echo(report.name)
    echo(f"  Reviewer relied on it: {rate_text(report.reviewer)}")
    echo(f"  Claims administrator cited it: {rate_text(report.administrator)}")
    echo(f"  Both cited it: {rate_text(report.both)}")
    echo(f"  Only the claims administrator: {rate_text(report.only_administrator)}")
    _rows("Kinds of request decided under it (reviewer)", report.concepts, echo)
    _rows("By decision year", report.years, echo)
    _rows(f"Other {report.kind}s the reviewer relied on beside it", report.co_cited, echo)
    if report.sections:
        echo("\nIts sections the reviewer relied on:")
        for value in report.sections:
            echo(f"  {value.count:>6,}  {value.value}")


def print_reasons(found: Reasons, echo: Echo) -> None:
    """What separated the upheld rationales from the overturned ones."""
    sample = f", the newest of {found.total:,}" if found.sampled else ""
    echo(
        f"Read {found.read:,} decisions ({found.upheld_read:,} upheld, "
        f"{found.overturned_read:,} overturned{sample})."
    )
    for outcome, listed in (("Upheld", found.upheld), ("Overturned", found.overturned)):
        echo(f"\n{outcome} rationales say more often:")
        if not listed:
            echo("  (nothing distinctly more often)")
        for r in listed:
            echo(f"  {r.text}  [{r.kind}: {r.upheld} upheld, {r.overturned} overturned]")


def print_estimate(found: Estimate, echo: Echo) -> None:
    """The precedent estimate, its guidelines, its reasons and the precedents."""
    prior = "prior " if found.prior_only else ""
    echo(
        f"Among the {len(found.precedents)} most similar {prior}decisions: {rate_text(found.rate)}"
    )
    echo(found.note)
    _rows("By the guideline their reviewer relied on", found.by_guideline, echo)
    if found.reasons.upheld or found.reasons.overturned:
        echo("")
        print_reasons(found.reasons, echo)
    echo("\nThe precedents:")
    for hit in found.precedents:
        d = hit.doc
        echo(f"  {d.id:<18} {d.letter.decision_date or '-':<10}  {d.outcome:<10} {d.treatment}")

"""The terminal presenter: the engine's answers as text (matches in bold), fitted to the
terminal's width (long treatments cut with "…", passages wrapped)."""

from __future__ import annotations

import shutil
import textwrap
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
from imr_search.marks import MARK_END, MARK_START, strip_marks
from imr_search.plural import plural
from imr_search.reasons import Reasons
from mappings.facets import FACETS_BY_NAME
from mappings.schema import ItemDocument

Echo = Callable[[str], Any]
MIN_WIDTH = 60  # narrower terminals get lines this long (they wrap there)
NARROWEST_CELL = 20  # a treatment column is never cut shorter than this


def width() -> int:
    """Columns of the terminal (COLUMNS, else the terminal's, else 100)."""
    return max(MIN_WIDTH, shutil.get_terminal_size((100, 24)).columns)


def bold_marks(marked_text: str) -> str:
    """Marked text -> terminal text, matches in bold."""
    on, off = click.style("", bold=True, reset=False), "\x1b[0m"
    return marked_text.replace(MARK_START, on).replace(MARK_END, off)


def cut(marked_text: str, limit: int) -> str:
    """The text cut to `limit` visible characters, ending in "…" when cut (marks kept)."""
    if len(strip_marks(marked_text)) <= limit:
        return marked_text
    out: list[str] = []
    seen = 0
    open_mark = False
    for ch in marked_text:
        if ch in (MARK_START, MARK_END):
            open_mark = ch == MARK_START
            out.append(ch)
            continue
        if seen == limit - 1:
            break
        out.append(ch)
        seen += 1
    return "".join(out).rstrip() + (MARK_END if open_mark else "") + "…"


def wrapped(marked_text: str, indent: str = "", first: str | None = None) -> list[str]:
    """The text wrapped to the terminal's width, each line's marks closed on that line."""
    lines = textwrap.wrap(
        marked_text,
        width=width(),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )
    out: list[str] = []
    open_mark = False
    for line in lines:
        text = (MARK_START if open_mark else "") + line
        last_start, last_end = text.rfind(MARK_START), text.rfind(MARK_END)
        open_mark = last_start > last_end
        out.append(bold_marks(text + (MARK_END if open_mark else "")))
    return out


def echo_wrapped(echo: Echo, text: str, indent: str = "", first: str | None = None) -> None:
    for line in wrapped(text, indent, first):
        echo(line)


def echo_row(echo: Echo, columns: str, marked_text: str, indent: int = 6) -> None:
    """A table row ending in a text column: the text cut to what is left of the line, or,
    when too little is left, on a line of its own under the row."""
    room = width() - len(columns)
    if room >= NARROWEST_CELL:
        echo(columns + bold_marks(cut(marked_text, room)))
        return
    echo(columns.rstrip())
    echo(" " * indent + bold_marks(cut(marked_text, width() - indent)))


def rate_text(rate: OutcomeRate) -> str:
    """'12 decisions: 75.0% upheld (95% interval 46.8-91.1%), 25.0% overturned'."""
    low, high = rate.upheld_interval
    few = ", few decisions: the rate says little" if rate.small and rate.total else ""
    return (
        f"{plural(rate.total, 'decision')}: {rate.upheld_pct}% upheld "
        f"(95% interval {low}-{high}%), {rate.overturned_pct}% overturned{few}"
    )


def print_response(request: SearchRequest, response: SearchResponse, echo: Echo) -> None:
    rate = response.outcome_rate
    echo(f"{plural(response.total, 'item')} in {response.took_ms:.0f} ms")
    if response.suggestion:
        echo(f"Did you mean: {response.suggestion}")
    about = response.about
    if about is not None and about.about and request.decisions == "all":
        echo_wrapped(echo, f"About the query (the request matches): {rate_text(rate)}", "  ")
        verb = "mentions" if about.mentions == 1 else "mention"
        echo(f"  {about.mentions:,} more only {verb} it (--decisions mentions lists them)")
    else:
        echo_wrapped(echo, f"Outcomes: {rate_text(rate)}", "  ")
    if response.notice:
        echo_wrapped(echo, f"Note: {response.notice}", "  ")
    if response.hits:
        echo("")
        head = f"{'#':>4}  {'Item':<18} {'Decided':<10}  {'Outcome':<10} {'Score':>6}  Treatment"
        echo(cut(head, width()))
    for n, hit in enumerate(response.hits, start=request.offset + 1):
        doc = hit.doc
        score = f"{hit.score:6.2f}" if hit.score is not None else "     -"
        columns = f"{n:>4}  {doc.id:<18} {doc.letter.decision_date or '-':<10}  "
        echo_row(echo, f"{columns}{doc.outcome:<10} {score}  ", hit.marked_treatment)
        if hit.marked_snippet:
            echo_wrapped(echo, hit.marked_snippet, " " * 6)
    echo("")
    for name, values in response.facets.items():
        if not values:
            continue
        shown = ", ".join(("*" if v.selected else "") + f"{v.value} ({v.count:,})" for v in values)
        echo_wrapped(echo, f"{FACETS_BY_NAME[name].label}: {shown}", "    ")
    if response.breakdown:
        echo("")
        ignores = response.breakdown_ignores
        note = f" (ignoring the {', '.join(ignores)} filter)" if ignores else ""
        echo(f"Outcomes by {request.breakdown}{note}:")
        for row in response.breakdown:
            echo_wrapped(echo, f"{row.value}: {rate_text(row.rate)}", "      ", "  ")
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
    head = f"{'#':>3}  {'Item':<18} {'Decided':<10}  {'Outcome':<10} {'Score':>6}  Treatment"
    echo(cut(head, width()))
    for n, hit in enumerate(hits, start=1):
        d = hit.doc
        columns = f"{n:>3}  {d.id:<18} {d.letter.decision_date or '-':<10}  {d.outcome:<10} "
        echo_row(echo, f"{columns}{hit.score:6.1f}  ", d.treatment, 5)
        for reason in reasons(hit.why):
            echo_wrapped(echo, reason, " " * 7, f"{'':>5}- ")


def _rows(title: str, rows: Iterable[BreakdownRow], echo: Echo) -> None:
    rows = list(rows)
    if rows:
        echo(f"\n{title}:")
        for row in rows:
            echo_wrapped(echo, f"{row.value}: {rate_text(row.rate)}", "      ", "  ")


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
        f"Read {plural(found.read, 'decision')} ({found.upheld_read:,} upheld, "
        f"{found.overturned_read:,} overturned{sample})."
    )
    for outcome, listed in (("Upheld", found.upheld), ("Overturned", found.overturned)):
        echo(f"\n{outcome} rationales say more often:")
        if not listed:
            echo("  (nothing distinctly more often)")
        for r in listed:
            counts = f"[{r.kind}: {r.upheld} upheld, {r.overturned} overturned]"
            echo_wrapped(echo, f"{r.text}  {counts}", "      ", "  ")


def print_estimate(found: Estimate, echo: Echo) -> None:
    """The precedent estimate, its guidelines, its reasons and the precedents."""
    prior = "prior " if found.prior_only else ""
    decisions = plural(len(found.precedents), f"most similar {prior}decision")
    echo_wrapped(echo, f"Among the {decisions}: {rate_text(found.rate)}")
    echo_wrapped(echo, found.note)
    _rows("By the guideline their reviewer relied on", found.by_guideline, echo)
    if found.reasons.upheld or found.reasons.overturned:
        echo("")
        print_reasons(found.reasons, echo)
    echo("\nThe precedents:")
    for hit in found.precedents:
        d = hit.doc
        echo_row(
            echo,
            f"  {d.id:<18} {d.letter.decision_date or '-':<10}  {d.outcome:<10} ",
            d.treatment,
            4,
        )


def print_item(doc: ItemDocument, letter_items: Iterable[ItemDocument], echo: Echo) -> None:
    """One decision in full, as its page shows it: header, outcome, request, the guidelines
    each party relied on (with sections and the quoted text), the rationale, the clinical
    summary, the letter's facts and its other items."""
    from search_ui.facets import value_label
    from search_ui.presentation import citations_by_party, format_date
    from search_ui.public import shown_source

    letter = doc.letter
    case = letter.case_number or doc.letter_id
    regions = ", ".join(value_label("body_region", r) for r in doc.body_regions)
    echo_wrapped(
        echo,
        f"{case}, disputed item {doc.item_number} of {doc.item_count} · "
        f"{value_label('category', doc.category)}" + (f" · {regions}" if regions else ""),
    )
    echo(click.style(cut(doc.treatment, width()), bold=True))
    meaning = OUTCOME_MEANING[doc.outcome]
    decided = format_date(letter.decision_date)
    echo_wrapped(echo, f"{doc.outcome.upper()} ({meaning}) · decided {decided}")
    echo_wrapped(echo, f"Request: {doc.request.phrase} ({doc.request.label})", "  ")
    if doc.findings:
        echo_wrapped(echo, "Findings stated: " + ", ".join(doc.findings), "  ")

    _heading(echo, "Guidelines relied on")
    parties = citations_by_party(doc)
    if not parties:
        echo("  No citations were recorded for this item.")
    for party in parties:
        echo(f"  {party.label}:")
        if party.cited_nothing:
            echo("    Cited no medical evidence.")
        for c in party.citations:
            sections = c.section_labels or c.sections
            parts = [f"[{c.source}] {c.label or c.guideline or ''}".rstrip()]
            if sections:
                parts.append(", ".join(s.split(": ", 1)[-1] for s in sections))
            if c.pages:
                parts.append(f"pages {c.pages}")
            echo_wrapped(echo, " · ".join(parts), " " * 6, "    - ")
            if c.text:
                echo_wrapped(echo, f'"{c.text}"', " " * 7, " " * 6)

    _heading(echo, "Decision rationale")
    _paragraphs(echo, doc.rationale, "No rationale recorded.")
    _heading(echo, "Clinical case summary")
    _paragraphs(echo, letter.clinical_summary, "No summary recorded.")

    _heading(echo, "Determination letter")
    patient = " ".join(
        p for p in (f"{letter.age}-year-old" if letter.age else "", letter.sex or "") if p
    )
    facts = (
        ("Case number", letter.case_number or "—"),
        ("Decision date", format_date(letter.decision_date)),
        ("Date assigned", format_date(letter.date_assigned)),
        ("Application received", format_date(letter.application_received)),
        ("UR denial date", format_date(letter.ur_denial_date)),
        ("Date of injury", format_date(letter.date_of_injury)),
        ("Priority", letter.priority or "—"),
        ("Reviewer specialty", ", ".join(letter.specialties) or "—"),
        ("Reviewer licensure", ", ".join(letter.licensure) or "—"),
        ("Patient", patient or "—"),
        ("Letter file", shown_source(letter.source) or "—"),
    )
    for name, value in facts:
        echo_wrapped(echo, f"{name + ':':<22}{value}", " " * 24, "  ")
    others = list(letter_items)
    if others:
        echo(f"  Items in this letter ({plural(len(others), 'item')}):")
        for other in others:
            this = " (this item)" if other.id == doc.id else ""
            echo_row(echo, f"    {other.id:<18} {other.outcome:<11} ", other.treatment + this, 8)


OUTCOME_MEANING = {
    "Upheld": "the denial stands",
    "Overturned": "the treatment must be authorized",
}


def _heading(echo: Echo, title: str) -> None:
    echo("")
    echo(click.style(title, bold=True))


def _paragraphs(echo: Echo, text: str, empty: str) -> None:
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if not paragraphs:
        echo(f"  {empty}")
    for n, paragraph in enumerate(paragraphs):
        if n:
            echo("")
        echo_wrapped(echo, paragraph.strip(), "  ")

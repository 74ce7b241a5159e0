"""Write a `Letter` as the text of one IMR layout, as a PDF extractor would hand it over.

The generator's records are the truth; this module only decides how that truth looks on the
page: which layout, which credential variant, headings centred or not, and (with `noise`)
the extraction artifacts the parser must survive: blank lines between lines, paragraph gaps
removed, two-column headers, hyphenated line breaks, page footers with form feeds, trailing
spaces, non-breaking spaces and CRLF line ends. Every artifact is one a careful parser can
undo, so rendered letters still parse back to their records exactly.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from indexer.records import (
    FORMAT_DOCUMENTS_REVIEWED,
    FORMAT_NOTICE_2013,
    FORMAT_PROFESSIONAL_REVIEW,
    FORMAT_STANDARD,
    Item,
    Letter,
)
from synthetic import vocabulary as V
from synthetic.citations import party_name

__all__ = ["NOISE_KINDS", "render_letter"]

WIDTH = 94
_WRAP = re.compile(r"(?:\S.{0,%d}\S|\S+)(?= |$)" % (WIDTH - 2))  # noqa: UP031
NOISE_KINDS = (
    "blank_lines",  # an empty line after every line (some extractions of the seeds)
    "no_gaps",  # no empty lines at all (pdfium)
    "two_column",  # pdftotext -layout header, "Application Received:" wrapped
    "hyphenate",  # words split across lines with a hyphen
    "footers",  # "Page 2 of 4" at page ends, form feed starting the next page
    "trailing",  # trailing spaces
    "nbsp",  # some spaces are U+00A0
    "crlf",  # CRLF line ends
)

HOW_MADE = (
    "MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no "
    "affiliation with the employer, employee, providers or the claims administrator.",
    "He/she has been in active clinical practice for more than five years and is currently "
    "working at least 24 hours a week in active practice. The expert reviewer was selected based "
    "on his/her clinical experience, education, background, and expertise in the same or similar "
    "specialties that evaluate and/or treat the medical condition and disputed items/services. "
    "He/she is familiar with governing laws and regulations, including the strength of evidence "
    "hierarchy that applies to Independent Medical Review determinations.",
)
SUMMARY_INTRO = (
    "The expert reviewer developed the following clinical case summary based on a review of the "
    "case file, including all medical records:"
)
ITEMS_INTRO = (
    "The Final Determination was based on decisions for the disputed items/services set forth "
    "below:"
)
_OUTSIDE = (
    "{who} based their decision on recommendation(s) outside of the MTUS Guidelines.",
    "{who} did not base their decision on the MTUS.",
)


class _Style:
    """Per-letter rendering choices (drawn once so the whole letter is consistent)."""

    def __init__(self, rng: random.Random, noise: float, for_pdf: bool) -> None:
        self.rng = rng
        on = {kind: noise > 0 and rng.random() < noise for kind in NOISE_KINDS}
        if on["blank_lines"] and on["no_gaps"]:
            on["no_gaps"] = False
        if for_pdf:
            on["crlf"] = False
        self.noise = on
        self.centred = rng.random() < 0.5
        self.prose_credentials = rng.random() < 0.3
        self.width = WIDTH - rng.randrange(6)

    def heading(self, text: str) -> str:
        if not self.centred:
            return text
        return " " * max(0, (self.width - len(text)) // 2) + text


def _wrap(text: str, style: _Style, hyphenate: bool = True) -> list[str]:
    """Greedy word wrap (one C-level regex pass).

    With the "hyphenate" artifact, a line may also break inside a word right after one of its
    own hyphens ("non-|certified", "L5-|S1") or after a slash inside a URL, as pdftotext
    does; the next line then continues the word without a space.
    """
    lines = _WRAP.findall(text)
    if hyphenate and style.noise["hyphenate"] and len(lines) > 1:
        rng = style.rng
        for i in range(len(lines) - 1):
            nxt = lines[i + 1]
            space = nxt.find(" ")
            word = nxt if space < 0 else nxt[:space]
            cuts = [
                j + 1
                for j, ch in enumerate(word[:-1])
                if (
                    ch == "-"
                    and word[j - 1 : j].isalnum()
                    or ch == "/"
                    and "://" in word
                    and j > word.find("://") + 2
                )
                and word[j + 1].isalnum()
            ]
            if not cuts or rng.random() > 0.7:
                continue
            cut = rng.choice(cuts)
            if len(lines[i]) + cut + 1 > style.width + 6:
                continue
            lines[i] = f"{lines[i]} {word[:cut]}"
            lines[i + 1] = nxt[cut:]
    return lines


def _us_date(iso: str | None) -> str:
    return f"{iso[5:7]}/{iso[8:10]}/{iso[:4]}" if iso else ""


def _join_and(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --- blocks shared by the layouts ----------------------------------------------------------


def _header(letter: Letter, style: _Style, case_label: str = "Case Number:") -> list[str]:
    fields = [
        (case_label, letter.case_number or ""),
        ("Date Assigned:", _us_date(letter.date_assigned)),
        ("Date of Injury:", _us_date(letter.date_of_injury)),
        ("Decision Date:", _us_date(letter.decision_date)),
        ("UR Denial Date:", _us_date(letter.ur_denial_date)),
        ("Priority:", letter.priority or ""),
        ("Application Received:", _us_date(letter.application_received)),
    ]
    if letter.date_assigned is None:
        fields = [f for f in fields if f[0] != "Date Assigned:"]
    if case_label != "Case Number:":  # the 2013 notice states its date above ("Dated:")
        fields = [f for f in fields if f[0] != "Decision Date:"]
    if not style.noise["two_column"]:
        pad = max(len(label) for label, _ in fields) + 1
        return [f"{label:<{pad}}{value}" for label, value in fields]
    left, right = fields[0], fields[1:]
    if style.rng.random() < 0.4:
        # pdfium: pairs joined by one space, "Application / Received: / <date>" on three lines.
        lines = [f"{left[0]} {left[1]}"]
        pairs = [right[i : i + 2] for i in range(0, len(right), 2)]
        for pair in pairs:
            if len(pair) > 1 and pair[1][0] == "Application Received:":
                lines += [f"{pair[0][0]} {pair[0][1]} Application", "Received:", pair[1][1]]
            else:
                lines.append(" ".join(f"{label} {value}" for label, value in pair))
        return lines
    # pdftotext -layout: the case number alone, then pairs; "Application Received:" wraps.
    lines = [f"{left[0]:<22}{left[1]}"]
    pairs = [right[i : i + 2] for i in range(0, len(right), 2)]
    wrapped_label = False
    for pair in pairs:
        line = f"{pair[0][0]:<22}{pair[0][1]:<32}"
        if len(pair) > 1:
            label = pair[1][0]
            if label == "Application Received:":
                label, wrapped_label = "Application", True
            line += f"{label:<21}{pair[1][1]}"
        lines.append(line.rstrip())
    if wrapped_label:
        lines.append(" " * 54 + "Received:")
    return lines


def _credentials_prose(letter: Letter) -> str:
    specialties = ", ".join(letter.specialties)
    states = ", ".join(letter.licensure)
    return (
        f"The expert reviewer is Board Certified in {specialties} and is licensed to practice "
        f"in {states}."
    )


def _how_made(letter: Letter, style: _Style) -> list[str]:
    lines = [style.heading("HOW THE IMR FINAL DETERMINATION WAS MADE")]
    if style.prose_credentials:
        text = f"{HOW_MADE[0]} {_credentials_prose(letter)} {HOW_MADE[1]}"
        lines += _wrap(text, style)
        return lines
    lines += _wrap(f"{HOW_MADE[0]} {HOW_MADE[1]}", style)
    lines += [
        "",
        "The Expert Reviewer has the following credentials:",
        "State(s) of Licensure: " + ",".join(letter.licensure),
        "Certification(s)/Specialty: " + ", ".join(letter.specialties),
    ]
    return lines


def _party_text(
    item: Item, party: str, style: _Style, prose: bool = False, professional: bool = False
) -> str:
    """One party's guideline paragraph: its citation sentences, or that it cited nothing."""
    who = party_name(party, professional)  # type: ignore[arg-type]
    if party in item.cited_nothing:
        if prose:
            return f"{who} did not cite any evidence-based guidelines for its decision."
        return f"{who} did not cite any medical evidence for its decision."
    cites = item.citations_by(party)  # type: ignore[arg-type]
    parts = list(dict.fromkeys(c.text for c in cites))  # shared sentences once
    if cites and not prose and not any(c.mtus for c in cites):
        parts.insert(0, style.rng.choice(_OUTSIDE).format(who=who))
    return " ".join(parts)


def _treatment_line(item: Item, style: _Style) -> list[str]:
    rng = style.rng
    gap = "  " if rng.random() < 0.15 else " "
    roll = rng.random()
    if roll < 0.03:
        # A partly authorised request: the disputed part follows the last "original request,".
        line = (
            f"{item.treatment} was the original request. The Claims Administrator authorized "
            f"an evaluation only, leaving the original request IMR eligible. The original "
            f"request, {item.treatment} is:{gap}{item.outcome}"
        )
        return _wrap(line, style, hyphenate=False)
    if roll < 0.06:
        line = f"{item.treatment} is:{gap}{item.outcome}"
    else:
        line = f"{item.treatment}:{gap}{item.outcome}"
    if style.noise["no_gaps"] or len(line) <= style.width:
        return [line]
    return _wrap(line, style, hyphenate=False)


def _item_block(item: Item, style: _Style) -> list[str]:
    lines = _treatment_line(item, style)
    tight = style.rng.random() < 0.2  # real letters sometimes drop the gap before a label
    lines.append("")
    lines += _wrap(
        "Claims Administrator guideline: " + _party_text(item, "claims_administrator", style), style
    )
    lines.append("")
    lines += _wrap("MAXIMUS guideline: " + _party_text(item, "reviewer", style), style)
    if not tight:
        lines.append("")
    lines += _wrap("Decision rationale: " + item.rationale, style)
    lines.append("")
    return lines


# --- layouts --------------------------------------------------------------------------------


def _standard(letter: Letter, style: _Style, documents: bool) -> list[str]:
    lines = _header(letter, style)
    lines.append("")
    lines += _how_made(letter, style)
    lines.append("")
    if documents:
        lines.append(style.heading("DOCUMENTS REVIEWED"))
        lines += _documents(letter, style)
        lines.append("")
    lines.append(style.heading("CLINICAL CASE SUMMARY"))
    lines += _wrap(SUMMARY_INTRO, style)
    lines.append("")
    lines += _wrap(letter.clinical_summary, style)
    lines.append("")
    heading = (
        "IMR DECISION(S) AND RATIONALE(S)"
        if documents
        else ("IMR ISSUES, DECISIONS AND RATIONALES")
    )
    lines.append(style.heading(heading))
    lines += _wrap(ITEMS_INTRO, style)
    lines.append("")
    for item in letter.items:
        lines += _item_block(item, style)
    return lines


def _documents(letter: Letter, style: _Style, numbered: bool = True) -> list[str]:
    rng = style.rng
    picked = rng.sample(V.DOCUMENTS, rng.randint(3, 6))
    dated = _us_date(letter.ur_denial_date)
    return [
        (f"{i}. " if numbered else "- ")
        + doc
        + (f" dated {dated}" if doc.startswith("Utilization") else "")
        for i, doc in enumerate(picked, 1)
    ]


def _professional_review(letter: Letter, style: _Style) -> list[str]:
    """One set of headings; several issues are numbered "1." "2." in every section."""
    rng = style.rng
    numbered = len(letter.items) > 1
    lines = _header(letter, style)
    lines += ["", style.heading("MEDICAL PROFESSIONAL REVIEW"), "", "ISSUE AT DISPUTE:"]
    for number, item in enumerate(letter.items, 1):
        mark = f"{number}. " if numbered else ""
        shape = rng.randrange(4)
        if shape == 0 and _states_outcome(item):
            issue = item.treatment  # the rationale's conclusion carries the outcome
        elif shape == 1:
            issue = f"{item.treatment} - {item.outcome}"
        else:
            issue = f"{item.treatment}: {item.outcome}"
        lines += _wrap(mark + issue, style, hyphenate=False)
    lines += ["", "CASE SUMMARY:"]
    lines += _wrap(letter.clinical_summary, style)
    lines += ["", "DOCUMENTS REVIEWED FOR DETERMINATION:"]
    lines += _documents(letter, style, numbered=False)
    lines += ["", "MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY:"]
    for number, item in enumerate(letter.items, 1):
        mark = f"{number}. " if numbered else ""
        lines += _wrap(
            mark + _party_text(item, "reviewer", style, prose=True, professional=True), style
        )
    lines += [
        "",
        "RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY:",
    ]
    for number, item in enumerate(letter.items, 1):
        mark = f"{number}. " if numbered else ""
        lines += _wrap(mark + item.rationale, style)
    lines += ["", "MEDICAL REVIEWER QUALIFICATIONS:"]
    lines += _wrap(f"{_credentials_prose(letter)} {HOW_MADE[1]}", style)
    return lines


def _states_outcome(item: Item) -> bool:
    """Whether the rationale ends by saying plainly that the request is (not) medically
    necessary, so a professional review may leave the outcome off the issue line."""
    tail = item.rationale[-160:]
    wanted = "is not medically necessary" if item.outcome == "Upheld" else "is medically necessary"
    return wanted in tail


def _notice_2013(letter: Letter, style: _Style) -> list[str]:
    lines = [style.heading("Notice of Independent Medical Review Determination"), ""]
    lines.append(f"Dated: {_us_date(letter.decision_date)}")
    lines.append("")
    lines += _header(letter, style, case_label="IMR Case Number:")
    lines.append("")
    lines += _wrap(
        "MAXIMUS Federal Services, Inc. has completed the Independent Medical Review (IMR) of the "
        "above workers' compensation case. This letter provides you with the IMR Final "
        "Determination and explains how the determination was made.",
        style,
    )
    lines.append("")
    for number, item in enumerate(letter.items, 1):
        necessary = "is not medically" if item.outcome == "Upheld" else "is medically"
        lines += _wrap(
            f"{number}) MAXIMUS Federal Services, Inc. has determined the request for "
            f"{item.treatment} {necessary} necessary and appropriate.",
            style,
            hyphenate=False,
        )
        lines.append("")
    lines.append("Medical Qualifications of the Expert Reviewer:")
    lines += _wrap(
        "The independent Physician who reviewed the case has been determined to be free of "
        f"conflicts of interest. {_credentials_prose(letter)} {HOW_MADE[1]}",
        style,
    )
    lines += ["", "Expert Reviewer Case Summary:"]
    lines += _wrap(letter.clinical_summary, style)
    lines.append("")
    for number, item in enumerate(letter.items, 1):
        lines += _wrap(
            f"{number}) Regarding the request for {item.treatment}:", style, hyphenate=False
        )
        lines.append("Medical Treatment Guideline(s) Relied Upon by the Claims Administrator:")
        lines += _wrap(_party_text(item, "claims_administrator", style, prose=True), style)
        lines.append("Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:")
        lines += _wrap(_party_text(item, "reviewer", style, prose=True), style)
        lines.append("Rationale for the Decision:")
        lines += _wrap(item.rationale, style)
        lines.append("")
    return lines


# --- noise after layout ---------------------------------------------------------------------


def _paginate(lines: list[str], style: _Style) -> list[str]:
    """Page footers and form feeds, as pdftotext writes page ends."""
    per_page = style.rng.randint(44, 58)
    pages = max(1, -(-len(lines) // per_page))
    centred = style.centred
    out: list[str] = []
    for page in range(pages):
        chunk = lines[page * per_page : (page + 1) * per_page]
        if page and chunk:
            chunk[0] = "\f" + chunk[0]
        out += chunk
        footer = f"Page {page + 1} of {pages}"
        out += ["", " " * 40 + footer if centred else footer]
    out[-1] += "\f"
    return out


def _finish(lines: list[str], style: _Style) -> str:
    noise = style.noise
    rng = style.rng
    if noise["no_gaps"]:
        lines = [line for line in lines if line.strip()]
    if noise["footers"]:
        lines = _paginate(lines, style)
    if noise["nbsp"]:
        for i in rng.sample(range(len(lines)), max(1, len(lines) // 8)):
            lines[i] = lines[i].replace(" ", "\u00a0", 1)
    if noise["trailing"]:
        lines = [line + " " * rng.randint(1, 2) if rng.random() < 0.7 else line for line in lines]
    if noise["blank_lines"]:
        spaced: list[str] = []
        for line in lines:
            spaced.append(line)
            spaced.append(" " if noise["trailing"] else "")
        lines = spaced
    newline = "\r\n" if noise["crlf"] else "\n"
    return newline.join(lines).rstrip(" \r\n") + newline


def render_letter(
    letter: Letter,
    layout: str | None = None,
    noise: float = 0.0,
    rng: random.Random | None = None,
    for_pdf: bool = False,
) -> str:
    """The letter's text in `layout` (default: its own format), with extraction `noise` in 0..1.

    `noise` is the chance that each artifact kind (NOISE_KINDS) is applied to this letter.
    Rendering a letter in a layout other than its own loses the fields that layout lacks.
    """
    rng = rng or random.Random(letter.letter_id)  # deterministic per letter
    style = _Style(rng, noise, for_pdf)
    layout = layout or letter.format
    if layout == FORMAT_STANDARD:
        lines = _standard(letter, style, documents=False)
    elif layout == FORMAT_DOCUMENTS_REVIEWED:
        lines = _standard(letter, style, documents=True)
    elif layout == FORMAT_PROFESSIONAL_REVIEW:
        lines = _professional_review(letter, style)
    elif layout == FORMAT_NOTICE_2013:
        lines = _notice_2013(letter, style)
    else:
        raise ValueError(f"unknown layout {layout!r}")
    return _finish(lines, style)

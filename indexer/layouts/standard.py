"""The 2014+ layouts: standard ("IMR ISSUES, DECISIONS AND RATIONALES") and documents_reviewed
("IMR DECISION(S) AND RATIONALE(S)"), which differ only in their headings.

Sections are cut at the known headings (detect.scan_headings). In the items section a
decision heading is a line ending in ": Upheld|Overturned" followed by a guideline or
rationale label; the heading wraps upwards over lines that do not end a sentence, and the
labelled paragraphs below it, up to the next heading, are the item's body.
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer import patterns as p
from indexer.clean import squash, unwrap
from indexer.layouts import RawItem, Split, trim_treatment

# Most lines a plain decision heading ("<treatment>: Upheld") wraps over, and a heading of a
# modified request ("... was the original request. ... is: Upheld").
MAX_HEADING_LINES = 4
MAX_MODIFIED_HEADING_LINES = 8

# Heading name (detect.scan_headings) -> the section it starts.
_SECTION_NAMES = {
    "how": "how",
    "documents": "documents",
    "summary": "summary",
    "issues": "items",
    "decisions": "items",
}
# First letters of the item labels (Claims Administrator / MAXIMUS / Expert / Decision ...):
# a cheap test before the label regexes.
_LABEL_INITIALS = frozenset("CcMmEeDd")
_OUTCOME_WORDS = ("upheld", "overturned")


def split_standard(lines: list[str], headings: dict[str, int], layout: str) -> Split:
    split = Split(format=layout)
    marks: list[tuple[int, str]] = []  # (line index, section name), first of each kind
    for name, index in sorted(headings.items(), key=lambda pair: pair[1]):
        section = _SECTION_NAMES.get(name)
        if section and section not in {s for _, s in marks}:
            marks.append((index, section))
    bounds = {name: (index + 1, _next_mark(marks, index, len(lines))) for index, name in marks}
    first = marks[0][0] if marks else 0
    split.header = "\n".join(lines[:first])

    if "items" in bounds:
        start, end = bounds["items"]
        item_lines = lines[start:end]
    else:
        # No items heading (truncated or unusual): items may follow any other section.
        start = bounds["summary"][0] if "summary" in bounds else (marks[-1][0] + 1 if marks else 0)
        item_lines = lines[start:]
        if any(p.RATIONALE_LABEL.match(line) for line in item_lines):
            split.warnings.append(
                "no 'IMR ISSUES, DECISIONS AND RATIONALES' heading: items read without it"
            )
    items, first_item, item_warnings = _split_items(item_lines)
    split.items = items
    split.warnings += item_warnings

    items_at = start + first_item  # first line of the first item (or end of text)
    if "summary" in bounds:
        s_start, s_end = bounds["summary"]
        split.summary = "\n".join(lines[s_start : min(s_end, items_at)])
    credentials_end = bounds["summary"][0] - 1 if "summary" in bounds else items_at
    split.credentials = "\n".join(lines[:credentials_end])
    heading_at = bounds["items"][0] - 1 if "items" in bounds else items_at
    split.warnings += _unknown_headings(lines, marks, heading_at)
    return split


def has_item_labels(lines: Sequence[str]) -> bool:
    return any(_label_kinds(lines))


def _next_mark(marks: list[tuple[int, str]], index: int, default: int) -> int:
    later = [i for i, _ in marks if i > index]
    return min(later) if later else default


def _unknown_headings(lines: list[str], marks: list[tuple[int, str]], stop: int) -> list[str]:
    """Upper-case stand-alone lines between the first known heading and the items."""
    if not marks:
        return []
    known = {index for index, _ in marks}
    warnings = []
    for index in range(marks[0][0] + 1, min(stop, len(lines))):
        line = lines[index]
        if (
            index not in known
            and line.isupper()
            and p.CAPS_HEADING.match(line)
            and len(line.split()) >= 2
        ):
            warnings.append(f"unknown section {line.strip()!r} ignored")
    return warnings


def _split_items(lines: list[str]) -> tuple[list[RawItem], int, list[str]]:
    """Items of a 2014+ letter from the lines after its items heading.

    Returns the items, the index of the first item's heading (end of any preamble) and
    warnings. A decision heading is a line ending in ": Upheld|Overturned" (or the outcome
    alone after a line ending in ':') that is followed by a guideline or rationale label.
    """
    warnings: list[str] = []
    labels = _label_kinds(lines)
    decisions: list[tuple[int, str, bool]] = []  # (line index, outcome, heading starts above)
    for index in _lines_ending_in_outcome(lines):
        line = lines[index]
        if labels[index]:
            continue
        tail = _outcome_tail(line)
        alone = None if tail else p.OUTCOME_ALONE.match(line)
        if not tail and not alone:
            continue
        following = _next_filled(lines, index + 1)
        if following is not None and labels[following] is None:
            if tail and tail[0].strip():
                warnings.append(
                    f"line {line.strip()[:60]!r} looks like a decision but no guideline or "
                    "rationale follows: ignored"
                )
            continue
        if alone:
            before = _previous_filled(lines, index - 1)
            if (
                before is None
                or labels[before]
                or not lines[before].rstrip().endswith((":", " is"))
            ):
                continue
        outcome = (tail[1] if tail else alone.group("outcome")).capitalize()  # type: ignore[union-attr]
        head = tail[0].strip().lower() if tail else ""
        decisions.append((index, outcome, bool(alone) or head in {"", "is"}))

    items: list[RawItem] = []
    starts: list[int] = []
    headings: list[str] = []  # each decision heading unwrapped (found with its start)
    floor = 0
    for index, _outcome, starts_above in decisions:
        start, heading = _heading_start(lines, labels, index, floor, starts_above)
        starts.append(start)
        headings.append(heading)
        floor = index + 1
    first_item = starts[0] if starts else len(lines)
    preamble = squash("\n".join(lines[:first_item]))
    intro = p.ITEMS_INTRO_SENTENCE.match(preamble)
    leftover = preamble[intro.end() :].strip() if intro else preamble
    if decisions and leftover:
        warnings.append(f"unrecognised text before the first item: {leftover[:60]!r}")

    for number, ((index, outcome, _), heading) in enumerate(
        zip(decisions, headings, strict=True), 1
    ):
        end = starts[number] if number < len(starts) else len(lines)
        treatment = _treatment(heading)
        if not treatment:
            warnings.append(f"decision {number} has no treatment text: skipped")
            continue
        raw, complete, body_warnings = _item_body(lines[index + 1 : end], labels[index + 1 : end])
        is_last = number == len(decisions)
        if not complete:
            if is_last:
                warnings.append(
                    f"text truncated inside item {number} ({treatment[:50]!r}): "
                    "incomplete item dropped"
                )
                continue
            warnings.append(f"item {number} ({treatment[:50]!r}) has no decision rationale")
        elif is_last and not _closed(raw.rationale):
            warnings.append(f"text truncated: the rationale of item {number} stops mid-sentence")
        warnings += [f"item {number}: {w}" for w in body_warnings]
        raw.treatment, raw.outcome = treatment, outcome  # type: ignore[assignment]
        items.append(raw)
    return items, first_item, warnings


def _outcome_tail(line: str) -> tuple[str, str] | None:
    """(head, outcome) of a decision heading line: OUTCOME_TAIL's groups, found from the
    colon before the outcome (COLON_OUTCOME), where the lazy head of OUTCOME_TAIL tries every
    position of the line. Only one colon can be followed by nothing but the outcome."""
    found = p.COLON_OUTCOME.search(line)
    if found is None:
        return None
    head = line[: found.start()].rstrip(" \t")
    return None if "\n" in head else (head, found.group("outcome"))


def _closed(rationale: str) -> bool:
    """Whether an unwrapped rationale ends a sentence. Unwrapped text has no trailing
    whitespace, so only its last character can start a CLOSED_TEXT match: searching from
    there skips a scan of the whole rationale."""
    return bool(p.CLOSED_TEXT.search(rationale, max(0, len(rationale) - 1)))


def _lines_ending_in_outcome(lines: Sequence[str]) -> list[int]:
    """Indexes of lines ending in "Upheld"/"Overturned" (any case). One str.find pass over
    the joined text instead of a Python test per line."""
    text = "\n".join(lines).lower()
    found: list[int] = []
    for word in _OUTCOME_WORDS:
        line = 0
        previous = 0
        position = text.find(word)
        while position != -1:
            line += text.count("\n", previous, position)
            previous = position
            end = position + len(word)
            if end == len(text) or text[end] == "\n":
                found.append(line)
            position = text.find(word, end)
    return sorted(set(found))


def _label_kinds(lines: Sequence[str]) -> list[str | None]:
    return [_label_kind(line) if ":" in line else None for line in lines]


def _label_kind(line: str) -> str | None:
    if ":" not in line or line.lstrip()[:1] not in _LABEL_INITIALS:
        return None
    if p.CA_LABEL.match(line):
        return "ca"
    if p.REVIEWER_LABEL.match(line):
        return "reviewer"
    if p.RATIONALE_LABEL.match(line):
        return "rationale"
    return None


def _heading_start(
    lines: Sequence[str], labels: Sequence[str | None], index: int, floor: int, starts_above: bool
) -> tuple[int, str]:
    """First line of the decision heading that ends on line `index`, and the heading
    unwrapped (read here already: not unwrapped twice).

    Walk up over lines that do not end a sentence (a heading wraps; the rationale before it
    ends with a full stop), at most MAX_HEADING_LINES. A modified request ("X was the
    original request. Y was authorized ... The remaining IMR eligible portion of the original
    request, Z is: Upheld") is longer and has full stops inside: it may take
    MAX_MODIFIED_HEADING_LINES, and reaches up to the start of "X was the original request".
    """
    first = index
    if starts_above:
        before = _previous_filled(lines, index - 1)
        if before is not None and before >= floor and not labels[before]:
            first = before
    start = _walk_up(lines, labels, first, floor, MAX_HEADING_LINES - (index - first) - 1)
    heading = unwrap(lines[start : index + 1])
    if "original request" not in heading.lower():
        return start, heading
    start = _walk_up(lines, labels, first, floor, MAX_MODIFIED_HEADING_LINES - (index - first) - 1)
    if not p.WAS_ORIGINAL_REQUEST.search(unwrap(lines[start : index + 1])):
        # "X was the original request." ended a line, which stopped the walk: go on up.
        for candidate in range(start - 1, max(floor, start - 3) - 1, -1):
            if not lines[candidate].strip() or labels[candidate]:
                break
            if p.WAS_ORIGINAL_REQUEST.search(lines[candidate]):
                start = _walk_up(lines, labels, candidate, floor, MAX_MODIFIED_HEADING_LINES)
                break
    return start, unwrap(lines[start : index + 1])


def _walk_up(
    lines: Sequence[str], labels: Sequence[str | None], start: int, floor: int, budget: int
) -> int:
    """Extend a heading upwards over lines that do not end a sentence."""
    while budget > 0 and start - 1 >= floor:
        above = lines[start - 1]
        if not above.strip() or labels[start - 1] or p.ITEMS_INTRO.match(above):
            break
        if p.ITEMS_INTRO_END.search(above):
            break
        if p.SENTENCE_END.search(above):
            break
        start -= 1
        budget -= 1
    return start


def _treatment(heading: str) -> str:
    """The disputed treatment from a decision heading (outcome and modified-request
    sentences removed)."""
    outcome = p.OUTCOME_END.search(heading, _outcome_end_from(heading))
    text = heading[: outcome.start()] if outcome else heading
    if "original request" in text.lower():
        text = p.ORIGINAL_REQUEST_COMMA.split(text)[-1]
    enumerator = p.TREATMENT_ENUMERATOR.match(text)
    if enumerator:
        text = text[enumerator.end() :]
    return trim_treatment(text)


def _outcome_end_from(heading: str) -> int:
    """Where to search a heading for OUTCOME_END: 40 characters before its end and, in ASCII
    text, not before the run of OUTCOME_END_GAP_CHARS ahead of its last word (a match starts
    in that run): the engine then tries a few positions, not forty."""
    start = max(0, len(heading) - 40)
    if not heading.isascii():
        return start
    end = heading.rstrip()
    if end.endswith("."):
        end = end[:-1].rstrip()
    last = end[-10:].lower()
    word = 6 if last.endswith("upheld") else 10 if last.endswith("overturned") else 0
    if not word:
        return start
    return max(start, len(end[:-word].rstrip(p.OUTCOME_END_GAP_CHARS)))


def _item_body(
    lines: Sequence[str], labels: Sequence[str | None]
) -> tuple[RawItem, bool, list[str]]:
    """Guideline paragraphs and rationale of one item. Returns (item, has rationale, warnings)."""
    marks = [index for index, label in enumerate(labels) if label]
    warnings = []
    stray = [line.strip() for line in lines[: marks[0] if marks else len(lines)] if line.strip()]
    if stray:
        warnings.append(f"unrecognised text after the decision heading: {' '.join(stray)[:60]!r}")
    parts: dict[str, list[str]] = {}
    for number, start in enumerate(marks):
        end = marks[number + 1] if number + 1 < len(marks) else len(lines)
        label = str(labels[start])
        body = [lines[start].split(":", 1)[1], *lines[start + 1 : end]]
        if label == "rationale":
            body = _cut_unknown_section(body, warnings)
        parts.setdefault(label, []).extend(body)
    for label, name in (
        ("ca", "Claims Administrator guideline"),
        ("reviewer", "MAXIMUS guideline"),
    ):
        if label not in parts and "rationale" in parts:
            warnings.append(f"no {name!r} paragraph")
    rationale = unwrap(parts.get("rationale", []))
    item = RawItem(
        treatment="",
        outcome="Upheld",
        ca_text=unwrap(parts["ca"]) if "ca" in parts else None,
        reviewer_text=unwrap(parts["reviewer"]) if "reviewer" in parts else None,
        rationale=rationale,
    )
    return item, bool(rationale), warnings


def _cut_unknown_section(lines: list[str], warnings: list[str]) -> list[str]:
    """Stop a rationale at a stand-alone upper-case line after a finished sentence (an
    unknown section heading), with a warning."""
    for index in range(1, len(lines)):
        line = lines[index]
        if (
            line.isupper()
            and p.CAPS_HEADING.match(line)
            and len(line.split()) >= 2
            and (not lines[index - 1] or p.SENTENCE_END.search(lines[index - 1]))
        ):
            warnings.append(f"unknown section {line.strip()!r} after the rationale ignored")
            return lines[:index]
    return lines


def _next_filled(lines: Sequence[str], index: int) -> int | None:
    for candidate in range(index, len(lines)):
        if lines[candidate].strip():
            return candidate
    return None


def _previous_filled(lines: Sequence[str], index: int) -> int | None:
    for candidate in range(index, -1, -1):
        if lines[candidate].strip():
            return candidate
    return None


__all__ = ["has_item_labels", "split_standard"]

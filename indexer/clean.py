"""Text normalisation: make every extraction of a letter look the same before parsing.

pdftotext -layout, pdfium and hand-made copies of the same letter differ in line ends (CRLF),
odd spaces (NBSP), page breaks (form feeds, "Page 2 of 5"), blank lines (none in pdfium text,
one after every line in some copies), trailing spaces and how a hyphen at a line end is
written (pdfium uses U+FFFE and joins the lines). `clean` removes those differences while
keeping the line structure the parser relies on; `unwrap` joins wrapped lines into one
whitespace-normalised string for the record fields.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from indexer import patterns as p

# A text is "double spaced" (a blank line after every line, as in the seeds) when at most
# this share of its non-blank lines directly follows another non-blank line.
DOUBLE_SPACED_ADJACENT_SHARE = 0.05
# Control characters dropped from every text: everything below a space except tab, newline,
# form feed and carriage return (handled separately), and DEL. Not a regex: bytes.translate
# deletes them much faster.
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
# Characters patterns.INVISIBLE and patterns.ODD_SPACES replace (checked before running them).
INVISIBLE_CHARS = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
ODD_SPACE_CHARS = (
    "\u00a0",
    *(chr(code) for code in range(0x2000, 0x200B)),
    "\u202f",
    "\u205f",
    "\u3000",
)
# ASCII whitespace (str.split's) but the space and line break.
ASCII_WHITESPACE = "\t\r\x0b\x0c\x1c\x1d\x1e\x1f"
# How many lines at the top and bottom of a page are checked for page furniture.
FURNITURE_DEPTH = 2


def clean(text: str) -> str:
    """Normalised text: '\\n' line ends, no trailing spaces, no page furniture, single blank
    lines between paragraphs (where the extraction had any)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text:
        text = text.replace("\t", " ")
    if not text.isascii():  # cheap membership tests first: regex scans cost more
        if "\ufffe" in text or "\u00ad" in text:
            text = p.LINE_END_HYPHEN.sub("-\n", text)
        if any(char in text for char in INVISIBLE_CHARS):
            text = p.INVISIBLE.sub("", text)
        if any(char in text for char in ODD_SPACE_CHARS):
            text = p.ODD_SPACES.sub(" ", text)
    # Control characters are single bytes < 0x20 in UTF-8 (never inside a multi-byte
    # sequence), so deleting them from the bytes is exact and fast.
    data = text.encode("utf-8", "surrogatepass")
    kept = data.translate(None, CONTROL_BYTES)
    if len(kept) != len(data):
        text = kept.decode("utf-8", "surrogatepass")
    if text.isascii() and " \n" not in text and " \f" not in text and not text.endswith(" "):
        # The only whitespace left in ASCII text is " ", and no line ends in one: nothing to
        # strip (the common case: a scan of the text instead of a call per line).
        pages = [page.split("\n") for page in text.split("\f")]
    else:
        pages = [[line.rstrip() for line in page.split("\n")] for page in text.split("\f")]
    # Lines holding only spaces are blank lines.
    pages = _drop_page_furniture(pages)
    if _double_spaced(pages):
        pages = [_undouble(page) for page in pages]
    return _squeeze_blank_lines([line for page in pages for line in page])


def unwrap(lines: Iterable[str]) -> str:
    """Join wrapped lines into one string with single spaces.

    A line ending in a hyphen glued to a word ("x-", "Non-", a URL part) or in a slash
    continues the same word on the next line, so it is joined without a space; the hyphen is
    kept because in these letters it is almost always a real one ("x-rays", "Non-MTUS").
    """
    return squash("\n".join(lines))


def squash(text: str) -> str:
    """`unwrap` for a text block (lines separated by newlines)."""
    if p.LINE_END_TO_MEND.search(text):  # rare: most lines end in a letter or full stop
        if " \n" in text or "\t\n" in text:
            text = p.TRAILING_SPACES.sub("\n", text)
        if "-\n" in text:
            text = p.HYPHEN_WRAP.sub(_glue_hyphen, text)
        if "/\n" in text:
            text = p.SLASH_WRAP.sub("/", text)
    return single_spaced(text)


def single_spaced(text: str) -> str:
    """`" ".join(text.split())`, faster on ASCII text whose only whitespace is spaces and
    line breaks (every cleaned letter's): a few scans of the text instead of a string per
    word. A run of n spaces takes log2(n) replacements."""
    flat = text.replace("\n", " ")
    if flat.isascii():
        for other in ASCII_WHITESPACE:
            if other in flat:
                break
        else:
            while "  " in flat:
                flat = flat.replace("  ", " ")
            return flat.strip(" ")
    return " ".join(text.split())


def _glue_hyphen(match: re.Match[str]) -> str:
    """Keep "-" glued to the next word only when it is glued to the word before, too."""
    start = match.start()
    return "-" if start > 0 and match.string[start - 1].isalnum() else "- "


def _drop_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and running headers/footers at page edges, and the blank lines
    around page breaks (a page break is not a paragraph break).

    A line counts as a running header/footer when it sits at the edge of most pages (after
    digits are masked, so "Page 2 of 5" and "Page 3 of 5" are the same line) and looks like
    furniture; body text almost never repeats at the same place on most pages.
    """
    if len(pages) == 1:
        page = pages[0]
        drop = {index for index in _edge_positions(page) if p.PAGE_LABEL_LINE.match(page[index])}
        return [[line for index, line in enumerate(page) if index not in drop]] if drop else pages
    edges = [_edge_positions(page) for page in pages]
    counts: Counter[str] = Counter()
    for page, positions in zip(pages, edges, strict=True):
        keys = {_furniture_key(page[index]) for index in positions}
        for masked in keys:
            if masked is not None:
                counts[masked] += 1
    filled_pages = sum(1 for positions in edges if positions)
    needed = max(2, (filled_pages * 3 + 4) // 5)  # at least 60% of the pages
    running = {line for line, count in counts.items() if count >= needed}
    out: list[list[str]] = []
    for page, positions in zip(pages, edges, strict=True):
        drop = {
            index
            for index in positions
            if p.PAGE_NUMBER_LINE.match(page[index])
            or (running and _furniture_key(page[index]) in running)
        }
        kept = [line for index, line in enumerate(page) if index not in drop] if drop else page
        start, end = 0, len(kept)
        while start < end and not kept[start]:
            start += 1
        while end > start and not kept[end - 1]:
            end -= 1
        out.append(kept[start:end])
    return out


def _edge_positions(page: list[str]) -> list[int]:
    """Indexes of the first and last FURNITURE_DEPTH non-blank lines of a page."""
    top: list[int] = []
    for index, line in enumerate(page):
        if line:
            top.append(index)
            if len(top) == FURNITURE_DEPTH:
                break
    bottom: list[int] = []
    for index in range(len(page) - 1, top[-1] if top else -1, -1):
        if page[index]:
            bottom.append(index)
            if len(bottom) == FURNITURE_DEPTH:
                break
    return top + bottom[::-1]


def _furniture_key(line: str) -> str | None:
    """The line with digits masked, when it could be a running header/footer: a short line
    naming the case number, a page or MAXIMUS, and not a label ("MAXIMUS guideline: ...")."""
    if len(line) > 80 or ":" in line or not p.FURNITURE_HINT.search(line):
        return None
    return p.DIGITS.sub("#", " ".join(line.lower().split()))


def _double_spaced(pages: list[list[str]]) -> bool:
    """True when (almost) no two non-blank lines of a page are adjacent: every line break
    was written as a blank line."""
    filled = adjacent = blanks = 0
    for page in pages:
        page_blanks = page.count("")
        blanks += page_blanks
        filled += len(page) - page_blanks
    if filled < 4 or blanks < filled / 2:
        return False  # far fewer blank lines than line breaks: not double spaced
    for page in pages:
        adjacent += sum(
            1 for first, second in zip(page, page[1:], strict=False) if first and second
        )
    return adjacent <= DOUBLE_SPACED_ADJACENT_SHARE * filled


def _undouble(lines: list[str]) -> list[str]:
    """Undo a blank line after every line: a single blank line was a line break, a run of
    two or more was a paragraph break."""
    out: list[str] = []
    blanks = 0
    for line in lines:
        if line.strip():
            if blanks >= 2 and out:
                out.append("")
            out.append(line)
            blanks = 0
        else:
            blanks += 1
    return out


def _squeeze_blank_lines(lines: list[str]) -> str:
    text = "\n".join(lines).strip("\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


__all__ = ["clean", "squash", "unwrap"]

"""Marked text -> HTML: the one place where engine marks become <mark> elements.

Engines mark matches with private-use characters (imr_search.marks). `to_markup` escapes the
whole text and only then turns the marks into <mark></mark> (balanced), so stored text can
never inject markup.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

from imr_search.marks import MARK_END, MARK_START

_MARK_SPLIT = re.compile(f"([{MARK_START}{MARK_END}])")


def to_markup(marked_text: str) -> str:
    """Escape text and turn MARK_START/MARK_END into <mark></mark> (balanced, safe)."""
    out: list[str] = []
    open_ = False
    for part in _MARK_SPLIT.split(marked_text):
        if part == MARK_START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif part == MARK_END:
            if open_:
                out.append("</mark>")
                open_ = False
        elif part:
            out.append(html.escape(part, quote=True))
    if open_:
        out.append("</mark>")
    return "".join(out)


def marked(marked_text: str) -> Markup:
    """The Jinja filter: marked text as safe HTML."""
    return Markup(to_markup(marked_text))

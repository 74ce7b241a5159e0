"""Marked text: how engines say which words matched, without writing any markup.

Engines wrap matches in two private-use characters; presenters turn them into what their
medium shows (<mark> in HTML, bold in a terminal). Stored texts never contain them: the
indexer removes them when it builds documents (`strip_marks`).
"""

from __future__ import annotations

import re

MARK_START = "\ue000"
MARK_END = "\ue001"
_MARKED = re.compile(re.escape(MARK_START) + "(.*?)" + re.escape(MARK_END), re.S)


def strip_marks(text: str) -> str:
    """The text without marker characters."""
    return text.replace(MARK_START, "").replace(MARK_END, "")


def marked_spans(text: str) -> list[str]:
    """The marked parts of a text, in order."""
    return _MARKED.findall(text)


def mark(text: str) -> str:
    """The whole text marked."""
    return MARK_START + text + MARK_END


_WORD = re.compile(r"\S+")


def one_mark_per_word(text: str) -> str:
    """Marked spans of several words split into one mark per word, as Elasticsearch marks a
    phrase: "[hardware block]" -> "[hardware] [block]" (engines mark alike)."""
    if MARK_START not in text:
        return text

    def per_word(span: re.Match[str]) -> str:
        return _WORD.sub(lambda w: MARK_START + w.group() + MARK_END, span.group(1))

    return _MARKED.sub(per_word, text)


EXCERPT_CHARS = 240


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a text, cut at a word boundary (a snippet when nothing matched)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + "…"

"""The passage a search result shows: the part of a marked text that best explains the
decision, chosen the same way for every engine.

Engines mark a hit's whole rationale (or summary, or citation text) with the query's words
(imr_search.marks); this module cuts it into sentences and picks the one that holds the
query's words *and* explains the decision best (clinical.passages: what the reviewer found or
missed in this case, the criterion applied; retellings of the records and the letters'
boilerplate count against a sentence). Query words come first: a sentence without them is
never chosen while one with them exists; among those that have them, explanation decides,
then how many distinct query words they hold, then position (the earlier). The passage is
that sentence, then the ones after (or before) it while they fit and are not boilerplate or
retellings, cut with "…" where text is left out.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from clinical.passages import explanation_score
from imr_search.marks import MARK_END, MARK_START, one_mark_per_word, strip_marks

SNIPPET_CHARS = 240  # the passage shown, about (whole sentences are added while they fit)
MAX_SENTENCE = 320  # a longer sentence is cut around its marks
ELLIPSIS = "…"
TERM_WEIGHT = 0.5  # each distinct query word beyond the first, against explanation
_ABBREVIATIONS = frozenset(
    ("e.g", "i.e", "dr", "vs", "no", "st", "etc", "mr", "ms", "approx", "fig")
)
# A sentence ends at . ! or ? (and a closing quote or bracket) before white space and a
# capital, a digit, a quote, a bracket or a mark.
_END = re.compile(r"[.!?][\"')\]”]?(?=\s+[\"'(\[“\ue000]*[A-Z0-9])")
_MARKED = re.compile(re.escape(MARK_START) + r"(.*?)" + re.escape(MARK_END))
_NO_TERMS: frozenset[str] = frozenset()
_MARK = re.compile(re.escape(MARK_START))


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    terms: frozenset[str]  # the distinct marked words, lower-cased


def best_passage(marked: str, limit: int = SNIPPET_CHARS) -> str:
    """The passage of `marked` (a whole text with the query's words marked) to show."""
    text = " ".join(one_mark_per_word(marked).split())
    if not text:
        return ""
    bounds = sentence_bounds(text)
    # Only the sentences holding a mark are candidates (found by the marks' positions).
    starts = [start for start, _ in bounds]
    marked_at = sorted({bisect_right(starts, m.start()) - 1 for m in _MARK.finditer(text)})
    if not marked_at:
        return _window(text, 0, len(text), limit)
    at, best = max(
        ((i, _sentence(text, *bounds[i])) for i in marked_at),
        key=lambda pair: (_score(pair[1]), len(pair[1].terms), -pair[1].start),
    )
    if best.end - best.start > MAX_SENTENCE:
        first = text.index(MARK_START, best.start)
        return _window(text, max(best.start, _word_start(text, first - limit // 4)), None, limit)
    start, end = best.start, best.end
    after, before = at + 1, at - 1
    while after < len(bounds) and _adds(text, bounds[after], bounds[after][1] - start, limit):
        end = bounds[after][1]
        after += 1
    while before >= 0 and _adds(text, bounds[before], end - bounds[before][0], limit):
        start = bounds[before][0]
        before -= 1
    return _cut(text, start, end)


def _adds(text: str, neighbour: tuple[int, int], length: int, limit: int) -> bool:
    """Whether a sentence next to the passage joins it: it fits, and it is neither
    boilerplate nor a retelling of the records (those only dilute the explanation)."""
    if length > limit:
        return False
    start, end = neighbour
    return explanation_score(strip_marks(text[start:end])) >= 0


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of a (whitespace-normalised, marked) text, with their marked words."""
    return [_sentence(text, start, end) for start, end in sentence_bounds(text)]


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a (whitespace-normalised, marked) text."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if _abbreviation(text, m.start()):
            continue
        out.append((start, m.end()))
        start = m.end() + 1
    if start < len(text):
        out.append((start, len(text)))
    return out


def _sentence(text: str, start: int, end: int) -> Sentence:
    part = text[start:end]
    if MARK_START not in part:
        return Sentence(start, end, part, _NO_TERMS)
    terms = frozenset(w.lower() for w in _MARKED.findall(part))
    return Sentence(start, end, part, terms)


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the '.' at `dot` ends an abbreviation ("e.g.", "Dr.", "No. 3") or an initial."""
    if text[dot] != ".":
        return False
    window = max(0, dot - 8)
    word = text[text.rfind(" ", window, dot) + 1 or window : dot]
    if MARK_START in word or MARK_END in word:
        word = strip_marks(word)
    word = word.lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _score(sentence: Sentence) -> float:
    return explanation_score(strip_marks(sentence.text)) + TERM_WEIGHT * (len(sentence.terms) - 1)


def _word_start(text: str, at: int) -> int:
    """The start of the word at or after `at` (0 at the text's start)."""
    if at <= 0:
        return 0
    space = text.find(" ", at)
    return space + 1 if space >= 0 else at


def _window(text: str, start: int, end: int | None, limit: int) -> str:
    """About `limit` characters from `start`, cut at a space (never inside a mark: marks hold
    one word each)."""
    stop = len(text) if end is None else end
    if stop - start > limit:
        cut = text.rfind(" ", start, start + limit)
        stop = cut if cut > start else start + limit
    return _cut(text, start, stop)


def _cut(text: str, start: int, end: int) -> str:
    """text[start:end] with "…" where text was left out before or after it."""
    part = text[start:end].strip()
    prefix = ELLIPSIS if text[:start].strip() else ""
    suffix = ELLIPSIS if text[end:].strip() else ""
    return prefix + part + suffix

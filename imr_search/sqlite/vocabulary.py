"""The embedded engine's vocabulary for spelling suggestions (imr_search.suggest).

`items_words` is an FTS5 index of the vocabulary texts' words, unstemmed and without
positions: whether the index knows a word is one lookup in it, always current. `word_df`
lists its words (4+ letters, no digits) with the number of items holding each, rebuilt with
`term_df` after a bulk load; the candidates for a word are read from it by first letter and
length, then kept within the edit distance suggest.py allows (rapidfuzz, in C).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

from imr_search.suggest import CANDIDATES, MIN_WORD, PREFIX, max_edits


def refresh_words(db: sqlite3.Connection) -> None:
    """Rebuild `word_df` from the vocabulary index (inside the caller's transaction)."""
    db.execute("DELETE FROM word_df")
    db.execute(
        "INSERT INTO word_df(word, df) SELECT term, doc FROM items_words_vocab"
        " WHERE length(term) >= ? AND term NOT GLOB '*[0-9_]*'",
        (MIN_WORD,),
    )


def known(db: sqlite3.Connection, word: str) -> bool:
    """Whether any item's vocabulary texts hold the word."""
    quoted = '"' + word.replace('"', '""') + '"'
    found = db.execute("SELECT 1 FROM items_words WHERE items_words MATCH ? LIMIT 1", (quoted,))
    return found.fetchone() is not None


def candidates(db: sqlite3.Connection, word: str) -> list[tuple[str, int]]:
    """Known words near `word` (same first letter, within its edit distance), with the
    number of items holding each: at most CANDIDATES, the nearest first."""
    head = word[:PREFIX]
    edits = max_edits(word)
    rows = db.execute(
        "SELECT word, df FROM word_df WHERE word >= ? AND word < ?"
        " AND length(word) BETWEEN ? AND ?",
        (head, head + "\U0010ffff", len(word) - edits, len(word) + edits),
    ).fetchall()
    if not rows:
        return []
    near = process.extract(
        word,
        [w for w, _ in rows],
        scorer=OSA.distance,
        score_cutoff=edits,
        limit=None,
    )
    near.sort(key=lambda found: (found[1], -rows[found[2]][1], found[0]))
    return [(rows[i][0], rows[i][1]) for _, _, i in near[:CANDIDATES]]


def lookup(db: sqlite3.Connection, words: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
    """word -> candidates ([] for a word the index knows)."""
    return {word: [] if known(db, word) else candidates(db, word) for word in words}

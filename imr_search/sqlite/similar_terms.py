"""The words of similar cases: an item's (or a text's) distinctive terms, and which of them a
similar case shares.

Distinctive terms are "more like this", SQLite style: the text is tokenised with the index's
own tokenizer (a scratch FTS5 table in the connection's temp schema, so stems are exactly the
index's), each stem weighed by tf-idf with the document frequencies cached in `term_df`, and
the strongest kept while their total document frequency stays within a budget (bm25 scores
every row their OR matches, so the budget bounds the cost). Words that carry no evidence of
similarity (function words and the letters' boilerplate: clinical.findings.no_evidence_words)
and terms in more than half the items are never chosen.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from clinical.findings import no_evidence_words
from imr_search.marks import MARK_END, MARK_START, marked_spans
from imr_search.query import words_of
from imr_search.similarity import TERM_DF_BUDGET
from imr_search.sqlite.marking import LONG_TEXT, mark_long_text
from imr_search.sqlite.schema import FTS_COLUMNS, TOKENIZER

MAX_TERMS = 20
MIN_TERMS = 3
MIN_WORD = 3
SHARED_SHOWN = 6


@dataclass(frozen=True)
class QueryTerm:
    stem: str
    word: str  # a surface form from the source text (FTS5 stems it back to `stem`)
    weight: float


def terms_match(terms: list[QueryTerm], columns: Sequence[str] | None = None) -> str:
    """The FTS5 MATCH of any of the terms (in `columns` only, when given)."""
    any_term = " OR ".join('"' + t.word + '"' for t in terms)
    return f"{{{' '.join(columns)}}} : ({any_term})" if columns is not None else any_term


def distinctive_terms(
    db: sqlite3.Connection,
    texts: list[tuple[str, float]],
    *,
    total: int,
    min_df: int,
) -> list[QueryTerm]:
    """The strongest tf-idf stems of the texts, within the document-frequency budget."""
    quiet = no_evidence_words()
    tf: dict[str, float] = {}
    for text, weight in texts:
        for word, n in Counter(words_of(text or "")).items():
            if len(word) >= MIN_WORD and not word.isdigit() and word not in quiet:
                tf[word] = tf.get(word, 0.0) + n * weight
    if not tf:
        return []
    stems = _stems(db, sorted(tf))
    by_stem: dict[str, float] = {}
    surface: dict[str, tuple[float, str]] = {}
    for word, weight in tf.items():
        stem = stems.get(word)
        if stem is None:
            continue
        by_stem[stem] = by_stem.get(stem, 0.0) + weight
        if stem not in surface or surface[stem][0] < weight:
            surface[stem] = (weight, word)
    df = _document_frequencies(db, list(by_stem))
    scored = []
    for stem, weight in by_stem.items():
        n = df.get(stem, 0)
        if n < min_df or n > total / 2:
            continue
        idf = math.log(1 + (total - n + 0.5) / (n + 0.5))
        scored.append(QueryTerm(stem, surface[stem][1], weight * idf))
    scored.sort(key=lambda t: (-t.weight, t.stem))
    chosen: list[QueryTerm] = []
    budget = TERM_DF_BUDGET
    for term in scored:
        n = df[term.stem]
        if n > budget:
            continue
        chosen.append(term)
        budget -= n
        if len(chosen) == MAX_TERMS:
            break
    if len(chosen) < MIN_TERMS:
        # Only common words: add the rarest of the strongest few, within twice the budget.
        extra = sorted((t for t in scored[:MAX_TERMS] if t not in chosen), key=lambda t: df[t.stem])
        budget += TERM_DF_BUDGET
        for term in extra:
            if len(chosen) >= MIN_TERMS or df[term.stem] > budget:
                break
            chosen.append(term)
            budget -= df[term.stem]
    return chosen


def _stems(db: sqlite3.Connection, words: list[str]) -> dict[str, str]:
    """word -> the index tokenizer's stem (words it splits into several tokens left out)."""
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.imr_stemmer USING fts5(word, tokenize = "
        f"'{TOKENIZER}')"
    )
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.imr_stems USING fts5vocab(temp, imr_stemmer,"
        " instance)"
    )
    db.execute("DELETE FROM temp.imr_stemmer")
    db.executemany(
        "INSERT INTO temp.imr_stemmer(rowid, word) VALUES (?, ?)", list(enumerate(words))
    )
    tokens: dict[int, list[str]] = {}
    for doc, term in db.execute("SELECT doc, term FROM temp.imr_stems"):
        tokens.setdefault(doc, []).append(term)
    return {words[doc]: terms[0] for doc, terms in tokens.items() if len(terms) == 1}


def _document_frequencies(db: sqlite3.Connection, stems: list[str]) -> dict[str, int]:
    """Cached in term_df by finish(); straight from the FTS index when never cached."""
    if not stems:
        return {}
    marks = ",".join("?" * len(stems))
    cached = db.execute("SELECT 1 FROM term_df LIMIT 1").fetchone() is not None
    table, column = ("term_df", "df") if cached else ("items_vocab", "doc")
    return dict(
        db.execute(f"SELECT term, {column} FROM {table} WHERE term IN ({marks})", stems).fetchall()
    )


def shared_terms(
    db: sqlite3.Connection,
    terms: list[QueryTerm],
    rowids: list[int],
    columns: Sequence[str],
    match: str | None = None,
) -> dict[int, tuple[str, ...]]:
    """rowid -> the terms each of these items contains (strongest first), from FTS5's own
    highlighting of the terms in its `columns` (the compared texts; `match`: the candidates'
    MATCH, by default any term anywhere)."""
    if not terms or not rowids:
        return {r: () for r in rowids}
    match = match or terms_match(terms)
    numbers = [FTS_COLUMNS.index(c) for c in columns]
    marks = ",".join("?" * len(rowids))
    found: dict[int, set[str]] = {r: set() for r in rowids}
    lengths = ", ".join(f"length({c})" for c in columns)
    longest = f"max({lengths})" if len(columns) > 1 else lengths
    long_rows = [
        r
        for r, size in db.execute(
            f"SELECT rowid, {longest} FROM items WHERE rowid IN ({marks})", rowids
        )
        if size > LONG_TEXT
    ]
    short = [r for r in rowids if r not in long_rows]
    s, e = MARK_START, MARK_END
    marked: list[tuple[int, list[str]]] = []
    if short:
        highlights = ", ".join(f"highlight(items_fts, {n}, '{s}', '{e}')" for n in numbers)
        for r, *texts_marked in db.execute(
            f"SELECT rowid, {highlights} FROM items_fts"
            f" WHERE items_fts MATCH ? AND rowid IN ({','.join('?' * len(short))})",
            (match, *short),
        ):
            marked.append((r, texts_marked))
    for r in long_rows:  # FTS5's highlight() would take the square of the matches: chunks
        texts = db.execute(
            f"SELECT {', '.join(columns)} FROM items WHERE rowid = ?", (r,)
        ).fetchone()
        marked.append(
            (r, [mark_long_text(db, match, n, t) for n, t in zip(numbers, texts, strict=True)])
        )
    for r, texts_marked in marked:
        for text in texts_marked:
            for span in marked_spans(text or ""):
                found[r].update(words_of(span))
    stems = _stems(db, sorted(set().union(*found.values())))
    out: dict[int, tuple[str, ...]] = {}
    for r in rowids:
        hit_stems = {stems.get(w) for w in found[r]}
        out[r] = tuple(t.word for t in terms if t.stem in hit_stems)[:SHARED_SHOWN]
    return out

"""Marked text from FTS5: the hits' highlighted treatments and snippets, an item's whole texts.

FTS5's highlight() marks a row's text with the index's own tokenizer, so stems and phrases
are marked exactly as they matched. A hit's snippet is the passage of its marked rationale
(else summary, else citations) that best explains the decision, chosen by
imr_search.passages as on every engine. highlight() costs time in the square of a text's
matches: texts longer than LONG_TEXT characters are marked chunk by chunk instead
(`mark_long_text`), in a scratch FTS5 table of the connection's temp schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from imr_search.contract import Hit, MarkedItem, item_not_found
from imr_search.errors import ItemNotFound
from imr_search.marks import MARK_END, MARK_START, excerpt, one_mark_per_word
from imr_search.passages import best_passage
from imr_search.sqlite.rows import DOC_COLUMNS, load_doc
from imr_search.sqlite.schema import FTS_COLUMNS, TOKENIZER
from mappings.schema import ItemDocument

# Real rationales are a few thousand characters; a 2 MB one repeating a query's words took
# 77 s in FTS5's snippet(); highlight() costs alike.
LONG_TEXT = 50_000
LONG_CHUNK = 8_000
_PREFIX = '" *'  # how the compiler writes a prefix term: "therap" *


def hits_of(
    db: sqlite3.Connection, ranked: list[tuple[int, float | None]], match: str | None
) -> tuple[Hit, ...]:
    if not ranked:
        return ()
    rowids = [rowid for rowid, _ in ranked]
    marks = ",".join("?" * len(rowids))
    docs: dict[int, ItemDocument] = {}
    long_rows: list[int] = []  # rows with a text too long for FTS5's own snippets
    for rowid, doc, treatment, rationale, summary, citation_length in db.execute(
        f"SELECT rowid, {DOC_COLUMNS}, length(citation) FROM items WHERE rowid IN ({marks})",
        rowids,
    ):
        docs[rowid] = load_doc(doc, treatment, rationale, summary)
        if max(len(treatment), len(rationale), len(summary), citation_length) > LONG_TEXT:
            long_rows.append(rowid)
    marked: dict[int, tuple[str, str]] = {}
    if match is not None:
        short = [r for r in rowids if r not in long_rows]
        if short:
            marked.update(_marked_rows(db, match, short))
        for rowid in long_rows:
            marked[rowid] = _marked_long_row(db, match, rowid)
    hits = []
    for rowid, score in ranked:
        doc = docs[rowid]
        treatment, snippet = marked.get(rowid) or (
            doc.treatment,
            excerpt(doc.rationale or doc.letter.clinical_summary),
        )
        hits.append(
            Hit(
                doc=doc,
                score=score,
                marked_treatment=one_mark_per_word(treatment),
                marked_snippet=one_mark_per_word(snippet),
            )
        )
    return tuple(hits)


def _mark_sql(column: int, table: str = "items_fts") -> str:
    """A column's whole text, highlighted."""
    return f"highlight({table}, {column}, '{MARK_START}', '{MARK_END}')"


def _best_snippet(texts: Sequence[str]) -> str:
    """The passage to show from the first text with a match in it (rationale, summary,
    citation), else the start of the first text."""
    best = next((t for t in texts if MARK_START in t), None)
    if best is None:
        return excerpt(next((t for t in texts if t), ""))
    return best_passage(best)


def _marked_rows(
    db: sqlite3.Connection, match: str, rowids: list[int]
) -> dict[int, tuple[str, str]]:
    """rowid -> (highlighted treatment, best snippet), from FTS5.

    highlight() depends only on a row's texts and the query, so the scratch
    table gives the same marks as the index. It is used for prefix queries: FTS5 (3.40)
    merges a prefix's doclists anew on every row lookup in the index (20 rows of `therap*`
    took 65 ms); in a table of 20 rows that merge is nothing.
    """
    marks = ",".join("?" * len(rowids))
    table = "items_fts"
    if _PREFIX in match:
        _scratch_table(db)
        db.execute("DELETE FROM temp.imr_chunks")
        db.execute(
            f"INSERT INTO temp.imr_chunks(rowid, {', '.join(FTS_COLUMNS)})"
            f" SELECT rowid, {', '.join(FTS_COLUMNS)} FROM items WHERE rowid IN ({marks})",
            rowids,
        )
        table = "imr_chunks"
    try:
        # The rationale's snippet is nearly always the one shown: the summary's and the
        # citation's are made only for the rows whose rationale has no match.
        found = {
            rowid: (treatment, rationale)
            for rowid, treatment, rationale in db.execute(
                f"SELECT rowid, {_mark_sql(0, table)}, {_mark_sql(1, table)} FROM {table}"
                f" WHERE {table} MATCH ? AND rowid IN ({marks})",
                (match, *rowids),
            )
        }
        rest = [r for r, (_, rationale) in found.items() if MARK_START not in rationale]
        others: dict[int, list[str]] = {}
        if rest:
            others = {
                rowid: snippets
                for rowid, *snippets in db.execute(
                    f"SELECT rowid, {_mark_sql(2, table)}, {_mark_sql(3, table)} FROM {table}"
                    f" WHERE {table} MATCH ? AND rowid IN ({','.join('?' * len(rest))})",
                    (match, *rest),
                )
            }
    finally:
        if table != "items_fts":
            db.execute("DELETE FROM temp.imr_chunks")
    return {
        rowid: (treatment, _best_snippet([rationale, *others.get(rowid, ())]))
        for rowid, (treatment, rationale) in found.items()
    }


def _scratch_table(db: sqlite3.Connection) -> None:
    """temp.imr_chunks: an FTS5 table like the index (columns, tokenizer), per connection."""
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.imr_chunks USING fts5("
        f"{', '.join(FTS_COLUMNS)}, tokenize = '{TOKENIZER}')"
    )


def _marked_long_row(db: sqlite3.Connection, match: str, rowid: int) -> tuple[str, str]:
    """(highlighted treatment, best snippet) of a row with a very long text.

    FTS5's highlight() takes time in the square of a column's matches (a 2 MB
    rationale repeating a query's words took 77 s): long texts are marked chunk by chunk
    (`mark_long_text`), the others by FTS5 as usual.
    """
    texts = db.execute(
        f"SELECT {', '.join(FTS_COLUMNS)} FROM items WHERE rowid = ?", (rowid,)
    ).fetchone()
    out: list[str] = [""] * len(FTS_COLUMNS)
    short = [c for c, text in enumerate(texts) if len(text) <= LONG_TEXT]
    if short:
        row = db.execute(
            f"SELECT {', '.join(_mark_sql(c) for c in short)} FROM items_fts"
            " WHERE items_fts MATCH ? AND rowid = ?",
            (match, rowid),
        ).fetchone()
        for c, text in zip(short, row or [texts[c] for c in short], strict=True):
            out[c] = text
    for c, text in enumerate(texts):
        if len(text) > LONG_TEXT:
            out[c] = mark_long_text(db, match, c, text)
    return out[0], _best_snippet(out[1:])


def mark_long_text(db: sqlite3.Connection, match: str, column: int, text: str) -> str:
    """`text` of FTS column `column` highlighted whole, with the MATCH run on chunks of it in
    a scratch table: time linear in its length. (Matches that span two chunks, such as a
    phrase cut in two, are not marked; results are not affected.)"""
    _scratch_table(db)
    chunks = _chunks(text, LONG_CHUNK)
    db.execute("DELETE FROM temp.imr_chunks")
    try:
        db.executemany(
            f"INSERT INTO temp.imr_chunks(rowid, {FTS_COLUMNS[column]}) VALUES (?, ?)",
            enumerate(chunks),
        )
        found = dict(
            db.execute(
                f"SELECT rowid, {_mark_sql(column, 'imr_chunks')}"
                " FROM temp.imr_chunks WHERE imr_chunks MATCH ?",
                (match,),
            ).fetchall()
        )
    except sqlite3.OperationalError:  # the compiler quotes everything; just in case
        found = {}
    finally:
        db.execute("DELETE FROM temp.imr_chunks")
    return "".join(found.get(i, chunk) for i, chunk in enumerate(chunks))


def _chunks(text: str, size: int) -> list[str]:
    """`text` cut into pieces of about `size` characters at white space (joined: `text`)."""
    out = []
    start = 0
    while len(text) - start > size:
        cut = text.rfind(" ", start + size // 2, start + size)
        cut = cut + 1 if cut > 0 else start + size
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


def mark_item(db: sqlite3.Connection, match: str | None, item_id: str) -> MarkedItem:
    """An item's treatment, rationale and summary, whole, with the query's matches marked."""
    row = db.execute(
        "SELECT rowid, treatment, rationale, summary FROM items WHERE id = ?", (item_id,)
    ).fetchone()
    if row is None:
        raise ItemNotFound(item_not_found(item_id))
    rowid, *texts = row
    if match is None:
        return MarkedItem(*texts)
    columns = (0, 1, 2)  # treatment, rationale, summary: the first three FTS columns
    short = [c for c in columns if len(texts[c]) <= LONG_TEXT]
    out = list(texts)
    if short:
        s, e = MARK_START, MARK_END
        found = db.execute(
            "SELECT "
            + ", ".join(f"highlight(items_fts, {c}, '{s}', '{e}')" for c in short)
            + " FROM items_fts WHERE items_fts MATCH ? AND rowid = ?",
            (match, rowid),
        ).fetchone()
        if found is not None:  # the item matches the query: its marks, else plain texts
            for c, text in zip(short, found, strict=True):
                out[c] = text
    for c in columns:
        if c not in short:
            out[c] = mark_long_text(db, match, c, texts[c])
    return MarkedItem(*(one_mark_per_word(text) for text in out))

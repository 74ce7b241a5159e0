"""Writing letters into the SQLite index: one transaction per batch, fingerprints included.

A batch's items (with their facet value ids), FTS rows and source fingerprints commit
together, so a run killed at any moment leaves either the whole batch or none of it:
re-running indexes what is missing and nothing twice. The facet postings kept in memory are
only changed after a commit (a rolled-back batch leaves them as they were).

A source's items get consecutive rowids, recorded in `sources`, so replacing or deleting a
file is a rowid range (no index on `items.source` to maintain).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from imr_search.contract import SourceDocuments, WriteFailure, duplicate_failure
from imr_search.sqlite.grams import CommonGrams
from imr_search.sqlite.postings import ALL, LivePostings, load_labels, read_snapshot
from imr_search.sqlite.rows import Row, build_row
from imr_search.sqlite.schema import (
    FTS_COLUMNS,
    GENERATION,
    GRAM_COLUMNS,
    REQUEST_COLUMN,
    REQUEST_GRAM_COLUMN,
    TEXT_COLUMNS,
    WORD_COLUMNS,
    atomic,
    meta_int,
    set_meta,
)

_TEXTS = ", ".join(TEXT_COLUMNS)
_TEXT_MARKS = ", ".join("?" * len(TEXT_COLUMNS))
# items_fts's columns: its texts, then their grams (not stored in `items`); items_request's.
_FTS = ", ".join(FTS_COLUMNS + GRAM_COLUMNS)
_FTS_MARKS = ", ".join("?" * (len(FTS_COLUMNS) + len(GRAM_COLUMNS)))
_REQUEST = f"{REQUEST_COLUMN}, {REQUEST_GRAM_COLUMN}"
_WORDS = ", ".join(WORD_COLUMNS)
_WORD_MARKS = ", ".join("?" * len(WORD_COLUMNS))
# Where each index's columns are among a row's texts (Row.texts: TEXT_COLUMNS order).
_FTS_TEXTS = [TEXT_COLUMNS.index(c) for c in FTS_COLUMNS]
_WORD_TEXTS = [TEXT_COLUMNS.index(c) for c in WORD_COLUMNS]
_REQUEST_TEXT = TEXT_COLUMNS.index(REQUEST_COLUMN)


class Writer:
    """Owns writes to one index file and the facet postings that follow them."""

    def __init__(self, db: sqlite3.Connection, grams: CommonGrams) -> None:
        self.db = db
        self.grams = grams  # the index's own list: every gram column is written with it
        self.live: LivePostings | None = None
        self.fv_ids: dict[tuple[str, str], int] = {}
        self.wrote = False

    # --- postings ---------------------------------------------------------------------

    def postings(self) -> LivePostings:
        """The live postings, loaded once and rebuilt if another process wrote meanwhile."""
        if self.live is None or self.live.generation != meta_int(self.db, GENERATION):
            with atomic(self.db, write=False):
                self.live = LivePostings.from_snapshot(read_snapshot(self.db))
                self.fv_ids = {label: fv for fv, label in load_labels(self.db).items()}
        return self.live

    # --- writing ----------------------------------------------------------------------

    def write(self, batch: Sequence[SourceDocuments]) -> list[WriteFailure]:
        live = self.postings()
        failures: list[WriteFailure] = []
        removed: list[tuple[int, int]] = []
        added: dict[int, list[int]] = {ALL: []}  # posting -> rowids
        new_labels: dict[tuple[str, str], int] = {}
        prepared: list[tuple[SourceDocuments, list[Row]]] = []
        for entry in batch:
            try:
                prepared.append((entry, [build_row(doc) for doc in entry.items]))
            except Exception as exc:  # a document the engine cannot store: report, go on
                failures.append(WriteFailure(entry.source, None, f"cannot index: {exc!r}"))
        db = self.db
        gram_texts = iter(
            self.grams.column_texts(db, [row.texts for _, rows in prepared for row in rows])
        )
        with atomic(db):
            generation = meta_int(db, GENERATION)
            stale = generation != live.generation
            # Replaced files first, so their old items never count as duplicates.
            for source in self._known([entry.source for entry in batch]):
                removed.extend(self._delete_source(source))
            taken = self._taken([row.id for _, rows in prepared for row in rows])
            next_rowid = (db.execute("SELECT max(rowid) FROM items").fetchone()[0] or 0) + 1
            next_fv = (db.execute("SELECT max(fv) FROM facet_values").fetchone()[0] or 0) + 1
            item_rows: list[tuple[Any, ...]] = []
            fts_rows: list[tuple[Any, ...]] = []
            word_rows: list[tuple[Any, ...]] = []
            request_rows: list[tuple[int, str, str]] = []
            source_rows: list[tuple[str, str, str, int, int]] = []
            all_rows = added[ALL]
            fv_ids = self.fv_ids
            for entry, rows in prepared:
                grams = [next(gram_texts) for _ in rows]
                problem = _duplicate(entry.source, rows, taken)
                if problem is not None:
                    failures.append(problem)
                    continue
                first = next_rowid
                for row, row_grams in zip(rows, grams, strict=True):
                    rowid = next_rowid
                    next_rowid += 1
                    taken[row.id] = entry.source
                    ids = []
                    for label in row.facets:
                        fv = fv_ids.get(label) or new_labels.get(label)
                        if fv is None:
                            fv = next_fv
                            next_fv += 1
                            new_labels[label] = fv
                        ids.append(fv)
                        if fv in added:
                            added[fv].append(rowid)
                        else:
                            added[fv] = [rowid]
                    item_rows.append(
                        (
                            rowid,
                            row.id,
                            row.letter_id,
                            entry.source,
                            row.item_number,
                            row.outcome,
                            row.category,
                            row.decision_date,
                            row.year,
                            row.doc_json,
                            *row.texts,
                            "[" + ",".join(map(str, ids)) + "]",
                        )
                    )
                    fts_rows.append(_fts_row(rowid, row.texts, row_grams))
                    word_rows.append((rowid, *(row.texts[i] for i in _WORD_TEXTS)))
                    request_rows.append(_request_row(rowid, row.texts, row_grams))
                    all_rows.append(rowid)
                source_rows.append(
                    (entry.source, entry.fingerprint, entry.letter_id, first, len(rows))
                )
            db.executemany(
                "INSERT INTO facet_values(fv, facet, value) VALUES (?, ?, ?)",
                [(fv, facet, value) for (facet, value), fv in new_labels.items()],
            )
            db.executemany(
                "INSERT INTO items(rowid, id, letter_id, source, item_number, outcome, category,"
                f" decision_date, year, doc, {_TEXTS}, facet_ids)"
                f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {_TEXT_MARKS}, ?)",
                item_rows,
            )
            db.executemany(
                f"INSERT INTO items_fts(rowid, {_FTS}) VALUES (?, {_FTS_MARKS})", fts_rows
            )
            db.executemany(
                f"INSERT INTO items_words(rowid, {_WORDS}) VALUES (?, {_WORD_MARKS})",
                word_rows,
            )
            db.executemany(
                f"INSERT INTO items_request(rowid, {_REQUEST}) VALUES (?, ?, ?)", request_rows
            )
            db.executemany(
                "INSERT OR REPLACE INTO sources(source, fingerprint, letter_id, first_rowid, items)"
                " VALUES (?, ?, ?, ?, ?)",
                source_rows,
            )
            set_meta(db, GENERATION, generation + 1)
        self.wrote = True
        self.fv_ids.update(new_labels)
        self._apply(live, stale, generation + 1, removed, added, new_labels)
        return failures

    def delete_sources(self, sources: Iterable[str]) -> int:
        live = self.postings()
        removed: list[tuple[int, int]] = []
        count = 0
        db = self.db
        with atomic(db):
            generation = meta_int(db, GENERATION)
            stale = generation != live.generation
            for source in sources:
                gone = self._delete_source(source)
                count += sum(1 for _, fv in gone if fv == ALL)
                removed.extend(gone)
            set_meta(db, GENERATION, generation + 1)
        self.wrote = True
        self._apply(live, stale, generation + 1, removed, {}, {})
        return count

    def _apply(
        self,
        live: LivePostings,
        stale: bool,
        generation: int,
        removed: list[tuple[int, int]],
        added: dict[int, list[int]],
        new_labels: dict[tuple[str, str], int],
    ) -> None:
        """After a commit: bring the in-memory postings to the new generation."""
        if stale:  # someone else wrote in between: reload on next use
            self.live = None
            return
        for label, fv in new_labels.items():
            live.labels[fv] = label
        for rowid, fv in removed:
            live.remove(rowid, fv)
        live.add_many(added)
        live.generation = generation

    def _known(self, sources: list[str]) -> list[str]:
        """Which of these sources are in the index (one query per batch)."""
        found: list[str] = []
        for i in range(0, len(sources), 500):
            chunk = sources[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found += [
                s
                for (s,) in self.db.execute(
                    f"SELECT source FROM sources WHERE source IN ({marks})", chunk
                )
            ]
        return found

    def _taken(self, ids: list[str]) -> dict[str, str]:
        """item id -> source, for the ids already in the index (one query per 500)."""
        taken: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            taken.update(
                self.db.execute(
                    f"SELECT id, source FROM items WHERE id IN ({marks})", chunk
                ).fetchall()
            )
        return taken

    def _delete_source(self, source: str) -> list[tuple[int, int]]:
        """Delete one source's items everywhere; returns the (rowid, fv) pairs removed."""
        db = self.db
        row = db.execute(
            "SELECT first_rowid, items FROM sources WHERE source = ?", (source,)
        ).fetchone()
        if row is None:
            return []
        db.execute("DELETE FROM sources WHERE source = ?", (source,))
        first, count = row
        if not count:
            return []
        last = first + count - 1
        removed: list[tuple[int, int]] = []
        for rowid, ids in db.execute(
            "SELECT rowid, facet_ids FROM items WHERE rowid BETWEEN ? AND ?", (first, last)
        ):
            removed.append((rowid, ALL))
            removed.extend((rowid, fv) for fv in json.loads(ids))
        # FTS5 forgets a row given the very values it indexed: the texts, and their grams
        # made again with the index's list (`items` holds no grams).
        rows = db.execute(
            f"SELECT rowid, {_TEXTS} FROM items WHERE rowid BETWEEN ? AND ?", (first, last)
        ).fetchall()
        grams = self.grams.column_texts(db, [texts for _, *texts in rows])
        deleted = [(rowid, texts, g) for (rowid, *texts), g in zip(rows, grams, strict=True)]
        db.executemany(
            f"INSERT INTO items_fts(items_fts, rowid, {_FTS}) VALUES ('delete', ?, {_FTS_MARKS})",
            [_fts_row(*row) for row in deleted],
        )
        db.execute(
            f"INSERT INTO items_words(items_words, rowid, {_WORDS})"
            f" SELECT 'delete', rowid, {_WORDS} FROM items WHERE rowid BETWEEN ? AND ?",
            (first, last),
        )
        db.executemany(
            f"INSERT INTO items_request(items_request, rowid, {_REQUEST})"
            " VALUES ('delete', ?, ?, ?)",
            [_request_row(*row) for row in deleted],
        )
        db.execute("DELETE FROM items WHERE rowid BETWEEN ? AND ?", (first, last))
        return removed


def _fts_row(rowid: int, texts: Sequence[str], grams: Sequence[str]) -> tuple[Any, ...]:
    """A row of items_fts: its texts, then their grams (texts and grams: TEXT_COLUMNS order)."""
    return (rowid, *(texts[i] for i in _FTS_TEXTS), *(grams[i] for i in _FTS_TEXTS))


def _request_row(rowid: int, texts: Sequence[str], grams: Sequence[str]) -> tuple[int, str, str]:
    """A row of items_request: the request text and its grams."""
    return (rowid, texts[_REQUEST_TEXT], grams[_REQUEST_TEXT])


def _duplicate(source: str, rows: list[Row], taken: dict[str, str]) -> WriteFailure | None:
    """A letter whose items are already indexed from another file is not stored again."""
    ids = [row.id for row in rows]
    if len(set(ids)) != len(ids):
        return WriteFailure(source, None, "the letter's items have repeated ids")
    for item_id in ids:
        other = taken.get(item_id)
        if other is not None:
            return duplicate_failure(source, item_id, other)
    return None

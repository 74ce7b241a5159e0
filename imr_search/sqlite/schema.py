"""The SQLite file layout: tables, pragmas, schema version, and opening a connection.

One file holds everything. `items` is the row store (one disputed item per row: filterable
columns, the stored document as JSON, the four searchable texts, and the ids of its facet
values as `facet_values()` defines them, named in `facet_values`; the `item_facets` view
spreads them into (item, facet, value) rows); `items_fts` is an external-content FTS5 index
over the texts (no second copy of the text), and `items_request` one over the request text
alone (what a query is *about*); both have a gram column beside each text column
(imr_search.sqlite.grams; `meta` holds the list of common words they were built with);
`postings` is a derived cache of the facet data as bitsets for fast facet counting;
`sources` records each indexed file's fingerprint (written in the same transaction as its
items, which is what makes indexing crash-safe); `term_df` caches document frequencies
for choosing the distinctive terms of similar-case queries. `items_words` indexes the
vocabulary texts' words unstemmed (no positions: only which items hold a word), the
vocabulary of spelling suggestions; `word_df` caches its words with their document counts.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from imr_search.errors import EngineUnavailable, StorageError
from imr_search.plan import REQUEST_SCOPE
from imr_search.sqlite.faults import explain
from mappings.common_grams import common_grams_version, common_words
from mappings.fields import SEARCH_FIELDS, VOCABULARY_FIELDS

# Bump when the stored layout changes; an index of another version is refused with a message
# saying to rebuild it. 3: decision-month postings (date ranges), the word vocabulary.
# 4: the request text in its own FTS5 index (items_request), out of items_fts.
# 5: common grams: a gram column beside each text column of items_fts and items_request, the
#    index's list of common words in meta.
SCHEMA_VERSION = 5

# The searchable texts, one column each in `items` (mappings.fields order): the query
# language's scopes.
TEXT_COLUMNS: tuple[str, ...] = tuple(f.scope for f in SEARCH_FIELDS)
# The request scope has its own index, items_request: what a query is *about* is matched
# there, in doclists a fraction the size of items_fts's (a phrase of common words: 2.4 ms
# -> 0.04 ms at 100k items), and items_fts holds every other text: a word without a scope
# searches all of its columns, with no column filter (a filter makes FTS5 read every
# position of every matching row: a phrase of common words took 5.5 ms instead of 2.1).
REQUEST_COLUMN = REQUEST_SCOPE
FTS_COLUMNS: tuple[str, ...] = tuple(c for c in TEXT_COLUMNS if c != REQUEST_COLUMN)


def gram_column(column: str) -> str:
    """The gram column of a text column (imr_search.sqlite.grams)."""
    return f"{column}_grams"


# Each FTS5 index has, after its text columns, one gram column per text column: the pairs of
# adjacent common words of that text, one term each (imr_search.sqlite.grams). Gram terms
# hold the digit 0 and start with it, so a word without one never meets them: a word without
# a scope still needs no column filter (imr_search.sqlite.compiler). Only the FTS indexes
# hold them: their `items` columns are empty (FTS5 reads content only to highlight, and only
# text columns are highlighted; its 'integrity-check' with rank 1, which compares an index
# with the content, would report the grams: the engine never runs it, and 'rebuild' would
# drop them).
GRAM_COLUMNS: tuple[str, ...] = tuple(gram_column(c) for c in FTS_COLUMNS)  # items_fts's
REQUEST_GRAM_COLUMN = gram_column(REQUEST_COLUMN)  # items_request's
# bm25() weights per column of items_fts, from the field table (a gram column weighs as its
# text).
BM25_WEIGHTS: tuple[float, ...] = (
    tuple(f.weight for f in SEARCH_FIELDS if f.scope != REQUEST_COLUMN) * 2
)
BM25 = "bm25(items_fts, " + ", ".join(str(w) for w in BM25_WEIGHTS) + ")"
TOKENIZER = "porter unicode61 remove_diacritics 2"
# The vocabulary's columns (a subset of the FTS columns) and its tokenizer: the same words,
# unstemmed.
WORD_COLUMNS: tuple[str, ...] = tuple(f.scope for f in VOCABULARY_FIELDS)
WORD_TOKENIZER = "unicode61 remove_diacritics 2"

# Added within schema version 5: a writer opening an older file of that version adds them
# (readers do without). The first rows of the bm25 order of each common term
# (imr_search.sqlite.ranking), as of `generation`: int64 rowids and float64 scores, best first.
# items_by_row: what searches read of many items row by row (facet value ids: postings.
# row_counts; dates and ids: order.by_date) in a narrow index of their own. Read from `items`,
# each row is a page of its own, and the facet ids sit after the texts, a few pages on: at 1M
# items, 5,000 random rows' facet ids cost 110-500 ms there, 13-38 ms in this index.
ADDED_DDL = """
CREATE TABLE IF NOT EXISTS term_orders (
    term       TEXT PRIMARY KEY,
    generation INTEGER NOT NULL,
    complete   INTEGER NOT NULL,  -- 1: every row of the term is here
    rowids     BLOB NOT NULL,
    scores     BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_by_row ON items(rowid, decision_date, id, facet_ids);
"""


_TEXT_COLUMNS = ",\n    ".join(f"{name:<13} TEXT NOT NULL" for name in TEXT_COLUMNS)
_GRAM_COLUMNS = ",\n    ".join(
    f"{gram_column(name):<19} TEXT NOT NULL DEFAULT ''" for name in TEXT_COLUMNS
)
DDL = f"""
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    source      TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    letter_id   TEXT,
    first_rowid INTEGER,  -- a source's items have consecutive rowids
    items       INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    rowid         INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    letter_id     TEXT NOT NULL,
    source        TEXT NOT NULL,
    item_number   INTEGER NOT NULL,
    outcome       TEXT NOT NULL,
    category      TEXT NOT NULL,
    decision_date TEXT,
    year          INTEGER,
    doc           TEXT NOT NULL,  -- the ItemDocument as JSON, minus the texts below
    {_TEXT_COLUMNS},  -- the searchable texts (mappings.fields), one column per scope
    facet_ids     TEXT NOT NULL,  -- JSON array of facet_values.fv: the item's facet values
    {_GRAM_COLUMNS}  -- always '': the grams are in items_fts and items_request only
);
CREATE INDEX IF NOT EXISTS items_letter ON items(letter_id, item_number);
-- Date order: newest decision first, ties by item id (the same order in every engine).
CREATE INDEX IF NOT EXISTS items_date ON items(decision_date DESC, id);
CREATE VIRTUAL TABLE IF NOT EXISTS items_fts USING fts5(
    {", ".join(FTS_COLUMNS + GRAM_COLUMNS)},
    content = 'items', content_rowid = 'rowid',
    tokenize = '{TOKENIZER}'
);
-- Bulk-load tuning, measured here: ~35% faster inserts; finish() runs 'optimize' anyway.
INSERT INTO items_fts(items_fts, rank) VALUES ('automerge', 8);
INSERT INTO items_fts(items_fts, rank) VALUES ('hashsize', 16777216);
CREATE VIRTUAL TABLE IF NOT EXISTS items_request USING fts5(
    {REQUEST_COLUMN}, {REQUEST_GRAM_COLUMN},
    content = 'items', content_rowid = 'rowid',
    tokenize = '{TOKENIZER}'
);
INSERT INTO items_request(items_request, rank) VALUES ('automerge', 8);
CREATE VIRTUAL TABLE IF NOT EXISTS items_vocab USING fts5vocab(items_fts, row);
CREATE VIRTUAL TABLE IF NOT EXISTS items_words USING fts5(
    {", ".join(WORD_COLUMNS)},
    content = 'items', content_rowid = 'rowid',
    tokenize = '{WORD_TOKENIZER}', detail = 'none', columnsize = 0
);
INSERT INTO items_words(items_words, rank) VALUES ('automerge', 8);
INSERT INTO items_words(items_words, rank) VALUES ('hashsize', 16777216);
CREATE VIRTUAL TABLE IF NOT EXISTS items_words_vocab USING fts5vocab(items_words, row);
-- The vocabulary's words of 4+ letters (no digits) and how many items hold each: the
-- candidates of spelling suggestions, refreshed with term_df.
CREATE TABLE IF NOT EXISTS word_df (
    word TEXT PRIMARY KEY,
    df   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS facet_values (
    fv    INTEGER PRIMARY KEY,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (facet, value)
);
-- One row per (item, facet, value), as facet_values() defines them: plain SQL can count
-- facets with one GROUP BY (the engine counts on the bitsets in `postings` instead).
CREATE VIEW IF NOT EXISTS item_facets(item, facet, value) AS
    SELECT items.rowid, facet_values.facet, facet_values.value
    FROM items, json_each(items.facet_ids) AS ids
    JOIN facet_values ON facet_values.fv = ids.value;
CREATE TABLE IF NOT EXISTS postings (
    fv   INTEGER PRIMARY KEY,  -- 0 = every item
    kind TEXT NOT NULL,        -- 'bits' (little-endian bitset) or 'list' (int64 rowids)
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS term_df (
    term TEXT PRIMARY KEY,
    df   INTEGER NOT NULL
) WITHOUT ROWID;
{ADDED_DDL}
"""

WAL_CHECKPOINT_PAGES = 16384  # a writer's automatic checkpoint (connect)
READ_MMAP_BYTES = 1 << 33  # 8 GiB asked for; SQLite's default build allows 2 GiB

# meta keys
GENERATION = "generation"  # bumped by every write transaction
POSTINGS_GENERATION = "postings_generation"  # generation the `postings` rows describe
TERM_DF_ITEMS = "term_df_items"  # item count when term_df was last rebuilt
FINISHED_GENERATION = "finished_generation"  # generation the last complete finish() saw
ORDERS_GENERATION = "orders_generation"  # generation term_orders was computed at
GRAMS_VERSION = "common_grams_version"  # the common-grams list the index was built with
GRAMS_WORDS = "common_grams_words"  # ... and its words, as a JSON array


def connect(path: str, *, writable: bool) -> sqlite3.Connection:
    """Open (and for a writer, create or upgrade) the index file; check its schema version."""
    file = Path(path)
    if not writable and not file.is_file():
        raise EngineUnavailable(
            path,
            f"no such file; build one with `imr-search index LETTERS... --index {path}`, or "
            "run `imr-search demo` to try the product on generated letters",
        )
    db: sqlite3.Connection | None = None
    try:
        if writable:
            file.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        else:
            uri = f"{file.resolve().as_uri()}?mode=ro"
            db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("PRAGMA cache_size = -65536")  # 64 MB page cache
        db.execute("PRAGMA temp_store = MEMORY")
        if not writable:
            # Readers (a web worker has one per thread) read pages straight from the OS page
            # cache instead of each copying them into a private cache: ~7% less CPU per page
            # under load, measured here. The file never shrinks (no VACUUM), the usual mmap
            # hazard; SQLite caps the size at its compile-time maximum.
            db.execute(f"PRAGMA mmap_size = {READ_MMAP_BYTES}")
        if writable:
            db.execute("PRAGMA page_size = 8192")  # new files only: ~25% faster item inserts
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at checkpoints, never corrupt
            db.execute("PRAGMA secure_delete = OFF")
            # Checkpoint the WAL into the file every 128 MB of 8 KB pages, not every 8 MB
            # (SQLite's default): a batch of 1,000 items writes about 8 MB, so the default
            # copied (and synced) every batch, hot FTS pages over and over. Measured here at
            # 20,000 items: writing 0.3 s CPU and 0.9 s wall (of 4.4 and 6) faster. finish()
            # checkpoints what is left. A power cut may lose more committed batches (never
            # half of one): their sources are not recorded either, so a re-run indexes them.
            db.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            _create(db)
        _check_version(db, path)
    except (sqlite3.DatabaseError, EngineUnavailable, OSError) as exc:
        if db is not None:
            db.close()
        if isinstance(exc, EngineUnavailable):
            raise
        if isinstance(exc, OSError):  # the folder cannot be created
            raise StorageError(
                path, f"cannot create its folder ({exc.strerror or exc}): check the path"
            ) from exc
        mapped = explain(exc, path, "opening it")
        if mapped is not None and not _not_a_database(exc):
            raise mapped from exc
        raise EngineUnavailable(path, f"{exc} (is it an imr-search index file?)") from exc
    return db


def _not_a_database(exc: sqlite3.DatabaseError) -> bool:
    """SQLITE_NOTADB: some other file named as the index (the generic message fits best)."""
    return (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF == 26


def _create(db: sqlite3.Connection) -> None:
    """Create the tables if missing (idempotent); refuse a database that is something else."""
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and "meta" not in tables:
        raise sqlite3.DatabaseError("the file is a SQLite database of something else")
    if "meta" in tables:
        with atomic(db):
            for statement in ADDED_DDL.split(";\n"):
                if statement.strip():
                    db.execute(statement)
        return
    with atomic(db):
        for statement in DDL.split(";\n"):
            if statement.strip():
                db.execute(statement)
        for key, value in (
            ("schema_version", str(SCHEMA_VERSION)),
            (GENERATION, "0"),
            ("uuid", uuid.uuid4().hex),
        ):
            db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (key, value))
        # The list of common words the gram columns are built with (imr_search.sqlite.grams).
        for key, value in (
            (GRAMS_VERSION, common_grams_version()),
            (GRAMS_WORDS, json.dumps(common_words())),
        ):
            db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (key, value))


def _check_version(db: sqlite3.Connection, path: str) -> None:
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None or int(row[0]) != SCHEMA_VERSION:
        found = row[0] if row else "unknown"
        age = "an older" if row is not None and int(row[0]) < SCHEMA_VERSION else "another"
        raise EngineUnavailable(
            path,
            f"it was built by {age} version of imr-search (index schema version {found}; this "
            f"version reads schema version {SCHEMA_VERSION}); index the letters again into a "
            f"new file (`imr-search index LETTERS... --index NEW-FILE`), or delete {path} "
            "and index them again into it",
        )


def meta_int(db: sqlite3.Connection, key: str, default: int = 0) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row else default


def set_meta(db: sqlite3.Connection, key: str, value: int | str) -> None:
    db.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, str(value)),
    )


@contextmanager
def atomic(db: sqlite3.Connection, *, write: bool = True) -> Iterator[sqlite3.Connection]:
    """One transaction (connections run in autocommit mode: isolation_level=None).

    A write transaction takes the write lock at once (BEGIN IMMEDIATE), so it never fails
    half-way for want of it; a read transaction (`write=False`) sees one consistent state of
    the file. Commits on success, rolls back on any exception (Ctrl-C included).
    """
    db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield db
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def by_row(db: sqlite3.Connection, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
    """Run `sql`, whose `FROM items {by_row}` reads items by rowid, on items_by_row (in a
    file made before that index, opened read-only: on the table)."""
    try:
        return db.execute(sql.format(by_row="INDEXED BY items_by_row"), params)
    except sqlite3.OperationalError as exc:
        if "no such index" not in str(exc):
            raise
        return db.execute(sql.format(by_row=""), params)

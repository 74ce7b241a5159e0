"""The embedded engine: one SQLite file, nothing to install (implements the Engine contract).

This module only wires the parts together: `schema` (the file), `writer` (transactional
writes and postings upkeep), `search` (queries, facets, snippets), `similar` (similar
cases), `runlock` (one index run at a time), `faults` (a full disk, a damaged or read-only
file become one clear StorageError). Every read runs in one read transaction, so a search
sees one consistent state of the file even while an index run is committing batches.

`finish()` records the generation it finished (meta FINISHED_GENERATION): a run killed while
finishing leaves it behind, and the next run's finish() redoes the work (postings, FTS merge,
term statistics) even when it wrote nothing itself.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import ClassVar

from imr_search.contract import (
    MarkedItem,
    SearchRequest,
    SearchResponse,
    SimilarHit,
    SimilarRequest,
    SourceDocuments,
    WriteFailure,
    item_not_found,
)
from imr_search.errors import ItemNotFound
from imr_search.query import parse_query
from imr_search.sqlite import marking, runlock, vocabulary
from imr_search.sqlite.compiler import compile_marking
from imr_search.sqlite.faults import damaged, translated
from imr_search.sqlite.grams import CommonGrams
from imr_search.sqlite.postings import Snapshot, read_snapshot
from imr_search.sqlite.ranking import ORDER_MIN_DF, orders_stale, refresh_orders
from imr_search.sqlite.rows import DOC_COLUMNS, load_doc
from imr_search.sqlite.schema import (
    FINISHED_GENERATION,
    GENERATION,
    POSTINGS_GENERATION,
    TERM_DF_ITEMS,
    atomic,
    connect,
    meta_int,
    set_meta,
)
from imr_search.sqlite.search import RELEVANCE_LIMIT, run_search
from imr_search.sqlite.similar import run_similar
from imr_search.sqlite.vocabulary import refresh_words
from imr_search.sqlite.writer import Writer
from imr_search.suggest import with_suggestion
from imr_search.synonyms import expand_synonyms
from mappings.schema import ItemDocument

# Postings per index (keyed by the index's uuid), shared by every engine of this process:
# a web worker opening an engine per request loads them once per index generation.
_SNAPSHOTS: dict[str, Snapshot] = {}
_SNAPSHOTS_LOCK = threading.Lock()
# Index files found damaged by an integrity check: (uuid, generation) -> what it found ('' for
# none), so that a damaged file costs one check per process, not one per request.
_CHECKED: dict[tuple[str, int], str] = {}
# Below this many items term_df is rebuilt on every finish(); above, when the item count
# moved by more than 5% (document frequencies only steer which terms similar() picks).
_TERM_DF_ALWAYS = 50_000


class SqliteEngine:
    """Search index in one SQLite file (FTS5)."""

    thread_safe: ClassVar[bool] = False  # one connection: each thread opens its own
    local_file: ClassVar[bool] = True

    def __init__(
        self,
        target: str,
        writable: bool = False,
        *,
        relevance_limit: int = RELEVANCE_LIMIT,
        order_min_df: int = ORDER_MIN_DF,
    ) -> None:
        """`order_min_df`: finish() stores the relevance order of every term in at least this
        many items (and at most `relevance_limit`): see imr_search.sqlite.ranking."""
        self.target = target
        self.writable = writable
        self.relevance_limit = relevance_limit
        self.order_min_df = order_min_df
        self.db = connect(target, writable=writable)
        self._lock = threading.RLock()
        try:
            with translated(target, "opening it"):
                self._uuid = self._index_uuid()
                # The list of common words the index was built with: writes and searches use
                # it, whatever list this version ships (imr_search.sqlite.grams).
                self.grams = CommonGrams.of_index(self.db)
        except BaseException:
            self.db.close()
            raise
        self._writer = Writer(self.db, self.grams) if writable else None

    # --- plumbing -------------------------------------------------------------------------

    def _index_uuid(self) -> str:
        """Identifies this index file's contents in process-wide caches (survives renames)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'uuid'").fetchone()
        return row[0] if row else os.path.abspath(self.target)

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """One read transaction (a consistent view of the file) under the engine's lock.

        Damage SQLite notices becomes a StorageError (translated); damage it does not (an
        item the full-text index or the postings list is missing from `items`: a KeyError)
        is confirmed by an integrity check before it is reported as such."""
        with translated(self.target, "reading it"), self._lock, atomic(self.db, write=False):
            try:
                yield self.db
            except KeyError as exc:
                found = self._integrity()
                if found:
                    raise damaged(self.target, found, "reading it") from exc
                raise

    def _integrity(self) -> str:
        """What PRAGMA quick_check finds wrong with the file ('' when nothing), once per
        generation of the file."""
        key = (self._uuid, meta_int(self.db, GENERATION))
        with _SNAPSHOTS_LOCK:
            found = _CHECKED.get(key)
        if found is None:
            rows = [row[0] for row in self.db.execute("PRAGMA quick_check(3)")]
            found = "" if rows == ["ok"] else "integrity check: " + " / ".join(rows)[:300]
            with _SNAPSHOTS_LOCK:
                _CHECKED[key] = found
        return found

    def _snapshot(self) -> Snapshot:
        """The postings of the generation visible in the current read transaction."""
        generation = meta_int(self.db, GENERATION)
        writer = self._writer
        if writer is not None and writer.live is not None and writer.live.generation == generation:
            return writer.live.freeze()
        with _SNAPSHOTS_LOCK:
            cached = _SNAPSHOTS.get(self._uuid)
        if cached is not None and cached.generation == generation:
            return cached
        snap = read_snapshot(self.db)
        with _SNAPSHOTS_LOCK:
            _SNAPSHOTS[self._uuid] = snap
        return snap

    def _require_writer(self) -> Writer:
        if self._writer is None:
            raise PermissionError(f"{self.target} was opened read-only; open it writable=True")
        return self._writer

    # --- writing --------------------------------------------------------------------------

    def index_run_lock(self) -> AbstractContextManager[None]:
        """One index run at a time on this file (a lock file beside it; see runlock)."""
        return runlock.hold(self.target)

    def indexed_sources(self) -> Mapping[str, str]:
        return SourceFingerprints(self)

    def write(self, batch: Sequence[SourceDocuments]) -> list[WriteFailure]:
        writer = self._require_writer()
        with translated(self.target, "writing a batch of letters"), self._lock:
            return writer.write(batch)

    def delete_sources(self, sources: Iterable[str]) -> int:
        writer = self._require_writer()
        with translated(self.target, "removing letters"), self._lock:
            return writer.delete_sources(list(sources))

    def finish(self) -> list[str]:
        """Persist the facet postings, merge the FTS index, refresh term statistics: after
        this run's writes, or whatever an earlier run killed while finishing left undone."""
        if self._writer is not None:
            with translated(self.target, "finishing the index (postings, merge, statistics)"):
                self._finish(self._writer)
        return []

    def _finish(self, writer: Writer) -> None:
        db = self.db
        with self._lock:
            generation = meta_int(db, GENERATION)
            stale = meta_int(db, POSTINGS_GENERATION, -1) != generation
            unfinished = meta_int(db, FINISHED_GENERATION, -1) != generation
            if not (writer.wrote or stale or unfinished):
                self._refresh_orders(generation)
                return
            live = writer.postings()
            with atomic(db):
                if live.generation == meta_int(db, GENERATION):
                    live.persist(db)
            db.execute("INSERT INTO items_fts(items_fts) VALUES ('optimize')")
            db.execute("INSERT INTO items_words(items_words) VALUES ('optimize')")
            db.execute("INSERT INTO items_request(items_request) VALUES ('optimize')")
            self._refresh_term_df()
            self._refresh_orders(live.generation)
            db.execute("PRAGMA optimize")
            with atomic(db):
                set_meta(db, FINISHED_GENERATION, live.generation)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            writer.wrote = False

    def _refresh_orders(self, generation: int) -> None:
        """The stored relevance orders of common terms (imr_search.sqlite.ranking), unless
        they are of this generation already."""
        if orders_stale(self.db, generation):
            refresh_orders(
                self.db, self.target, generation, self.order_min_df, self.relevance_limit
            )

    def _refresh_term_df(self) -> None:
        """Rebuild term_df when small, or when the item count moved by more than 5% since it
        was built (TERM_DF_ITEMS): a decision made from the file alone, so a finish() redone
        after a kill makes the one the killed run would have made."""
        db = self.db
        items = db.execute("SELECT count(*) FROM items").fetchone()[0]
        before = meta_int(db, TERM_DF_ITEMS, -1)
        if items >= _TERM_DF_ALWAYS and before >= 0 and abs(items - before) <= 0.05 * before:
            return
        with atomic(db):
            db.execute("DELETE FROM term_df")
            db.execute("INSERT INTO term_df(term, df) SELECT term, doc FROM items_vocab")
            refresh_words(db)
            set_meta(db, TERM_DF_ITEMS, items)

    # --- reading --------------------------------------------------------------------------

    def count(self) -> int:
        with self._reading() as db:
            return db.execute("SELECT count(*) FROM items").fetchone()[0]

    def search(self, request: SearchRequest) -> SearchResponse:
        with self._reading() as db:
            snap = self._snapshot()
            response = run_search(
                db,
                snap,
                request,
                cache_key=(self._uuid, snap.generation),
                relevance_limit=self.relevance_limit,
                grams=self.grams,
            )
        return with_suggestion(self.search, request, response, self._lookup)

    def _lookup(self, words: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
        with self._reading() as db:
            return vocabulary.lookup(db, words)

    def get_item(self, item_id: str) -> ItemDocument:
        with self._reading() as db:
            row = db.execute(f"SELECT {DOC_COLUMNS} FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise ItemNotFound(item_not_found(item_id))
        return load_doc(*row)

    def source_of(self, item_id: str) -> str:
        with self._reading() as db:
            row = db.execute("SELECT source FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise ItemNotFound(item_not_found(item_id))
        return str(row[0])

    def mark_item(self, item_id: str, query: str) -> MarkedItem:
        match = compile_marking(expand_synonyms(parse_query(query)))
        with self._reading() as db:
            return marking.mark_item(db, match, item_id)

    def letter_items(self, letter_id: str) -> list[ItemDocument]:
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {DOC_COLUMNS} FROM items WHERE letter_id = ? ORDER BY item_number",
                (letter_id,),
            ).fetchall()
        return [load_doc(*row) for row in rows]

    def similar(self, request: SimilarRequest) -> list[SimilarHit]:
        with self._reading() as db:
            snap = self._snapshot()
            return run_similar(db, snap, request, cache_key=(self._uuid, snap.generation))

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def __enter__(self) -> SqliteEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "writable" if self.writable else "read-only"
        return f"SqliteEngine({self.target!r}, {mode})"


class SourceFingerprints(Mapping[str, str]):
    """source -> fingerprint, answered from the file: nothing held in memory."""

    _PAGE = 1000

    def __init__(self, engine: SqliteEngine) -> None:
        self._engine = engine

    def __getitem__(self, source: str) -> str:
        with self._engine._reading() as db:
            row = db.execute(
                "SELECT fingerprint FROM sources WHERE source = ?", (source,)
            ).fetchone()
        if row is None:
            raise KeyError(source)
        return row[0]

    def __iter__(self) -> Iterator[str]:
        last = ""
        while True:
            with self._engine._reading() as db:
                page = [
                    s
                    for (s,) in db.execute(
                        "SELECT source FROM sources WHERE source > ? ORDER BY source LIMIT ?",
                        (last, self._PAGE),
                    )
                ]
            yield from page
            if len(page) < self._PAGE:
                return
            last = page[-1]

    def __len__(self) -> int:
        with self._engine._reading() as db:
            return db.execute("SELECT count(*) FROM sources").fetchone()[0]

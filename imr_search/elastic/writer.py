"""Bulk writing: items through the bulk helper, then each source's fingerprint.

Order of work per batch, and why:
1. What each source holds now: the item ids recorded with its fingerprint (real-time get)
   plus items found by their `indexed_from` field (catches items of a run that crashed
   before recording).
2. Documents are built; a letter whose item ids are already indexed from another file is a
   duplicate: skipped and reported (`WriteFailure(duplicate=True)`), as the embedded engine
   does. Ownership is read with a real-time multi-get, so duplicates within one run count.
3. One streaming bulk: index every new item (stable ids: re-running is idempotent) and
   delete the stale ones (items a changed file no longer has). 429s are retried with
   back-off by the helper; every other per-document error becomes a WriteFailure.
4. Only then the sources' fingerprints are written (a source with any failure gets none, so
   the next run retries it): at the front of the next batch's bulk request, or by `flush()`
   (the engine flushes in finish(), before lookups and on close). A run killed at any point
   re-runs to the same index.

`indexed_from` (the source path as the indexer gave it) is the one field this engine adds to
the ItemDocument; every read leaves it out (`SOURCE_EXCLUDES`), so stored documents read back
exactly as the schema defines them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.dsl import Search
from elasticsearch.dsl.query import Terms
from elasticsearch.helpers import streaming_bulk

from imr_search.contract import SourceDocuments, WriteFailure, duplicate_failure
from imr_search.elastic import run
from mappings.elastic import OWNER_FIELD
from mappings.facets import FACET_KEYS_FIELD, PARTY_FACETS_FIELD, facet_keys, party_facet_values
from mappings.schema import ItemDocument, encode

SOURCE_EXCLUDES = [OWNER_FIELD]
CHUNK_SIZE = 500
MAX_CHUNK_BYTES = 10 * 1024 * 1024
MAX_RETRIES = 6  # per document, on 429 (initial back-off 1 s, doubling, at most 30 s)
PAGE = 5000
STREAMS = 2  # concurrent bulk requests (the node indexes one while the next is serialised)


def source_id(source: str) -> str:
    """Sources-index document id: a hash, since paths can exceed the 512-byte id limit."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()


def document_bytes(source: str, doc: ItemDocument) -> bytes:
    """The stored document as the JSON sent to `_bulk`, encoded once: the ItemDocument with
    its source file, its flat party facets and its facet keys (both indexed, left out of
    _source by the mapping). The item's own JSON is an object with fields, so the extra
    fields are appended before its closing brace."""
    item = encode(doc)
    party = party_facet_values(doc)
    extra = encode(
        {OWNER_FIELD: source, PARTY_FACETS_FIELD: party, FACET_KEYS_FIELD: facet_keys(doc, party)}
    )
    return item[:-1] + b"," + extra[1:]


def build_document(source: str, doc: ItemDocument) -> dict[str, Any]:
    """The stored document as JSON data (what `document_bytes` encodes)."""
    body: dict[str, Any] = json.loads(document_bytes(source, doc))
    return body


@dataclass
class _Plan:
    """What one batch will do."""

    index: list[tuple[str, str, bytes]] = field(default_factory=list)  # (source, id, JSON)
    delete: dict[str, str] = field(default_factory=dict)  # stale item id -> source
    record: dict[str, tuple[SourceDocuments, list[str]]] = field(default_factory=dict)
    unrecord: set[str] = field(default_factory=set)
    failures: list[WriteFailure] = field(default_factory=list)


class BulkWriter:
    """Writes batches of letters to one items index and its sources index (concrete names).

    A batch's fingerprints ride in front of the *next* batch's bulk request (or go alone in
    `flush()`): written only after their items were acknowledged, without a request of their
    own per batch.
    """

    def __init__(
        self,
        client: Elasticsearch,
        items_index: str,
        sources_index: str,
        *,
        chunk_size: int = CHUNK_SIZE,
        streams: int = STREAMS,
    ) -> None:
        self.client = client
        self.items_index = items_index
        self.sources_index = sources_index
        self.chunk_size = chunk_size
        self.streams = streams
        # True when the items index was empty as this writer began: then no item can exist
        # that is neither recorded nor pending, and the search for unrecorded ones is skipped.
        self.fresh = False
        self._pending: dict[str, dict[str, Any]] = {}  # source -> record action, items stored
        self._pending_items: dict[str, list[str]] = {}  # source -> its ids, for held_items
        # The ids this writer sent (a superset, in a fixed size): while the index is fresh,
        # only these can already be stored, so only these need the owner lookup.
        self._written = IdFilter()

    # --- public -----------------------------------------------------------------------

    def write(self, batch: Sequence[SourceDocuments]) -> list[WriteFailure]:
        entries = _last_per_source(batch)
        if not entries:
            return []
        plan = self._plan(entries)
        failed = self._run(plan)
        self._defer_records(plan, failed)
        return plan.failures

    def flush(self) -> list[WriteFailure]:
        """Write the fingerprints still waiting for a bulk request."""
        plan = _Plan()
        self._run(plan)
        return plan.failures

    def delete_sources(self, sources: Iterable[str]) -> int:
        wanted = list(dict.fromkeys(sources))
        if not wanted:
            return 0
        problems = self.flush()
        if problems:
            raise RuntimeError(problems[0].reason)
        held = self.held_items(wanted)
        actions = [
            {"_op_type": "delete", "_index": self.items_index, "_id": item_id}
            for ids in held.values()
            for item_id in sorted(ids)
        ]
        removed = 0
        for ok, result in self._bulk(actions):
            info = result.get("delete", {})
            if ok and info.get("result") == "deleted":
                removed += 1
            elif not ok and info.get("status") != 404:
                raise RuntimeError(f"could not delete item {info.get('_id')}: {_reason(info)}")
        source_actions = [
            {"_op_type": "delete", "_index": self.sources_index, "_id": source_id(s)}
            for s in wanted
        ]
        for ok, result in self._bulk(source_actions):
            info = result.get("delete", {})
            if not ok and info.get("status") != 404:
                raise RuntimeError(f"could not delete a source record: {_reason(info)}")
        return removed

    def held_items(
        self, sources: Sequence[str], records: dict[str, dict[str, Any]] | None = None
    ) -> dict[str, set[str]]:
        """source -> ids of the items it has in the index now (recorded, pending or found)."""
        held: dict[str, set[str]] = {s: set(self._pending_items.get(s, ())) for s in sources}
        for start in range(0, len(sources), PAGE):
            chunk = list(sources[start : start + PAGE])
            if records is None:
                docs = self.client.mget(
                    index=self.sources_index, ids=[source_id(s) for s in chunk], realtime=True
                )["docs"]
                found = {s: d for s, d in zip(chunk, docs, strict=True)}
            else:
                found = {s: records[s] for s in chunk if s in records}
            for source, doc in found.items():
                if doc.get("found"):
                    held[source].update(doc["_source"].get("items") or ())
            if self.fresh:  # everything in the index is this writer's: recorded or pending
                continue
            for item_id, owner in self._search_owned(chunk):
                held.setdefault(owner, set()).add(item_id)
        return held

    # --- planning ---------------------------------------------------------------------

    def _plan(self, entries: list[SourceDocuments]) -> _Plan:
        plan = _Plan()
        built: list[tuple[SourceDocuments, list[tuple[str, bytes]]]] = []
        for entry in entries:
            try:
                docs = [(doc.id, document_bytes(entry.source, doc)) for doc in entry.items]
            except Exception as exc:  # a record this engine cannot store: report, go on
                plan.failures.append(WriteFailure(entry.source, None, f"cannot index: {exc!r}"))
                plan.unrecord.add(entry.source)
                docs = []
            else:
                built.append((entry, docs))
        sources = [e.source for e in entries]
        wanted = [item_id for _, docs in built for item_id, _ in docs]
        if self.fresh:  # only items this writer stored can exist: ask only about those
            wanted = [item_id for item_id in wanted if item_id in self._written]
        records, owners = self._lookup(sources, wanted)
        held = self.held_items(sources, records)
        claimed: dict[str, str] = {}  # item id -> source, for this batch
        released: set[str] = set()  # ids that sources processed so far give up
        for entry, docs in built:
            released |= held.get(entry.source, set())
            ids = [item_id for item_id, _ in docs]
            problem = _duplicate(entry.source, ids, claimed, owners, released)
            if problem is not None:
                plan.failures.append(problem)
                plan.unrecord.add(entry.source)
                continue
            for item_id in ids:
                claimed[item_id] = entry.source
            plan.index += [(entry.source, item_id, body) for item_id, body in docs]
            plan.record[entry.source] = (entry, ids)
        for entry in entries:
            for item_id in held.get(entry.source, ()):
                if item_id not in claimed:
                    plan.delete[item_id] = entry.source
        return plan

    def _lookup(
        self, sources: list[str], ids: list[str]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """One real-time multi-get: the sources' records, and who owns each item id now
        (real time, so this run's own earlier writes count)."""
        records: dict[str, dict[str, Any]] = {}
        owners: dict[str, str] = {}
        wanted = [("s", s) for s in sources] + [("i", i) for i in ids]
        for start in range(0, len(wanted), PAGE):
            chunk = wanted[start : start + PAGE]
            docs = self.client.mget(
                docs=[
                    {"_index": self.sources_index, "_id": source_id(key)}
                    if kind == "s"
                    else {"_index": self.items_index, "_id": key, "_source": [OWNER_FIELD]}
                    for kind, key in chunk
                ],
                realtime=True,
            )["docs"]
            for (kind, key), doc in zip(chunk, docs, strict=True):
                if kind == "s":
                    records[key] = doc
                elif doc.get("found"):
                    owners[key] = doc["_source"].get(OWNER_FIELD, "")
        return records, owners

    def _search_owned(self, sources: list[str]) -> Iterator[tuple[str, str]]:
        """(item id, source) of every searchable item whose owner is one of `sources`."""
        search = (
            Search()
            .query(Terms(OWNER_FIELD, sources))
            .source(False)
            .extra(docvalue_fields=["id", OWNER_FIELD], track_total_hits=False)
            .sort("id")[:PAGE]
        )
        for fields in run.every_hit(self.client, self.items_index, search):
            yield fields["id"][0], fields[OWNER_FIELD][0]

    # --- running ----------------------------------------------------------------------

    def _bulk(self, actions: list[dict[str, Any]]) -> Iterator[tuple[bool, dict[str, Any]]]:
        """streaming_bulk (429s retried per document), over `streams` parallel requests when
        there is more than one chunk: Python builds the next request while the node indexes."""
        if not actions:
            return iter(())
        streams = min(self.streams, len(actions) // self.chunk_size)  # full chunks each
        if streams <= 1:
            return self._stream(actions)
        step = -(-len(actions) // streams)
        parts = [actions[i : i + step] for i in range(0, len(actions), step)]
        with ThreadPoolExecutor(streams, thread_name_prefix="imr-bulk") as pool:
            results = list(pool.map(lambda part: list(self._stream(part)), parts))
        return (r for part in results for r in part)

    def _stream(self, actions: list[dict[str, Any]]) -> Iterator[tuple[bool, dict[str, Any]]]:
        return iter(
            streaming_bulk(
                self.client,
                actions,
                chunk_size=self.chunk_size,
                max_chunk_bytes=MAX_CHUNK_BYTES,
                raise_on_error=False,
                max_retries=MAX_RETRIES,
                initial_backoff=1,
                max_backoff=30,
            )
        )

    def _run(self, plan: _Plan) -> set[str]:
        """One bulk stream: pending fingerprints first, then this plan's items and deletes.

        Returns the sources of this plan that had a failure."""
        pending, self._pending = self._pending, {}
        self._pending_items = {}
        record_source = {source_id(s): s for s in pending}
        source_of: dict[str, str] = {}
        actions: list[dict[str, Any]] = list(pending.values())
        for source, item_id, body in plan.index:
            source_of[item_id] = source
            self._written.add(item_id)
            actions.append(
                {"_op_type": "index", "_index": self.items_index, "_id": item_id, "_source": body}
            )
        for item_id in plan.delete:
            actions.append({"_op_type": "delete", "_index": self.items_index, "_id": item_id})
        failed: set[str] = set()
        for ok, result in self._bulk(actions):
            op, info = next(iter(result.items()))
            if ok or (op == "delete" and info.get("status") == 404):
                continue
            item_id = info.get("_id", "")
            if info.get("_index") == self.sources_index and item_id in record_source:
                plan.failures.append(
                    WriteFailure(
                        record_source[item_id],
                        None,
                        f"could not record the fingerprint: {_reason(info)}",
                    )
                )
                continue
            source = source_of.get(item_id) or plan.delete.get(item_id, "?")
            verb = "could not delete stale item" if op == "delete" else "rejected"
            plan.failures.append(WriteFailure(source, item_id, f"{verb}: {_reason(info)}"))
            failed.add(source)
        return failed

    def _defer_records(self, plan: _Plan, failed: set[str]) -> None:
        """Queue fingerprints (a source with failures gets none, so it is retried) and the
        removal of records of sources that are no longer stored."""
        for source, (entry, ids) in plan.record.items():
            if source in failed:
                plan.unrecord.add(source)
                continue
            self._pending_items[source] = ids
            self._pending[source] = {
                "_op_type": "index",
                "_index": self.sources_index,
                "_id": source_id(source),
                "_source": {
                    "source": source,
                    "fingerprint": entry.fingerprint,
                    "letter_id": entry.letter_id,
                    "items": ids,
                },
            }
        for source in sorted(plan.unrecord):
            self._pending[source] = {
                "_op_type": "delete",
                "_index": self.sources_index,
                "_id": source_id(source),
            }


class IdFilter:
    """A Bloom filter of item ids: `in` is never wrong about an id that was added, and
    rarely (about 1 in 100,000 at a million ids) says yes to one that was not. 16 MB
    whatever the number of ids (a set of a million ids would take 100 MB or more)."""

    BITS = 1 << 27
    HASHES = 3

    def __init__(self) -> None:
        self._bits = bytearray(self.BITS // 8)

    def _positions(self, item_id: str) -> list[int]:
        digest = hashlib.blake2b(item_id.encode("utf-8"), digest_size=4 * self.HASHES).digest()
        mask = self.BITS - 1
        return [
            int.from_bytes(digest[4 * i : 4 * i + 4], "little") & mask for i in range(self.HASHES)
        ]

    def add(self, item_id: str) -> None:
        for position in self._positions(item_id):
            self._bits[position >> 3] |= 1 << (position & 7)

    def __contains__(self, item_id: object) -> bool:
        if not isinstance(item_id, str):
            return False
        return all(self._bits[p >> 3] & (1 << (p & 7)) for p in self._positions(item_id))


def _last_per_source(batch: Sequence[SourceDocuments]) -> list[SourceDocuments]:
    """One entry per source (the last wins), in batch order."""
    by_source: dict[str, SourceDocuments] = {}
    for entry in batch:
        by_source.pop(entry.source, None)
        by_source[entry.source] = entry
    return list(by_source.values())


def _duplicate(
    source: str,
    ids: list[str],
    claimed: dict[str, str],
    owners: dict[str, str],
    released: set[str],
) -> WriteFailure | None:
    """A letter whose items are already indexed from another file is not stored again."""
    if len(set(ids)) != len(ids):
        return WriteFailure(source, None, "the letter's items have repeated ids")
    for item_id in ids:
        other = claimed.get(item_id)
        if other is None:
            owner = owners.get(item_id)
            if owner is not None and owner != source and item_id not in released:
                other = owner
        if other is not None and other != source:
            return duplicate_failure(source, item_id, other)
    return None


def _reason(info: dict[str, Any]) -> str:
    error = info.get("error")
    if isinstance(error, dict):
        text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            text += f" ({cause['reason']})"
        return text
    return str(error or f"status {info.get('status')}")

"""The Elasticsearch engine (implements the Engine contract).

This module wires the parts together: `settings` (URL, alias, credentials), `indices`
(versioned indices behind aliases), `writer` (bulk writes and fingerprints), `search`
(query, facets, highlights), `similar` (more_like_this) and `faults` (outages become
`EngineUnavailable`). Connection settings are documented in `imr_search.elastic.settings`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import ItemsView, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, ClassVar

import elasticsearch
from elasticsearch import ApiError, Elasticsearch, NotFoundError, UnsupportedProductError
from elasticsearch.dsl import Search
from elasticsearch.dsl.query import Range

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
from imr_search.elastic import complement, indices, optimize, run, runlock, vocabulary
from imr_search.elastic.faults import explain, translated
from imr_search.elastic.search import (
    SplitCounts,
    mark_item_body,
    read_marked_item,
    read_response,
    search_requests,
)
from imr_search.elastic.settings import ConnectionSettings, IndexLayout
from imr_search.elastic.similar import run_similar
from imr_search.elastic.writer import SOURCE_EXCLUDES, BulkWriter
from imr_search.errors import EngineUnavailable, ItemNotFound
from imr_search.suggest import with_suggestion
from mappings.elastic import OWNER_FIELD, SCHEMA_VERSION, index_definition
from mappings.schema import ItemDocument, from_builtins

# While loading, refresh rarely (finish() restores the definition's interval, refreshes). Long
# rather than disabled ("-1"): a loader that crashes leaves an index that still catches up.
# A rebuild, whose index nobody searches before finish(), disables refresh (_load_settings).
BULK_REFRESH_INTERVAL = "30s"
OPEN_TIMEOUT = 10.0  # seconds for the first request: "is anyone there?"
MAX_LETTER_ITEMS = 1000  # items read for one letter (letters have a handful)
_CHECKED_NODES: set[str] = set()  # hosts whose version was checked by this process


class ElasticEngine:
    """Search index in Elasticsearch, addressed as http(s)://host:port/<alias>.

    `rebuild=True` (writable only) fills a fresh versioned pair of indices that searches do
    not see; `finish()` then moves the aliases to it in one step and drops the old pair
    (closing without finish() drops the new pair instead).
    """

    thread_safe: ClassVar[bool] = True  # one HTTP client serves every thread
    local_file: ClassVar[bool] = False

    def __init__(self, target: str, writable: bool = False, *, rebuild: bool = False) -> None:
        self.settings = ConnectionSettings.from_target(target)
        self.target = self.settings.display
        self.alias = self.settings.alias
        self.writable = writable
        self.client = Elasticsearch(**self.settings.client_options())
        self._writer: BulkWriter | None = None
        self._loading = False
        self._wrote = False  # this run wrote items (finish() optimizes an index it filled)
        self._optimize_deadline_s = optimize.DEFAULT_DEADLINE_S
        self._split = False
        self._rebuild: indices.IndexPair | None = None
        self._whole = complement.WholeCounts()  # the whole index's counts, per state
        try:
            self._open(rebuild)
        except BaseException:
            self.client.close()
            raise

    def _open(self, rebuild: bool) -> None:
        with self._calls():
            self._check_server()
            if self.writable:
                layout = IndexLayout.from_env(self.target)
                try:
                    self._optimize_deadline_s = optimize.deadline_seconds()
                except ValueError as exc:
                    raise EngineUnavailable(self.target, str(exc)) from None
                self._split = layout.shards is None  # primaries not chosen: optimize may split
                pair = (
                    indices.create_pair(self.client, self.alias, layout)
                    if rebuild
                    else indices.ensure(self.client, self.alias, layout)
                )
                self._rebuild = pair if rebuild else None
                self.items_index, self.sources_index = pair.items, pair.sources
                self._writer = BulkWriter(self.client, pair.items, pair.sources)
                self.client.indices.refresh(index=[pair.items, pair.sources])
                self._writer.fresh = self.client.count(index=pair.items)["count"] == 0
            else:
                if indices.resolve(self.client, self.alias) is None:
                    raise EngineUnavailable(
                        self.target,
                        f"there is no index {self.alias} there yet: build it with "
                        f"`imr-search index PATH --index {self.target}`.",
                    )
                self.items_index = self.alias
                self.sources_index = indices.sources_alias(self.alias)
            self._check_schema()

    # --- plumbing -------------------------------------------------------------------------

    def _calls(self) -> Any:
        return translated(self.target, self.alias)

    def _check_server(self) -> None:
        """Fail early, with one message, when the node is down or of another major version.

        Once per set of hosts and process: the web UI may open an engine per request. A host
        that refuses the connection is skipped for the next one (a cluster with a node down),
        so this tries each host once."""
        hosts = ",".join(self.settings.hosts)
        if hosts in _CHECKED_NODES:
            return
        quick = self.client.options(
            request_timeout=min(OPEN_TIMEOUT, self.settings.timeout),
            max_retries=len(self.settings.hosts) - 1,
        )
        try:
            nodes = quick.nodes.info(
                node_id="_local", metric="_none", filter_path="nodes.*.version"
            )
        except (ApiError, UnsupportedProductError) as exc:
            mapped = explain(exc, self.target, self.alias) if isinstance(exc, ApiError) else None
            if mapped is not None:
                raise mapped from exc
            status = getattr(getattr(exc, "meta", None), "status", "?")
            raise EngineUnavailable(
                self.target,
                f"the server there answered {status} to a node-info request: is the URL that "
                "of an Elasticsearch 8.x node (usually port 9200)?",
            ) from exc
        versions = [n.get("version", "?") for n in nodes.body.get("nodes", {}).values()]
        server = versions[0] if versions else "?"
        client = ".".join(map(str, elasticsearch.VERSION))
        if server.split(".")[0] != client.split(".")[0]:
            raise EngineUnavailable(
                self.target,
                f"the server runs Elasticsearch {server} but this program's client is {client}; "
                "use a server of the same major version (8.x).",
            )
        _CHECKED_NODES.add(hosts)

    def _check_schema(self) -> None:
        """Refuse an index built with another schema version (it lacks fields this version
        searches, such as the spelling vocabulary), saying how to rebuild it."""
        found = indices.schema_version(self.client, self.items_index)
        if found is None or found == SCHEMA_VERSION:
            return
        concrete = indices.resolve(self.client, self.alias) or self.alias
        age = "an older" if found < SCHEMA_VERSION else "another"
        raise EngineUnavailable(
            self.target,
            f"the index {concrete} was built by {age} version of imr-search (index schema "
            f"version {found}; this version reads schema version {SCHEMA_VERSION}); delete it "
            f"(and {concrete.replace(self.alias, indices.sources_alias(self.alias), 1)}) and "
            f"index the letters again: `imr-search index LETTERS... --index {self.target}`",
        )

    def _flush(self) -> None:
        """Write fingerprints still queued in the writer (their items are stored)."""
        if self._writer is None:
            return
        failures = self._writer.flush()
        if failures:
            raise RuntimeError(
                f"could not record the fingerprints of {len(failures)} files (first: "
                f"{failures[0].source}: {failures[0].reason}); re-run the indexer to retry them"
            )

    def _require_writer(self) -> BulkWriter:
        if self._writer is None:
            raise PermissionError(f"{self.target} was opened read-only; open it writable=True")
        return self._writer

    def _start_loading(self) -> None:
        if not self._loading:
            self.client.indices.put_settings(
                index=self.sources_index,
                settings={"index": {"refresh_interval": BULK_REFRESH_INTERVAL}},
            )
            self.client.indices.put_settings(index=self.items_index, settings=self._load_settings())
            self._loading = True

    def _load_settings(self) -> dict[str, Any]:
        """The items index's settings while loading. A rebuild's new index is not searched
        until finish() publishes it (and close() without finish() deletes it): no refresh at
        all and no replicas (copied once at the end, not document by document)."""
        if self._rebuild is None:
            return {"index": {"refresh_interval": BULK_REFRESH_INTERVAL}}
        return {
            "index": {
                "refresh_interval": "-1",
                "auto_expand_replicas": False,
                "number_of_replicas": 0,
            }
        }

    def _left_loading(self) -> bool:
        """Whether a run killed while loading left the bulk refresh interval behind (finish()
        then restores it, even when this run wrote nothing)."""
        answer = self.client.indices.get_settings(
            index=[self.items_index, self.sources_index], name="index.refresh_interval"
        )
        return any(
            found.get("settings", {}).get("index", {}).get("refresh_interval")
            == BULK_REFRESH_INTERVAL
            for found in answer.body.values()
        )

    def _stop_loading(self) -> None:
        """The definition's refresh interval and replicas again."""
        defined = index_definition()["settings"]["index"]
        restored = {"refresh_interval": defined.get("refresh_interval", "1s")}
        if self._rebuild is not None:
            restored["auto_expand_replicas"] = defined.get("auto_expand_replicas", False)
            if "number_of_replicas" in defined:
                restored["number_of_replicas"] = defined["number_of_replicas"]
        self.client.indices.put_settings(index=self.items_index, settings={"index": restored})
        self.client.indices.put_settings(  # back to Elasticsearch's default
            index=self.sources_index, settings={"index": {"refresh_interval": None}}
        )
        self._loading = False

    # --- writing --------------------------------------------------------------------------

    def index_run_lock(self) -> AbstractContextManager[None]:
        """One index run at a time on this alias (a lock document; see runlock)."""
        return runlock.hold(self.client, self.alias, self.target)

    def indexed_sources(self) -> Mapping[str, str]:
        if self._writer is not None:  # make this process's writes visible to the lookups
            with self._calls():
                self._flush()
                self.client.indices.refresh(index=self.sources_index)
        return SourceFingerprints(self)

    def write(self, batch: Sequence[SourceDocuments]) -> list[WriteFailure]:
        writer = self._require_writer()
        with self._calls():
            self._start_loading()
            self._wrote = True
            return writer.write(batch)

    def delete_sources(self, sources: Iterable[str]) -> int:
        writer = self._require_writer()
        with self._calls():
            return writer.delete_sources(list(sources))

    def finish(self) -> list[str]:
        """Restore the refresh interval (this run's, or one a killed run left), refresh,
        optimize an index this run filled (optimize.py), and publish a rebuild; returns
        what optimizing left undone."""
        if self._writer is None:
            return []
        notes: list[str] = []
        with self._calls():
            self._flush()
            if self._loading or self._left_loading():
                self._stop_loading()
            self.client.indices.refresh(index=[self.items_index, self.sources_index])
            if self._writer.fresh and self._wrote:
                notes += self._optimize()
                self._writer.fresh = False  # filled: later writes here are everyday ones
            if self._rebuild is not None:
                indices.swap(self.client, self.alias, self._rebuild)
                self._rebuild = None
        return notes

    def _optimize(self) -> list[str]:
        """Split and merge the index this run filled (optimize.py)."""
        _, notes = optimize.optimize_loaded(
            self.client,
            self.items_index,
            self.alias,
            split=self._split,
            deadline_s=self._optimize_deadline_s,
            replace=self._replace_items,
        )
        return notes

    def _replace_items(self, index: str) -> None:
        """`index` (a split of the items index) in its place; the old one dropped."""
        old = self.items_index
        if self._rebuild is not None:
            self._rebuild = indices.IndexPair(index, self._rebuild.sources)
        else:
            indices.swap(self.client, self.alias, indices.IndexPair(index, self.sources_index))
        self.client.indices.delete(index=old, ignore_unavailable=True)
        self.items_index = index
        if self._writer is not None:
            self._writer.items_index = index

    # --- reading --------------------------------------------------------------------------

    def count(self) -> int:
        with self._calls():
            return int(self.client.count(index=self.items_index)["count"])

    def search(self, request: SearchRequest) -> SearchResponse:
        requests = search_requests(request)
        started = time.perf_counter()
        with self._calls():
            counts, page, index = requests.counts, requests.page, self.items_index
            if isinstance(counts, SplitCounts):
                answer = complement.counted_page(self.client, index, self._whole, counts, page)
            else:
                answer = run.counted_page(self.client, index, counts, page)
            response = read_response(request, requests.highlighted, answer, 0.0)
        took = (time.perf_counter() - started) * 1000
        response = dataclasses.replace(response, took_ms=took)
        return with_suggestion(self.search, request, response, self._lookup)

    def _lookup(self, words: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
        with self._calls():
            return vocabulary.lookup(self.client, self.items_index, words)

    def get_item(self, item_id: str) -> ItemDocument:
        found = self._get(item_id, source_excludes=SOURCE_EXCLUDES)
        return from_builtins(found, ItemDocument)

    def source_of(self, item_id: str) -> str:
        return str(self._get(item_id, source_includes=[OWNER_FIELD]).get(OWNER_FIELD, ""))

    def _get(self, item_id: str, **source: Any) -> dict[str, Any]:
        """The stored `_source` of one item (its parts that `source` asks for)."""
        with self._calls():
            try:
                found = self.client.get(index=self.items_index, id=item_id, **source)
            except NotFoundError as exc:
                if _is_missing_index(exc):
                    raise
                found = None
        if found is None or not found.get("found"):
            raise ItemNotFound(item_not_found(item_id))
        return dict(found["_source"])

    def mark_item(self, item_id: str, query: str) -> MarkedItem:
        search = mark_item_body(item_id, query)
        with self._calls():
            hits = run.answer(self.client, self.items_index, search)["hits"]["hits"]
        if not hits:
            raise ItemNotFound(item_not_found(item_id))
        return read_marked_item(hits[0])

    def letter_items(self, letter_id: str) -> list[ItemDocument]:
        search = (
            Search()
            .query("term", letter_id=letter_id)
            .sort("item_number", "id")
            .source(excludes=SOURCE_EXCLUDES)
            .extra(track_total_hits=False)[:MAX_LETTER_ITEMS]
        )
        with self._calls():
            hits = run.answer(self.client, self.items_index, search)["hits"]["hits"]
        return [from_builtins(h["_source"], ItemDocument) for h in hits]

    def similar(self, request: SimilarRequest) -> list[SimilarHit]:
        # The index's size (complement.item_count), read beside the item: 6-10 ms at 1M.
        with self._calls(), ThreadPoolExecutor(max_workers=1) as beside:
            size = beside.submit(complement.item_count, self.client, self.items_index, self._whole)
            source = self.get_item(request.item_id) if request.item_id is not None else None
            return run_similar(self.client, self.items_index, request, source, size.result())

    def close(self) -> None:
        """Record queued fingerprints and restore the refresh interval, as far as possible:
        close() also runs while another error is on its way and must not hide it."""
        try:
            if self._rebuild is not None:  # never published: a later rebuild starts anew
                with contextlib.suppress(Exception):
                    self.client.indices.delete(
                        index=[self._rebuild.items, self._rebuild.sources],
                        ignore_unavailable=True,
                    )
                self._rebuild = None
                self._loading = False
            with contextlib.suppress(Exception), self._calls():
                self._flush()
            if self._loading:
                with contextlib.suppress(Exception), self._calls():
                    self._stop_loading()
        finally:
            self.client.close()

    def __enter__(self) -> ElasticEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "writable" if self.writable else "read-only"
        return f"ElasticEngine({self.target!r}, {mode})"


def _within(key: str, low: str, high: str | None) -> bool:
    """Is key in [low, high] by Elasticsearch's keyword order (UTF-8 bytes)?"""
    encoded = key.encode("utf-8")
    if encoded < low.encode("utf-8"):
        return False
    return high is None or encoded <= high.encode("utf-8")


def _is_missing_index(exc: NotFoundError) -> bool:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    return isinstance(error, dict) and error.get("type") == "index_not_found_exception"


class SourceFingerprints(Mapping[str, str]):
    """source -> fingerprint from the sources index, without one request per lookup.

    The indexer looks files up one at a time, mostly in path order. A lookup outside the
    cached window fetches the next page of sources in sorted order starting at that path, so
    a run over a million files costs about a thousand requests, not a million (and a first
    run, with nothing indexed, one). Iteration walks the index in path order, a page at a
    time (`run.every_hit`); nothing is held whole.
    """

    _PAGE = 5000

    def __init__(self, engine: ElasticEngine) -> None:
        self._engine = engine
        self._window: tuple[str, str | None, dict[str, str]] | None = None  # lo, hi, values

    def __getitem__(self, source: str) -> str:
        window = self._window
        if window is None or not _within(source, window[0], window[1]):
            window = self._fetch_window(source)
        found = window[2].get(source)
        if found is None:
            raise KeyError(source)
        return found

    def _fetch_window(self, start: str) -> tuple[str, str | None, dict[str, str]]:
        engine = self._engine
        search = self._sources("source", "fingerprint").query(Range(source={"gte": start}))
        with engine._calls():
            hits = run.answer(engine.client, engine.sources_index, search)["hits"]["hits"]
        values = {h["_source"]["source"]: h["_source"]["fingerprint"] for h in hits}
        high = hits[-1]["_source"]["source"] if len(hits) == self._PAGE else None
        self._window = (start, high, values)
        return self._window

    def _sources(self, *fields: str) -> Search[Any]:
        """A page of source records in path order, with these fields."""
        return (
            Search()
            .sort({"source": {"order": "asc"}})
            .source(list(fields))
            .extra(track_total_hits=False)[: self._PAGE]
        )

    def _walk(self, *fields: str) -> Iterator[dict[str, Any]]:
        engine = self._engine
        with engine._calls():
            yield from run.every_hit(engine.client, engine.sources_index, self._sources(*fields))

    def __iter__(self) -> Iterator[str]:
        for record in self._walk("source"):
            yield record["source"]

    def __len__(self) -> int:
        engine = self._engine
        with engine._calls():
            engine.client.indices.refresh(index=engine.sources_index)
            return int(engine.client.count(index=engine.sources_index)["count"])

    def items(self) -> ItemsView[str, str]:  # one pass, not one get per key
        return _FingerprintItems(self)


class _FingerprintItems(ItemsView[str, str]):
    def __init__(self, mapping: SourceFingerprints) -> None:
        super().__init__(mapping)
        self._fingerprints = mapping

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for record in self._fingerprints._walk("source", "fingerprint"):
            yield record["source"], record["fingerprint"]

"""Index names, versions and aliases: why a full re-index needs no downtime.

Searches and writes use two aliases: `<alias>` (one document per item, mappings.elastic)
and `<alias>-sources` (source file -> fingerprint, and the items it produced). Behind them sit
versioned indices, `<alias>-v<schema>-<UTC timestamp>` and `<alias>-sources-v<schema>-<...>`.
A rebuild creates a fresh pair, fills it while searches go on against the old pair, then
moves both aliases in one atomic `_aliases` call and deletes the old pair.

Shards and replicas are the definitions' unless an `IndexLayout` (settings.py, from the
environment) says otherwise; they are set when an index is created, never changed here.
"""

from __future__ import annotations

import copy
import secrets
import time
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, BadRequestError, Elasticsearch, NotFoundError

from imr_search.elastic.settings import IndexLayout
from mappings.elastic import SCHEMA_VERSION, index_definition

SOURCES_SUFFIX = "-sources"

SOURCES_DEFINITION: dict[str, Any] = {
    "settings": {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}},
    "mappings": {
        "dynamic": "strict",
        "_meta": {"about": "One document per indexed source file (id: sha1 of the path)."},
        "properties": {
            "source": {"type": "keyword"},  # looked up by range and sorted: the only index
            "fingerprint": {"type": "keyword", "index": False, "doc_values": False},
            "letter_id": {"type": "keyword", "index": False, "doc_values": False},
            "items": {"type": "keyword", "index": False, "doc_values": False},
        },
    },
}


@dataclass(frozen=True)
class IndexPair:
    """The concrete items and sources indices of one version."""

    items: str
    sources: str


def sources_alias(alias: str) -> str:
    return alias + SOURCES_SUFFIX


def new_version_names(alias: str) -> IndexPair:
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(2)
    return IndexPair(
        items=f"{alias}-v{SCHEMA_VERSION}-{stamp}",
        sources=f"{alias}{SOURCES_SUFFIX}-v{SCHEMA_VERSION}-{stamp}",
    )


def resolve(client: Elasticsearch, name: str) -> str | None:
    """The concrete index an alias (or index name) points to; None when nothing exists."""
    try:
        found = client.indices.get_alias(name=name)
        indices: list[str] = sorted(found.body)
    except NotFoundError:
        try:
            client.indices.get(index=name)
        except NotFoundError:
            return None
        return name  # a plain index of that name (made by hand): use it as is
    if len(indices) != 1:
        raise RuntimeError(
            f"alias {name} points to {len(indices)} indices ({', '.join(indices)}); "
            "it must point to exactly one"
        )
    return indices[0]


def items_definition(layout: IndexLayout) -> dict[str, Any]:
    """The items index definition with the layout's shards and replicas."""
    definition = index_definition()
    definition["settings"]["index"].update(layout.items_settings())
    return definition


def sources_definition(layout: IndexLayout) -> dict[str, Any]:
    """The sources index definition (always one shard) with the layout's replicas."""
    definition = copy.deepcopy(SOURCES_DEFINITION)
    definition["settings"]["index"].update(layout.replica_settings())
    return definition


def create_pair(client: Elasticsearch, alias: str, layout: IndexLayout) -> IndexPair:
    """Create a new, empty, not yet aliased version of both indices."""
    pair = new_version_names(alias)
    client.indices.create(index=pair.items, **items_definition(layout))
    try:
        client.indices.create(index=pair.sources, **sources_definition(layout))
    except ApiError:
        client.indices.delete(index=pair.items, ignore_unavailable=True)
        raise
    client.cluster.health(index=[pair.items, pair.sources], wait_for_status="yellow", timeout="30s")
    return pair


def point_aliases(client: Elasticsearch, alias: str, pair: IndexPair) -> list[str]:
    """Atomically move both aliases to `pair`; returns the indices they pointed to before."""
    actions: list[dict[str, Any]] = []
    old: list[str] = []
    for name, index in ((alias, pair.items), (sources_alias(alias), pair.sources)):
        try:
            current = sorted(client.indices.get_alias(name=name).body)
        except NotFoundError:
            current = []
        for previous in current:
            if previous != index:
                actions.append({"remove": {"index": previous, "alias": name}})
                old.append(previous)
        actions.append({"add": {"index": index, "alias": name, "is_write_index": True}})
    client.indices.update_aliases(actions=actions)
    return old


def ensure(client: Elasticsearch, alias: str, layout: IndexLayout) -> IndexPair:
    """The current pair behind the aliases, created on first use (safe against races)."""
    items = resolve(client, alias)
    sources = resolve(client, sources_alias(alias))
    if items is not None and sources is not None:
        return IndexPair(items, sources)
    if items is not None:  # an index made before the sources index existed: add one
        pair = new_version_names(alias)
        client.indices.create(index=pair.sources, **sources_definition(layout))
        client.indices.put_alias(index=pair.sources, name=sources_alias(alias))
        return IndexPair(items, pair.sources)
    pair = create_pair(client, alias, layout)
    try:
        point_aliases_if_absent(client, alias, pair)
    except BadRequestError:
        # Another process created the aliases first: use theirs, drop ours.
        client.indices.delete(index=[pair.items, pair.sources], ignore_unavailable=True)
        items, sources = resolve(client, alias), resolve(client, sources_alias(alias))
        if items is None or sources is None:
            raise
        return IndexPair(items, sources)
    return pair


def point_aliases_if_absent(client: Elasticsearch, alias: str, pair: IndexPair) -> None:
    """Add both aliases in one atomic call. If another process won the race, the alias would
    get a second write index, which Elasticsearch refuses (400): the caller then uses theirs."""
    client.indices.update_aliases(
        actions=[
            {"add": {"index": pair.items, "alias": alias, "is_write_index": True}},
            {"add": {"index": pair.sources, "alias": sources_alias(alias), "is_write_index": True}},
        ]
    )


def swap(client: Elasticsearch, alias: str, pair: IndexPair, delete_old: bool = True) -> list[str]:
    """Publish a rebuilt pair: move the aliases atomically, then drop the old indices."""
    old = point_aliases(client, alias, pair)
    if delete_old and old:
        client.indices.delete(index=old, ignore_unavailable=True)
    return old


def schema_version(client: Elasticsearch, index: str) -> int | None:
    """The schema version an items index was created with (its mapping's _meta), None when
    it does not say (an index made by hand)."""
    found = client.indices.get_mapping(index=index).body
    for definition in found.values():
        version = definition.get("mappings", {}).get("_meta", {}).get("schema_version")
        return int(version) if version is not None else None
    return None


def drop(client: Elasticsearch, alias: str) -> None:
    """Delete both indices behind the aliases (tests and `--rebuild` clean-up)."""
    names = [n for n in (resolve(client, alias), resolve(client, sources_alias(alias))) if n]
    if names:
        client.indices.delete(index=names, ignore_unavailable=True)

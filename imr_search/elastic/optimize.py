"""After a full load: the layout searches ran fastest in, one primary per core and one segment
per primary; bounded in disk and in time, never failing the load.

Measured at 1M items on a 2-core node (README, issue 14), p95 of the weighted query mix: one
primary as loaded (27-41 segments) 66-70 ms; one primary merged to one segment 61-62 ms, but
its common phrase went from 77 to 112 ms (Elasticsearch 8 searches a shard's segments on
several threads, never one segment on two); two primaries of one segment each 47-49 ms, the
common phrase 75-77, similar cases 84-97 -> 57-65. A merge to two segments of one primary is
no way there: Lucene merged 41 segments into one of 3.6 GB and one of 0.7 GB.

So an index a load filled (a rebuild, or the first load of an empty alias) of at least
SPLIT_MIN_ITEMS items is split (`_split`: hard links, then each new primary drops the other's
documents) into as many primaries as the smallest data node holding it has processors (at most
MAX_PRIMARIES; a one-primary index splits into any number), unless
IMR_SEARCH_ES_SHARDS chose the primaries; then every primary is merged to one segment.
Smaller indices stay one primary: there every shard's own term statistics would make scores,
and the words similar cases are compared on, differ from one primary's. An everyday run that
adds a few letters leaves merging to Elasticsearch's own policy: forcing it would rewrite the
whole index each time.

Why bounded: a merge writes a new copy of what it merges, and Elasticsearch 8.19 starts a
merge only when that copy fits on the disk above its flood-stage headroom; otherwise it waits,
silently, for as long as the disk stays short (a `_forcemerge` waited 40 minutes here). So
the disk is checked first, the merge runs as a task, and the wait has a deadline: whatever
happens, finishing goes on, and the notes say what was not done and how to do it later.
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, AuthorizationException, Elasticsearch

DEADLINE_ENV = "IMR_SEARCH_ES_MERGE_MINUTES"
DEFAULT_DEADLINE_S = 60 * 60.0  # two 1M-item primaries merged in 90 s here
SPLIT_MIN_ITEMS = 100_000
MAX_PRIMARIES = 8
POLL_S = 2.0
# Elasticsearch keeps this much disk free from merges (indices.merge.disk.watermark.high
# follows the flood stage: 95% of the disk, at most 20 GB kept free).
FLOOD_STAGE_SHARE = 0.05
FLOOD_STAGE_MAX_HEADROOM = 20 * 1024**3
GB = 1024**3


@dataclass(frozen=True)
class NodeDisk:
    """One data node's disk as a merge sees it."""

    name: str
    total: int  # bytes
    available: int
    needed: int  # the store size of the index's shard copies on this node

    @property
    def headroom(self) -> int:
        return min(int(self.total * FLOOD_STAGE_SHARE), FLOOD_STAGE_MAX_HEADROOM)

    @property
    def short_by(self) -> int:
        """Bytes missing for a merge of every shard copy here (0: it fits)."""
        return max(0, self.needed + self.headroom - self.available)


def deadline_seconds(env: dict[str, str] | None = None) -> float:
    """$IMR_SEARCH_ES_MERGE_MINUTES (0: do not optimize), else an hour."""
    text = ((os.environ if env is None else env).get(DEADLINE_ENV) or "").strip()
    try:
        return max(0.0, float(text) * 60) if text else DEFAULT_DEADLINE_S
    except ValueError:
        raise ValueError(
            f"{DEADLINE_ENV} must be a number of minutes (0 skips the merge), not {text!r}"
        ) from None


def primaries_wanted(processors: int, items: int) -> int:
    """One primary per processor (at most MAX_PRIMARIES) for an index of SPLIT_MIN_ITEMS
    items or more; else one."""
    return max(1, min(processors, MAX_PRIMARIES)) if items >= SPLIT_MIN_ITEMS else 1


def optimize_loaded(
    client: Elasticsearch,
    index: str,
    alias: str,
    *,
    split: bool,
    deadline_s: float,
    replace: Callable[[str], object],
) -> tuple[str, list[str]]:
    """The items index after optimizing `index` (a split makes a new one: `replace(new)` puts
    it in the old one's place before it is merged, so a run killed meanwhile leaves a whole,
    writable index), and notes for the user on what was left undone."""
    started = time.monotonic()
    notes: list[str] = []
    try:
        blocked = blocker(client, index, alias, deadline_s)
        if blocked is not None:
            return index, [blocked]
        if split:
            new, notes = split_large(client, index, deadline_s)
            if new != index:
                replace(new)
                index = new
        left = deadline_s - (time.monotonic() - started)
        return index, notes + merge_to_one(client, index, left)
    except AuthorizationException as exc:  # e.g. an API key that may write but not monitor
        return index, [
            *notes,
            f"not optimized: the credentials may not read the cluster's nodes, split or merge "
            f"({exc.message}); searches are right but slower. Grant the `monitor` cluster "
            f"privilege and `manage` on {alias}*, or merge it as an administrator: "
            f"`POST {alias}/_forcemerge?max_num_segments=1`.",
        ]


def blocker(client: Elasticsearch, index: str, alias: str, deadline_s: float) -> str | None:
    """Why `index` cannot be optimized now (a deadline of zero, a short disk), said with how
    to do it later; None when it can."""
    later = f"`POST {alias}/_forcemerge?max_num_segments=1` when it can"
    if deadline_s <= 0:
        return f"not merged ({DEADLINE_ENV}=0): searches are slower; {later}"
    short = [disk for disk in disks(client, index) if disk.short_by]
    if short:
        segments = segment_count(client, index)
        return _short_disk_note(max(short, key=lambda d: d.short_by), segments, later)
    return None


def split_large(client: Elasticsearch, index: str, deadline_s: float) -> tuple[str, list[str]]:
    """A new index of primaries_wanted() primaries holding `index`'s items (the old one stays
    for the caller to drop once the new one is published), or `index` itself: it is already
    several primaries, or small, or the node has one processor, or the split failed (noted)."""
    if primaries(client, index) > 1:
        return index, []
    wanted = primaries_wanted(smallest_processors(client, index), count(client, index))
    if wanted == 1:
        return index, []
    target = f"{index}-p{wanted}"
    client.indices.put_settings(index=index, settings={"index.blocks.write": True})
    try:
        shards = {"index.number_of_shards": wanted}
        client.indices.split(index=index, target=target, settings=shards)
        _wait_green(client, target, deadline_s)
        client.indices.put_settings(index=target, settings={"index.blocks.write": None})
    except (ApiError, TimeoutError) as exc:
        _undo_split(client, index, target)
        reason = exc.message if isinstance(exc, ApiError) else str(exc)
        return index, [f"not split into {wanted} primaries ({reason}); searches use one"]
    except BaseException:  # an outage, an interrupt: leave the loaded index writable if we can
        with contextlib.suppress(Exception):
            _undo_split(client, index, target)
        raise
    return target, []


def _wait_green(client: Elasticsearch, index: str, deadline_s: float) -> None:
    """Until every shard of `index` is ready, in waits shorter than a client request's."""
    started = time.monotonic()
    while True:
        health = client.cluster.health(index=index, wait_for_status="green", timeout="20s")
        if not health.body.get("timed_out"):
            return
        if time.monotonic() - started > deadline_s:
            raise TimeoutError("its primaries were not ready in time")


def _undo_split(client: Elasticsearch, index: str, target: str) -> None:
    client.indices.delete(index=target, ignore_unavailable=True)
    client.indices.put_settings(index=index, settings={"index.blocks.write": None})


def _short_disk_note(disk: NodeDisk, segments: int, later: str) -> str:
    return (
        f"not merged: node {disk.name} has {disk.available / GB:.1f} GB free, and the merge "
        f"needs about {(disk.needed + disk.headroom) / GB:.1f} GB (a copy of its "
        f"{disk.needed / GB:.1f} GB of this index, plus the {disk.headroom / GB:.1f} GB "
        f"Elasticsearch keeps free). Searches are right but slower ({segments} segments); "
        f"free {disk.short_by / GB:.1f} GB there, then {later}."
    )


def merge_to_one(client: Elasticsearch, index: str, deadline_s: float) -> list[str]:
    """Merge every primary of `index` to one segment as a task, waiting up to the deadline
    (a note when it is still running then)."""
    if segment_count(client, index) <= primaries(client, index):
        return []
    started = time.monotonic()
    task = client.indices.forcemerge(
        index=index, max_num_segments=1, wait_for_completion=False
    ).body["task"]
    while True:
        done, error = _merge_state(client, task)
        if error is not None:
            return [
                f"the merge to one segment per primary failed ({error}): searches are right "
                "but slower; see the node's log"
            ]
        if done:
            return []
        if time.monotonic() - started > deadline_s:
            return [
                f"the merge to one segment per primary is still running after "
                f"{deadline_s / 60:.0f} min (task {task}; Elasticsearch goes on with it): "
                "searches are right, faster once it ends. If the node log says 'insufficient "
                "disk space', free disk on that node."
            ]
        time.sleep(POLL_S)


def _merge_state(client: Elasticsearch, task: str) -> tuple[bool, str | None]:
    """Whether the merge task has completed, and its error if it failed."""
    with warnings.catch_warnings():  # the task API is "technical preview"; it has been for years
        warnings.simplefilter("ignore")
        answer: dict[str, Any] = client.tasks.get(task_id=task).body
    error = answer.get("error")
    if error:
        return True, str(error.get("reason") or error) if isinstance(error, dict) else str(error)
    return bool(answer.get("completed")), None


# --- what the cluster says ---------------------------------------------------------------------


def _shards(client: Elasticsearch, index: str, columns: str) -> list[dict[str, Any]]:
    """`_cat/shards` of the index: one row per shard copy, these columns (sizes in bytes)."""
    answer = client.cat.shards(index=index, format="json", bytes="b", h=columns)
    return list(answer.body)


def primaries(client: Elasticsearch, index: str) -> int:
    """Primary shards of the index."""
    return sum(1 for shard in _shards(client, index, "prirep") if shard.get("prirep") == "p")


def count(client: Elasticsearch, index: str) -> int:
    return int(client.count(index=index)["count"])


def segment_count(client: Elasticsearch, index: str) -> int:
    """Segments of the index's primaries."""
    stats = client.indices.stats(index=index, metric="segments").body
    return int(stats["_all"]["primaries"]["segments"]["count"])


def smallest_processors(client: Elasticsearch, index: str) -> int:
    """The processors of the smallest data node holding a copy of the index (at least 1)."""
    holding = {shard["node"] for shard in _shards(client, index, "node") if shard.get("node")}
    nodes = client.nodes.info(metric="os").body["nodes"].values()
    found = [
        int(n.get("os", {}).get("allocated_processors", 1)) for n in nodes if n["name"] in holding
    ]
    return max(1, min(found, default=1))


def disks(client: Elasticsearch, index: str) -> list[NodeDisk]:
    """Per data node holding the index: its disk and the bytes a merge rewrites there."""
    needed: dict[str, int] = {}
    for shard in _shards(client, index, "node,store"):
        if shard.get("node"):
            needed[shard["node"]] = needed.get(shard["node"], 0) + int(shard.get("store") or 0)
    found = []
    for node in client.nodes.stats(metric="fs").body["nodes"].values():
        if node["name"] in needed:
            fs = node.get("fs", {}).get("total", {})
            found.append(
                NodeDisk(
                    name=node["name"],
                    total=int(fs.get("total_in_bytes", 0)),
                    available=int(fs.get("available_in_bytes", 0)),
                    needed=needed[node["name"]],
                )
            )
    return found

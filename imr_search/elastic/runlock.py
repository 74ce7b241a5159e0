"""The index-run lock of an Elasticsearch index: one document in the index `<alias>-lock`.

One index run at a time per alias. A run creates the document `run` (op_type create: exactly
one creator wins) holding its host, pid and start, and renews a heartbeat in it from a thread
every HEARTBEAT_SECONDS; at the end it deletes it. A run finding the document is refused
(IndexBusy) unless the lock is stale: its heartbeat older than STALE_SECONDS, or its holder a
process of this host that no longer exists (a run killed a moment ago need not be waited
for). A stale lock is taken over with a conditional write (if_seq_no / if_primary_term), so of
two runs only one takes it. It lives beside the versioned indices rather than in the sources
index, whose documents are all sources and which a rebuild replaces; credentials granted on
`<alias>*` cover it. Readers never look at it. Hosts sharing an index need roughly agreeing
clocks (NTP): a heartbeat is compared with the reader's clock.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from elasticsearch import BadRequestError, ConflictError, Elasticsearch, NotFoundError

from imr_search.elastic.faults import translated
from imr_search.errors import IndexBusy

LOCK_SUFFIX = "-lock"
LOCK_ID = "run"
HEARTBEAT_SECONDS = 10.0
STALE_SECONDS = 60.0
_DEFINITION: dict[str, Any] = {
    "settings": {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}},
    "mappings": {"dynamic": False, "properties": {}},
}


def lock_index(alias: str) -> str:
    return alias + LOCK_SUFFIX


@contextlib.contextmanager
def hold(client: Elasticsearch, alias: str, display: str) -> Iterator[None]:
    """Hold the run lock of `alias` (IndexBusy if another live run holds it)."""
    index = lock_index(alias)
    me = {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}
    with translated(display, alias):
        _ensure_index(client, index)
        seq = _acquire(client, index, display, me)
    quick = client.options(request_timeout=5, max_retries=0)  # never holds up the run's end
    beat = _Heartbeat(quick, index, me, seq)
    beat.start()
    try:
        yield
    finally:
        beat.stop()
        with contextlib.suppress(Exception):  # a lock left behind goes stale by itself
            seq_no, term = beat.position()
            quick.delete(
                index=index, id=LOCK_ID, refresh=True, if_seq_no=seq_no, if_primary_term=term
            )


def _ensure_index(client: Elasticsearch, index: str) -> None:
    try:
        client.indices.create(index=index, **_DEFINITION)
    except BadRequestError as exc:  # created already (by us earlier, or a concurrent run)
        if "resource_already_exists" not in str(exc):
            raise


def _acquire(
    client: Elasticsearch, index: str, display: str, me: dict[str, Any]
) -> tuple[int, int]:
    body = {**me, "heartbeat": time.time()}
    try:
        answer = client.create(index=index, id=LOCK_ID, document=body, refresh=True)
        return _position(answer)
    except ConflictError:
        pass
    try:
        found = client.get(index=index, id=LOCK_ID)
    except NotFoundError:  # released in between: try once more
        try:
            return _position(client.create(index=index, id=LOCK_ID, document=body, refresh=True))
        except ConflictError:
            raise IndexBusy(display, "another run took it a moment ago") from None
    holder = found["_source"]
    if not _stale(holder):
        raise IndexBusy(display, _describe(holder))
    try:  # take over a dead run's lock; only one of several contenders succeeds
        answer = client.index(
            index=index,
            id=LOCK_ID,
            document=body,
            if_seq_no=found["_seq_no"],
            if_primary_term=found["_primary_term"],
            refresh=True,
        )
    except ConflictError:
        raise IndexBusy(display, "another run took it a moment ago") from None
    return _position(answer)


def _position(answer: Any) -> tuple[int, int]:
    """(seq_no, primary_term): the version a conditional write must find."""
    return int(answer["_seq_no"]), int(answer["_primary_term"])


def _stale(holder: dict[str, Any]) -> bool:
    """A holder that stopped renewing its heartbeat, or a process of this host now gone."""
    if time.time() - float(holder.get("heartbeat", 0)) > STALE_SECONDS:
        return True
    if holder.get("host") != socket.gethostname():
        return False
    pid = int(holder.get("pid", 0))
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists (another user's)
        return False
    return False


def _describe(holder: dict[str, Any]) -> str:
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(holder.get("since", 0))))
    return f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} since {since}"


class _Heartbeat:
    """Renews the lock's heartbeat until stopped (a daemon thread: it dies with the run)."""

    def __init__(
        self, client: Elasticsearch, index: str, me: dict[str, Any], seq: tuple[int, int]
    ) -> None:
        self._client = client
        self._index = index
        self._me = me
        self._seq = seq
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="imr-run-lock", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=10)

    def position(self) -> tuple[int, int]:
        with self._lock:
            return self._seq

    def _run(self) -> None:
        while not self._stopped.wait(HEARTBEAT_SECONDS):
            seq_no, term = self.position()
            try:
                answer = self._client.index(
                    index=self._index,
                    id=LOCK_ID,
                    document={**self._me, "heartbeat": time.time()},
                    if_seq_no=seq_no,
                    if_primary_term=term,
                )
            except ConflictError:  # taken over (we were thought dead): nothing more to renew
                return
            except Exception:  # an outage: the run itself will fail or retry; try again later
                continue
            with self._lock:
                self._seq = _position(answer)

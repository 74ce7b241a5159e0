"""Shared by the reliability tests: the real CLI in a subprocess, engine snapshots, ground truth.

Snapshots go through the `Engine` protocol only, so one comparison serves both engines.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from imr_search.contract import SearchRequest
from imr_search.engines import engine_class, open_engine
from imr_search.errors import EngineUnavailable
from indexer.documents import source_documents
from synthetic.corpus import generate_letters

# The console script `imr-search` is this same function; calling it through the interpreter
# avoids the pyenv shim's start-up cost and uses the interpreter running the tests.
# SIGUSR1 makes it print every thread's stack to stderr: a test that finds it hanging says where.
CLI = [
    sys.executable,
    "-c",
    "import faulthandler, signal; "
    "faulthandler.register(signal.SIGUSR1, all_threads=True); "
    "from imr_cli.main import main; main()",
]


# Asks `imr-search index` for a line on stderr per step (indexer.pipeline): kill points.
PROGRESS_LINES = {"IMR_SEARCH_PROGRESS_LINES": "1"}


def index_command(paths: Sequence[str | Path], target: str, report: Path, *extra: str) -> list[str]:
    """`imr-search index PATHS --index TARGET --report REPORT [extra...]`."""
    return [*CLI, "index", *map(str, paths), "--index", target, "--report", str(report), *extra]


def run_cli(
    args: Sequence[str],
    timeout: float = 300,
    *,
    file_size_limit: int | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command; `file_size_limit`: no file it writes may pass this many bytes (a full
    disk for real: RLIMIT_FSIZE, with SIGXFSZ ignored so that the write fails with EFBIG)."""

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        assert file_size_limit is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limited if file_size_limit is not None else None,
        env={**os.environ, **env} if env else None,
    )


def without_permission_override(command: Sequence[str]) -> list[str]:
    """The command, run so that file permissions apply to it even as root (setpriv drops the
    capabilities that let root read and write anything); skips the test if that cannot be."""
    import pytest

    if os.geteuid() != 0:
        return list(command)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file permissions cannot apply")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]


@dataclass(frozen=True)
class Snapshot:
    """What an index holds, as a reader sees it (engine-independent)."""

    count: int
    ids: tuple[str, ...]  # sorted; duplicates kept so that they show
    facets: dict[str, tuple[tuple[str, int], ...]]
    outcomes: dict[str, str]  # item id -> outcome
    sources: dict[str, str]  # source path -> fingerprint

    @property
    def id_set(self) -> set[str]:
        return set(self.ids)


def refresh(target: str) -> None:
    """Make every write searchable (Elasticsearch refreshes lazily while a load runs)."""
    if engine_class(target).local_file:
        return
    node, _, alias = target.rstrip("/").rpartition("/")
    url = f"{node}/{alias},{alias}-sources/_refresh?ignore_unavailable=true"
    urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=60).close()


def snapshot(target: str) -> Snapshot | None:
    """The whole index (None when nothing has been created yet)."""
    refresh(target)
    try:
        engine = open_engine(target)
    except EngineUnavailable:
        return None
    try:
        ids: list[str] = []
        outcomes: dict[str, str] = {}
        page = 1
        first = None
        while True:
            response = engine.search(
                SearchRequest(per_page=100, page=page, sort="date", facet_size=100, highlight=False)
            )
            first = first or response
            for hit in response.hits:
                ids.append(hit.id)
                outcomes[hit.id] = hit.doc.outcome
            if len(ids) >= response.total or not response.hits:
                break
            page += 1
        assert first is not None
        facets = {k: tuple((v.value, v.count) for v in vs) for k, vs in first.facets.items()}
        return Snapshot(
            engine.count(),
            tuple(sorted(ids)),
            facets,
            outcomes,
            dict(engine.indexed_sources().items()),
        )
    finally:
        engine.close()


def ground_truth(n: int, seed: int) -> dict[str, str]:
    """item id -> outcome of the first `n` letters `write_corpus(_, n, seed)` writes."""
    return {item.id: item.outcome for letter in generate_letters(n, seed) for item in letter.items}


def drop_index(target: str) -> None:
    """Delete an Elasticsearch index pair a test made (the node outlives the test)."""
    if engine_class(target).local_file:
        return
    node, _, alias = target.rstrip("/").rpartition("/")
    for pattern in (f"{alias}-v*", f"{alias}-sources-v*", f"{alias}-lock"):
        request = urllib.request.Request(
            f"{node}/{pattern}?ignore_unavailable=true&allow_no_indices=true", method="DELETE"
        )
        urllib.request.urlopen(request, timeout=60).close()


def progress(target: str) -> int:
    """Items written so far, cheaply, while an indexer runs (a trigger for kills and outages).

    SQLite: committed rows, read without taking part in the writer's locking. Elasticsearch:
    index operations the node has executed (visible before any refresh)."""
    if not engine_class(target).local_file:
        node, _, alias = target.rstrip("/").rpartition("/")
        try:
            stats = es_json(f"{node}/{alias}/_stats/indexing", timeout=5)
        except OSError:  # not created yet (404), or the node is going away
            return 0
        return int(stats["_all"]["primaries"].get("indexing", {}).get("index_total", 0))
    if not Path(target).exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=0.5)
        try:
            return int(db.execute("SELECT count(*) FROM items").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:  # schema not there yet, or busy
        return 0


def es_json(url: str, timeout: float = 10) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.load(resp)


def lines_naming(text: str, names: Iterable[str]) -> dict[str, str]:
    """For each file name, the first report line that mentions it ('' if none)."""
    lines = text.splitlines()
    return {name: next((line for line in lines if name in line), "") for name in names}


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve a WSGI app for real (werkzeug's threaded server on a free loopback port)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_cli(target: str, *extra: str, timeout: float = 60) -> Iterator[str]:
    """`imr-search serve` for real (the production server) on a free loopback port; stopped,
    with its worker processes, at the end."""
    port = free_port()
    command = [*CLI, "serve", "--index", target, "--port", str(port), "--quiet", *extra]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                err = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"imr-search serve exited with {process.returncode}: {err}")
            try:
                if http_get(base + "/api/health", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "imr-search serve did not come up"
            time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process.stderr:
            process.stderr.close()


def http_get(url: str, timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET; HTTP errors are answers too, not exceptions."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read()


@contextmanager
def generated_index(
    request: Any, tmp_path_factory: Any, name: str, letters: int, seed: int
) -> Iterator[str]:
    """For a module fixture: `letters` generated letters indexed on the engine the fixture's
    parameter names ("sqlite" or "elasticsearch"), as a target; dropped afterwards."""
    if request.param == "sqlite":
        target = str(tmp_path_factory.mktemp(name) / f"{name}.sqlite3")
    else:
        target = f"{request.getfixturevalue('es_url')}/imr-{name}-{uuid.uuid4().hex[:8]}"
    writer = open_engine(target, writable=True)
    try:
        docs = [
            source_documents(f"/{name}/{n}.txt", f"fp{n}", letter)
            for n, letter in enumerate(generate_letters(letters, seed))
        ]
        assert writer.write(docs) == []
        writer.finish()
    finally:
        writer.close()
    try:
        yield target
    finally:
        drop_index(target)


def finish_or_dump(process: subprocess.Popen[str], timeout: float, after: str) -> tuple[str, str]:
    """communicate(), but a hang fails with the stacks of the command's processes (`after`:
    what the command was meant to survive, for the message)."""
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGUSR1)  # every process of the group dumps its stacks
        time.sleep(2)
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"the indexer hung for {timeout:.0f} s after {after}:\n{out}\n{err}")


def report_section(report: str, title: str) -> list[str]:
    """The lines of an index report's 'Failed:', 'Skipped:' or 'Warnings:' section."""
    lines = report.splitlines()
    if f"{title}:" not in lines:
        return []
    out = []
    for line in lines[lines.index(f"{title}:") + 1 :]:
        if not line.startswith("  "):
            break
        out.append(line.strip())
    return out

"""Elasticsearch outages, on a real node this test stops and starts again (same port, same data).

One story, in order:
1. `imr-search index` runs in a subprocess and the web app serves the index meanwhile (a real
   werkzeug server on loopback);
2. Elasticsearch stops in the middle of the indexing: the indexer is frozen (SIGSTOP) while
   the node shuts down so the outage surely lands mid-run, then resumed; it must exit non-zero
   with one clear message naming the index, and no traceback;
3. while the node is down every page answers 503 (plain page, Retry-After) and every API
   address a 503 JSON error, never a 500;
4. the node comes back: the same app answers 200 again by itself (no restart, no reload);
5. the same `imr-search index` command completes, and the index holds exactly the generator's
   ground truth: nothing lost, nothing duplicated.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from search_ui import create_app
from synthetic.corpus import write_corpus

from .esnode import RestartableNode
from .helpers import (
    drop_index,
    finish_or_dump,
    ground_truth,
    http_get,
    index_command,
    progress,
    run_cli,
    serve,
    snapshot,
)

LETTERS = 500
SEED = 4242
DOWN_PAGES = ["/search?q=knee", "/", "/item/{item}", "/similar?text=knee+pain"]
DOWN_API = [
    "/api/search?q=knee",
    "/api/facets",
    "/api/items/{item}",
    "/api/health",
    "/export.csv?q=knee",
]


def _wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.elasticsearch
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_outage_mid_index_then_restart_loses_nothing(
    restartable_node: RestartableNode, tmp_path: Path
) -> None:
    node = restartable_node
    target = f"{node.start()}/imr-faults-{uuid.uuid4().hex[:8]}"
    letters = tmp_path / "letters"
    write_corpus(letters, LETTERS, seed=SEED)
    truth = ground_truth(LETTERS, SEED)
    item = sorted(truth)[0]
    command = index_command(
        [letters], target, tmp_path / "report.txt", "--workers", "2", "--batch-items", "40"
    )
    app = create_app({"IMR_SEARCH_INDEX": target})
    try:
        with serve(app) as base:
            # 1. Indexing runs; the app serves what is there.
            indexer = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            try:
                _wait_for(
                    lambda: progress(target) >= len(truth) // 5 or indexer.poll() is not None,
                    180,
                    "the indexer to write a fifth of the items",
                )
                assert indexer.poll() is None, "the indexer finished before the outage"
                status, _, body = http_get(f"{base}/api/search?q=knee")
                assert status == 200, body[:500]

                # 2. The node stops in the middle of the run.
                os.killpg(indexer.pid, signal.SIGSTOP)
                node.stop()
                os.killpg(indexer.pid, signal.SIGCONT)
                out, err = finish_or_dump(indexer, timeout=180, after="the outage")
            finally:
                if indexer.poll() is None:
                    os.killpg(indexer.pid, signal.SIGKILL)
                    indexer.wait()
            output = out + err
            assert indexer.returncode != 0, output
            assert "Traceback" not in output, output
            assert target in output and "not available" in output, output
            assert "cannot reach Elasticsearch" in output or "Elasticsearch" in output, output
            assert len([line for line in err.splitlines() if line.strip()]) <= 3, err

            # 3. While it is down: 503 everywhere, never a 500.
            for template in DOWN_PAGES + DOWN_API:
                path = template.format(item=item)
                status, headers, body = http_get(base + path)
                assert status == 503, (path, status, body[:300])
                assert headers.get("Retry-After"), path
                text = body.decode("utf-8", "replace")
                assert "Traceback" not in text and "elastic_transport" not in text, path
                if template in DOWN_API:
                    assert json.loads(body)["error"]["message"].strip(), path
                else:
                    assert "not available" in text, path

            # 4. Back up: the same app recovers by itself.
            node.start()
            seen: set[int] = set()

            def answers() -> bool:
                status, _, _ = http_get(f"{base}/api/search?q=knee")
                seen.add(status)
                return status == 200

            _wait_for(answers, 180, "the app to answer 200 again")
            assert seen <= {200, 503}, seen
            for template in DOWN_PAGES + DOWN_API[:2]:
                path = template.format(item=item)
                status, _, body = http_get(base + path)
                # The item may not be indexed yet: 404 is an answer, not an outage.
                assert status in (200, 404) if "{item}" in template else status == 200, (
                    path,
                    status,
                    body[:300],
                )

        # 5. The same command again completes the index: nothing lost, nothing doubled.
        rerun = run_cli(command)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        state = snapshot(target)
        assert state is not None
        assert len(state.ids) == len(state.id_set) == state.count == len(truth)
        assert state.outcomes == truth
        assert len(state.sources) == LETTERS
    finally:
        app.extensions["imr_search_engine"].close_all()
        if node.running:
            drop_index(target)

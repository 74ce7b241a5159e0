"""Crash safety: `imr-search index` killed (SIGKILL) at random moments, then run again, ends
with exactly the index a clean run gives: same item ids, counts, facet counts, fingerprints.

The index command runs in a subprocess with small batches (many transactions to land in) and
worker processes; kills land during the walk, between and inside batch transactions, and in
finish() (postings, optimize, term statistics).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imr_search.contract import SearchRequest, SimilarRequest
from imr_search.engines import open_engine
from synthetic.corpus import write_corpus

LETTERS = 600
KILLS = 6


def _index_command(letters: Path, target: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from imr_cli.main import main; main()",
        "index",
        str(letters),
        "--index",
        str(target),
        "--workers",
        "2",
        "--batch-items",
        "40",
        "--report",
        str(target) + ".report.txt",
    ]


def _state(target: Path) -> tuple:
    engine = open_engine(str(target))
    try:
        ids: list[str] = []
        page = 1
        while True:
            response = engine.search(
                SearchRequest(per_page=100, page=page, sort="date", facet_size=100)
            )
            ids += [h.id for h in response.hits]
            if len(ids) >= response.total or not response.hits:
                break
            page += 1
        facets = {k: [(v.value, v.count) for v in vs] for k, vs in response.facets.items()}
        knee = engine.search(SearchRequest(query="knee", filters={"outcome": ["Upheld"]}))
        return (
            engine.count(),
            sorted(ids),
            len(set(ids)),
            facets,
            knee.total,
            dict(engine.indexed_sources()),
        )
    finally:
        engine.close()


@pytest.mark.slow
def test_killed_runs_end_with_the_clean_index(tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    write_corpus(letters, LETTERS, seed=5)
    clean = tmp_path / "clean.sqlite3"
    subprocess.run(_index_command(letters, clean), check=True, capture_output=True)
    expected = _state(clean)
    assert expected[0] > LETTERS and expected[2] == expected[0]

    crashed = tmp_path / "crashed.sqlite3"
    started = time.perf_counter()
    subprocess.run(
        _index_command(letters, tmp_path / "timing.sqlite3"), check=True, capture_output=True
    )
    full_run = time.perf_counter() - started
    rng = random.Random(1234)
    counts = []
    for _ in range(KILLS):
        process = subprocess.Popen(
            _index_command(letters, crashed),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.1, full_run * 0.5))
        os.killpg(process.pid, signal.SIGKILL)  # the command and its worker processes
        process.wait()
        if crashed.exists():  # a killed state is readable and consistent on its own
            partial = _state(crashed)
            assert partial[2] == partial[0] <= expected[0]
            counts.append(partial[0])
    assert any(0 < n < expected[0] for n in counts), (counts, full_run)  # kills landed mid-run
    result = subprocess.run(_index_command(letters, crashed), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _state(crashed) == expected
    engine = open_engine(str(crashed))
    try:
        some = expected[1][0]
        assert engine.similar(SimilarRequest(item_id=some, k=3))
    finally:
        engine.close()

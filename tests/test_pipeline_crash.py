"""Crash safety: `imr-search index` killed (SIGKILL) at random moments, then run again, ends
with exactly the index a clean run gives: same item ids, counts, facet counts, fingerprints.

The index command runs in a subprocess with small batches (many transactions to land in) and
worker processes; kills land during the walk, between and inside batch transactions, and in
finish() (postings, optimize, term statistics). Each kill is aimed at one of the command's
progress lines ($IMR_SEARCH_PROGRESS_LINES), never at a time: it lands where it was aimed
however loaded the machine is.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from imr_search.contract import SearchRequest, SimilarRequest
from imr_search.engines import open_engine
from synthetic.corpus import write_corpus

LETTERS = 600
KILLS = 6
BATCH = 40


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
        str(BATCH),
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


def _kill_on(command: list[str], wanted: str) -> bool:
    """Run the command; SIGKILL it and its workers as soon as it prints the progress line
    `wanted`. True if the kill landed (it was still running)."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the command and its worker processes: one group
        env={**os.environ, "IMR_SEARCH_PROGRESS_LINES": "1"},
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if wanted in line:
                os.killpg(process.pid, signal.SIGKILL)
                break
        process.wait(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_killed_runs_end_with_the_clean_index(tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    write_corpus(letters, LETTERS, seed=5)
    clean = tmp_path / "clean.sqlite3"
    subprocess.run(_index_command(letters, clean), check=True, capture_output=True)
    expected = _state(clean)
    assert expected[0] > LETTERS and expected[2] == expected[0]

    crashed = tmp_path / "crashed.sqlite3"
    rng = random.Random(1234)
    counts = []
    # The walk (as soon as the index is locked), batches (each kill at a random one of the
    # first half still missing), and finish().
    points = ["locked", *["batch"] * (KILLS - 2), "finishing"]
    for point in points:
        if point == "batch":
            missing = expected[0] - (_state(crashed)[0] if crashed.exists() else 0)
            point = f"batch {rng.randint(1, max(1, missing // BATCH // 2))} written"
        landed = _kill_on(_index_command(letters, crashed), point)
        if crashed.exists():  # a killed state is readable and consistent on its own
            partial = _state(crashed)
            assert partial[2] == partial[0] <= expected[0]
            if landed:
                counts.append(partial[0])
    assert sum(0 < n < expected[0] for n in counts) >= 2, counts  # kills landed mid-run
    result = subprocess.run(_index_command(letters, crashed), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _state(crashed) == expected
    engine = open_engine(str(crashed))
    try:
        some = expected[1][0]
        assert engine.similar(SimilarRequest(item_id=some, k=3))
    finally:
        engine.close()

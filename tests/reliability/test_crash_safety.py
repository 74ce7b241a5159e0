"""Crash safety, both engines: `imr-search index` killed with SIGKILL at seeded points, then run
again, ends with exactly the index a clean run gives, and that index is the generator's ground
truth: same ids, item count, outcomes, facet counts and source records.

tests/test_pipeline_crash.py covers SQLite on plain text letters; this runs the same ordeal
on both engines (for Elasticsearch a kill can land in index creation, between a batch's items
and its fingerprints, or while the bulk refresh interval is set) over a corpus with PDFs and
extraction noise. The command and its worker processes are killed as a group, as the OOM
killer or a power cut would. Kill points are the command's own progress lines
($IMR_SEARCH_PROGRESS_LINES: the engine locked, batch N written, finishing), never a timer:
however loaded the machine, a kill planned mid-run lands mid-run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from imr_search.engines import engine_class
from synthetic.corpus import write_corpus

from .helpers import PROGRESS_LINES, drop_index, ground_truth, index_command, run_cli, snapshot

LETTERS = 500
SEED = 606
KILLS = 5
BATCH = 40
FLAGS = ("--workers", "2", "--batch-items", str(BATCH))  # many small transactions to land in


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("crash-corpus")
    write_corpus(out, LETTERS, seed=SEED, noise=0.3, pdf_fraction=0.1)
    return out


def sibling(target: str, name: str) -> str:
    """Another fresh index beside `target` (same engine, same node)."""
    if not engine_class(target).local_file:
        return f"{target}-{name}"
    path = Path(target)
    return str(path.with_name(f"{path.stem}-{name}{path.suffix}"))


@pytest.fixture
def targets(engine_target: str) -> Iterator[tuple[str, str]]:
    """(clean, crashed) index targets; Elasticsearch indices are dropped afterwards."""
    names = (sibling(engine_target, "clean"), sibling(engine_target, "crashed"))
    yield names
    for target in names:
        drop_index(target)


def _kill_on(command: list[str], wanted: str, timeout: float = 300) -> bool:
    """Start the command and SIGKILL its whole process group as soon as it prints the
    progress line `wanted`. True if the kill landed, False if the command ended first."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, **PROGRESS_LINES},
    )
    hung = threading.Event()

    def stop() -> None:
        hung.set()
        os.killpg(process.pid, signal.SIGKILL)

    watchdog = threading.Timer(timeout, stop)
    watchdog.start()
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if wanted in line:
                os.killpg(process.pid, signal.SIGKILL)
                break
        process.wait()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert not hung.is_set(), f"the indexer made no progress for {timeout:.0f} s"
    return process.returncode == -signal.SIGKILL


def kill_plan(rng: random.Random) -> list[tuple[str, float]]:
    """(phase, share) per kill: one in start-up (as soon as the engine is open and locked:
    index creation done, the first files being read), the others once a random share of the
    batches still missing is written (between and inside write transactions), the last as
    finishing begins (optimize or refresh, fingerprints being flushed)."""
    plan = [("locked", 0.0)]
    plan += [("batch", rng.uniform(0.05, 0.5)) for _ in range(KILLS - 2)]
    plan.append(("finishing", 1.0))
    return plan


def kill_point(phase: str, share: float, missing: int) -> str:
    """The progress line to kill on: for a batch, the one after `share` of the missing ones."""
    if phase != "batch":
        return phase
    batches = -(-missing // BATCH)
    return f"batch {max(1, min(batches - 1, round(share * batches)))} written"


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sigkilled_runs_then_a_rerun_give_the_clean_index(
    corpus: Path, targets: tuple[str, str], tmp_path: Path
) -> None:
    clean, crashed = targets
    truth = ground_truth(LETTERS, SEED)
    built = run_cli(index_command([corpus], clean, tmp_path / "clean.txt", *FLAGS))
    assert built.returncode == 0, built.stdout + built.stderr
    expected = snapshot(clean)
    assert expected is not None
    assert expected.outcomes == truth  # the clean run itself is the generator's truth
    assert expected.count == len(expected.ids) == len(truth)

    command = index_command([corpus], crashed, tmp_path / "crashed.txt", *FLAGS)
    partial_counts: list[int] = []
    for phase, share in kill_plan(random.Random(SEED)):
        before = snapshot(crashed)
        missing = len(truth) - (before.count if before is not None else 0)
        landed = _kill_on(command, kill_point(phase, share, missing))
        partial = snapshot(crashed)
        if partial is None:  # killed before the index existed
            continue
        # A killed state is consistent on its own: no duplicates, nothing invented.
        assert len(partial.ids) == len(partial.id_set) == partial.count
        assert partial.id_set <= set(truth)
        assert all(truth[i] == o for i, o in partial.outcomes.items())
        if landed:
            partial_counts.append(partial.count)
    assert sum(0 < n < len(truth) for n in partial_counts) >= 2, partial_counts

    result = run_cli(command)
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot(crashed) == expected

    again = run_cli(command)  # and now there is nothing left to do
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 letters read, 0 items indexed" in again.stdout, again.stdout
    assert f"unchanged: {LETTERS:,}" in again.stdout, again.stdout
    assert snapshot(crashed) == expected

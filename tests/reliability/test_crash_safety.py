"""Crash safety, both engines: `imr-search index` killed with SIGKILL at random (seeded) moments,
then run again, ends with exactly the index a clean run gives, and that index is the
generator's ground truth: same ids, item count, outcomes, facet counts and source records.

tests/test_pipeline_crash.py covers SQLite on plain text letters; this runs the same ordeal
on both engines (for Elasticsearch a kill can land in index creation, between a batch's items
and its fingerprints, or while the bulk refresh interval is set) over a corpus with PDFs and
extraction noise. The command and its worker processes are killed as a group, as the OOM
killer or a power cut would.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from imr_search.engines import engine_class
from synthetic.corpus import write_corpus

from .helpers import drop_index, ground_truth, index_command, progress, run_cli, snapshot

LETTERS = 500
SEED = 606
KILLS = 5
FLAGS = ("--workers", "2", "--batch-items", "40")  # many small transactions to land in


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
def targets(engine_target: str) -> Iterator[tuple[str, str, str]]:
    """(clean, crashed, probe) index targets; Elasticsearch indices are dropped afterwards."""
    names = (
        sibling(engine_target, "clean"),
        sibling(engine_target, "crashed"),
        sibling(engine_target, "probe"),
    )
    yield names
    for target in names:
        drop_index(target)


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = run_cli(command)
    assert result.returncode == 0, result.stdout + result.stderr
    return time.perf_counter() - started


def _kill_when(
    command: list[str], ready: Callable[[], bool], jitter: float, timeout: float = 300
) -> bool:
    """Start the command; once `ready()` holds, wait `jitter` seconds and SIGKILL its whole
    process group. True if the kill landed, False if the command had finished first."""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None and not ready():
            assert time.monotonic() < deadline, "the indexer made no progress"
            time.sleep(0.02)
        process.wait(timeout=jitter)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def kill_plan(rng: random.Random, overhead: float) -> list[tuple[str, float, float]]:
    """(phase, share, jitter) per kill: one in start-up (engine opening, index creation), the
    others once a random share of the items still missing is written, plus a random delay
    (between and inside write transactions), the last once all are (finish: optimize or
    refresh, fingerprints being flushed)."""
    plan = [("start-up", 0.0, rng.uniform(0.3, 1.0) * overhead)]
    plan += [("writing", rng.uniform(0.05, 0.5), rng.uniform(0.0, 0.05)) for _ in range(KILLS - 2)]
    plan.append(("finish", 1.0, rng.uniform(0.0, 0.1)))
    return plan


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sigkilled_runs_then_a_rerun_give_the_clean_index(
    corpus: Path, targets: tuple[str, str, str], tmp_path: Path
) -> None:
    clean, crashed, probe = targets
    truth = ground_truth(LETTERS, SEED)
    # How long start-up takes (imports, workers, opening the engine), to aim one kill at it.
    (tmp_path / "nothing").mkdir()
    overhead = _timed(index_command([tmp_path / "nothing"], probe, tmp_path / "probe.txt", *FLAGS))
    _timed(index_command([corpus], clean, tmp_path / "clean.txt", *FLAGS))
    expected = snapshot(clean)
    assert expected is not None
    assert expected.outcomes == truth  # the clean run itself is the generator's truth
    assert expected.count == len(expected.ids) == len(truth)

    command = index_command([corpus], crashed, tmp_path / "crashed.txt", *FLAGS)
    partial_counts: list[int] = []
    for _phase, share, jitter in kill_plan(random.Random(SEED), overhead):
        done = progress(crashed)
        goal = done + share * (len(truth) - done) if share else 0
        landed = _kill_when(command, lambda g=goal: progress(crashed) >= g, jitter)
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

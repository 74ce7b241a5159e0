"""The supervised worker pool (indexer/workers.py) on tasks built to misbehave.

What must hold: a task past its deadline, past its memory ceiling, or whose worker dies is
reported with a reason saying which, a fresh worker takes its place, and the other tasks run
meanwhile at full speed (they all finish before the stuck one's deadline); the task iterable
is read no further ahead of the consumer than the window (flat memory); one worker keeps the
order. The task function runs in forked workers, so it is an ordinary module function.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from indexer.workers import Done, Failed, Limits, WorkerPool

FAST = 200


def work(task: object) -> object:
    """Misbehaves as its task says; otherwise doubles it."""
    if task == "sleep":
        time.sleep(600)
    elif task == "spin":
        while True:
            pass
    elif task == "balloon":
        held = []
        while True:
            held.append(bytearray(32 * 1024 * 1024))
    elif task == "exit":
        os._exit(3)
    elif task == "abort":
        os.abort()
    elif task == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif task == "raise":
        raise ValueError("a bug")
    elif task == "slow":  # slower than a letter, within the deadline
        time.sleep(1.5)
        return task
    elif isinstance(task, float):  # a letter that takes a moment
        time.sleep(0.03)
        return int(task) * 2
    assert isinstance(task, int)
    return task * 2


def _run(
    tasks: list[object], workers: int, limits: Limits
) -> tuple[list[tuple[float, Done[object, object] | Failed[object]]], int]:
    started = time.monotonic()
    with WorkerPool(work, workers, limits) as pool:
        seen = [(time.monotonic() - started, o) for o in pool.imap_unordered(tasks)]
        return seen, pool.restarts


def _failures(seen: list[tuple[float, object]]) -> dict[object, str]:
    return {o.task: o.reason for _, o in seen if isinstance(o, Failed)}


def _doubled(seen: list[tuple[float, object]]) -> list[int]:
    return sorted(o.value for _, o in seen if isinstance(o, Done) and isinstance(o.value, int))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("stuck", ["sleep", "spin"])
def test_a_stuck_task_is_stopped_at_its_deadline_while_the_rest_run(stuck: str) -> None:
    limits = Limits(seconds=3, memory_mb=None)
    seen, restarts = _run([stuck, *range(FAST)], 2, limits)
    assert _doubled(seen) == [2 * n for n in range(FAST)]
    assert "longer than 3 s" in _failures(seen)[stuck]
    done_at = max(at for at, o in seen if isinstance(o, Done))
    failed_at = next(at for at, o in seen if isinstance(o, Failed))
    assert done_at < limits.seconds <= failed_at < limits.seconds + 3, (done_at, failed_at)
    assert restarts == 1


@pytest.mark.timeout(60)
def test_a_task_past_its_memory_ceiling_is_stopped() -> None:
    seen, restarts = _run(["balloon", *range(FAST)], 2, Limits(seconds=30, memory_mb=256))
    assert _doubled(seen) == [2 * n for n in range(FAST)]
    assert "256 MB" in _failures(seen)["balloon"]
    assert seen[-1][0] < 20  # stopped by the ceiling, long before the deadline
    assert restarts == 1


@pytest.mark.timeout(60)
def test_a_worker_that_dies_is_replaced_and_its_task_named() -> None:
    tasks: list[object] = ["exit", *range(50), "abort", *range(50, 100), "kill", "raise"]
    tasks += list(range(100, FAST))
    seen, restarts = _run(tasks, 2, Limits(seconds=30, memory_mb=512))
    assert _doubled(seen) == [2 * n for n in range(FAST)]
    reasons = _failures(seen)
    assert set(reasons) == {"exit", "abort", "kill", "raise"}, reasons
    assert "exit status 3" in reasons["exit"]
    assert "SIGABRT" in reasons["abort"] and "512 MB" in reasons["abort"]
    assert "SIGKILL" in reasons["kill"]
    assert "ValueError: a bug" in reasons["raise"]
    assert restarts == 3  # a task that raises does not cost its worker


@pytest.mark.timeout(60)
def test_a_task_moved_off_a_slow_worker_is_run_and_blamed_once() -> None:
    # "spin" is queued behind "slow" on the first worker; "slow" takes long enough for "spin"
    # to move to another worker, and finishes while tasks remain: its worker must skip "spin",
    # not run it too and die blaming the task it was given next.
    tasks: list[object] = ["slow", 0.0, "spin", *map(float, range(1, FAST))]
    seen, restarts = _run(tasks, 2, Limits(seconds=3, memory_mb=None))
    assert _doubled(seen) == [2 * n for n in range(FAST)]
    assert [o.value for _, o in seen if isinstance(o, Done) and o.task == "slow"] == ["slow"]
    assert list(_failures(seen)) == ["spin"]
    assert [o.task for _, o in seen].count("spin") == 1
    assert restarts == 1


@pytest.mark.timeout(60)
def test_the_tasks_are_read_no_further_ahead_than_the_window() -> None:
    taken = 0

    def tasks() -> Iterator[int]:
        nonlocal taken
        for n in range(2000):
            taken += 1
            yield n

    ahead = []
    with WorkerPool(work, 2, Limits(seconds=30), window=50) as pool:
        for consumed, _ in enumerate(pool.imap_unordered(tasks()), start=1):
            ahead.append(taken - consumed)
            if consumed % 100 == 0:
                time.sleep(0.05)  # a slow consumer (a batch being written)
    assert len(ahead) == 2000
    assert max(ahead) <= 50, max(ahead)


@pytest.mark.timeout(60)
def test_one_worker_keeps_the_order_across_a_replacement() -> None:
    tasks: list[object] = [1, 2, "exit", 3, 4, "sleep", 5, *range(6, 40)]
    seen, _ = _run(tasks, 1, Limits(seconds=1, memory_mb=None))
    assert [o.task for _, o in seen] == tasks

"""A small supervised worker pool: every task runs under a deadline and a memory ceiling.

multiprocessing.Pool cannot stop one task: a file that makes the PDF reader loop or swell
holds its worker (and, with imap, every result after it) for as long as it likes. Here the
parent owns N worker processes, each fed a few tasks at a time over its own pipe, and:

    deadline  each worker arms a real-time timer per task; SIGALRM, left at its default
              action, ends the process even inside C code. The parent also kills a worker
              whose task overran by a margin (a backstop: a timer cannot end a process stuck
              in the kernel, and the parent's own estimate of when a task began is late).
    memory    RLIMIT_AS caps a worker's address space at its size when it started plus a
              budget (indexer.process_limits): Python raises MemoryError, pdfium aborts;
              either way that task fails.
    death     a worker that dies (deadline, out of memory, crash, killed) has its current
              task reported with the reason; the tasks queued behind it go to a fresh worker.
              Workers announce each task as they start it, so the task blamed is the one
              that was running, never one queued behind it or moved to another worker.

Outcomes come back as tasks complete, not in submission order, so one slow task never holds
back the others (with one worker they do come back in order). At most `window` tasks are
between the iterable and the consumer, so memory stays flat however many tasks there are.
A thread of the parent runs the pool, as multiprocessing.Pool's own threads do, so workers go
on while the consumer is busy (writing a batch); it also consumes the task iterable, and hands
the consumer the outcomes of each wake-up together (one wake-up of the consumer, not one each).
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import os
import queue
import select
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from indexer.process_limits import limit_memory

T = TypeVar("T")
R = TypeVar("R")

FILE_SECONDS = 30.0  # real letters take well under a second
FILE_MEMORY_MB = 1024  # address space a worker may grow by (real letters: a few MB)
# Tasks sent to a worker ahead: it never waits on the parent between tasks, and behind a
# stuck task at most one other waits (then goes to a fresh worker).
DEPTH = 2
GRACE_SECONDS = 5.0  # the parent's backstop kills a worker this long after its own timer
# A task running longer than this is slow: the tasks queued behind it go to other workers
# (a real letter takes milliseconds). Should the slow one finish, its worker's replies for
# them are dropped: the first reply for a task counts, it is never reported twice.
SLOW_SECONDS = 1.0
_POLL_SECONDS = 0.1  # the pool thread looks at `stop` and the window at least this often
_SIGNAL_NAMES = {number.value: number.name for number in signal.Signals}


@dataclass(frozen=True)
class Limits:
    """What one task may take: wall-clock seconds, and MB of memory (None: no limit)."""

    seconds: float = FILE_SECONDS
    memory_mb: int | None = FILE_MEMORY_MB


@dataclass(frozen=True)
class Done(Generic[T, R]):
    task: T
    value: R


@dataclass(frozen=True)
class Failed(Generic[T]):
    """A task the worker could not finish; `reason` says why, for a person."""

    task: T
    reason: str


# --- the worker process ---------------------------------------------------------------------


def _serve(conn: Connection, function: Callable[[Any], Any], limits: Limits) -> None:
    """A worker: run tasks from `conn` until it closes, each under the limits.

    Messages in: ("tasks", None, [(seq, task), ...]) (those sent together: one message),
    ("cancel", seq, None) (the task went to another worker: skip it), None (stop). Out:
    ("start", seq) before a task, ("done", seq, status, value, next) after it, where `next`
    is the task started right after it (already there) or None: one message, one wake-up of
    the parent per task."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, once
    faulthandler.disable()  # a reader crash is reported as the file's failure, not dumped
    if hasattr(signal, "SIGALRM"):
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the deadline ends the process
    limit_memory(limits.memory_mb)
    inbox: deque[tuple[int, Any]] = deque()
    cancelled: set[int] = set()
    done: tuple[int, str, Any] | None = None  # the task just run (seq, status, value): unsent
    while True:
        try:  # take every message there; wait only when idle with nothing to report
            while (not inbox and done is None) or _readable(conn):
                message = conn.recv()
                if message is None:
                    return
                kind, seq, tasks = message
                if kind == "cancel":
                    cancelled.add(seq)
                else:
                    inbox.extend(tasks)
        except (EOFError, OSError):  # the parent has gone: so do we
            return
        while inbox and inbox[0][0] in cancelled:
            cancelled.discard(inbox.popleft()[0])
        seq, task = inbox.popleft() if inbox else (None, None)
        if done is not None:
            if not _send(conn, ("done", *done, seq)):
                return
            done = None
        elif seq is not None and not _send(conn, ("start", seq)):
            return
        if seq is None:
            continue
        _arm(limits.seconds)
        try:
            done = (seq, "ok", function(task))
        except MemoryError:
            done = (seq, "memory", None)
        except Exception as exc:
            done = (seq, "error", f"{type(exc).__name__}: {exc}")
        finally:
            _arm(0)
        if done[1] == "memory":  # a process that ran out of memory is not trusted further
            _send(conn, ("done", *done, None))
            return


def _send(conn: Connection, message: tuple[Any, ...]) -> bool:
    """Send a message; False once the parent is gone. A task's value that cannot be pickled
    is sent as its error."""
    try:
        conn.send(message)
    except (EOFError, OSError):
        return False
    except Exception as exc:
        why = f"cannot send the result back ({type(exc).__name__})"
        return _send(conn, (*message[:2], "error", why, *message[4:]))
    return True


def _readable(conn: Connection) -> bool:
    """Whether a message (or the end of the pipe) is there to read, without waiting: one
    select() call, where Connection.poll() builds a selector each time. Raises OSError once
    the conn is closed, as poll() does."""
    if os.name != "posix":
        return conn.poll()
    return bool(select.select((conn,), (), (), 0)[0])


def _arm(seconds: float) -> None:
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, seconds)


# --- the parent side ------------------------------------------------------------------------


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process (of the pool's context)
    conn: Connection
    queued: deque[tuple[int, Any]] = field(default_factory=deque)  # sent, in order
    head_since: float = 0.0  # when the first queued task began, at the earliest
    running: int | None = None  # the task it said it started and has not finished
    overdue: bool = False  # killed by the parent's backstop
    retiring: bool = False  # ran out of memory: it leaves, its queued tasks go elsewhere


class WorkerPool(Generic[T, R]):
    """`workers` processes running `function` (module-level: it is pickled by name). With
    `linger` (seconds), a reply is handled that much later, with those that came meanwhile,
    while every busy worker holds over half its `depth` of tasks: one wake-up of the pool
    thread (as costly as parsing a small letter) then serves several quick tasks."""

    def __init__(
        self,
        function: Callable[[T], R],
        workers: int,
        limits: Limits | None = None,
        *,
        window: int | None = None,
        depth: int = DEPTH,
        linger: float = 0.0,
    ) -> None:
        self.function = function
        self.size = max(1, workers)
        self.limits = limits or Limits()
        self.depth = max(1, depth)
        self.window = max(window or 0, self.size * self.depth * 2)
        self.linger = linger
        method = "fork" if hasattr(os, "fork") else "spawn"
        self._context: Any = multiprocessing.get_context(method)
        self._workers: list[_Worker] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.restarts = 0  # workers replaced (tests, diagnostics)

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> WorkerPool[T, R]:
        """Start the workers now (before the caller opens files or connections to fork)."""
        while len(self._workers) < self.size:
            self._workers.append(self._spawn())
        return self

    def close(self) -> None:
        """Stop the pool thread and every worker (waiting briefly for idle ones to leave)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        workers, self._workers = self._workers, []
        for worker in workers:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        deadline = time.monotonic() + 1.0
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()

    def __enter__(self) -> WorkerPool[T, R]:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve, args=(child, self.function, self.limits), daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    # --- running -------------------------------------------------------------------------

    def imap_unordered(self, tasks: Iterable[T]) -> Iterator[Done[T, R] | Failed[T]]:
        """Outcomes of `tasks` as they complete. An error raised by the task iterable is
        raised here; leaving the loop early stops the pool (close())."""
        if self._thread is not None:
            raise RuntimeError("a WorkerPool runs one imap_unordered at a time")
        self.start()
        outcomes: queue.SimpleQueue[Any] = queue.SimpleQueue()
        slots = threading.Semaphore(self.window)
        self._thread = threading.Thread(
            target=self._run, args=(iter(tasks), outcomes, slots), name="imr-workers", daemon=True
        )
        self._thread.start()
        finished = False
        try:
            while True:
                try:  # a timeout, so that Ctrl-C is seen while waiting
                    outcome = outcomes.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    continue
                if outcome is _END:
                    finished = True
                    return
                if isinstance(outcome, _Raised):
                    raise outcome.error
                for done in outcome:  # the outcomes one wake-up of the pool thread read
                    slots.release()
                    yield done
        finally:
            self._stop.set()
            self._thread.join()
            self._thread = None
            if not finished:  # workers still hold tasks of this run: none may outlive it
                self.close()
            self._stop.clear()

    def _run(self, tasks: Iterator[T], outcomes: Any, slots: threading.Semaphore) -> None:
        """The pool thread: feed workers, collect outcomes, enforce deadlines."""
        try:
            self._loop(tasks, outcomes, slots)
        except BaseException as error:  # hand it to the consumer, which raises it
            outcomes.put(_Raised(error))
        else:
            outcomes.put(_END)

    def _loop(self, tasks: Iterator[T], outcomes: Any, slots: threading.Semaphore) -> None:
        pending: deque[tuple[int, T]] = deque()
        seq = 0
        exhausted = False
        while not self._stop.is_set():
            room = sum(self.depth - len(w.queued) for w in self._workers) - len(pending)
            while not exhausted and room > 0 and slots.acquire(blocking=False):
                try:
                    task = next(tasks)
                except StopIteration:
                    slots.release()
                    exhausted = True
                    break
                pending.append((seq, task))
                seq += 1
                room -= 1
            self._assign(pending)
            busy = [w for w in self._workers if w.queued]
            if exhausted and not pending and not busy:
                return
            ready = wait(
                [w.conn for w in busy] + [w.process.sentinel for w in busy],
                timeout=self._timeout(busy),
            )
            if ready and self.linger and all(len(w.queued) > self.depth // 2 for w in busy):
                time.sleep(self.linger)  # more replies come meanwhile: all read below
            now = time.monotonic()
            batch: list[Done[T, R] | Failed[T]] = []  # handed over at once: one wake-up
            for worker in list(self._workers):  # of the consumer, not one per outcome
                self._collect(worker, ready, now, pending, batch)
            if batch:
                outcomes.put(batch)

    def _assign(self, pending: deque[tuple[int, T]]) -> None:
        """Send pending tasks to the least loaded workers, up to `depth` each, in order;
        none to a worker stuck on a slow task (while another could take them). Each worker
        gets its tasks in one message: one pickling and one pipe write, not one per task."""
        batches: dict[int, list[tuple[int, T]]] = {}  # worker's position -> its new tasks
        while pending:
            now = time.monotonic()
            ready = [w for w in self._workers if not self._slow(w, now)] or self._workers
            worker = min(ready, key=lambda w: len(w.queued))
            if len(worker.queued) >= self.depth:
                break
            seq, task = pending.popleft()
            if not worker.queued:
                worker.head_since = time.monotonic()
            worker.queued.append((seq, task))
            batches.setdefault(self._workers.index(worker), []).append((seq, task))
        for index, batch in batches.items():
            with contextlib.suppress(OSError, ValueError):  # it died: _collect handles it
                self._workers[index].conn.send(("tasks", None, batch))

    def _slow(self, worker: _Worker, now: float) -> bool:
        """Busy with one task for longer than a letter takes (with another worker to help)."""
        return self.size > 1 and bool(worker.queued) and now - worker.head_since > SLOW_SECONDS

    def _timeout(self, busy: list[_Worker]) -> float:
        """Until the nearest backstop deadline, at most _POLL_SECONDS."""
        now = time.monotonic()
        limit = self.limits.seconds + GRACE_SECONDS
        nearest = min((w.head_since + limit - now for w in busy), default=_POLL_SECONDS)
        return max(0.0, min(_POLL_SECONDS, nearest))

    def _collect(
        self,
        worker: _Worker,
        ready: list[Any],
        now: float,
        pending: deque[tuple[int, T]],
        outcomes: list[Done[T, R] | Failed[T]],
    ) -> None:
        """Take a worker's replies (onto `outcomes`); move the tasks queued behind a slow one
        to other workers; replace a worker that died or overran its deadline."""
        if worker.conn in ready or worker.process.sentinel in ready:
            with contextlib.suppress(EOFError, OSError):
                while _readable(worker.conn):
                    self._receive(worker, worker.conn.recv(), now, outcomes)
                    if worker.retiring:
                        break
        if self._slow(worker, now) and len(worker.queued) > 1:
            head = worker.queued.popleft()
            for seq, _ in worker.queued:
                with contextlib.suppress(OSError, ValueError):
                    worker.conn.send(("cancel", seq, None))
            pending.extendleft(reversed(worker.queued))
            worker.queued = deque([head])
        if worker.retiring:
            worker.process.join(1.0)
            if worker.process.is_alive():
                worker.process.kill()
        elif not worker.queued:
            if worker.process.is_alive():
                return
        elif worker.process.is_alive():
            if now - worker.head_since < self.limits.seconds + GRACE_SECONDS:
                return
            worker.overdue = True  # the backstop: its own timer did not end it
            worker.process.kill()
        worker.process.join()
        if not worker.retiring:
            with contextlib.suppress(EOFError, OSError):  # what it said before it died
                while _readable(worker.conn):
                    self._receive(worker, worker.conn.recv(), now, outcomes)
        culprit = worker.running
        if worker.queued and culprit is not None and worker.queued[0][0] == culprit:
            _, task = worker.queued.popleft()
            outcomes.append(Failed(task, self._death(worker)))
        pending.extendleft(reversed(worker.queued))  # the others go first, in order
        worker.conn.close()
        self._workers[self._workers.index(worker)] = self._spawn()
        self.restarts += 1

    def _receive(
        self,
        worker: _Worker,
        message: tuple[Any, ...],
        now: float,
        outcomes: list[Done[T, R] | Failed[T]],
    ) -> None:
        """One message from a worker: a task started, or a task done (its outcome) and
        perhaps the next one started."""
        if message[0] == "start":
            _started(worker, message[1], now)
            return
        _, seq, status, value, started = message
        worker.running = None
        if worker.queued and worker.queued[0][0] == seq:  # else it moved: theirs counts
            _, task = worker.queued.popleft()
            worker.head_since = now
            outcomes.append(self._outcome(task, status, value))
            if status == "memory":
                worker.retiring = True
        if started is not None:
            _started(worker, started, now)

    def _outcome(self, task: T, status: str, value: Any) -> Done[T, R] | Failed[T]:
        if status == "ok":
            return Done(task, value)
        if status == "memory":
            return Failed(task, self._memory_reason())
        return Failed(task, f"failure while reading it ({value})")

    def _memory_reason(self) -> str:
        return (
            f"needed more than {self.limits.memory_mb:,} MB of memory (the limit per file): "
            "stopped; check the file (a damaged or hostile PDF?)"
        )

    def _death(self, worker: _Worker) -> str:
        """Why a worker died, for the task it was running."""
        code = worker.process.exitcode
        alarm = getattr(signal, "SIGALRM", None)
        if worker.overdue or (alarm is not None and code == -alarm):
            return (
                f"took longer than {self.limits.seconds:g} s (the limit per file): stopped; "
                "check the file (a damaged or hostile PDF?)"
            )
        if code is not None and code < 0:
            name = _SIGNAL_NAMES.get(-code, f"signal {-code}")
            if -code == getattr(signal, "SIGKILL", -1):
                return (
                    f"the process reading it was killed ({name}; out of memory?): check the "
                    "file, or run again with fewer --workers"
                )
            limit = (
                f"needed more than the {self.limits.memory_mb:,} MB memory limit per file, or "
                if self.limits.memory_mb is not None
                else ""
            )
            return f"the PDF reader crashed on it ({name}): it {limit}the file is damaged"
        return f"the process reading it stopped (exit status {code}): check the file"


def _started(worker: _Worker, seq: int, now: float) -> None:
    """A worker said it started a task: the one to blame should it die now."""
    worker.running = seq
    if worker.queued and worker.queued[0][0] == seq:
        worker.head_since = now


class _Raised:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()

__all__ = ["FILE_MEMORY_MB", "FILE_SECONDS", "Done", "Failed", "Limits", "WorkerPool"]

"""The index-run lock of an index file: one index run at a time; readers are never blocked.

Two runs writing one file at once would each compute the next rows from what it last saw and
collide. So a run holds an exclusive lock on `<index>.lock` (beside the index) for its whole
length, and writes into it who holds it (pid, host, start), for the message the next run
shows. Readers (the web app, `imr-search search`) never look at the lock.

The lock is a POSIX record lock (fcntl.lockf): the kernel releases it when the process ends,
however it ends (SIGKILL, OOM killer), so the file a killed run leaves behind locks nothing.
Record locks are not inherited by forked worker processes either, which flock's would be (an
orphaned worker would hold the index). They are per process, so this module refuses a second
run of the same process on the same file itself. Network filesystems: lockf goes through the
NFS lock manager (NFSv3 lockd, NFSv4 built in); without one the lock fails (ENOLCK) and the run
says so rather than going on unguarded. Where fcntl is missing (Windows), msvcrt.locking locks
the first byte of the file instead.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import threading
import time
from collections.abc import Iterator

from imr_search.errors import IndexBusy, StorageError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

_HELD: set[str] = set()  # lock files held by this process
_HELD_LOCK = threading.Lock()
_BUSY = (errno.EACCES, errno.EAGAIN, getattr(errno, "EDEADLK", errno.EAGAIN))


def lock_path(index: str) -> str:
    return index + ".lock"


@contextlib.contextmanager
def hold(index: str) -> Iterator[None]:
    """Hold the run lock of the index file `index` (IndexBusy if another run holds it)."""
    path = lock_path(index)
    key = os.path.realpath(path)
    with _HELD_LOCK:
        if key in _HELD:
            raise IndexBusy(index, f"pid {os.getpid()}, this same process")
        _HELD.add(key)
    try:
        fd = _open(path, index)
        try:
            _lock(fd, path, index)
            _write_holder(fd)
            yield
        finally:
            os.close(fd)  # releases the lock
    finally:
        with _HELD_LOCK:
            _HELD.discard(key)


def _open(path: str, index: str) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StorageError(
            index,
            f"cannot create the lock file {path} ({exc.strerror or exc}): make its folder "
            "writable for this user, or give another --index",
        ) from None


def _lock(fd: int, path: str, index: str) -> None:
    try:
        if fcntl is not None:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        if exc.errno in _BUSY:
            raise IndexBusy(index, _holder(path)) from None
        raise StorageError(
            index,
            f"cannot lock {path} ({exc.strerror or exc}): the filesystem does not support "
            "locks (NFS without a lock manager?); keep the index on a local disk",
        ) from None


def _write_holder(fd: int) -> None:
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
    text = f"pid {os.getpid()} on {socket.gethostname()} since {since}\n".encode()
    with contextlib.suppress(OSError):  # the lock holds without it; the message says less
        os.ftruncate(fd, 0)
        os.pwrite(fd, text, 0) if hasattr(os, "pwrite") else os.write(fd, text)


def _holder(path: str) -> str:
    """Who holds the lock, as its holder wrote it."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read(200).strip()
    except OSError:
        text = ""
    return text or "pid unknown"

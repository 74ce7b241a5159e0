"""The memory ceiling of a worker process (indexer.workers): its address space capped at its
size when it started plus a budget, so that a file which would take gigabytes fails alone."""

from __future__ import annotations

import contextlib
import re


def limit_memory(megabytes: int | None) -> None:
    """Cap the address space at its current size plus `megabytes`; no core files."""
    try:
        import resource
    except ImportError:  # not on this platform: the deadline still holds
        return
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if megabytes is None or not hasattr(resource, "RLIMIT_AS"):
        return
    limit = address_space() + megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def address_space() -> int:
    """This process's virtual size in bytes (0 where /proc is not there)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            found = re.search(r"^VmSize:\s+(\d+) kB", status.read(), re.MULTILINE)
    except OSError:
        return 0
    return int(found.group(1)) * 1024 if found else 0


__all__ = ["address_space", "limit_memory"]

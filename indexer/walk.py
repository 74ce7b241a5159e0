"""Finding the letter files under the paths given, and saying what was not walked and why.

Folders are walked recursively, in sorted order, for .txt and .pdf files (any case), skipping
hidden files and folders; memory holds one folder listing at a time (and the names of the
folders walked). Paths given are taken as given: a file, a link or a FIFO named on the
command line is read (and refused by the reader if it is no letter file).

Symbolic links met in the walk are followed when they lead inside the folders given, and only
then: the run covers the tree the user named, never a tree a link drags in from elsewhere
(another user's folder, `/`). Each real folder is walked once, so a link can neither loop nor
double a folder; a file linked under a second name is read under both names and indexed once
(the second is a duplicate of the first, as for a copy). A link leading outside is reported as
skipped with its target, and a link that leads nowhere (broken, a loop) is yielded so that
reading it says why.

A folder that cannot be listed is a failure, reported (`Unwalked(failed=True)`), never an
empty folder: an index run keeps, rather than prunes, what it had indexed under it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

LETTER_SUFFIXES: tuple[str, ...] = (".txt", ".pdf")


@dataclass(frozen=True)
class Unwalked:
    """A path the walk did not enter: a failure (a folder it cannot read) or skipped."""

    path: str
    reason: str
    failed: bool


def walk_letter_files(paths: Iterable[str | Path]) -> Iterator[Path | Unwalked]:
    """Letter files under `paths` (each once), and what was not walked (see the module)."""
    for found in walk_letter_names(paths):
        yield Path(found) if isinstance(found, str) else found


def walk_letter_names(paths: Iterable[str | Path]) -> Iterator[str | Unwalked]:
    """`walk_letter_files` with each file as its name, as str(Path) would write it: no Path
    object per file (building and hashing one cost more than finding the file)."""
    given = [Path(raw) for raw in paths]
    roots = tuple(os.path.realpath(path) for path in given if _is_dir(path))
    walked: set[str] = set()
    seen: set[str] | None = set() if len(given) > 1 else None  # overlap needs more than one
    for path in given:
        if _is_dir(path):
            found: Iterator[str | Unwalked] = _walk(
                str(path), os.path.realpath(path), roots, walked
            )
        else:
            found = iter((str(path),))
        for candidate in found:
            if seen is not None and isinstance(candidate, str):
                if candidate in seen:
                    continue
                seen.add(candidate)
            yield candidate


def iter_letter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The letter files of `walk_letter_files`, without the paths it did not walk."""
    for found in walk_letter_files(paths):
        if isinstance(found, Path):
            yield found


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):  # missing, a loop, no permission: read as a file, reported
        return False


def _walk(
    folder: str, real: str, roots: Sequence[str], walked: set[str]
) -> Iterator[str | Unwalked]:
    if real in walked:  # reached again through a link (or a loop): walked once already
        return
    walked.add(real)
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        yield Unwalked(
            folder,
            f"cannot read this folder ({exc.strerror or exc}): make it readable and run "
            "again (nothing under it was read, and nothing indexed under it was pruned)",
            failed=True,
        )
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        letter = os.path.splitext(entry.name)[1].lower() in LETTER_SUFFIXES
        name = entry.name if folder == os.curdir else entry.path  # as str(Path) writes it
        if entry.is_symlink():
            yield from _link(entry, name, letter, roots, walked)
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(name, os.path.join(real, entry.name), roots, walked)
        elif letter and _is_regular(entry):
            yield name


def _link(
    entry: os.DirEntry[str], name: str, letter: bool, roots: Sequence[str], walked: set[str]
) -> Iterator[str | Unwalked]:
    """Follow a link inside the roots; report one leading outside; yield a broken one."""
    try:
        target = os.path.realpath(entry.path, strict=True)
        mode = os.stat(target).st_mode
    except (OSError, ValueError):  # broken, or a loop: reading it reports why
        if letter:
            yield name
        return
    is_dir = stat.S_ISDIR(mode)
    if not (is_dir or letter):
        return
    if not any(_inside(target, root) for root in roots):
        yield Unwalked(
            entry.path,
            f"symbolic link to {target}, outside the folders given: not followed (give "
            f"{target} too, to read it)",
            failed=False,
        )
    elif is_dir:
        yield from _walk(name, target, roots, walked)
    elif stat.S_ISREG(mode):
        yield name


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep)


def _is_regular(entry: os.DirEntry[str]) -> bool:
    """A regular file: FIFOs, sockets and devices are not letters (reading a FIFO blocks)."""
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


__all__ = [
    "LETTER_SUFFIXES",
    "Unwalked",
    "iter_letter_files",
    "walk_letter_files",
    "walk_letter_names",
]

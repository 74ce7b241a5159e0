"""The index run: letter files in, an up-to-date index out (any engine, through `Engine`).

    lock      Engine.index_run_lock, held for the whole run: one run per index at a time
              (another is refused with who holds it; readers are never blocked)
    walk      indexer.walk: files and folders, sorted, streamed; a folder that cannot be
              read is a failure, a link leading outside the paths given is skipped
    examine   in worker processes (indexer.workers: a deadline and a memory ceiling per
              file): read the file, fingerprint it (sha1 of the bytes plus the parser
              version), parse it only when the fingerprint differs from the index's
    write     in this process: each letter's documents (indexer.documents), in batches,
              through Engine.write (for SQLite one transaction per batch, fingerprints
              included: crash-safe)
    prune     with --prune: sources under the given paths whose file is gone are deleted;
              one whose file cannot be checked (under a folder that cannot be read) is kept
    finish    Engine.finish (optimize / refresh; it also redoes what a killed run left)

Memory stays flat: files are streamed to the workers with a bounded number in flight, and
only one batch of letters is held at a time. A broken file is reported and never stops the
run, nor does a file the workers had to stop (too slow, too big). A letter already indexed
from another file (same case number) is reported as a duplicate and skipped: the copy
written first stays (walk order within a batch; parsing runs in parallel, so a copy that
took far longer to read than its neighbours may come later), nothing is silently
overwritten. A storage fault (disk full, a damaged or read-only index) ends the run with one
message; what was committed stays. The summary is written to the report file however the
run ends, unless another run holds the index (the report is that run's).

With $IMR_SEARCH_PROGRESS_LINES set, the run prints a line to stderr at each step ("imr-search
progress: batch N written, M items"): tests kill runs on these instead of on timers.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imr_search.contract import Engine, SourceDocuments
from imr_search.engines import open_engine, resolve_target
from imr_search.errors import ImrSearchError, IndexBusy
from imr_search.plural import plural
from indexer.walk import Unwalked, walk_letter_files
from indexer.workers import Done, Failed, Limits, WorkerPool

BATCH_ITEMS = 1000  # items per write (one SQLite transaction, one Elasticsearch bulk round)
BATCH_LETTERS = 500
WINDOW = 128  # files in flight per worker (read ahead of the writes)
PRUNE_BATCH = 500
PROGRESS_ENV = "IMR_SEARCH_PROGRESS_LINES"

# (walk order, path, source key, known fingerprint, path as the documents show it)
Task = tuple[int, str, str, str | None, str]


# --- results --------------------------------------------------------------------------------


@dataclass
class IndexSummary:
    """What an index run did; `lines()` is the summary printed and written to the report."""

    target: str
    files: int = 0  # letter files seen
    letters_read: int = 0  # parsed (new or changed)
    items_indexed: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (file, what was noticed)
    pruned_files: int = 0
    pruned_items: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    error: str | None = None  # what stopped the run (a storage fault, an outage)
    batches: int = 0  # batches written
    report_error: str | None = None  # why the report file could not be written
    notes: list[str] = field(default_factory=list)  # what finishing left undone (engine's)

    @property
    def exit_status(self) -> int:
        """0 when every file was indexed or unchanged (skipped files are fine), 1 when some
        failed or the run was interrupted, 2 when an error stopped it."""
        if self.error is not None:
            return 2
        return 1 if self.failed or self.interrupted else 0

    def lines(self) -> list[str]:
        rate = self.letters_read / self.seconds if self.seconds > 0 else 0.0
        out = [
            f"Index {self.target}: {plural(self.letters_read, 'letter')} read, "
            f"{plural(self.items_indexed, 'item')} indexed in {self.seconds:.1f} s "
            f"({rate:,.0f} letters/s)",
            *([f"  STOPPED: {self.error}"] if self.error is not None else []),
            f"  files seen: {self.files:,}   unchanged: {self.unchanged:,}   "
            f"skipped: {len(self.skipped):,}   failed: {len(self.failed):,}"
            + (
                f"   pruned: {plural(self.pruned_files, 'file')} "
                f"({plural(self.pruned_items, 'item')})"
                if self.pruned_files
                else ""
            ),
        ]
        if self.interrupted:
            out.append("  INTERRUPTED: run the same command again to finish (nothing is lost)")
        out.extend(f"  NOTE: {note}" for note in self.notes)
        sections = (("Skipped", self.skipped), ("Failed", self.failed), ("Warnings", self.warnings))
        for title, entries in sections:
            if entries:  # by path: workers finish files in no set order
                out.append(f"{title}:")
                out.extend(f"  {path}: {reason}" for path, reason in sorted(entries))
        return out

    def write_report(self, path: str | Path) -> None:
        Path(path).write_text("\n".join(self.lines()) + "\n", encoding="utf-8")


# --- examining one file (runs in worker processes) ------------------------------------------


def fingerprint(data: bytes, parser_version: str) -> str:
    """What 'unchanged' means: the same bytes read by the same parser and rules versions."""
    from indexer.derive import RULES_VERSION

    return f"{hashlib.sha1(data).hexdigest()}:{parser_version}+{RULES_VERSION}"


def examine(task: Task) -> tuple[Any, ...]:
    """(order, path, source key, known fingerprint, path as shown) -> ('unchanged' | 'parsed'
    | 'failed', ...).

    Runs in the worker processes: reading, parsing and building the documents (the
    derivation rules cost about as much as parsing) all happen here, in parallel."""
    from indexer.documents import source_documents, warnings_of
    from indexer.errors import LetterError
    from indexer.parse import PARSER_VERSION, parse_text
    from indexer.read import letter_text, read_letter_bytes

    _, path, source, known, shown = task
    try:
        data = read_letter_bytes(path)
    except LetterError as exc:
        return ("failed", source, exc.reason)
    fp = fingerprint(data, PARSER_VERSION)
    if fp == known:
        return ("unchanged", source)
    try:
        letter = parse_text(letter_text(data, path), source=path)
    except LetterError as exc:
        return ("failed", source, exc.reason)
    except Exception as exc:  # a parser bug must not stop the run: report it as the file's
        return ("failed", source, f"parser failure ({type(exc).__name__}: {exc})")
    if not letter.items:  # nothing to index: say why rather than count it as read
        why = next((w for w in letter.warnings if "item" in w), "no disputed item found")
        return ("failed", source, f"{why}: check the file is a complete letter")
    try:
        documents = source_documents(source, fp, letter, shown)
    except Exception as exc:  # a rule bug must not stop the run either
        return ("failed", source, f"cannot build its documents ({type(exc).__name__}: {exc})")
    return ("parsed", source, documents, warnings_of(letter))


# --- the run --------------------------------------------------------------------------------


def source_key(path: str | Path) -> str:
    """The key a file is indexed under: its absolute path (same file, same key, any cwd)."""
    return os.path.abspath(path)


def shown_source(path: str | Path, roots: Iterable[str]) -> str:
    """How the documents name their file (the API and exports show it): the path relative to
    the folder given to `index` that holds it, else the file's name; never the absolute path
    on the indexing machine."""
    absolute = os.path.abspath(path)
    for root in roots:
        folder = os.path.abspath(root)
        if absolute.startswith(folder.rstrip(os.sep) + os.sep) and os.path.isdir(folder):
            return os.path.relpath(absolute, folder)
    return os.path.basename(absolute)


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def run_index(
    paths: Iterable[str | Path],
    target: str | None = None,
    *,
    prune: bool = False,
    workers: int | None = None,
    progress: bool = False,
    report: str | Path | None = None,
    engine: Engine | None = None,
    batch_items: int = BATCH_ITEMS,
    limits: Limits | None = None,
) -> IndexSummary:
    """Index letter files and folders into `target` (see the module docstring).

    `workers` 0 reads in this process (no time or memory limit per file: for debugging).
    An error of the product's own (storage, outage) ends the run and is in `summary.error`;
    IndexBusy (another run holds the index) is raised, and then no report is written."""
    roots = [str(p) for p in paths]
    workers = default_workers() if workers is None else workers
    started = time.perf_counter()
    # Workers are forked before the engine opens: no database connection crosses a fork;
    # the rule tables are compiled first, so that every worker shares them.
    pool = None
    if workers:
        from indexer.derive import warm_rules

        warm_rules()
        pool = WorkerPool(examine, workers, limits, window=WINDOW * workers).start()
    own_engine = engine is None
    summary = IndexSummary(target=resolve_target(target))
    reporting = report is not None
    try:
        if engine is None:
            engine = open_engine(target, writable=True)
        summary.target = engine.target
        with engine.index_run_lock():
            _say("locked")
            _run(engine, roots, pool, summary, prune, progress, batch_items)
    except IndexBusy:
        reporting = False  # the report file belongs to the run holding the index
        raise
    except ImrSearchError as exc:
        summary.error = str(exc)
    except KeyboardInterrupt:
        summary.interrupted = True
        raise
    except BaseException as exc:
        summary.error = f"stopped by {type(exc).__name__}: {exc}"
        raise
    finally:
        try:
            if pool is not None:
                pool.close()
            if own_engine and engine is not None:
                engine.close()
        finally:
            summary.seconds = time.perf_counter() - started
            if reporting and report is not None:
                _write_report(summary, report)
    return summary


def _write_report(summary: IndexSummary, report: str | Path) -> None:
    """Write the report, or say in the summary why it could not be (a full disk, too)."""
    try:
        summary.write_report(report)
    except OSError as exc:
        summary.report_error = f"cannot write the report {report} ({exc.strerror or exc})"


def _run(
    engine: Engine,
    roots: list[str],
    pool: WorkerPool[Task, tuple[Any, ...]] | None,
    summary: IndexSummary,
    prune: bool,
    progress: bool,
    batch_items: int,
) -> None:
    """The run itself, under the index's run lock."""
    bar = None
    try:
        if progress:
            total = sum(1 for found in walk_letter_files(roots) if isinstance(found, Path))
            bar = _progress_bar(total)
        unreadable: list[str] = []  # folders the walk could not read: nothing under is pruned
        known = engine.indexed_sources()
        tasks = _tasks(walk_letter_files(roots), known, roots, summary, unreadable)
        try:
            _index_files(engine, tasks, pool, summary, bar, batch_items)
        except KeyboardInterrupt:
            summary.interrupted = True
        if prune and not summary.interrupted:
            _prune(engine, roots, summary, unreadable)
        if not summary.interrupted:
            _say("finishing")
            summary.notes += engine.finish()
            _say("finished")
    finally:
        if bar is not None:
            bar.close()


def _say(step: str) -> None:
    """A progress line for tests, when $IMR_SEARCH_PROGRESS_LINES asks for them."""
    if os.environ.get(PROGRESS_ENV):
        print(f"imr-search progress: {step}", file=sys.stderr, flush=True)


def _tasks(
    found: Iterable[Path | Unwalked],
    known: Mapping[str, str],
    roots: list[str],
    summary: IndexSummary,
    unreadable: list[str],
) -> Iterator[Task]:
    """The files to examine, in walk order; what the walk did not enter goes in `summary`.

    Consumed by the worker pool's thread: it only appends to the summary's lists."""
    order = 0
    for entry in found:
        if isinstance(entry, Unwalked):
            if entry.failed:
                summary.failed.append((entry.path, entry.reason))
                unreadable.append(entry.path)
            else:
                summary.skipped.append((entry.path, entry.reason))
            continue
        key = source_key(entry)
        yield (order, str(entry), key, known.get(key), shown_source(entry, roots))
        order += 1


def _index_files(
    engine: Engine,
    tasks: Iterator[Task],
    pool: WorkerPool[Task, tuple[Any, ...]] | None,
    summary: IndexSummary,
    bar: Any,
    batch_items_limit: int,
) -> None:
    """Examine files (in the pool when there is one) and index them in batches."""
    outcomes: Iterator[Done[Task, tuple[Any, ...]] | Failed[Task]]
    if pool is None:
        outcomes = (Done(task, examine(task)) for task in tasks)
    else:
        outcomes = pool.imap_unordered(tasks)
    try:
        _consume(engine, outcomes, summary, bar, batch_items_limit)
    finally:
        close = getattr(outcomes, "close", None)
        if close is not None:
            close()


def _consume(
    engine: Engine,
    outcomes: Iterable[Done[Task, tuple[Any, ...]] | Failed[Task]],
    summary: IndexSummary,
    bar: Any,
    batch_items_limit: int,
) -> None:
    """Collect parsed letters into batches and write them; count everything in `summary`."""
    batch: list[tuple[int, SourceDocuments]] = []  # (walk order, documents)
    batch_items = 0
    for outcome in outcomes:
        summary.files += 1
        if isinstance(outcome, Failed):
            summary.failed.append((outcome.task[2], outcome.reason))
        else:
            result = outcome.value
            kind = result[0]
            if kind == "unchanged":
                summary.unchanged += 1
            elif kind == "failed":
                summary.failed.append((result[1], result[2]))
            else:
                _, source, documents, warnings = result
                batch.append((outcome.task[0], documents))
                batch_items += len(documents.items)
                summary.warnings.extend((source, warning) for warning in warnings)
                if batch_items >= batch_items_limit or len(batch) >= BATCH_LETTERS:
                    _write(engine, batch, summary)
                    batch, batch_items = [], 0
        if bar is not None:
            bar.update(1)
            if summary.files % 64 == 0:
                bar.set_postfix(items=f"{summary.items_indexed:,}", failed=len(summary.failed))
    if batch:
        _write(engine, batch, summary)
    if bar is not None:
        bar.set_postfix(items=f"{summary.items_indexed:,}", failed=len(summary.failed))


def _write(engine: Engine, batch: list[tuple[int, SourceDocuments]], summary: IndexSummary) -> None:
    """Write one batch, in walk order (the first copy of a duplicate in the batch wins)."""
    ordered = [documents for _, documents in sorted(batch, key=lambda entry: entry[0])]
    failures = engine.write(ordered)
    refused = {f.source for f in failures}
    for failure in failures:
        report = (failure.source, failure.reason)
        (summary.skipped if failure.duplicate else summary.failed).append(report)
    for written in ordered:
        if written.source not in refused:
            summary.letters_read += 1
            summary.items_indexed += len(written.items)
    summary.batches += 1
    _say(f"batch {summary.batches} written, {summary.items_indexed} items")


def _prune(engine: Engine, paths: list[str], summary: IndexSummary, unreadable: list[str]) -> None:
    """Delete indexed sources under the given paths whose file is gone; keep (and report)
    those whose file cannot be checked, and everything under a folder that cannot be read."""
    scopes = [source_key(p) for p in paths]
    folders = tuple(s.rstrip(os.sep) + os.sep for s in scopes)
    files = set(scopes)
    blind = tuple(source_key(f).rstrip(os.sep) + os.sep for f in unreadable)
    gone = []
    for source in engine.indexed_sources():
        if not (source in files or source.startswith(folders)):
            continue
        if blind and source.startswith(blind):
            continue  # the walk reported the folder; its letters stay indexed
        problem = _missing(source)
        if problem is True:
            gone.append(source)
        elif problem:
            summary.failed.append(
                (source, f"cannot tell whether it still exists ({problem}): kept, not pruned")
            )
    for i in range(0, len(gone), PRUNE_BATCH):
        chunk = gone[i : i + PRUNE_BATCH]
        summary.pruned_items += engine.delete_sources(chunk)
        summary.pruned_files += len(chunk)


def _missing(path: str) -> bool | str:
    """True when the file is gone, False when it is there, else why it cannot be told (a
    folder on the way that cannot be searched: gone or not, it is not ours to delete)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return False  # a link loop: there, and reported as unreadable by the walk
        return exc.strerror or str(exc)
    return False


def _progress_bar(total: int | None) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="file", dynamic_ncols=True, smoothing=0.05)

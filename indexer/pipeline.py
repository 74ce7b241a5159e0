"""The index run: letter files in, an up-to-date index out (any engine, through `Engine`).

    walk      indexer.read.iter_letter_files: files and folders, sorted, streamed
    examine   in worker processes: read the file, fingerprint it (sha1 of the bytes plus the
              parser version), parse it only when the fingerprint differs from the index's
    write     in this process: each letter's documents (indexer.documents), in batches,
              through Engine.write (for SQLite one transaction per batch, fingerprints
              included: crash-safe)
    prune     with --prune: sources under the given paths whose file is gone are deleted
    finish    Engine.finish (optimize / refresh), then the summary and the report file

Memory stays flat: files are streamed to the workers with a bounded number in flight, and
only one batch of letters is held at a time. A broken file is reported and never stops the
run. A letter already indexed from another file (same case number) is reported as a
duplicate and skipped: the first copy indexed stays, nothing is silently overwritten.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imr_search.contract import Engine, SourceDocuments
from imr_search.engines import open_engine, resolve_target
from imr_search.plural import plural

BATCH_ITEMS = 1000  # items per write (one SQLite transaction, one Elasticsearch bulk round)
BATCH_LETTERS = 500
CHUNK = 16  # files per task sent to a worker
PRUNE_BATCH = 500


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

    @property
    def exit_status(self) -> int:
        """0 when every file was indexed or unchanged (skipped duplicates are fine), else 1."""
        return 1 if self.failed or self.interrupted else 0

    def lines(self) -> list[str]:
        rate = self.letters_read / self.seconds if self.seconds > 0 else 0.0
        out = [
            f"Index {self.target}: {plural(self.letters_read, 'letter')} read, "
            f"{plural(self.items_indexed, 'item')} indexed in {self.seconds:.1f} s "
            f"({rate:,.0f} letters/s)",
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
        sections = (("Skipped", self.skipped), ("Failed", self.failed), ("Warnings", self.warnings))
        for title, entries in sections:
            if entries:
                out.append(f"{title}:")
                out.extend(f"  {path}: {reason}" for path, reason in entries)
        return out

    def write_report(self, path: str | Path) -> None:
        Path(path).write_text("\n".join(self.lines()) + "\n", encoding="utf-8")


# --- examining one file (runs in worker processes) ------------------------------------------


def fingerprint(data: bytes, parser_version: str) -> str:
    """What 'unchanged' means: the same bytes read by the same parser and rules versions."""
    from indexer.derive import RULES_VERSION

    return f"{hashlib.sha1(data).hexdigest()}:{parser_version}+{RULES_VERSION}"


def examine(task: tuple[str, str, str | None, str]) -> tuple[Any, ...]:
    """(path, source key, known fingerprint, path as shown) -> ('unchanged' | 'parsed' |
    'failed', ...).

    Runs in the worker processes: reading, parsing and building the documents (the
    derivation rules cost about as much as parsing) all happen here, in parallel."""
    from indexer.documents import source_documents, warnings_of
    from indexer.errors import LetterError
    from indexer.parse import PARSER_VERSION, parse_file

    path, source, known, shown = task
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return ("failed", source, f"cannot read the file ({exc.strerror or exc})")
    fp = fingerprint(data, PARSER_VERSION)
    if fp == known:
        return ("unchanged", source)
    try:
        letter = parse_file(path)
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
) -> IndexSummary:
    """Index letter files and folders into `target` (see the module docstring)."""
    from indexer.read import iter_letter_files

    roots = [str(p) for p in paths]
    workers = default_workers() if workers is None else workers
    started = time.perf_counter()
    # Workers are forked before the engine opens: no database connection crosses a fork;
    # the rule tables are compiled first, so that every worker shares them.
    if workers > 1:
        from indexer.derive import warm_rules

        warm_rules()
    pool = _start_pool(workers) if workers > 1 else None
    own_engine = engine is None
    summary = IndexSummary(target=resolve_target(target))
    bar = None
    walked = False
    try:
        if engine is None:
            engine = open_engine(target, writable=True)
        summary.target = engine.target
        total = sum(1 for _ in iter_letter_files(roots)) if progress else None
        bar = _progress_bar(total) if progress else None
        known = engine.indexed_sources()
        tasks = _tasks(iter_letter_files(roots), known, roots)
        try:
            _index_files(engine, tasks, pool, summary, bar, batch_items)
            walked = True
        except KeyboardInterrupt:
            summary.interrupted = True
        if prune and not summary.interrupted:
            _prune(engine, roots, summary)
        if not summary.interrupted:
            engine.finish()
    finally:
        if bar is not None:
            bar.close()
        if pool is not None:
            # Stopped early, the task feeder may wait for a slot forever: terminate.
            pool.close() if walked else pool.terminate()
            pool.join()
        if own_engine and engine is not None:
            engine.close()
    summary.seconds = time.perf_counter() - started
    if report is not None:
        summary.write_report(report)
    return summary


def _start_pool(workers: int) -> Any:
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    return context.Pool(workers, initializer=_ignore_sigint)


def _ignore_sigint() -> None:
    """Ctrl-C is handled once, by the main process (no traceback from every worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _tasks(
    files: Iterable[Path], known: Mapping[str, str], roots: list[str]
) -> Iterator[tuple[str, str, str | None, str]]:
    for path in files:
        key = source_key(path)
        yield (str(path), key, known.get(key), shown_source(path, roots))


class _Throttle:
    """Feed tasks to the pool only while fewer than `slots` are in flight (flat memory:
    Pool.imap would otherwise read the whole file list ahead into its task queue).

    `stop()` wakes a feeder blocked on a full window and ends the feed, so that an error in
    the main thread (e.g. the engine went away) can terminate the pool without a hang."""

    def __init__(self, slots: int) -> None:
        self._slots = threading.Semaphore(slots)
        self._stopped = threading.Event()

    def feed(self, items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            self._slots.acquire()
            if self._stopped.is_set():
                return
            yield item

    def release(self) -> None:
        self._slots.release()

    def stop(self) -> None:
        self._stopped.set()
        self._slots.release()


def _index_files(
    engine: Engine,
    tasks: Iterator[tuple[str, str, str | None, str]],
    pool: Any,
    summary: IndexSummary,
    bar: Any,
    batch_items_limit: int,
) -> None:
    """Parse files (in the pool when there is one) and index them in batches."""
    results: Iterable[tuple[Any, ...]]
    throttle: _Throttle | None = None
    if pool is None:
        results = map(examine, tasks)
    else:
        throttle = _Throttle(CHUNK * 8 * max(pool._processes, 1))  # noqa: SLF001
        results = pool.imap(examine, throttle.feed(tasks), chunksize=CHUNK)
    try:
        _consume(engine, results, throttle, summary, bar, batch_items_limit)
    finally:
        if throttle is not None:
            throttle.stop()


def _consume(
    engine: Engine,
    results: Iterable[tuple[Any, ...]],
    throttle: _Throttle | None,
    summary: IndexSummary,
    bar: Any,
    batch_items_limit: int,
) -> None:
    """Collect parsed letters into batches and write them; count everything in `summary`."""
    batch: list[SourceDocuments] = []
    batch_items = 0
    for result in results:
        if throttle is not None:
            throttle.release()
        summary.files += 1
        kind = result[0]
        if kind == "unchanged":
            summary.unchanged += 1
        elif kind == "failed":
            summary.failed.append((result[1], result[2]))
        else:
            _, source, documents, warnings = result
            batch.append(documents)
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


def _write(engine: Engine, batch: list[SourceDocuments], summary: IndexSummary) -> None:
    failures = engine.write(batch)
    refused = {f.source for f in failures}
    for failure in failures:
        report = (failure.source, failure.reason)
        (summary.skipped if failure.duplicate else summary.failed).append(report)
    for written in batch:
        if written.source not in refused:
            summary.letters_read += 1
            summary.items_indexed += len(written.items)


def _prune(engine: Engine, paths: list[str], summary: IndexSummary) -> None:
    """Delete indexed sources under the given paths whose file no longer exists."""
    scopes = [source_key(p) for p in paths]
    folders = tuple(s.rstrip(os.sep) + os.sep for s in scopes)
    files = set(scopes)
    gone = [
        source
        for source in engine.indexed_sources()
        if (source in files or source.startswith(folders)) and not os.path.exists(source)
    ]
    for i in range(0, len(gone), PRUNE_BATCH):
        chunk = gone[i : i + PRUNE_BATCH]
        summary.pruned_items += engine.delete_sources(chunk)
        summary.pruned_files += len(chunk)


def _progress_bar(total: int | None) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="file", dynamic_ncols=True, smoothing=0.05)

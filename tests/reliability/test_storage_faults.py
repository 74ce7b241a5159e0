"""Storage faults of the SQLite index file, for real: a full disk (RLIMIT_FSIZE in the indexer's
process: its writes past the limit fail with EFBIG, as on a full disk), bytes of the file
overwritten, a file the indexer may not write.

What must hold: the run ends with one message naming the file and what to do (exit status 2,
no traceback); the report file says so (it is rewritten, never left from an earlier run);
what was committed before the fault stays, consistent; the same command, once the fault is
gone, completes the index to the generator's ground truth; the web app answers 503 with a
message on every address for a damaged file (never 500), /api/health included.
Elasticsearch keeps its storage to itself: its outages are test_elastic_faults.py's.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
from pathlib import Path

import pytest

from search_ui import create_app
from synthetic.corpus import write_corpus

from .helpers import (
    CLI,
    PROGRESS_LINES,
    ground_truth,
    index_command,
    run_cli,
    snapshot,
    without_permission_override,
)

SEED = 5150
FIRST, MORE = 100, 200
STALE = "a report from an earlier run\n"
ROUTES = [
    "/api/health",
    "/api/search?q=knee",
    "/api/facets",
    "/api/items/{item}",
    "/",
    "/search?q=knee",
    "/item/{item}",
    "/similar?text=knee+pain",
    "/export.csv?q=knee",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(letters indexed first, letters added later)."""
    root = tmp_path_factory.mktemp("storage-corpus")
    write_corpus(root / "first", FIRST, seed=SEED)
    write_corpus(root / "more", MORE, seed=SEED + 1)
    return root / "first", root / "more"


def _indexed(folder: Path, target: Path, tmp_path: Path) -> None:
    result = run_cli(index_command([folder], str(target), tmp_path / "setup.txt", "--workers", "2"))
    assert result.returncode == 0, result.stdout + result.stderr


def _one_clear_error(result: subprocess.CompletedProcess[str], target: Path, *words: str) -> str:
    """The run's one error line: it names the index file and says `words`."""
    out, err, code = result.stdout, result.stderr, result.returncode
    assert code == 2, out + err
    assert "Traceback" not in out + err, out + err
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, err
    assert str(target) in errors[0], errors[0]
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


def _report_says(report: Path, error: str) -> None:
    text = report.read_text(encoding="utf-8")
    assert text != STALE
    assert f"STOPPED: {error.removeprefix('Error: ')}" in text, text


@pytest.mark.timeout(300)
def test_a_full_disk_during_a_batch_keeps_what_was_committed(
    corpus: tuple[Path, Path], tmp_path: Path
) -> None:
    first, more = corpus
    target = tmp_path / "index.sqlite3"
    _indexed(first, target, tmp_path)
    report = tmp_path / "report.txt"
    report.write_text(STALE)
    command = index_command([first, more], str(target), report, "--batch-items", "40")
    full = run_cli(command, file_size_limit=2_000_000, env=PROGRESS_LINES)
    error = _one_clear_error(full, target, "writing a batch", "run the same command again")
    assert "batch 1 written" in full.stderr  # some batches were committed before the fault
    _report_says(report, error)

    truth = ground_truth(FIRST, SEED) | ground_truth(MORE, SEED + 1)
    partial = snapshot(str(target))
    assert partial is not None
    assert len(partial.ids) == len(partial.id_set) == partial.count
    assert set(ground_truth(FIRST, SEED)) < partial.id_set < set(truth)
    assert all(truth[i] == o for i, o in partial.outcomes.items())

    again = run_cli(command)
    assert again.returncode == 0, again.stdout + again.stderr
    state = snapshot(str(target))
    assert state is not None and state.outcomes == truth


@pytest.mark.timeout(300)
def test_a_full_disk_while_finishing_is_finished_by_the_next_run(
    corpus: tuple[Path, Path], tmp_path: Path
) -> None:
    first, more = corpus
    target = tmp_path / "index.sqlite3"
    _indexed(more, target, tmp_path)
    one = tmp_path / "one"
    write_corpus(one, 1, seed=SEED + 2)
    report = tmp_path / "report.txt"
    report.write_text(STALE)
    command = index_command([more, one], str(target), report)
    # One letter's batch fits in 600 KB of write-ahead log; merging the index does not.
    full = run_cli(command, file_size_limit=600_000, env=PROGRESS_LINES)
    error = _one_clear_error(full, target, "finishing the index", "run the same command again")
    assert "batch 1 written" in full.stderr and "finished" not in full.stderr, full.stderr
    _report_says(report, error)

    again = run_cli(command)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 letters read" in again.stdout  # the letter was committed before the fault
    db = sqlite3.connect(target)
    try:
        meta = dict(db.execute("SELECT key, value FROM meta"))
        vocab = dict(db.execute("SELECT term, doc FROM items_vocab"))
        assert dict(db.execute("SELECT term, df FROM term_df")) == vocab
    finally:
        db.close()
    assert meta["postings_generation"] == meta["generation"] == meta["finished_generation"]
    state = snapshot(str(target))
    assert state is not None
    assert state.outcomes == ground_truth(MORE, SEED + 1) | ground_truth(1, SEED + 2)


def _damage(path: Path) -> None:
    """Overwrite the start of every page but the schema's and the meta table's."""
    db = sqlite3.connect(path)
    try:
        keep = {1} | {
            n for (n,) in db.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'meta'")
        }
        size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    finally:
        db.close()
    rng = random.Random(SEED)
    with open(path, "r+b") as handle:
        for page in range(2, pages + 1):
            if page not in keep:
                handle.seek((page - 1) * size)
                handle.write(rng.randbytes(200))


@pytest.mark.timeout(300)
def test_a_damaged_index_file_gets_one_message_and_503s(
    corpus: tuple[Path, Path], tmp_path: Path
) -> None:
    first, _ = corpus
    target = tmp_path / "index.sqlite3"
    _indexed(first, target, tmp_path)
    item = sorted(ground_truth(FIRST, SEED))[0]
    _damage(target)

    app = create_app({"IMR_SEARCH_INDEX": str(target)})
    client = app.test_client()
    try:
        for route in ROUTES:
            response = client.get(route.format(item=item))
            text = response.get_data(as_text=True)
            assert response.status_code == 503, (route, response.status_code, text[:300])
            assert "storage failed" in text and "Traceback" not in text, (route, text[:300])
    finally:
        app.extensions["imr_search_engine"].close_all()

    search = run_cli([*CLI, "search", "knee", "--index", str(target)])
    _one_clear_error(search, target, "damaged", "move it aside")

    report = tmp_path / "report.txt"
    report.write_text(STALE)
    index = run_cli(index_command([first], str(target), report))
    error = _one_clear_error(index, target, "damaged", "move it aside")
    _report_says(report, error)


@pytest.mark.timeout(300)
def test_a_read_only_index_file_gets_one_message(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    first, more = corpus
    target = tmp_path / "index.sqlite3"
    _indexed(first, target, tmp_path)
    before = snapshot(str(target))
    report = tmp_path / "report.txt"
    report.write_text(STALE)
    target.chmod(0o444)
    try:
        command = index_command([first, more], str(target), report)
        result = run_cli(without_permission_override(command))
    finally:
        target.chmod(0o644)
    error = _one_clear_error(result, target, "read-only", "writable")
    _report_says(report, error)
    assert snapshot(str(target)) == before

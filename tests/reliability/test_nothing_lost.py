"""Nothing silently lost, both engines: a folder that cannot be read, a run killed while
finishing, two index runs on one index.

What must hold: `--prune` never deletes what it could not see (a folder it cannot read is a
reported failure, and what it held stays indexed); the next run repairs what a run killed in
finish() left stale (SQLite: postings, term statistics; Elasticsearch: the bulk refresh
interval), even when nothing changed; a second index run on an index being indexed is refused
with who holds it (exit status 2, no traceback, no report written over the first run's), while
readers go on; the first run then completes to the generator's ground truth.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from imr_search.elastic.engine import BULK_REFRESH_INTERVAL, ElasticEngine
from imr_search.engines import engine_class, open_engine
from imr_search.sqlite.engine import SqliteEngine
from indexer.pipeline import run_index
from search_ui import create_app
from synthetic.corpus import write_corpus

from .helpers import (
    PROGRESS_LINES,
    drop_index,
    ground_truth,
    index_command,
    run_cli,
    snapshot,
    without_permission_override,
)

LETTERS = 120
SEED = 3031


@pytest.fixture
def target(engine_target: str) -> Iterator[str]:
    yield engine_target
    drop_index(engine_target)


@pytest.mark.timeout(300)
def test_prune_keeps_what_a_folder_it_cannot_read_holds(target: str, tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    write_corpus(letters / "open", 10, seed=SEED)
    write_corpus(letters / "locked", 10, seed=SEED + 1)
    first = run_cli(index_command([letters], target, tmp_path / "first.txt", "--workers", "2"))
    assert first.returncode == 0, first.stdout + first.stderr
    before = snapshot(target)
    assert before is not None and len(before.sources) == 20

    (letters / "locked").chmod(0)
    try:
        command = index_command([letters], target, tmp_path / "report.txt", "--prune")
        result = run_cli(without_permission_override(command))
    finally:
        (letters / "locked").chmod(0o755)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    assert f"{letters / 'locked'}: cannot read this folder (Permission denied)" in output
    assert "failed: 1" in result.stdout and "pruned:" not in result.stdout, result.stdout
    assert snapshot(target) == before  # nothing under it was pruned


class _Killed(BaseException):
    """Stands for SIGKILL: nothing catches it, every transaction open is rolled back."""


def _stale_after_kill(target: str) -> bool:
    """Whether what finish() maintains is stale (the state a kill in finish() leaves)."""
    if engine_class(target).local_file:
        db = sqlite3.connect(target)
        try:
            vocab = db.execute("SELECT count(*) FROM items_vocab").fetchone()[0]
            df = db.execute("SELECT count(*) FROM term_df").fetchone()[0]
            return bool(vocab != df)
        finally:
            db.close()
    engine = ElasticEngine(target)
    try:
        settings = engine.client.indices.get_settings(index=target.rpartition("/")[2])
        (only,) = settings.body.values()
        return bool(only["settings"]["index"]["refresh_interval"] == BULK_REFRESH_INTERVAL)
    finally:
        engine.close()


@pytest.mark.timeout(300)
def test_a_run_killed_while_finishing_is_healed_by_the_next(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    letters = tmp_path / "letters"
    write_corpus(letters, LETTERS, seed=SEED)
    local = engine_class(target).local_file

    def killed(*_args: object) -> None:
        raise _Killed

    with monkeypatch.context() as patch:
        # SQLite: killed after the postings, before the term statistics; Elasticsearch:
        # before the refresh interval is restored.
        if local:
            patch.setattr(SqliteEngine, "_refresh_term_df", killed)
        else:
            patch.setattr(ElasticEngine, "_stop_loading", killed)
        with pytest.raises(_Killed):
            run_index([letters], target, workers=0)
    assert _stale_after_kill(target)

    again = run_index([letters], target, workers=0)  # nothing changed since
    assert again.exit_status == 0 and again.letters_read == 0 and again.unchanged == LETTERS
    assert not _stale_after_kill(target)
    state = snapshot(target)
    assert state is not None and state.outcomes == ground_truth(LETTERS, SEED)


def _wait_for_line(process: subprocess.Popen[str], wanted: str) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        if wanted in line:
            return
    raise AssertionError(f"the run ended (status {process.wait()}) before printing {wanted!r}")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_second_index_run_is_refused_while_readers_go_on(target: str, tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    write_corpus(letters, LETTERS, seed=SEED)
    first_report = tmp_path / "first.txt"
    command = index_command([letters], target, first_report, "--batch-items", "20")
    first = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, **PROGRESS_LINES},
    )
    try:
        _wait_for_line(first, "batch 1 written")
        os.killpg(first.pid, signal.SIGSTOP)  # the first run holds the index, frozen
        second_report = tmp_path / "second.txt"
        second = run_cli(index_command([letters], target, second_report))
        output = second.stdout + second.stderr
        assert second.returncode == 2, output
        assert "Traceback" not in output, output
        assert "another index run holds the search index" in second.stderr, output
        assert f"pid {first.pid} " in second.stderr, output
        assert not second_report.exists()  # the report is the running run's

        reader = open_engine(target)  # readers are not blocked
        try:
            assert reader.count() > 0
        finally:
            reader.close()
        app = create_app({"IMR_SEARCH_INDEX": target})
        try:
            assert app.test_client().get("/api/health").status_code == 200
        finally:
            app.extensions["imr_search_engine"].close_all()
    finally:
        os.killpg(first.pid, signal.SIGCONT)
    out, err = first.communicate(timeout=240)
    assert first.returncode == 0, out + err
    state = snapshot(target)
    assert state is not None and state.outcomes == ground_truth(LETTERS, SEED)

    after = run_cli(index_command([letters], target, tmp_path / "after.txt"))
    assert after.returncode == 0, after.stdout + after.stderr
    assert f"unchanged: {LETTERS}" in after.stdout

"""The index run on real files and a real SQLite index (indexer/pipeline.py, `imr-search index`).

Good letters come from the generator (synthetic.corpus.write_corpus); broken ones from
tests/fixtures/letters/pipeline/ (a ZIP saved as .txt, an empty file, a text that is not a
letter, a truncated PDF).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from imr_cli.main import main
from imr_search.contract import SearchRequest
from imr_search.engines import open_engine
from indexer.pipeline import IndexSummary, run_index, source_key
from synthetic.corpus import write_corpus

BROKEN = Path(__file__).parent / "fixtures" / "letters" / "pipeline"
LETTERS = 40


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    write_corpus(out, LETTERS, seed=11)
    return out


@pytest.fixture
def letters(generated: Path, tmp_path: Path) -> Path:
    """A private copy of the generated letters (tests change files)."""
    copy = tmp_path / "letters"
    shutil.copytree(generated, copy)
    return copy


def _snapshot(target: str) -> tuple:
    engine = open_engine(target)
    try:
        response = engine.search(SearchRequest(per_page=100, sort="date", facet_size=100))
        pages = [h.id for h in response.hits]
        page = 2
        while len(pages) < response.total:
            more = engine.search(SearchRequest(per_page=100, sort="date", page=page))
            pages += [h.id for h in more.hits]
            page += 1
        return (
            engine.count(),
            sorted(pages),
            {k: [(v.value, v.count) for v in vs] for k, vs in response.facets.items()},
            dict(engine.indexed_sources()),
        )
    finally:
        engine.close()


def _items_in(folder: Path) -> int:
    from indexer.parse import parse_file

    return sum(len(parse_file(p).items) for p in folder.rglob("*.txt"))


def test_index_then_nothing_to_do(letters: Path, tmp_path: Path) -> None:
    target = str(tmp_path / "index.sqlite3")
    first = run_index([letters], target, workers=0)
    assert (first.files, first.letters_read, first.unchanged) == (LETTERS, LETTERS, 0)
    assert first.items_indexed == _items_in(letters) > LETTERS
    assert first.failed == [] and first.skipped == [] and first.exit_status == 0
    state = _snapshot(target)
    second = run_index([letters], target, workers=0)
    assert (second.letters_read, second.items_indexed, second.unchanged) == (0, 0, LETTERS)
    assert _snapshot(target) == state


def test_worker_processes_give_the_same_index(letters: Path, tmp_path: Path) -> None:
    alone, pooled = str(tmp_path / "alone.sqlite3"), str(tmp_path / "pooled.sqlite3")
    run_index([letters], alone, workers=0)
    summary = run_index([letters], pooled, workers=2, batch_items=7)
    assert summary.letters_read == LETTERS
    assert _snapshot(alone)[:3] == _snapshot(pooled)[:3]


def test_a_changed_file_replaces_its_items(letters: Path, tmp_path: Path) -> None:
    target = str(tmp_path / "index.sqlite3")
    run_index([letters], target, workers=0)
    path = next(p for p in sorted(letters.rglob("*.txt")) if " year old " in p.read_text())
    path.write_text(path.read_text().replace(" year old ", " year old zebracorn ", 1))
    summary = run_index([letters], target, workers=0)
    assert (summary.letters_read, summary.unchanged) == (1, LETTERS - 1)
    engine = open_engine(target)
    try:
        hits = engine.search(SearchRequest(query="zebracorn", per_page=100)).hits
        # The documents name the file relative to the folder indexed (issue 12).
        assert hits and {h.doc.letter.source for h in hits} == {str(path.relative_to(letters))}
        assert engine.count() == _items_in(letters)
    finally:
        engine.close()


def test_prune_removes_items_of_deleted_files(letters: Path, tmp_path: Path) -> None:
    target = str(tmp_path / "index.sqlite3")
    run_index([letters], target, workers=0)
    victims = sorted(letters.rglob("*.txt"))[:3]
    for victim in victims:
        victim.unlink()
    kept = run_index([letters], target, workers=0)
    assert kept.pruned_files == 0 and len(_snapshot(target)[3]) == LETTERS
    pruned = run_index([letters], target, workers=0, prune=True)
    assert pruned.pruned_files == 3 and pruned.pruned_items >= 3
    count, _, _, sources = _snapshot(target)
    assert count == _items_in(letters)
    assert not {source_key(v) for v in victims} & set(sources)


def test_prune_only_looks_under_the_given_paths(letters: Path, tmp_path: Path) -> None:
    target = str(tmp_path / "index.sqlite3")
    other = tmp_path / "other"
    shutil.copytree(BROKEN, other)  # no letters, just another folder
    run_index([letters], target, workers=0)
    before = _snapshot(target)
    summary = run_index([other], target, workers=0, prune=True)
    assert summary.pruned_files == 0
    assert _snapshot(target)[:2] == before[:2]


def test_broken_files_are_reported_and_do_not_stop_the_run(letters: Path, tmp_path: Path) -> None:
    shutil.copytree(BROKEN, letters / "zz-broken")
    target = str(tmp_path / "index.sqlite3")
    report = tmp_path / "report.txt"
    summary = run_index([letters], target, workers=2, report=report)
    assert summary.letters_read == LETTERS
    failed = {Path(path).name: reason for path, reason in summary.failed}
    assert set(failed) == {"broken-zip.txt", "empty.txt", "not-a-letter.txt", "truncated.pdf"}
    assert "binary" in failed["broken-zip.txt"] and "empty" in failed["empty.txt"]
    assert summary.exit_status == 1
    text = report.read_text()
    assert "failed: 4" in text and "not-a-letter.txt" in text
    again = run_index([letters], target, workers=0)  # failures are retried, still fail
    assert len(again.failed) == 4 and again.unchanged == LETTERS


def test_a_copied_letter_is_skipped_as_a_duplicate(letters: Path, tmp_path: Path) -> None:
    original = sorted(letters.rglob("*.txt"))[0]
    copy = letters / "zz-copy" / original.name
    copy.parent.mkdir()
    shutil.copy(original, copy)
    target = str(tmp_path / "index.sqlite3")
    summary = run_index([letters], target, workers=0)
    assert summary.exit_status == 0 and summary.failed == []
    assert [Path(p) for p, _ in summary.skipped] == [copy.resolve()]
    assert str(original.resolve()) in summary.skipped[0][1]
    assert summary.letters_read == LETTERS


def test_a_single_file_argument(letters: Path, tmp_path: Path) -> None:
    one = sorted(letters.rglob("*.txt"))[0]
    target = str(tmp_path / "index.sqlite3")
    summary = run_index([one], target, workers=0)
    assert summary.letters_read == 1
    assert summary.lines()[0].startswith(f"Index {target}: 1 letter read")


def test_summary_lines() -> None:
    summary = IndexSummary(
        target="x.sqlite3",
        files=3,
        letters_read=1,
        items_indexed=2,
        unchanged=1,
        failed=[("a.txt", "empty file")],
        seconds=2.0,
    )
    lines = summary.lines()
    assert "1 letter read, 2 items indexed" in lines[0]
    assert "unchanged: 1" in lines[1] and "failed: 1" in lines[1]
    assert lines[-2:] == ["Failed:", "  a.txt: empty file"]
    assert summary.exit_status == 1
    summary.notes.append("not merged: merge it later")  # what the engine's finish() left
    assert "  NOTE: not merged: merge it later" in summary.lines()
    assert summary.exit_status == 1


def test_cli_index_and_search(letters: Path, tmp_path: Path) -> None:
    target = str(tmp_path / "cli.sqlite3")
    runner = CliRunner()
    result = runner.invoke(main, ["index", str(letters), "--index", target, "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert f"{LETTERS} letters read" in result.output
    assert Path(target + ".report.txt").exists()
    result = runner.invoke(main, ["search", "", "--json", "--index", target])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == _items_in(letters)
    assert set(data) >= {"total", "items", "facets", "outcome_rate", "took_ms"}
    item = data["items"][0]["id"]
    result = runner.invoke(main, ["similar", item, "--index", target, "-k", "3"])
    assert result.exit_code == 0, result.output
    broken = tmp_path / "broken"
    shutil.copytree(BROKEN, broken)
    result = runner.invoke(
        main,
        [
            "index",
            str(broken),
            "--index",
            target,
            "--workers",
            "0",
            "--report",
            str(tmp_path / "r.txt"),
        ],
    )
    assert result.exit_code == 1
    assert "Failed:" in result.output and "empty.txt" in result.output


def test_cli_index_missing_path(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["index", str(tmp_path / "nope"), "--index", str(tmp_path / "i.sqlite3")]
    )
    assert result.exit_code == 2
    assert "does not exist" in result.output


class _FailingEngine:
    """Delegates to a real engine; its second write raises `error`."""

    def __init__(self, engine, error: BaseException) -> None:  # type: ignore[no-untyped-def]
        self._engine = engine
        self._error = error
        self._writes = 0
        self.target = engine.target

    def write(self, batch):  # type: ignore[no-untyped-def]
        self._writes += 1
        if self._writes == 2:
            raise self._error
        return self._engine.write(batch)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._engine, name)


@pytest.mark.timeout(120)
def test_an_engine_error_stops_the_run_without_hanging(letters: Path, tmp_path: Path) -> None:
    target = str(tmp_path / "index.sqlite3")
    engine = open_engine(target, writable=True)
    try:
        with pytest.raises(RuntimeError, match="disk on fire"):
            run_index(
                [letters],
                engine=_FailingEngine(engine, RuntimeError("disk on fire")),
                workers=2,
                batch_items=5,
            )
    finally:
        engine.close()
    summary = run_index([letters], target, workers=2)  # the next run completes the index
    assert summary.letters_read + summary.unchanged == LETTERS


@pytest.mark.timeout(120)
def test_an_interrupted_run_says_so_and_resumes(letters: Path, tmp_path: Path) -> None:
    target = str(tmp_path / "index.sqlite3")
    engine = open_engine(target, writable=True)
    try:
        summary = run_index(
            [letters], engine=_FailingEngine(engine, KeyboardInterrupt()), workers=2, batch_items=5
        )
    finally:
        engine.close()
    assert summary.interrupted and summary.exit_status == 1
    assert any("INTERRUPTED" in line for line in summary.lines())
    rerun = run_index([letters], target, workers=0)
    assert rerun.unchanged > 0 and rerun.letters_read + rerun.unchanged == LETTERS
    assert _snapshot(target)[0] == _items_in(letters)

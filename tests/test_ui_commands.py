"""`imr-search serve` and `imr-search demo` (the server itself runs in test_browser.py)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from imr_cli import serve as commands
from imr_cli.main import main
from imr_search.contract import SearchRequest
from imr_search.engines import open_engine
from search_ui import create_app, server


def test_commands_are_registered() -> None:
    out = CliRunner().invoke(main, ["--help"]).output
    assert "serve" in out and "demo" in out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_refuses_a_missing_index_with_a_hint(tmp_path: Path) -> None:
    args = ["serve", "--index", str(tmp_path / "none.sqlite3"), "--port", str(free_port())]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "No search index" in result.output and "imr-search demo" in result.output


def test_demo_builds_an_index_through_the_pipeline_once(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["demo", "--letters", "25", "--seed", "3", "--dir", str(tmp_path), "--no-serve"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    index = Path(first.stdout.strip().splitlines()[-1])
    assert index.is_file()
    assert (index.parent / "letters").is_dir()  # letter files, parsed like real ones
    engine = open_engine(str(index))
    try:
        count = engine.count()
        assert count >= 25
        assert engine.search(SearchRequest(per_page=1)).total == count
    finally:
        engine.close()
    mtime = index.stat().st_mtime_ns
    again = runner.invoke(main, args)
    assert again.exit_code == 0 and index.stat().st_mtime_ns == mtime  # reused, not rebuilt
    client = create_app({"IMR_SEARCH_INDEX": str(index)}).test_client()
    assert client.get("/").status_code == 200


def test_serve_picks_threads_for_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2 threads per worker for an index file (CPU work), 4 for Elasticsearch (I/O waits)."""
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(commands, "run_server", lambda *args, **_: calls.append(args))
    monkeypatch.setattr(commands, "_check_index", lambda target: None)
    index = str(tmp_path / "x.sqlite3")
    port = ["--port", str(free_port())]
    assert CliRunner().invoke(commands.serve, ["--index", index, *port]).exit_code == 0
    result = CliRunner().invoke(commands.serve, ["--index", index, "--threads", "6", *port])
    assert result.exit_code == 0
    assert [c[-1] for c in calls] == [None, 6]
    assert server.default_threads(index) == server.SQLITE_THREADS == 2
    assert server.default_threads("http://localhost:9200") == server.ELASTICSEARCH_THREADS

"""`imr-search search`: date ranges, sort orders, notices and suggestions in the terminal and
as JSON (on the behaviour corpus, indexed in SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from behaviour.corpus import ID, source_letters
from click.testing import CliRunner

from imr_cli.main import main
from imr_search.contract import NO_WORDS_NOTICE
from imr_search.engines import open_engine


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> str:
    target = str(tmp_path_factory.mktemp("cli") / "index.sqlite3")
    engine = open_engine(target, writable=True)
    try:
        assert engine.write(source_letters()) == []
        engine.finish()
    finally:
        engine.close()
    return target


def _search(index: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["search", "--index", index, *args])
    return result.exit_code, result.output


def test_date_range_and_oldest_first(index: str) -> None:
    code, out = _search(index, "--from", "2016-01-01", "--to", "2016-12-31", "--sort", "oldest")
    assert code == 0, out
    assert out.startswith("4 items")
    dates = [line.split()[2] for line in out.splitlines() if line.strip()[:1].isdigit()][1:]
    assert dates == ["2016-03-14", "2016-07-02", "2016-07-02", "2016-12-24"]
    code, out = _search(index, "knee", "--sort", "outcome", "--json")
    assert code == 0, out
    items = [item["id"] for item in json.loads(out)["items"]]
    assert items[0] == ID["L8-2"] and items[-1] == ID["L2-2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2016-02-30"), "Invalid parameter '--from'"),
        (("--to", "soon"), "Invalid parameter '--to'"),
        (("--from", "2017-01-01", "--to", "2016-01-01"), "is after --to"),
    ],
)
def test_bad_dates_name_the_option(index: str, args: tuple[str, ...], message: str) -> None:
    code, out = _search(index, *args)
    assert code == 2 and message in out


def test_a_query_without_words_says_so(index: str) -> None:
    code, out = _search(index, "--", "-")
    assert code == 0, out
    # the note is wrapped to the terminal's width
    assert out.startswith("36 items") and f"Note: {NO_WORDS_NOTICE}" in " ".join(out.split())


def test_did_you_mean(index: str) -> None:
    code, out = _search(index, 'treatment:Kyphoplsty -"hardware blok"')
    assert code == 0, out
    assert out.splitlines()[1] == 'Did you mean: treatment:Kyphoplasty -"hardware blok"'
    code, out = _search(index, "kyphoplsty", "--json")
    assert json.loads(out)["suggestion"] == "kyphoplasty"


def test_help_lists_every_sort(index: str) -> None:
    out = CliRunner().invoke(main, ["search", "--help"]).output
    for name in ("relevance", "date", "oldest", "outcome", "--from", "--to"):
        assert name in out
    assert Path(index).exists()

"""The command line for everyday use, on real indexes: `show` prints a whole decision (and its
JSON twin), `similar` names what it compares with, output fits the terminal, counts read
"1 item", filter values in any case (unknown ones: the known or closest, exit 2), and `index`
puts its report where it is asked to or beside the index."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from reliability.helpers import drop_index

from imr_cli.letters import default_report
from imr_cli.main import main
from imr_search.contract import SearchRequest
from imr_search.engines import open_engine
from search_ui import create_app
from synthetic.corpus import generate_letters, write_corpus

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(*args: str, columns: int = 100, **kwargs: Any) -> Result:
    return CliRunner().invoke(main, list(args), env={"COLUMNS": str(columns)}, **kwargs)


def visible_lines(output: str) -> list[str]:
    return ANSI.sub("", output).splitlines()


@pytest.fixture(scope="module")
def hardware_item(demo_index: str) -> str:
    """A hardware-removal item of the demo with guidelines cited by both parties."""
    engine = open_engine(demo_index)
    try:
        request = SearchRequest(query='request:"hardware removal"', per_page=50, sort="date")
        hits = engine.search(request).hits
    finally:
        engine.close()
    for hit in hits:
        parties = {c.party for c in hit.doc.citations}
        if len(parties) == 2 and any(c.section_labels for c in hit.doc.citations):
            return hit.id
    pytest.fail("no demo item with both parties' citations and sections")


# --- show ------------------------------------------------------------------------------------


def test_show_prints_the_whole_decision(demo_index: str, hardware_item: str) -> None:
    result = run("show", hardware_item, "--index", demo_index)
    assert result.exit_code == 0, result.output
    engine = open_engine(demo_index)
    try:
        doc = engine.get_item(hardware_item)
    finally:
        engine.close()
    text = " ".join(" ".join(visible_lines(result.output)).split())
    case = doc.letter.case_number
    assert f"{case}, disputed item {doc.item_number} of {doc.item_count}" in text
    assert doc.treatment in text and doc.outcome.upper() in text
    assert f"Request: {doc.request.phrase}" in text
    for heading in ("Guidelines relied on", "Claims administrator:", "Reviewer:"):
        assert heading in text
    for citation in doc.citations:
        assert citation.label in text
        for section in citation.section_labels:
            assert section.split(": ", 1)[-1] in text
    assert " ".join(doc.rationale.split()) in text  # the whole rationale, wrapped
    assert " ".join(doc.letter.clinical_summary.split()) in text
    assert f"Case number: {case}" in text and "Reviewer specialty:" in text
    assert "(this item)" in text


def test_show_a_case_number_prints_every_item_of_its_letter(
    demo_index: str, hardware_item: str
) -> None:
    case = hardware_item.rsplit("-", 1)[0]
    result = run("show", case.lower().replace("-", " "), "--index", demo_index)
    assert result.exit_code == 0, result.output
    engine = open_engine(demo_index)
    try:
        count = engine.get_item(hardware_item).item_count
    finally:
        engine.close()
    assert result.output.count("Decision rationale") == count
    assert visible_lines(result.output)[0].startswith(f"{case}, disputed item 1 of {count}")


def test_show_json_is_the_api_twin(demo_index: str, hardware_item: str) -> None:
    result = run("show", hardware_item, "--json", "--index", demo_index)
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    api = create_app({"IMR_SEARCH_INDEX": demo_index}).test_client()
    web = api.get(f"/api/items/{hardware_item}").json
    assert cli["item"] == web["item"]
    assert [r["id"] for r in cli["letter_items"]] == [r["id"] for r in web["letter_items"]]
    assert [c["id"] for c in cli["similar"]] == [c["id"] for c in web["similar"]]
    assert cli["similar_outcome_rate"] == web["similar_outcome_rate"]
    assert cli["links"] is None and web["links"]["html"].startswith("/item/")
    letter = run("show", hardware_item.rsplit("-", 1)[0], "--json", "--index", demo_index)
    pages = json.loads(letter.output)
    assert isinstance(pages, list) and hardware_item in [p["item"]["id"] for p in pages]


@pytest.mark.parametrize("wanted", ["CM99-0000001", "CM99-0000001-2", "nonsense"])
def test_show_an_unknown_item_or_case_says_so(demo_index: str, wanted: str) -> None:
    result = run("show", wanted, "--index", demo_index)
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert wanted.upper()[:12] in result.output.upper()


# --- similar, terminal width, plurals --------------------------------------------------------


@pytest.mark.parametrize("columns", [60, 72, 100])
def test_similar_names_the_item_and_fits_the_terminal(
    demo_index: str, hardware_item: str, columns: int
) -> None:
    result = run("similar", hardware_item, "-k", "5", "--index", demo_index, columns=columns)
    assert result.exit_code == 0, result.output
    lines = visible_lines(result.output)
    assert lines[0].startswith(f"Cases similar to {hardware_item}: ")
    assert all(len(line) <= columns for line in lines), max(lines, key=len)
    data = json.loads(run("similar", hardware_item, "--json", "--index", demo_index).output)
    assert data["item_id"] == hardware_item and data["similar"]
    requested = run("similar", hardware_item, "--as-requested", "--json", "--index", demo_index)
    assert json.loads(requested.output)["similar"], requested.output
    refused = run(
        "similar", "--text", "lumbar MRI after a fall", "--as-requested", "--index", demo_index
    )
    assert refused.exit_code == 2 and "as_requested" in refused.output, refused.output


@pytest.mark.parametrize("columns", [60, 120])
def test_search_and_show_fit_the_terminal(
    demo_index: str, hardware_item: str, columns: int
) -> None:
    for args in (("search", '"hardware block"'), ("show", hardware_item)):
        result = run(*args, "--index", demo_index, columns=columns)
        assert result.exit_code == 0, result.output
        lines = visible_lines(result.output)
        assert all(len(line) <= columns for line in lines), max(lines, key=len)


def test_counts_of_one_read_in_the_singular(tmp_path: Path) -> None:
    seed = next(s for s in range(1, 100) if len(next(generate_letters(1, s)).items) == 1)
    write_corpus(tmp_path / "letters", 1, seed)
    index = str(tmp_path / "one.sqlite3")
    indexed = run("index", str(tmp_path / "letters"), "--index", index, "--workers", "0")
    assert indexed.exit_code == 0, indexed.output
    assert "1 letter read, 1 item indexed" in indexed.output
    found = run("search", "", "--index", index)
    assert found.output.startswith("1 item in ") and "1 decision:" in found.output
    assert not re.search(r"\b1 (items|letters|decisions)\b(?!/s)", found.output + indexed.output)


# --- filter values ---------------------------------------------------------------------------


def test_filter_values_in_any_case(demo_index: str) -> None:
    totals = {}
    for value in ("Overturned", "overturned", "OVERTURNED"):
        result = run("search", "--filter", f"outcome={value}", "--json", "--index", demo_index)
        assert result.exit_code == 0, result.output
        totals[value] = json.loads(result.output)["total"]
    assert len(set(totals.values())) == 1 and totals["Overturned"] > 0
    concept = run("search", "-f", "concept=HARDWARE REMOVAL", "--json", "--index", demo_index)
    assert json.loads(concept.output)["total"] >= 4


@pytest.mark.parametrize("command", ["search", "reasons"])
def test_an_unknown_filter_value_lists_the_known_ones(demo_index: str, command: str) -> None:
    result = run(command, "--filter", "outcome=Maybe", "--index", demo_index)
    assert result.exit_code == 2
    assert "'outcome'" in result.output and "Upheld, Overturned" in result.output
    typo = run(command, "-f", "concept=Hardware removl", "--index", demo_index)
    assert typo.exit_code == 2 and "Hardware removal" in typo.output
    assert "Traceback" not in result.output + typo.output


# --- the index report ------------------------------------------------------------------------


def test_index_report_goes_where_asked_or_beside_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "letters", 3, 5)
    monkeypatch.chdir(tmp_path)
    asked = tmp_path / "reports" / "run.txt"
    asked.parent.mkdir()
    result = run(
        "index", "letters", "--index", "i.sqlite3", "--workers", "0", "--report", str(asked)
    )
    assert result.exit_code == 0, result.output
    assert asked.read_text().startswith("Index ") and f"written to {asked}" in result.output
    again = run("index", "letters", "--index", "i.sqlite3", "--workers", "0")
    assert "written to i.sqlite3.report.txt" in again.output
    assert (tmp_path / "i.sqlite3.report.txt").is_file()
    assert sorted(p.name for p in tmp_path.glob("*.txt")) == ["i.sqlite3.report.txt"]
    missing = run("index", "letters", "--index", "j.sqlite3", "--report", "nowhere/r.txt")
    assert missing.exit_code == 2 and "nowhere" in missing.output
    assert not (tmp_path / "j.sqlite3").exists()  # said before indexing


def test_a_url_index_report_goes_to_the_state_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    report = default_report("http://127.0.0.1:9200/imr-items", local_file=False)
    assert (
        report
        == tmp_path / "state" / "imr-search" / "reports" / "127.0.0.1_9200_imr-items.report.txt"
    )
    assert report.parent.is_dir()
    assert default_report("x/i.sqlite3", local_file=True) == Path("x/i.sqlite3.report.txt")


@pytest.mark.elasticsearch
def test_indexing_into_elasticsearch_leaves_no_report_in_the_current_folder(
    es_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "letters", 3, 5)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    target = f"{es_url}/imr-report-{uuid.uuid4().hex[:10]}"  # the node outlives the test
    try:
        result = run("index", str(tmp_path / "letters"), "--index", target, "--workers", "0")
    finally:
        drop_index(target)
    assert result.exit_code == 0, result.output
    reports = list((tmp_path / "state" / "imr-search" / "reports").glob("*.report.txt"))
    assert len(reports) == 1 and f"written to {reports[0]}" in result.output
    assert list(work.iterdir()) == []

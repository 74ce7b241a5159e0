"""Stored file paths are never shown as the server's absolute paths, both engines (issue 12).

`letter.source` was the path the indexer read, absolute when `index` was given an absolute
folder, and the API and the JSON export showed it. Now the documents carry the path relative
to the folder given to `index` (a file given by itself: its name), and the presenters show an
absolute path stored by an older index as its file name. The engines keep the absolute path
as their own key of a file (re-index skips unchanged files), which is never returned.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from imr_search.engines import open_engine
from indexer.documents import source_documents
from indexer.pipeline import run_index
from search_ui import create_app
from synthetic.corpus import generate_letters, write_corpus

from .helpers import drop_index, refresh


@pytest.fixture
def target(engine_target: str) -> Iterator[str]:
    yield engine_target
    drop_index(engine_target)


def shown_sources(target: str) -> tuple[set[str], str]:
    """Every `letter.source` the API and the JSON export show; and a JSON body to search."""
    refresh(target)
    app = create_app({"IMR_SEARCH_INDEX": target})
    client = app.test_client()
    try:
        exported = json.loads(client.get("/export.json").get_data(as_text=True))
        sources = {item["letter"]["source"] for item in exported["items"]}
        first = exported["items"][0]["id"]
        page = client.get(f"/api/items/{first}").get_data(as_text=True)
        sources.add(json.loads(page)["item"]["letter"]["source"])
        return sources, json.dumps(exported) + page
    finally:
        app.extensions["imr_search_engine"].close_all()


@pytest.mark.timeout(300)
def test_documents_show_paths_relative_to_the_indexed_folder(target: str, tmp_path: Path) -> None:
    root = tmp_path / "letters"
    files = write_corpus(root, 6, seed=31)  # root/0000/*.txt
    single = tmp_path / "elsewhere" / "one.txt"
    single.parent.mkdir()
    shutil.move(files[0], single)  # a file given to `index` by itself
    summary = run_index([str(root), str(single)], target, workers=0)
    assert summary.exit_status == 0, summary.lines()

    sources, bodies = shown_sources(target)
    assert str(tmp_path) not in bodies
    assert "one.txt" in sources
    assert {s for s in sources if s != "one.txt"} == {f"0000/{path.name}" for path in files[1:]}
    engine = open_engine(target)
    try:  # the engine's own key of each file stays absolute (the next run skips them all)
        assert all(os.path.isabs(key) for key in engine.indexed_sources())
    finally:
        engine.close()
    again = run_index([str(root), str(single)], target, workers=0)
    assert again.unchanged == again.files and again.letters_read == 0


def test_absolute_paths_stored_by_an_older_index_show_as_file_names(
    target: str, tmp_path: Path
) -> None:
    writer = open_engine(target, writable=True)
    try:
        docs = []
        for n, letter in enumerate(generate_letters(3, 41)):
            path = f"/srv/private/letters/{n}.txt"
            letter = dataclasses.replace(letter, source=path)
            docs.append(source_documents(path, f"fp{n}", letter))
        assert writer.write(docs) == []
        writer.finish()
    finally:
        writer.close()
    sources, bodies = shown_sources(target)
    assert "/srv/private" not in bodies
    assert sources <= {"0.txt", "1.txt", "2.txt"}

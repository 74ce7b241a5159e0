"""Fixtures of the engine-independent behaviour suite.

`engine` is the fixture corpus indexed once per engine per test module, through the Engine
protocol only (open_engine + write + finish), so every engine runs these tests
unchanged: SQLite, one Elasticsearch node, and a 3-node Elasticsearch cluster whose indices
have one primary and two replicas ("elasticsearch-cluster", marker elasticsearch_cluster:
run last, see tests/conftest.py); `citator_engine` is the citator's and the reasons' corpus
(citator_corpus.py) and `as_requested_engine` the "as requested" comparison's
(as_requested_corpus.py), indexed the same way. Tests that write use the root conftest's fresh
`engine_target` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from imr_search.contract import Engine, SourceDocuments
from imr_search.engines import open_engine

from . import as_requested_corpus, citator_corpus, corpus

ENGINES = ("sqlite", "elasticsearch", "elasticsearch-cluster")


def module_target(kind: str, tmp: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return str(tmp / "behaviour.sqlite3")
    if kind == "elasticsearch-cluster":
        make: Callable[[str], str] = request.getfixturevalue("cluster_index")
        return make("imr-behaviour")
    make_target: Callable[[str], str] = request.getfixturevalue("es_target")
    return make_target("imr-behaviour")


@pytest.fixture(params=ENGINES)
def engine_kind(request: pytest.FixtureRequest) -> str:
    """Overrides tests/conftest.py's: `engine_target` here covers the cluster too."""
    return str(request.param)


@pytest.fixture(scope="module", params=ENGINES)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The fixture corpus, indexed (read it only; write tests use `engine_target`)."""
    yield from _indexed(request, tmp_path_factory, corpus.source_letters())


@pytest.fixture(scope="module", params=ENGINES)
def citator_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The citator's and the reasons' corpus, indexed (read it only)."""
    yield from _indexed(request, tmp_path_factory, citator_corpus.source_letters())


@pytest.fixture(scope="module", params=ENGINES)
def as_requested_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The "as requested" comparison's corpus (as_requested_corpus.py), indexed (read it only)."""
    yield from _indexed(request, tmp_path_factory, as_requested_corpus.source_letters())


def _indexed(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    letters: list[SourceDocuments],
) -> Iterator[Engine]:
    target = module_target(request.param, tmp_path_factory.mktemp("behaviour"), request)
    writer = open_engine(target, writable=True)
    try:
        assert writer.write(letters) == []
        writer.finish()
        yield writer
    finally:
        writer.close()

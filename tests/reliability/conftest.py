"""Fixtures of the reliability tests: one Elasticsearch node for the whole folder.

The fault tests must stop and restart Elasticsearch, which the suite's shared node (tests/
conftest.py) cannot do without breaking other tests. So this folder runs on its own node, one
that can be restarted (esnode.py), and `es_url` here points at it: one node from this folder
at a time. With $IMR_SEARCH_ES_URL set (or no Java/Maven), `es_url` falls back to the shared
machinery and the fault tests skip.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.esnode import NodeUnavailable, elasticsearch_node

from .esnode import RestartableNode

_WHY_NO_NODE: list[str] = []  # why the folder's own node cannot run here, if it cannot


@pytest.fixture(scope="session")
def es_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestartableNode | None]:
    """The folder's own node, or None when it cannot run here (why: `_WHY_NO_NODE`)."""
    try:
        node = RestartableNode(tmp_path_factory.mktemp("es-reliability"))
    except NodeUnavailable as exc:
        _WHY_NO_NODE.append(str(exc))
        yield None
        return
    try:
        node.start()
    except NodeUnavailable as exc:  # e.g. it did not become healthy: say why, run without
        node.close()
        _WHY_NO_NODE.append(str(exc))
        yield None
        return
    try:
        yield node
    finally:
        node.close()


@pytest.fixture(scope="session")
def es_url(
    es_node: RestartableNode | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Overrides tests/conftest.py's: this folder's restartable node when there is one."""
    if es_node is not None:
        yield es_node.start()  # running already, unless a fault test left it stopped
        return
    try:
        with elasticsearch_node(tmp_path_factory.mktemp("es")) as url:
            yield url
    except NodeUnavailable as exc:
        pytest.skip(f"Elasticsearch tests skipped: {exc}")


@pytest.fixture
def restartable_node(es_node: RestartableNode | None) -> Iterator[RestartableNode]:
    """The node, for a test that stops it; running again after the test, whatever happens."""
    if es_node is None:
        why = _WHY_NO_NODE[-1] if _WHY_NO_NODE else "unknown reason"
        pytest.skip(f"needs an Elasticsearch node the test can stop: {why}")
    try:
        yield es_node
    finally:
        es_node.start()

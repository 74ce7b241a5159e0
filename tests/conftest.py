"""Shared fixtures: real engines only (a real SQLite file, a real Elasticsearch node, a real
Elasticsearch cluster).

`engine_target` is parametrised over every engine, so a test written against it runs
unchanged on SQLite and on Elasticsearch (tests/behaviour/ is written that way, and also runs
on a 3-node cluster: its engine "elasticsearch-cluster").

The cluster (marker `elasticsearch_cluster`, which implies `elasticsearch`) costs three more
JVMs of 512 MB and about a minute to start, so its tests run last: the cluster starts only
then, once per session, and nothing else runs beside it. `-m "not elasticsearch_cluster"`
leaves them out.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from devtools.escluster import LocalCluster

ENGINES = ("sqlite", "elasticsearch")
CLUSTER = "elasticsearch-cluster"  # the behaviour suite's third engine
# The cluster layout the README recommends: one primary, a copy of it on every other node.
CLUSTER_LAYOUT = {"IMR_SEARCH_ES_SHARDS": "1", "IMR_SEARCH_ES_REPLICAS": "2"}
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL_LETTERS = SHARED / "real-letters"
SEEDS = SHARED / "seeds"
FIXTURE_LETTERS = Path(__file__).parent / "fixtures" / "letters"


@pytest.fixture(scope="session")
def es_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a real Elasticsearch node: $IMR_SEARCH_ES_URL, Docker, or the Maven test zip."""
    from devtools.esnode import NodeUnavailable, elasticsearch_node

    try:
        with elasticsearch_node(tmp_path_factory.mktemp("es")) as url:
            yield url
    except NodeUnavailable as exc:
        pytest.skip(f"Elasticsearch tests skipped: {exc}")


@pytest.fixture(scope="session")
def es_target(es_url: str) -> Iterator[Callable[[str], str]]:
    """Makes fresh index targets `<es_url>/<prefix>-<random>`; the session drops them all at
    its end, so a node that outlives it ($IMR_SEARCH_ES_URL, a developer's) does not collect
    them."""
    from elasticsearch import Elasticsearch

    from imr_search.elastic import indices

    made: list[str] = []

    def make(prefix: str) -> str:
        made.append(f"{prefix}-{uuid.uuid4().hex[:10]}")
        return f"{es_url.rstrip('/')}/{made[-1]}"

    yield make
    client = Elasticsearch(es_url, request_timeout=60)
    try:
        for alias in made:
            with contextlib.suppress(Exception):  # best effort: the node may be gone
                indices.drop(client, alias)
    finally:
        client.close()


@pytest.fixture(scope="session")
def es_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster | None]:
    """A 3-node cluster started for this session (devtools/escluster.py), stopped at its end;
    None when $IMR_SEARCH_ES_CLUSTER_URL names an existing cluster (no test may stop it)."""
    from devtools.escluster import CLUSTER_URL_ENV, LocalCluster
    from devtools.esnode import NodeUnavailable

    if os.environ.get(CLUSTER_URL_ENV):
        yield None
        return
    try:
        cluster = LocalCluster(tmp_path_factory.mktemp("es-cluster"))
    except NodeUnavailable as exc:
        pytest.skip(f"Elasticsearch cluster tests skipped: {exc}")
    try:
        cluster.start()
    except NodeUnavailable as exc:
        cluster.close()
        pytest.skip(f"Elasticsearch cluster tests skipped: {exc}")
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="session")
def es_cluster_url(es_cluster: LocalCluster | None) -> str:
    """The cluster as an index-target base naming every node: http://h1:p1,h2:p2,h3:p3."""
    from devtools.escluster import CLUSTER_URL_ENV, hosts_url

    if es_cluster is not None:
        return es_cluster.hosts_url
    given = os.environ[CLUSTER_URL_ENV]
    return hosts_url([url.strip() for url in given.split(",") if url.strip()])


@pytest.fixture(scope="session")
def cluster_index(es_cluster_url: str) -> Callable[[str], str]:
    """Makes a fresh index on the cluster with CLUSTER_LAYOUT; returns its target.

    The index is created here because shards and replicas are read when an index is created:
    the tests then open it like any other target."""
    from imr_search.elastic.engine import ElasticEngine

    def make(prefix: str) -> str:
        target = f"{es_cluster_url}/{prefix}-{uuid.uuid4().hex[:10]}"
        with pytest.MonkeyPatch.context() as env:
            for name, value in CLUSTER_LAYOUT.items():
                env.setenv(name, value)
            with ElasticEngine(target, writable=True) as engine:
                engine.client.cluster.health(
                    index=[engine.items_index, engine.sources_index],
                    wait_for_status="green",
                    timeout="60s",
                )
        return target

    return make


def new_target(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty index target of the given engine kind."""
    if kind == "sqlite":
        return str(tmp_path / f"index-{uuid.uuid4().hex[:8]}.sqlite3")
    if kind == CLUSTER:
        make: Callable[[str], str] = request.getfixturevalue("cluster_index")
        return make("imr-test")
    make: Callable[[str], str] = request.getfixturevalue("es_target")
    return make("imr-test")


@pytest.fixture(params=ENGINES)
def engine_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def engine_target(engine_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh empty index (file path or Elasticsearch URL) for each engine."""
    return new_target(engine_kind, tmp_path, request)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tag Elasticsearch-parametrised tests so `-m "not elasticsearch"` runs SQLite only, and
    cluster-parametrised ones `elasticsearch_cluster` (which implies `elasticsearch`)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        values = [v for v in callspec.params.values() if isinstance(v, str)] if callspec else []
        if CLUSTER in values:
            item.add_marker(pytest.mark.elasticsearch_cluster)
        if "elasticsearch" in values or item.get_closest_marker("elasticsearch_cluster"):
            item.add_marker(pytest.mark.elasticsearch)


class _ClusterLast:
    """Runs the cluster's tests after every other test (a stable sort: each module's tests
    stay together), so its three JVMs start late and nothing else runs beside them."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items.sort(key=lambda item: item.get_closest_marker("elasticsearch_cluster") is not None)


def pytest_configure(config: pytest.Config) -> None:
    """Registers _ClusterLast; the Elasticsearch fixtures' lines about long waits (fetching,
    starting a node or the cluster) reach the terminal at once, past pytest's output capture."""
    from devtools import esnode

    config.pluginmanager.register(_ClusterLast(), "imr-cluster-last")
    capture = config.pluginmanager.getplugin("capturemanager")

    def say(message: str) -> None:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            print(message, file=sys.stderr, flush=True)

    esnode.set_reporter(say)


@pytest.fixture(autouse=True)
def _no_ambient_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's $IMR_SEARCH_INDEX by accident."""
    if "IMR_SEARCH_INDEX" in os.environ:
        monkeypatch.delenv("IMR_SEARCH_INDEX")


@pytest.fixture(scope="module")
def app() -> Iterator[Any]:
    """The web app over the shared UI fixture index (built by tests/test_ui_corpus.py)."""
    from test_ui_corpus import close_app, make_app

    application = make_app()
    yield application
    close_app(application)


@pytest.fixture
def client(app: Any) -> Any:
    """A Flask test client of `app`."""
    return app.test_client()


# --- the browser tests (tests/test_browser*.py): real Chromium over a served demo-like index ---


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The web app over 600 generated letters indexed from files (devtools/browser.py)."""
    from devtools.browser import demo_index, serving

    with serving(demo_index(tmp_path_factory.mktemp("browser"))) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from devtools.browser import chromium, chromium_missing

    missing = chromium_missing()
    if missing:
        pytest.skip(f"browser test skipped: {missing}")
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page at 1366x900 that records console errors and warnings in `.problems`."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems
    yield pg
    context.close()


DEMO_TEST_LETTERS = 40  # a small demo corpus: its showcase letters and some random ones


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small demo index, built as `imr-search demo` builds one (generated letters, the
    showcase requests among them, indexed by the pipeline)."""
    from imr_cli.serve import DEMO_SEED, build_demo_index

    root = tmp_path_factory.mktemp("demo")
    return str(build_demo_index(DEMO_TEST_LETTERS, DEMO_SEED, root))

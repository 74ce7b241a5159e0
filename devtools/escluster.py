"""A real Elasticsearch cluster on loopback: several node processes forming one cluster.

Why: users who outgrow one machine run a cluster (issue 14), and a cluster behaves in ways one
node cannot show: shard copies on other nodes, a node leaving while requests are in flight,
a new primary promoted, a new master elected. This starts such a cluster from the same
integration-test distribution (and analysis plugin) as `devtools.esnode`, as the same
unprivileged user, so the tests and the benchmarks exercise the real thing.

Each node is its own JVM with its own folder (config, data, logs), its own HTTP and transport
ports, a small heap (IMR_SEARCH_ES_CLUSTER_HEAP, default 512m: three nodes share a small
machine), every node master-eligible and data-holding, `discovery.seed_hosts` listing every
transport port and `cluster.initial_master_nodes` naming every node on the first start (a
restarted node joins by its data and the seed hosts, without bootstrapping again).

`LocalCluster` can stop one node and start it again on the same ports and data (outage tests).
`elasticsearch_cluster(workdir)` yields the URLs of a running cluster: $IMR_SEARCH_ES_CLUSTER_URL
(comma-separated node URLs of an existing cluster; nothing started or stopped), else a local
one started here and stopped afterwards.

CLI: `python -m devtools.esnode --nodes 3` (from the repository root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from devtools import esnode
from devtools.esnode import NodeProcess, NodeUnavailable

CLUSTER_URL_ENV = "IMR_SEARCH_ES_CLUSTER_URL"
HEAP_ENV = "IMR_SEARCH_ES_CLUSTER_HEAP"
DEFAULT_HEAP = "512m"
DEFAULT_NODES = 3


def hosts_url(urls: list[str]) -> str:
    """The several-node form of an index target's base: http://h1:p1,h2:p2 (add /alias)."""
    netlocs = [urllib.parse.urlsplit(url).netloc for url in urls]
    scheme = urllib.parse.urlsplit(urls[0]).scheme
    return f"{scheme}://{','.join(netlocs)}"


class LocalCluster:
    """`nodes` local nodes forming one cluster; `start()`, `stop_node(i)`, `start_node(i)`."""

    def __init__(self, workdir: Path, nodes: int = DEFAULT_NODES, heap: str | None = None) -> None:
        if nodes < 1:
            raise ValueError("a cluster needs at least one node")
        reasons: list[str] = []
        java_home = esnode.find_java_home(reasons)
        mvn = shutil.which("mvn")
        if mvn is None:
            reasons.append("Maven (mvn) is not on PATH")
        if java_home is None or mvn is None:
            raise NodeUnavailable(
                "a local cluster needs Java 17+ and Maven (or set "
                f"{CLUSTER_URL_ENV} to an existing cluster's node URLs). Missing: "
                + "; ".join(reasons)
            )
        self._java_home = java_home
        self._home = esnode.install_distribution(mvn, java_home)
        self._user = esnode._node_user()
        self.heap = heap or os.environ.get(HEAP_ENV) or DEFAULT_HEAP
        self.name = f"imr-cluster-{os.getpid()}-{esnode.free_port()}"
        self.node_names = [f"{self.name}-node{i}" for i in range(nodes)]
        self.node_dirs = [esnode._node_dir(Path(workdir), self._user) for _ in range(nodes)]
        self.ports = [(esnode.free_port(), esnode.free_port()) for _ in range(nodes)]
        self.urls = [f"http://127.0.0.1:{http}" for http, _ in self.ports]
        self._processes: list[NodeProcess | None] = [None] * nodes
        self._bootstrapped = False

    @property
    def size(self) -> int:
        return len(self.node_names)

    @property
    def hosts_url(self) -> str:
        """Every node in one index-target base: http://127.0.0.1:p1,127.0.0.1:p2,..."""
        return hosts_url(self.urls)

    def running(self, index: int) -> bool:
        return self._processes[index] is not None

    def live_url(self) -> str:
        """The URL of a running node (for admin requests while another one is down)."""
        for i, url in enumerate(self.urls):
            if self.running(i):
                return url
        raise NodeUnavailable(f"no node of {self.name} is running")

    def _settings(self) -> dict[str, str]:
        seeds = ",".join(f"127.0.0.1:{transport}" for _, transport in self.ports)
        settings = {"cluster.name": self.name, "discovery.seed_hosts": seeds}
        if not self._bootstrapped:  # only the very first start bootstraps the cluster
            settings["cluster.initial_master_nodes"] = ",".join(self.node_names)
        return settings

    def _launch(self, index: int) -> NodeProcess:
        settings = {**self._settings(), "node.name": self.node_names[index]}
        node = esnode.launch(
            self._home,
            self.node_dirs[index],
            self._java_home,
            self._user,
            self.ports[index],
            settings,
            self.heap,
        )
        self._processes[index] = node
        return node

    def start(self) -> list[str]:
        """Start every node that is not running (all at once: the first ones cannot elect a
        master alone), wait until all have joined; returns the node URLs."""
        started = [self._launch(i) for i in range(self.size) if not self.running(i)]
        if not started:
            return self.urls
        esnode.say(
            f"Starting {len(started)} of the {self.size} nodes of an Elasticsearch "
            f"{esnode.ES_VERSION} cluster on {', '.join(self.urls)} (heap {self.heap} each; "
            "about 30-90 s)..."
        )
        begun = time.monotonic()
        try:
            self._wait_all(started)
        except BaseException:
            self.close_processes()
            raise
        self._bootstrapped = True
        esnode.say(f"The cluster is up after {time.monotonic() - begun:.0f} s")
        return self.urls

    def _wait_all(self, nodes: list[NodeProcess]) -> None:
        live = [p for p in self._processes if p is not None]
        condition = f"wait_for_nodes={self.size}"
        esnode._wait_healthy(nodes[0].url if nodes else live[0].url, live, condition)
        for node in nodes:
            esnode.check_server_version(node.url)

    def stop_node(self, index: int) -> None:
        """Stop one node (SIGTERM to its process group, then SIGKILL): an outage."""
        node, self._processes[index] = self._processes[index], None
        if node is not None:
            node.stop()

    def start_node(self, index: int) -> str:
        """Start a stopped node again on its ports and data; wait until it has rejoined."""
        if not self.running(index):
            node = self._launch(index)
            self._wait_all([node])
        return self.urls[index]

    def node_of(self, name: str) -> int:
        """The index of a node by its Elasticsearch node name."""
        return self.node_names.index(name)

    def close_processes(self) -> None:
        """Stop every node, in parallel (each may take seconds to shut down)."""
        running = [i for i in range(self.size) if self.running(i)]
        with ThreadPoolExecutor(max(len(running), 1)) as pool:
            list(pool.map(self.stop_node, running))

    def close(self) -> None:
        """Stop every node and delete their folders."""
        self.close_processes()
        for node_dir in self.node_dirs:
            shutil.rmtree(node_dir, ignore_errors=True)

    def __enter__(self) -> LocalCluster:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@contextlib.contextmanager
def elasticsearch_cluster(workdir: Path | str, nodes: int = DEFAULT_NODES) -> Iterator[list[str]]:
    """Yield the node URLs of a running cluster: $IMR_SEARCH_ES_CLUSTER_URL, else local."""
    given = os.environ.get(CLUSTER_URL_ENV)
    if given:
        urls = [url.strip().rstrip("/") for url in given.split(",") if url.strip()]
        for url in urls:
            esnode.check_server_version(url)
        yield urls
        return
    with LocalCluster(Path(workdir), nodes) as cluster:
        yield cluster.urls

"""An Elasticsearch node the fault tests can stop and start again on the same port and data.

Built from `devtools.esnode`'s local route (Maven test distribution, run as an
unprivileged user): `_running(..., ports=...)` re-entered with the same node folder restarts
the same node on its data. An existing node ($IMR_SEARCH_ES_URL) or a Docker container cannot
be stopped by a test, so then `NodeUnavailable` says why and the fault tests skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

from devtools import esnode as devnode
from devtools.esnode import NodeUnavailable


class RestartableNode:
    """One local node: `start()`, `stop()`, `start()` again; `url` stays the same."""

    def __init__(self, workdir: Path) -> None:
        if os.environ.get(devnode.URL_ENV):
            raise NodeUnavailable(
                f"${devnode.URL_ENV} names an existing node, which a test may not stop"
            )
        reasons: list[str] = []
        java_home = devnode.find_java_home(reasons)
        mvn = shutil.which("mvn")
        if java_home is None or mvn is None:
            raise NodeUnavailable(
                "a node the test can stop and restart needs Java 17+ and Maven: "
                + "; ".join(reasons or ["mvn is not on PATH"])
            )
        self._java_home = java_home
        self._home = devnode.install_distribution(mvn, java_home)
        self._user = devnode._node_user()
        self.node_dir = devnode._node_dir(workdir, self._user)
        self.ports = (devnode.free_port(), devnode.free_port())
        self.url = f"http://127.0.0.1:{self.ports[0]}"
        self._running: contextlib.AbstractContextManager[str] | None = None

    @property
    def running(self) -> bool:
        return self._running is not None

    def start(self) -> str:
        """Start (or restart) the node and wait until it is healthy; returns its URL."""
        if self._running is None:
            running = devnode._running(
                self._home, self.node_dir, self._java_home, self._user, ports=self.ports
            )
            url = running.__enter__()
            assert url == self.url, (url, self.url)
            self._running = running
        return self.url

    def stop(self) -> None:
        """Stop the node (SIGTERM to its process group, then SIGKILL): an outage."""
        running, self._running = self._running, None
        if running is not None:
            running.__exit__(None, None, None)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.node_dir, ignore_errors=True)

    def __enter__(self) -> RestartableNode:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

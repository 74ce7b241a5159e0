"""How tests find an Elasticsearch node, and the compose file that runs one for real."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import elasticsearch
import pytest

from devtools import esnode
from devtools.esnode import NodeUnavailable, check_server_version
from search_ui import server

ROOT = Path(__file__).resolve().parents[1]


def test_missing_maven_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real_which = esnode.shutil.which
    monkeypatch.setattr(
        esnode.shutil, "which", lambda name: None if name == "mvn" else real_which(name)
    )
    with pytest.raises(NodeUnavailable) as info, esnode.local_node(tmp_path):
        pass
    assert "Maven" in str(info.value) and "IMR_SEARCH_ES_URL" in str(info.value)


def _fake_node(version: str) -> HTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.dumps({"nodes": {"n1": {"version": version}}}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_server_of_another_major_is_refused() -> None:
    server = _fake_node("9.1.0")
    try:
        with pytest.raises(NodeUnavailable) as info:
            check_server_version(f"http://127.0.0.1:{server.server_port}")
        assert "majors must match" in str(info.value)
    finally:
        server.shutdown()
    ok = _fake_node(elasticsearch.__versionstr__)
    try:
        assert check_server_version(f"http://127.0.0.1:{ok.server_port}")
    finally:
        ok.shutdown()


@pytest.mark.elasticsearch
def test_env_url_is_used_as_is(
    es_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(esnode.URL_ENV, es_url + "/")
    with esnode.elasticsearch_node(tmp_path) as url:
        assert url == es_url


def test_compose_runs_the_matching_elasticsearch_web_and_indexer() -> None:
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    es = services["elasticsearch"]
    image_version = es["image"].rsplit(":", 1)[1]
    assert image_version == esnode.ES_VERSION
    assert image_version.split(".")[0] == elasticsearch.__versionstr__.split(".")[0]
    assert es["environment"]["discovery.type"] == "single-node"
    assert es["environment"]["xpack.security.enabled"] == "false"
    assert "esdata" in compose["volumes"] and es["healthcheck"]["test"]
    web = services["web"]
    # The server of `imr-search serve` (issue 12: sync workers froze behind two slow clients).
    command = web["command"]
    assert command[0] == "gunicorn" and command[-1] == "search_ui.asgi:create_asgi_app()"
    assert command[command.index("--worker-class") + 1] == server.WORKER_CLASS
    assert web["environment"]["IMR_SEARCH_INDEX"] == "http://elasticsearch:9200"
    assert web["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    indexer = services["indexer"]
    assert indexer["command"][:3] == ["imr-search", "index", "/letters"]
    assert "http://elasticsearch:9200" in indexer["command"]
    assert any(v.endswith(":/letters:ro") for v in indexer["volumes"])
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert server.WORKER_CLASS in dockerfile and "search_ui.asgi:create_asgi_app()" in dockerfile


def test_node_folders_left_by_killed_processes_are_removed(tmp_path: Path) -> None:
    """A process that made a node folder and died without removing it (a killed session)
    leaves it unclaimed: the next node folder made beside it removes it. A folder this process
    still holds, and one without a claim file (an older version's), stay."""
    import subprocess
    import sys

    made = subprocess.run(
        [sys.executable, "-c", "import sys; from pathlib import Path; from devtools import "
         "esnode; print(esnode._node_dir(Path(sys.argv[1]), None))", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    abandoned = Path(made.stdout.strip())
    (abandoned / "data").mkdir()
    unclaimed = tmp_path / "es-node-older"
    unclaimed.mkdir()
    held = esnode._node_dir(tmp_path, None)
    assert not abandoned.exists()
    assert held.is_dir() and unclaimed.is_dir()
    again = esnode._node_dir(tmp_path, None)
    assert held.is_dir() and again.is_dir()  # claimed by this live process: kept

"""`imr-search serve` and `demo` run the production server (gunicorn processes with uvicorn
event loops) with the workers and threads asked for; a fallback server says so loudly; a busy
port is said at once, with how to pick another, exit status 2. Real processes, real sockets."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from imr_cli.main import main

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def busy_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@contextmanager
def running(
    args: list[str], prelude: str = "", quiet: bool = True
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`imr-search ARGS` in its own process group until its /api/health answers; yields the
    process and its base URL; stops the group afterwards."""
    port = free_port()
    code = f"{prelude}from imr_cli.main import main; main(prog_name='imr-search')"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args, "--port", str(port), *(["--quiet"] if quiet else [])],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}: {proc.stderr.read()}")
            try:
                with urllib.request.urlopen(url + "/api/health", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not answer in time"
            time.sleep(0.3)
        yield proc, url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def stderr_of(proc: subprocess.Popen[str]) -> str:
    """What the stopped server wrote on stderr."""
    return proc.stderr.read() if proc.stderr else ""


def server_header(url: str) -> str:
    with urllib.request.urlopen(url + "/api/health", timeout=5) as resp:
        return resp.headers.get("server", "")


def test_serve_runs_gunicorn_with_the_workers_and_threads_asked_for(demo_index: str) -> None:
    args = ["serve", "--index", demo_index, "--workers", "2", "--threads", "3"]
    with running(args, quiet=False) as (proc, url):  # gunicorn's info lines too
        workers = psutil.Process(proc.pid).children()
        assert len(workers) == 2
        assert server_header(url) == "uvicorn"  # uvicorn's event loop answers
    err = stderr_of(proc)
    assert f"Open {url}/" in err
    assert "Server: gunicorn, 2 worker processes (uvicorn event loops), 3 app threads each" in err
    assert "WARNING" not in err
    assert "Control socket" not in err  # one path per user: two servers would share it


def test_demo_serves_with_the_production_server_too(demo_index: str) -> None:
    folder = Path(demo_index).parent  # <root>/demo-<letters>-<seed>-v<n>: reused as built
    letters, seed = folder.name.split("-")[1:3]
    args = ["demo", "--dir", str(folder.parent), "--letters", letters, "--seed", seed]
    args += ["--workers", "1"]
    with running([*args, "--threads", "2"]) as (proc, url):
        assert len(psutil.Process(proc.pid).children()) == 1
        assert server_header(url) == "uvicorn"
        assert "hardware" in urllib.request.urlopen(url + "/", timeout=10).read().decode()
    err = stderr_of(proc)
    assert "Server: gunicorn, 1 worker process (uvicorn event loops), 2 app threads each" in err


def test_a_fallback_server_says_so_loudly(demo_index: str) -> None:
    """Without gunicorn and uvicorn, werkzeug serves, under a warning banner."""
    blocked = "import sys; sys.modules['gunicorn'] = sys.modules['uvicorn'] = None; "
    with running(["serve", "--index", demo_index], prelude=blocked) as (_proc, url):
        assert server_header(url).startswith("Werkzeug")
    err = stderr_of(_proc)
    assert "WARNING: the production server cannot run here (gunicorn, uvicorn" in err
    assert "Werkzeug's development server" in err and "!" * 40 in err


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_busy_port_is_said_at_once(command: str, demo_index: str, tmp_path: Path) -> None:
    extra = ["--index", demo_index] if command == "serve" else ["--dir", str(tmp_path)]
    with busy_port() as port:
        started = time.monotonic()
        result = CliRunner().invoke(main, [command, "--port", str(port), *extra])
        took = time.monotonic() - started
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is busy" in result.output
    assert "Pick another port with --port" in result.output
    assert "Open http" not in result.output
    assert took < 5 and list(tmp_path.iterdir()) == []  # the demo was not built first


def test_an_address_that_is_not_here_is_said_at_once(demo_index: str) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--index", demo_index, "--host", "no-such-host.invalid"]
    )
    assert result.exit_code == 2 and "--host 'no-such-host.invalid'" in result.output

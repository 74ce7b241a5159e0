"""A real Elasticsearch node for tests, benchmarks and developers, found or started on demand.

`elasticsearch_node(workdir)` yields the URL of a node, trying in order:

1. `$IMR_SEARCH_ES_URL` (an existing node or cluster; nothing is started or stopped);
2. a Docker container through `testcontainers`, when that package is installed and a Docker
   engine answers;
3. where `java` (17+) and `mvn` exist: the official integration-test distribution
   `org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>` from Maven Central,
   fetched once with Maven, unzipped once into a cache directory, and started on a free loopback
   port in single-node mode with a 1 GB heap, as an unprivileged user (Elasticsearch refuses
   root: when running as root a system user `imr-es` is created and the node runs via setpriv).
   That distribution ships without the analysis-common module, so the small analysis plugin in
   `devtools/es_analysis_plugin_java/` is compiled with `javac` and installed into the cached
   copy (see `es_analysis_plugin.py`); the index definition then works unchanged.

Else `NodeUnavailable` names what is missing (the test fixture turns it into a skip).

Environment: IMR_SEARCH_ES_URL (use this node), IMR_SEARCH_ES_CACHE (where the distribution is
unpacked; default /var/tmp/imr-search as root, else ~/.cache/imr-search), ES_JAVA_HOME (a
Java 17+ home; found automatically otherwise), IMR_SEARCH_ES_HEAP (default 1g),
IMR_SEARCH_ES_START_TIMEOUT (seconds, default 180).

CLI: `python -m devtools.esnode` (from the repository root) starts a node, prints its URL and
keeps it running until Ctrl-C (for the benchmarks and for trying the engine by hand);
`--nodes 3` starts a cluster of three instead (devtools/escluster.py) and prints their URLs.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import elasticsearch

ES_VERSION = "8.19.3"
MAVEN_GROUP = "org.elasticsearch.distribution.integ-test-zip"
MAVEN_ARTIFACT = f"{MAVEN_GROUP}:elasticsearch:{ES_VERSION}:zip"
DOCKER_IMAGE = f"docker.elastic.co/elasticsearch/elasticsearch:{ES_VERSION}"
NODE_USER = "imr-es"
URL_ENV = "IMR_SEARCH_ES_URL"


class NodeUnavailable(RuntimeError):
    """No Elasticsearch node can be found or started here; the message says what is missing."""


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


_reporter: Callable[[str], None] = _to_stderr


def set_reporter(reporter: Callable[[str], None]) -> None:
    """Where the lines announcing long waits go (default stderr; pytest bypasses its capture)."""
    global _reporter
    _reporter = reporter


def say(message: str) -> None:
    """One line before a long wait (a download, unpacking, a node starting), so that nobody
    stares at a silent terminal."""
    _reporter(f"[esnode] {message}")


@contextlib.contextmanager
def elasticsearch_node(workdir: Path | str) -> Iterator[str]:
    """Yield the base URL (no trailing slash) of a running node; stop it afterwards if ours."""
    workdir = Path(workdir)
    url = os.environ.get(URL_ENV)
    if url:
        url = url.rstrip("/")
        check_server_version(url)
        yield url
        return
    reasons: list[str] = []
    container = _docker_container(reasons)
    if container is not None:
        with container as url:
            yield url
        return
    with local_node(workdir, reasons) as url:
        yield url


# --- version check ----------------------------------------------------------------------------


def check_server_version(url: str, timeout: float = 10.0) -> str:
    """The server's version; NodeUnavailable if unreachable or of another major than the client."""
    # Not `GET /`: the integ-test distribution lacks the module that serves it.
    try:
        with urllib.request.urlopen(
            url + "/_nodes/_local?filter_path=nodes.*.version", timeout=timeout
        ) as resp:
            nodes = json.load(resp).get("nodes", {})
    except (OSError, ValueError) as exc:
        raise NodeUnavailable(f"Elasticsearch at {url} does not answer: {exc}") from exc
    server = str(next(iter(nodes.values()), {}).get("version", "?"))
    client = elasticsearch.__versionstr__
    if server.split(".")[0] != client.split(".")[0]:
        raise NodeUnavailable(
            f"Elasticsearch at {url} is {server} but the Python client is {client}: "
            "client and server majors must match (elasticsearch-py 8.x with Elasticsearch 8.x)."
        )
    return server


# --- route 2: Docker via testcontainers -------------------------------------------------------


def _docker_container(reasons: list[str]) -> contextlib.AbstractContextManager[str] | None:
    try:
        import docker  # type: ignore[import-not-found]
        from testcontainers.elasticsearch import (  # type: ignore[import-not-found]
            ElasticSearchContainer,
        )
    except ImportError:
        reasons.append("the testcontainers package is not installed (no Docker route)")
        return None
    try:
        docker.from_env().ping()
    except Exception as exc:  # any failure means "no Docker engine answers here"
        reasons.append(f"no Docker engine answers ({type(exc).__name__})")
        return None

    @contextlib.contextmanager
    def run() -> Iterator[str]:
        container = ElasticSearchContainer(DOCKER_IMAGE, mem_limit="2g")
        container.with_env("ES_JAVA_OPTS", "-Xms1g -Xmx1g")
        container.with_env("xpack.security.enabled", "false")
        container.with_env("cluster.routing.allocation.disk.threshold_enabled", "false")
        with container:
            url = container.get_url().rstrip("/")
            check_server_version(url)
            yield url

    return run()


# --- route 3: the Maven integration-test distribution -----------------------------------------


@contextlib.contextmanager
def local_node(workdir: Path, reasons: list[str] | None = None) -> Iterator[str]:
    """Start the Maven test distribution locally; stop it and remove its data afterwards."""
    reasons = reasons if reasons is not None else []
    java_home = find_java_home(reasons)
    mvn = shutil.which("mvn")
    if mvn is None:
        reasons.append("Maven (mvn) is not on PATH")
    if java_home is None or mvn is None:
        raise NodeUnavailable(
            "no Elasticsearch node: set IMR_SEARCH_ES_URL, or install Docker + testcontainers, "
            "or Java 17+ and Maven. Missing: " + "; ".join(reasons)
        )
    home = install_distribution(mvn, java_home)
    user = _node_user()
    node_dir = _node_dir(workdir, user)
    try:
        with _running(home, node_dir, java_home, user) as url:
            yield url
    finally:
        shutil.rmtree(node_dir, ignore_errors=True)


def find_java_home(reasons: list[str]) -> Path | None:
    """A Java 17+ home: $ES_JAVA_HOME, a Java 17 under /usr/lib/jvm, $JAVA_HOME, or `java`."""
    candidates: list[Path] = []
    for env in ("ES_JAVA_HOME",):
        if os.environ.get(env):
            candidates.append(Path(os.environ[env]))
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        candidates += sorted(p for p in jvm.iterdir() if re.search(r"(^|-)17([.-]|$)", p.name))
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    java = shutil.which("java")
    if java:
        candidates.append(Path(os.path.realpath(java)).parent.parent)
    for home in candidates:
        major = _java_major(home)
        if major is not None and 17 <= major <= 24:  # what Elasticsearch 8.19 supports
            return home
    reasons.append("no Java 17-24 found (set ES_JAVA_HOME to a Java 17 home)")
    return None


def _java_major(home: Path) -> int | None:
    java = home / "bin" / "java"
    if not java.exists():
        return None
    try:
        out = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30
        ).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def cache_root() -> Path:
    """Where the distribution is unpacked; readable by the node user (so not under /root)."""
    if os.environ.get("IMR_SEARCH_ES_CACHE"):
        return Path(os.environ["IMR_SEARCH_ES_CACHE"])
    if os.geteuid() == 0:
        return Path("/var/tmp/imr-search")
    return Path.home() / ".cache" / "imr-search"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock shared by concurrent test processes (released on exit or crash)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def install_distribution(mvn: str, java_home: Path) -> Path:
    """The unpacked distribution (with the analysis plugin), fetched and unpacked only once."""
    from devtools import es_analysis_plugin

    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)
    home = root / f"elasticsearch-{ES_VERSION}-{es_analysis_plugin.PLUGIN_VERSION}"
    ready = home / ".imr-ready"
    if ready.exists():
        return home
    with _file_lock(root / ".install.lock"):
        if ready.exists():
            return home
        archive = _maven_zip(mvn)
        say(f"Unpacking {archive.name} into {root} (once)...")
        staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=root))
        try:
            _unzip(archive, staging)
            unpacked = staging / f"elasticsearch-{ES_VERSION}"
            say("Compiling the analysis plugin into it with javac (once)...")
            es_analysis_plugin.install(unpacked, java_home)
            (unpacked / ".imr-ready").write_text(ES_VERSION + "\n")
            shutil.rmtree(home, ignore_errors=True)
            os.rename(unpacked, home)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return home


def _maven_zip(mvn: str) -> Path:
    """The zip in the local Maven repository, fetched from Maven Central when missing."""
    found = _find_in_repos(_default_repos())
    if found is not None:
        return found
    configured = _configured_repo(mvn)  # a localRepository set in settings.xml
    found = _find_in_repos([configured] if configured else [])
    if found is not None:
        return found
    say(
        f"Fetching the Elasticsearch {ES_VERSION} test distribution from Maven Central with "
        "Maven (once, about 100 MB; a few minutes on a slow line)..."
    )
    cmd = [mvn, "-q", "-B", "dependency:get", f"-Dartifact={MAVEN_ARTIFACT}", "-Dtransitive=false"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise NodeUnavailable(
            f"could not fetch {MAVEN_ARTIFACT} with Maven (exit {proc.returncode}): "
            + _strip_ansi(proc.stdout + proc.stderr).strip()[-800:]
        )
    found = _find_in_repos([*([configured] if configured else []), *_default_repos()])
    if found is None:
        raise NodeUnavailable(
            f"Maven fetched {MAVEN_ARTIFACT} but the zip is not in the local repository"
        )
    return found


def _find_in_repos(repos: list[Path]) -> Path | None:
    relative = Path(
        *MAVEN_GROUP.split("."), "elasticsearch", ES_VERSION, f"elasticsearch-{ES_VERSION}.zip"
    )
    for repo in repos:
        if (repo / relative).exists():
            return repo / relative
    return None


def _default_repos() -> list[Path]:
    """~/.m2/repository, by $HOME and by the account's home (Maven uses the latter)."""
    homes = [Path.home()]
    with contextlib.suppress(KeyError):
        homes.append(Path(pwd.getpwuid(os.getuid()).pw_dir))
    return list(dict.fromkeys(h / ".m2" / "repository" for h in homes))


def _configured_repo(mvn: str) -> Path | None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-Dstyle.color=never",
                "help:evaluate",
                "-Dexpression=settings.localRepository",
                "-DforceStdout",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        ).stdout
        path = _strip_ansi(out).strip()
        if path and os.path.isabs(path):
            return Path(path)
    return None


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _unzip(archive: Path, dest: Path) -> None:
    """Unzip keeping the Unix modes (zipfile drops them; bin/ scripts must stay executable)."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = dest / info.filename
            if not str(target.resolve()).startswith(str(dest.resolve())):
                raise NodeUnavailable(f"unsafe path in {archive}: {info.filename}")
            zf.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(target, mode | 0o444 | (0o111 if info.is_dir() else 0))
            elif target.is_dir():
                os.chmod(target, 0o755)
            else:
                os.chmod(target, 0o644)


def _node_user() -> str | None:
    """The unprivileged user to run as when we are root (created once, race-safe)."""
    if os.geteuid() != 0:
        return None
    for attempt in range(10):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(NODE_USER)
            return NODE_USER
        useradd = shutil.which("useradd")
        if useradd is None:
            raise NodeUnavailable(
                "running as root and `useradd` is missing: Elasticsearch refuses root; "
                f"create a user named {NODE_USER} or run the tests as a normal user"
            )
        proc = subprocess.run(
            [
                useradd,
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                "--user-group",
                NODE_USER,
            ],
            capture_output=True,
            text=True,
        )
        if proc.returncode in (0, 9):  # 9: already exists (another process won the race)
            continue
        time.sleep(0.2 * (attempt + 1))  # /etc/passwd locked by a concurrent useradd
    try:
        pwd.getpwnam(NODE_USER)
    except KeyError as exc:
        raise NodeUnavailable(f"could not create the system user {NODE_USER}") from exc
    return NODE_USER


# A node folder holds a file locked by the process that made it, for as long as it lives: the
# kernel drops the lock when that process dies however it ends (a killed session left 23 GB of
# node data behind here, and a short disk then blocked Elasticsearch's merges).
CLAIM_FILE = ".claim"
_claims: list[IO[str]] = []


def _node_dir(workdir: Path, user: str | None) -> Path:
    """Config/data/logs of one node, writable by the node user (root's pytest tmp is 0700),
    claimed by this process; folders left by killed processes are removed first."""
    if user is None:
        base = workdir
        base.mkdir(parents=True, exist_ok=True)
    else:
        base = cache_root() / "nodes"
        base.mkdir(parents=True, exist_ok=True)
        os.chmod(base, 0o755)
    _remove_abandoned(base)
    node_dir = Path(tempfile.mkdtemp(prefix="es-node-", dir=base))
    claim = open(node_dir / CLAIM_FILE, "w")  # noqa: SIM115 - held until this process ends
    fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _claims.append(claim)
    return node_dir


def _remove_abandoned(base: Path) -> None:
    """Remove the node folders under `base` whose claim no live process holds. A folder
    without a claim file (made by an older version, or being made) is left alone."""
    for folder in base.glob("es-node-*"):
        try:
            with open(folder / CLAIM_FILE) as claim:  # never creates one
                fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # no claim file, or a live owner holds it
            continue
        say(f"removing {folder}: the process that started its node is gone")
        shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _running(
    home: Path,
    node_dir: Path,
    java_home: Path,
    user: str | None,
    ports: tuple[int, int] | None = None,
) -> Iterator[str]:
    """Run a single-node cluster in `node_dir` until the block ends. Entered again with the
    same `node_dir` and `ports` (http, transport), it restarts the same node on its data
    (outage tests)."""
    http_port, transport_port = ports or (free_port(), free_port())
    settings = {
        "cluster.name": f"imr-test-{os.getpid()}-{http_port}",
        "node.name": "imr-test-node",
        "discovery.type": "single-node",
    }
    node = launch(home, node_dir, java_home, user, (http_port, transport_port), settings)
    say(f"Starting Elasticsearch {ES_VERSION} on {node.url} (about 20-60 s)...")
    try:
        started = time.monotonic()
        _wait_healthy(node.url, [node])
        say(f"Elasticsearch is up on {node.url} after {time.monotonic() - started:.0f} s")
        check_server_version(node.url)
        yield node.url
    finally:
        node.stop()


def prepare_node_dir(home: Path, node_dir: Path, user: str | None) -> None:
    """Give a node folder its own config/data/logs/tmp, owned by the node user (once)."""
    conf = node_dir / "config"
    if conf.exists():
        return
    shutil.copytree(home / "config", conf)
    for sub in ("data", "logs", "tmp"):
        (node_dir / sub).mkdir()
    if user is not None:
        info = pwd.getpwnam(user)
        for path in [node_dir, *node_dir.rglob("*")]:
            os.chown(path, info.pw_uid, info.pw_gid)


class NodeProcess:
    """One started node: its process group, its watchdog, its folder and its URL."""

    def __init__(
        self, proc: subprocess.Popen[bytes], watchdog: subprocess.Popen[bytes], node_dir: Path,
        url: str,
    ) -> None:  # fmt: skip
        self.proc = proc
        self.watchdog = watchdog
        self.node_dir = node_dir
        self.url = url

    def check_alive(self) -> None:
        """NodeUnavailable, with the node's logs, when it has exited."""
        if self.proc.poll() is not None:
            raise NodeUnavailable(
                f"Elasticsearch ({self.node_dir.name}) exited with status "
                f"{self.proc.returncode} while starting.\n" + log_tail(self.node_dir)
            )

    def stop(self) -> None:
        """Stop the node (SIGTERM to its group, then SIGKILL) and its watchdog."""
        stop(self.proc)
        with contextlib.suppress(ProcessLookupError):
            self.watchdog.kill()
        self.watchdog.wait()


def launch(
    home: Path,
    node_dir: Path,
    java_home: Path,
    user: str | None,
    ports: tuple[int, int],
    settings: dict[str, str],
    heap: str | None = None,
) -> NodeProcess:
    """Start one node on loopback, `ports` (http, transport), without waiting for it; the
    cluster-level `settings` (cluster.name, node.name, discovery) come from the caller.
    `heap`: e.g. "512m" (default $IMR_SEARCH_ES_HEAP, else 1g)."""
    prepare_node_dir(home, node_dir, user)
    http_port, transport_port = ports
    settings = {
        **settings,
        "network.host": "127.0.0.1",
        "http.port": str(http_port),
        "transport.port": str(transport_port),
        "path.data": str(node_dir / "data"),
        "path.logs": str(node_dir / "logs"),
        "xpack.security.enabled": "false",
        "cluster.routing.allocation.disk.threshold_enabled": "false",
        "action.destructive_requires_name": "false",
    }
    cmd = [str(home / "bin" / "elasticsearch"), *(f"-E{k}={v}" for k, v in settings.items())]
    if user is not None:
        setpriv = shutil.which("setpriv")
        runuser = shutil.which("runuser")
        if setpriv:
            cmd = [setpriv, f"--reuid={user}", f"--regid={user}", "--init-groups", "--", *cmd]
        elif runuser:
            cmd = [runuser, "-u", user, "--", *cmd]
        else:
            raise NodeUnavailable("running as root needs `setpriv` or `runuser` to drop to a user")
    heap = heap or os.environ.get("IMR_SEARCH_ES_HEAP", "1g")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "ES_JAVA_HOME": str(java_home),
        "ES_PATH_CONF": str(node_dir / "config"),
        "ES_TMPDIR": str(node_dir / "tmp"),
        "ES_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
    }
    console = node_dir / "logs" / "console.log"
    with open(console, "ab") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=node_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return NodeProcess(proc, _watchdog(proc, node_dir), node_dir, f"http://127.0.0.1:{http_port}")


def _watchdog(proc: subprocess.Popen[bytes], node_dir: Path) -> subprocess.Popen[bytes]:
    """A tiny shell loop that stops the node if this process dies without cleaning up
    (SIGKILL, a CI time limit): a forgotten node would hold a gigabyte of memory."""
    group, parent = proc.pid, os.getpid()
    script = (
        f"while kill -0 {parent} 2>/dev/null; do sleep 2; done; "
        f"kill -TERM -{group} 2>/dev/null; sleep 20; kill -KILL -{group} 2>/dev/null; "
        f"rm -rf {shlex.quote(str(node_dir))}"
    )
    return subprocess.Popen(
        ["/bin/sh", "-c", script],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_healthy(url: str, nodes: list[NodeProcess], condition: str = "") -> None:
    """Wait until `url` reports a yellow (or green) cluster meeting `condition` (more
    `_cluster/health` parameters, e.g. `wait_for_nodes=3`); fail early if a node exits."""
    timeout = float(os.environ.get("IMR_SEARCH_ES_START_TIMEOUT", "180"))
    deadline = time.monotonic() + timeout
    health = url + "/_cluster/health?wait_for_status=yellow&timeout=2s"
    if condition:
        health += "&" + condition
    while time.monotonic() < deadline:
        for node in nodes:
            node.check_alive()
        try:
            with urllib.request.urlopen(health, timeout=5) as resp:
                answer = json.load(resp)
                if answer.get("status") in ("green", "yellow") and not answer.get("timed_out"):
                    return
        except (OSError, ValueError, urllib.error.HTTPError):
            pass
        time.sleep(0.5)
    for node in nodes:
        node.stop()
    raise NodeUnavailable(
        f"Elasticsearch did not become healthy within {timeout:.0f}s.\n"
        + "\n".join(log_tail(node.node_dir) for node in nodes)
    )


def log_tail(node_dir: Path, lines: int = 40) -> str:
    """The last lines of the node's console and server logs, for failure messages."""
    out = []
    for log in sorted((node_dir / "logs").glob("*.log")):
        if log.name.startswith("gc"):
            continue
        with contextlib.suppress(OSError):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log} (last {len(tail)} lines) ---\n" + "\n".join(tail))
    return "\n".join(out) or f"(no logs in {node_dir / 'logs'})"


def stop(proc: subprocess.Popen[bytes], grace: float = 30.0) -> None:
    """Terminate the node's process group (the CLI and its server JVM), then kill it."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    # The server JVM is in the same group; make sure none of it outlives the CLI.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


# --- CLI --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.esnode",
        description="Start (or find) an Elasticsearch node or cluster, print its URL(s), run "
        "until Ctrl-C.",
    )
    parser.add_argument("--workdir", type=Path, default=None, help="where node files go")
    parser.add_argument(
        "--nodes",
        type=int,
        default=1,
        help="start a cluster of this many nodes on loopback (devtools/escluster.py); its "
        "node URLs are printed one a line, the first one first",
    )
    args = parser.parse_args(argv)
    if args.nodes < 1:
        parser.error("--nodes must be at least 1")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="imr-es-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if args.nodes > 1:
            from devtools.escluster import elasticsearch_cluster, hosts_url

            with elasticsearch_cluster(workdir, args.nodes) as urls:
                print("\n".join(urls), flush=True)
                print(
                    f"export IMR_SEARCH_ES_CLUSTER_URL={','.join(urls)}   # cluster tests\n"
                    f"export IMR_SEARCH_ES_URL={urls[0]}   # one node of it (benchmarks)\n"
                    f"index target naming every node: {hosts_url(urls)}/imr-items\n"
                    "Ctrl-C stops the cluster",
                    file=sys.stderr,
                    flush=True,
                )
                _wait_for_interrupt()
        else:
            with elasticsearch_node(workdir) as url:
                print(url, flush=True)
                print(f"export IMR_SEARCH_ES_URL={url}   # Ctrl-C stops the node", file=sys.stderr)
                _wait_for_interrupt()
    except NodeUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _wait_for_interrupt() -> None:
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    raise SystemExit(main())

"""The project's virtual environment (.venv): created when missing, the project installed into it.

    python3 scripts/project_venv.py [EXTRA ...]      e.g. `python3 scripts/project_venv.py test`

Called by scripts/demo.sh and scripts/test.sh (the README's two commands) with any Python
3.11+, so that nothing is installed into the system Python: that also works where the system
Python is "externally managed" (PEP 668: Debian, Ubuntu, Homebrew), where `pip install` outside
a virtual environment is refused. Standard library only (it runs before anything is installed).

The project is installed editable (`pip install -e ".[EXTRA,...]"`), once: .venv/.imr-installed
records what pyproject.toml said and which extras went in, and the install runs again only when
pyproject.toml changed or another extra is asked for. Extras installed before are kept. A .venv
whose Python no longer runs (the folder was moved, that Python was removed) is made anew.
Prints one line before each long step; prints the venv's Python on stdout at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".imr-installed"
MIN_PYTHON = (3, 11)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str) -> None:
    say(f"Error: {message}")
    raise SystemExit(1)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def runs(python: Path) -> bool:
    """Whether this Python starts and is recent enough."""
    check = f"import sys; sys.exit(sys.version_info < {MIN_PYTHON!r})"
    try:
        return subprocess.run([str(python), "-c", check], capture_output=True).returncode == 0
    except OSError:
        return False


def create() -> None:
    say(f"Creating the project's virtual environment in {VENV} (Python {sys.version.split()[0]})")
    try:
        venv.EnvBuilder(with_pip=True, clear=True, symlinks=os.name != "nt").create(VENV)
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(VENV, ignore_errors=True)
        package = f"python3.{sys.version_info.minor}-venv"
        if os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get"):
            say(f"Python's venv module lacks pip here (Debian): installing {package}")
            subprocess.run(["apt-get", "update", "-qq"], check=False)
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            if subprocess.run(["apt-get", "install", "-y", "-qq", package], env=env).returncode:
                fail(f"could not install {package}; install it, then run this again")
            venv.EnvBuilder(with_pip=True, clear=True, symlinks=os.name != "nt").create(VENV)
            return
        fail(
            f"could not create a virtual environment with {sys.executable} ({exc}). On Debian "
            f"or Ubuntu install the venv module first: sudo apt-get install {package}"
        )


def wanted_stamp(extras: set[str]) -> dict[str, object]:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return {"pyproject": digest, "extras": sorted(extras)}


def installed() -> dict[str, object]:
    try:
        data = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def install(extras: set[str]) -> None:
    before = installed()
    wanted = set(extras)
    if before.get("pyproject") == wanted_stamp(set())["pyproject"]:
        wanted |= set(before.get("extras") or ())  # keep what is there
        if wanted <= set(before.get("extras") or ()):
            return
    spec = "." + (f"[{','.join(sorted(wanted))}]" if wanted else "")
    say(
        f'Installing imr-search ("pip install -e {spec}") and its dependencies into .venv; '
        "the first time this takes a minute or two..."
    )
    STAMP.unlink(missing_ok=True)
    command = [str(venv_python()), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if subprocess.run([*command, "-e", spec], cwd=ROOT).returncode != 0:
        fail(f"pip could not install the project into {VENV} (see pip's messages above)")
    STAMP.write_text(json.dumps(wanted_stamp(wanted)) + "\n")
    say("Installed.")


def main(argv: list[str]) -> int:
    if sys.version_info < MIN_PYTHON:
        fail(f"Python {'.'.join(map(str, MIN_PYTHON))} or newer is needed, not {sys.version}")
    extras = {a for arg in argv for a in arg.split(",") if a}
    if not runs(venv_python()):
        if VENV.exists():
            say(f"{VENV} does not run any more (moved, or its Python is gone): making it anew")
        create()
    install(extras)
    print(venv_python())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

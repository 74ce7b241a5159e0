"""The README's two commands: `bash scripts/demo.sh` and `bash scripts/test.sh` (which .ci/run
runs) use the project's .venv, made by scripts/venv.py with a Python 3.11+ that
scripts/venv.sh finds; nothing is installed into the system Python (PEP 668 safe)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _find_python(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", "-c", ". scripts/venv.sh && find_python"],
        cwd=ROOT,
        env={"PATH": path},
        capture_output=True,
        text=True,
    )


def test_a_python_3_11_or_newer_is_found(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    old = bin_dir / "python3"  # an old python3 first on PATH (macOS's is 3.9)
    old.write_text("#!/bin/sh\nexit 1\n")
    old.chmod(0o755)
    (bin_dir / "python3.12").symlink_to(sys.executable)
    found = _find_python(str(bin_dir))
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "python3.12"


def test_without_a_recent_python_it_says_what_to_do(tmp_path: Path) -> None:
    old = tmp_path / "python3"
    old.write_text("#!/bin/sh\nexit 1\n")
    old.chmod(0o755)
    found = _find_python(str(tmp_path))
    assert found.returncode == 1
    assert "Python 3.11 or newer is needed" in found.stderr and "IMR_SEARCH_PYTHON" in found.stderr


def test_the_readme_commands_use_the_project_venv() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "    bash scripts/demo.sh\n" in readme and "    bash scripts/test.sh\n" in readme
    assert "exec bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    for script, extras in (("demo.sh", "use_venv\n"), ("test.sh", "use_venv test\n")):
        text = (ROOT / "scripts" / script).read_text()
        assert ". scripts/venv.sh\n" in text and extras in text
        assert "pip install" not in text  # only scripts/venv.py installs, into .venv
    assert "exec imr-search demo" in (ROOT / "scripts" / "demo.sh").read_text()

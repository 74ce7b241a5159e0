"""The README's two commands: `bash scripts/demo.sh` and `bash scripts/test.sh` (which .ci/run
runs) use the project's .venv, made by scripts/project_venv.py with a Python 3.11+ that
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
        assert "pip install" not in text  # only scripts/project_venv.py installs, into .venv
    assert "exec imr-search demo" in (ROOT / "scripts" / "demo.sh").read_text()


BACKEND = '''
"""A build backend of a few lines, so that this test installs offline."""
import base64, hashlib, zipfile

DIST = "tinyproj-0.1"


def _wheel(directory, *args, **kwargs):
    name = "tinyproj-0.1-py3-none-any.whl"
    files = {
        "tinyproj.py": "VALUE = 1\\n",
        DIST + ".dist-info/METADATA": "Metadata-Version: 2.1\\nName: tinyproj\\nVersion: 0.1\\n"
        "Provides-Extra: test\\n",
        DIST + ".dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: t\\nRoot-Is-Purelib: true\\n"
        "Tag: py3-none-any\\n",
    }
    record = []
    with zipfile.ZipFile(directory + "/" + name, "w") as whl:
        for path, text in files.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{path},sha256={digest.decode()},{len(data)}")
            whl.writestr(path, data)
        record.append(DIST + ".dist-info/RECORD,,")
        whl.writestr(DIST + ".dist-info/RECORD", "\\n".join(record) + "\\n")
    return name


build_wheel = build_editable = _wheel
'''


def test_project_venv_creates_installs_once_and_again_when_pyproject_changes(
    tmp_path: Path,
) -> None:
    """scripts/project_venv.py for real, on a tiny project: a venv with pip, the project
    installed into it, nothing again while pyproject.toml is unchanged."""
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    script = project / "scripts" / "project_venv.py"
    script.write_text((ROOT / "scripts" / "project_venv.py").read_text())
    (project / "backend.py").write_text(BACKEND)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
    )

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(script), "test"], capture_output=True, text=True, timeout=300
        )

    first = run()
    assert first.returncode == 0, first.stderr
    venv_python = Path(first.stdout.strip())
    assert venv_python == project / ".venv" / "bin" / "python"
    assert "Creating the project's virtual environment" in first.stderr
    assert "pip install -e .[test]" in first.stderr
    check = [str(venv_python), "-c", "import tinyproj; print(tinyproj.VALUE)"]
    assert subprocess.run(check, capture_output=True, text=True).stdout == "1\n"
    again = run()
    assert again.returncode == 0 and again.stderr == ""  # nothing to do, nothing said
    pyproject.write_text(pyproject.read_text() + "# changed\n")
    changed = run()
    assert changed.returncode == 0 and "Installing" in changed.stderr
    assert "Creating" not in changed.stderr

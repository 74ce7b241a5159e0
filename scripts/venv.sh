# Sourced by scripts/demo.sh and scripts/test.sh: `use_venv [EXTRA...]` finds a Python 3.11+
# ($IMR_SEARCH_PYTHON, else python3, python3.13, python3.12, python3.11), makes sure the
# project's .venv exists and holds the project with those extras (scripts/project_venv.py),
# and puts .venv/bin first on PATH. Nothing is installed into the system Python (PEP 668 safe).

find_python() {
    for candidate in "${IMR_SEARCH_PYTHON:-}" python3 python3.13 python3.12 python3.11; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Error: Python 3.11 or newer is needed (python3 is $(python3 --version 2>&1 || echo missing));" \
        "install it, or point IMR_SEARCH_PYTHON at one" >&2
    return 1
}

use_venv() {
    local python venv_python
    python="$(find_python)"
    venv_python="$("$python" scripts/project_venv.py "$@")"
    VIRTUAL_ENV="$(cd "$(dirname "$venv_python")/.." && pwd)"
    PATH="$VIRTUAL_ENV/bin:$PATH"
    export VIRTUAL_ENV PATH
    unset PYTHONHOME
}

#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs what the tests need, runs the static
# checks (ruff, mypy), then pytest. Arguments go to pytest.
#   - Python packages: the project with its test extra, in the project's .venv
#     (scripts/project_venv.py: made and installed once; nothing goes into the system Python)
#   - Chromium (browser end-to-end test): Debian's package, when apt-get is usable
#   - Elasticsearch: fetched by the test fixture from Maven Central (devtools/esnode.py)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
use_venv test

if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser test..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

echo "Static checks: ruff check, ruff format --check, mypy..."
python -m ruff check .
python -m ruff format --check .
python -m mypy

set +e
python -m pytest "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
    echo "pytest collected no tests: that is a failure here." >&2
    exit 1
fi
exit "$status"

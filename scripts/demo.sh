#!/usr/bin/env bash
# Try the product: installs it into the project's .venv (scripts/project_venv.py; once),
# then runs `imr-search demo`: generates demo letters, indexes them (once) and serves the
# search UI on http://127.0.0.1:5000. Arguments go to `imr-search demo` (--port 5001, --help).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
use_venv
exec imr-search demo "$@"

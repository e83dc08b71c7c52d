#!/usr/bin/env bash
# Sets up a virtual environment and opens the explorer on the embedded demo server.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[tui]'
exec .venv/bin/dataset-explorer --demo "$@"

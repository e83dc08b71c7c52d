#!/usr/bin/env bash
# Sets up a virtual environment with the dev extra and runs every check: ruff (lint and format),
# mypy, and the whole pytest suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' \
    -c constraints/test.txt
echo "== ruff check"; .venv/bin/ruff check .
echo "== ruff format --check"; .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
# Two workers (PYTEST_WORKERS=0 runs in one process); a module's tests stay on one worker, so
# the servers a module shares start once.
echo "== pytest"; .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadscope "$@"

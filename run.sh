#!/usr/bin/env bash
# Set up (first run only) and start Inspector: the GUI on the bundled sample project,
# or the headless end-to-end demo when there is no display or with --headless.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$ROOT/scripts/setup_env.sh"
headless=0
for arg in "$@"; do [ "$arg" = "--headless" ] && headless=1; done
if [ "$headless" = 0 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] \
        && [ "$(uname -s)" = "Linux" ]; then
    echo "No display found: running the headless demo instead of the GUI."
    headless=1
fi
if [ "$headless" = 1 ]; then
    exec "$ROOT/.venv/bin/inspector" demo
fi
exec "$ROOT/.venv/bin/inspector-gui" --sample-project "$@"

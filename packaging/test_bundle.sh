#!/usr/bin/env bash
# Slow end-to-end check of the packaged app (not part of the normal test run):
# build dist/Inspector with packaging/build.sh, then run the bundle's own self-test,
# --version and CLI headless (QT_QPA_PLATFORM=offscreen), with HOME and the user data
# folders pointed at a scratch folder so the bundle proves it needs nothing from this
# machine's Python, venv or checkout. Prints build time, bundle size and the result.
# Set SKIP_BUILD=1 to test an existing dist/Inspector. Build settings (INSPECTOR_DIST...):
# see build.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIST="$ROOT/${INSPECTOR_DIST:-dist}/Inspector"
APP="$DIST/Inspector"

build_s=0
if [ "${SKIP_BUILD:-0}" != "1" ]; then
    t0=$(date +%s)
    "$ROOT/packaging/build.sh"
    build_s=$(( $(date +%s) - t0 ))
fi
[ -x "$APP" ] || { echo "FAIL: $APP missing"; exit 1; }

SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/tmp"
# A bare environment: no venv, no PYTHONPATH, the checkout not the current folder.
run_app() {
    (cd "$SCRATCH" && exec env -i PATH=/usr/bin:/bin HOME="$SCRATCH" TMPDIR="$SCRATCH/tmp" \
        LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen INSPECTOR_LOG_DIR="$SCRATCH/logs" \
        "$APP" "$@")
}

status=0
echo "== Inspector --version"
run_app --version || status=1
echo "== Inspector cli --help (first lines)"
run_app cli --help | head -3 || status=1
echo "== Inspector --self-test"
t0=$(date +%s)
if run_app --self-test; then result=PASSED; else result=FAILED; status=1; fi
selftest_s=$(( $(date +%s) - t0 ))
leftover=$(find "$SCRATCH/tmp" -mindepth 1 | wc -l)
echo "== GUI start-up (offscreen; still running after 10 s = started)"
run_app > "$SCRATCH/gui.log" 2>&1 &
gui_pid=$!
sleep 10
if kill -0 "$gui_pid" 2>/dev/null; then
    # $! is the shell running run_app; the program is its child: stop both, or the GUI
    # is left running after the test
    gui=started; pkill -TERM -P "$gui_pid" 2>/dev/null || true; kill "$gui_pid" 2>/dev/null || true
    wait "$gui_pid" 2>/dev/null || true
else
    wait "$gui_pid" && rc=0 || rc=$?
    gui="exited early with code $rc"; status=1; cat "$SCRATCH/gui.log"
fi
echo "== A line's shared database: cli init / import / images on a PostgreSQL server"
# The throwaway server of the postgres tests (tests/pg_support.py), started with the
# development venv's Python; only the bundle talks to it. Skipped where there is none.
pg=skipped
PG_PY="$ROOT/.venv/bin/python"
if [ -x "$PG_PY" ] && "$PG_PY" -c "import sys; sys.path.insert(0, 'tests'); import pg_support; \
        sys.exit(pg_support.unavailable_reason() is not None)" 2>/dev/null; then
    coproc PGSERVER { "$PG_PY" -u -c "import sys; sys.path.insert(0, 'tests'); import pg_support
server = pg_support.start_server()
print(server.database().render_as_string(hide_password=False))
sys.stdin.readline()
server.close()"; }
    line="$SCRATCH/line1"
    pg_url=""
    read -r pg_url <&"${PGSERVER[0]}" || true  # empty: the test server did not start
    if [ -n "$pg_url" ] && run_app cli init --project "$line" --admin alice --database-url "$pg_url" \
        && run_app cli import "$ROOT/sample_images/bottle/train/good" --project "$line" \
            --operator alice --database-url "$pg_url" \
        && run_app cli images --project "$line" --database-url "$pg_url" | tail -2 \
        && [ ! -e "$line/inspector.db" ]; then
        pg=PASSED
    else
        pg=FAILED; status=1
    fi
    echo >&"${PGSERVER[1]}" 2>/dev/null || true
    wait "$PGSERVER_PID" 2>/dev/null || true
fi
cuda_libs=$(find "$DIST" -name 'libcuda*' -o -name 'libtorch_cuda*' -o -name 'libcudnn*' \
    -o -name 'libcublas*' -o -name 'libnccl*' | wc -l)

echo
echo "Summary"
echo "  build time:        ${build_s} s (0 = not rebuilt)"
echo "  bundle size:       $(du -sh "$DIST" | cut -f1) ($(find "$DIST" -type f | wc -l) files)"
echo "  largest parts:"
du -sh "$DIST"/_internal/* 2>/dev/null | sort -h | tail -6 | sed 's/^/    /'
echo "  CUDA libraries:    $cuda_libs"
echo "  self-test:         $result in ${selftest_s} s"
echo "  GUI:               $gui"
echo "  PostgreSQL line:   $pg"
echo "  temp files left:   $leftover"
exit $status

#!/usr/bin/env bash
# Build the one-folder app dist/Inspector/ (executable dist/Inspector/Inspector) from a
# checkout. Linux (and macOS) recipe; Windows: packaging/windows/build.ps1.
#
# By default a separate build venv (build/venv) is created with the CPU-only torch wheel,
# so no CUDA library ends up in the bundle. Settings (environment variables):
#   PYTHON                  Python 3.11 used to create the build venv (default python3.11)
#   INSPECTOR_BUILD_VENV    build venv folder (default build/venv); ".venv" reuses the
#                           development venv untouched (PyInstaller goes to
#                           build/pyinstaller-site; a CUDA torch there makes a ~3 GB bundle)
#   INSPECTOR_TORCH         torch requirement for the build venv (default torch==2.14.1)
#   INSPECTOR_TORCH_INDEX   index with the CPU wheels (default
#                           https://download.pytorch.org/whl/cpu); empty = the normal
#                           index plus PIP_FIND_LINKS (e.g. a local torch-*+cpu wheel)
#   INSPECTOR_DIST          output folder (default dist)
#   INSPECTOR_EXTRA_BACKBONES=1, INSPECTOR_KEEP_CUDA=1: see packaging/inspector.spec
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${INSPECTOR_BUILD_VENV:-build/venv}"
TORCH_REQ="${INSPECTOR_TORCH:-torch==2.14.1}"
TORCH_INDEX="${INSPECTOR_TORCH_INDEX-https://download.pytorch.org/whl/cpu}"
DIST="${INSPECTOR_DIST:-dist}"
start=$(date +%s)
mkdir -p "$ROOT/build"

if [ "$VENV" = ".venv" ]; then
    PY="$ROOT/.venv/bin/python"
    SITE="$ROOT/build/pyinstaller-site"
    if [ ! -d "$SITE/PyInstaller" ]; then
        "$PY" -m pip install --quiet --no-deps --target "$SITE" \
            "pyinstaller>=6.5" altgraph pyinstaller-hooks-contrib
    fi
    export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
else
    PY="$ROOT/$VENV/bin/python"
    STAMP="$ROOT/$VENV/.inspector-build-deps"
    if [ ! -x "$PY" ]; then
        echo "Creating build venv $VENV ..."
        "${PYTHON:-python3.11}" -m venv "$ROOT/$VENV"
    fi
    if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
        echo "Installing $TORCH_REQ (CPU only) and the app's dependencies into $VENV ..."
        "$PY" -m pip install --quiet --upgrade pip
        if [ -n "$TORCH_INDEX" ]; then
            "$PY" -m pip install --quiet "$TORCH_REQ" --index-url "$TORCH_INDEX" \
                --extra-index-url https://pypi.org/simple
        else
            "$PY" -m pip install --quiet "$TORCH_REQ"
        fi
        # Every runtime dependency except torch (installed above) and torchvision (unused),
        # plus the PostgreSQL driver: a station of a line with a shared database server
        # needs it, and the shop PC has no Python to install it into.
        "$PY" - > "$ROOT/build/requirements-bundle.txt" <<'EOF'
import re, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = project["dependencies"] + project["optional-dependencies"]["postgres"]
print("\n".join(d for d in deps if re.split(r"[<>=!~ \[]", d)[0] not in ("torch", "torchvision")))
EOF
        "$PY" -m pip install --quiet -r "$ROOT/build/requirements-bundle.txt" "pyinstaller>=6.5"
        touch "$STAMP"
    fi
fi

"$PY" -c "import torch; print('torch', torch.__version__, 'cuda build:', torch.version.cuda)"
# Where the CPU index cannot be reached, pip quietly takes PyPI's torch, a CUDA build that
# makes a 3 GB bundle with GPU libraries no shop PC uses: stop instead of shipping that.
if [ -z "${INSPECTOR_KEEP_CUDA:-}" ] && \
   [ "$("$PY" -c 'import torch; print(torch.version.cuda or "")')" != "" ]; then
    echo "error: $VENV has a CUDA build of torch (the CPU index was not reached?)." >&2
    echo "Use a CPU wheel (INSPECTOR_TORCH=torch==X+cpu with INSPECTOR_TORCH_INDEX=\"\" and" >&2
    echo "PIP_FIND_LINKS pointing at it), remove $VENV, or set INSPECTOR_KEEP_CUDA=1." >&2
    exit 1
fi
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/$DIST" --workpath "$ROOT/build/pyinstaller-$(basename "$VENV")" \
    "$ROOT/packaging/inspector.spec"

end=$(date +%s)
echo "Built $ROOT/$DIST/Inspector in $((end - start)) s; size $(du -sh "$ROOT/$DIST/Inspector" | cut -f1)"

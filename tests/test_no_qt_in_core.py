"""The core package ``inspector/`` must never import Qt (it runs headless and in workers)."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import REPO_ROOT

QT_PACKAGES = ("PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "shiboken2", "sip")
CORE = REPO_ROOT / "inspector"


def _imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(
                node.func, "id", None)) in ("import_module", "__import__") and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            roots.add(node.args[0].value.split(".")[0])
    return roots


def test_no_qt_import_statements() -> None:
    offenders = []
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        bad = _imported_roots(tree) & set(QT_PACKAGES)
        if bad:
            offenders.append(f"{path.relative_to(REPO_ROOT)}: {sorted(bad)}")
    assert offenders == []


def test_importing_every_core_module_loads_no_qt() -> None:
    code = f"""
import importlib, pkgutil, sys
sys.path.insert(0, {str(REPO_ROOT)!r})
import inspector
failed = []
for mod in pkgutil.walk_packages(inspector.__path__, "inspector."):
    if ".migrations" in mod.name:
        continue  # alembic env scripts only run inside alembic
    try:
        importlib.import_module(mod.name)
    except ImportError as exc:
        failed.append(f"{{mod.name}}: {{exc}}")
qt = sorted(m for m in sys.modules if m.split(".")[0] in {QT_PACKAGES!r})
print("QT:", qt)
print("FAILED:", failed)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "QT: []" in proc.stdout, proc.stdout
    assert "FAILED: []" in proc.stdout, proc.stdout


def test_plain_commands_do_not_load_the_engine() -> None:
    """`inspector images`, `model list`, reports and the GUI's pages must not pay for torch
    (about 4 s and 700 MB); only training and inspecting load it, on first use."""
    code = f"""
import sys
sys.path.insert(0, {str(REPO_ROOT)!r})
import inspector.cli.main, inspector.services.labeling, inspector.services.models
import inspector.services.inspection, inspector.services.products, inspector.reports
import inspector.services.integrity, inspector.services.training
assert "torch" not in sys.modules, "torch was imported"
from inspector.engine import SeverityBands  # light names stay light
assert "torch" not in sys.modules
from inspector.engine import DefectModel  # heavy ones load when asked for
assert "torch" in sys.modules
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_gui_window_loads_no_matplotlib_before_it_shows() -> None:
    """The Reports page took its thumbnail reader from the PDF module, and with it
    matplotlib: 1.2 s more before the first window showed. Charts load in their worker."""
    code = f"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, {str(REPO_ROOT)!r})
import ui.main_window
from ui.main_window import PAGES
import importlib
for _key, _title, module, _cls in PAGES:
    importlib.import_module(module)
assert "matplotlib" not in sys.modules, "matplotlib was imported"
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

"""The installation self-test (inspector.selftest) and the packaged app's launcher.

The full self-test runs here from the source tree on the bundled sample images, exactly
as ``Inspector --self-test`` runs it inside the packaged app (packaging/test_bundle.sh
checks the bundle itself; it is too slow for the normal test run).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

import inspector
from inspector.errors import Cancelled
from inspector.progress import CancelToken, Progress
from inspector.selftest import SelfTestReport, SelfTestStep, _judge_scores, run_self_test

REPO_ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = REPO_ROOT / "packaging" / "launcher.py"
STEPS = ["bundled files", "backbone", "sample project", "inspection", "reports"]


def load_launcher() -> ModuleType:
    spec = importlib.util.spec_from_file_location("inspector_launcher", LAUNCHER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_self_test_passes_on_the_bundled_samples(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[Progress] = []
    printed: list[SelfTestStep] = []
    rep = run_self_test(progress=seen.append, on_step=printed.append)
    assert rep.ok, "\n".join(rep.lines())
    assert [s.step for s in rep.steps] == STEPS and printed == rep.steps
    step, ok, detail, seconds = rep.steps[-1]  # steps are plain tuples too
    assert (step, ok) == ("reports", True) and "PDF" in detail and seconds > 0
    assert "class 28" in rep.steps[1].detail  # the cat photo was classified, not skipped
    fractions = [p.fraction for p in seen]
    assert all(0.0 <= f <= 1.0 for f in fractions) and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert list(tmp_path.iterdir()) == []  # the temporary project and reports are gone
    assert rep.lines()[-1].startswith("Self-test PASSED")


def test_self_test_fails_cleanly_without_sample_images(tmp_path: Path) -> None:
    (tmp_path / "samples").mkdir()
    rep = run_self_test(samples=tmp_path / "samples", workdir=tmp_path / "work")
    assert not rep.ok
    assert [(s.step, s.ok) for s in rep.steps] == [("bundled files", False)]
    assert "no sample product" in rep.steps[0].detail
    assert rep.lines()[0].startswith("FAIL") and "FAILED" in rep.lines()[-1]


def test_self_test_can_be_cancelled(tmp_path: Path) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_self_test(cancel=token, workdir=tmp_path / "work")


def test_report_is_not_ok_when_steps_are_missing() -> None:
    passed = SelfTestStep("bundled files", True, "", 0.1)
    assert not SelfTestReport([passed]).ok
    assert SelfTestReport([passed], expected_steps=1).ok
    assert not SelfTestReport([]).ok


def test_scores_must_separate_defects_from_good_parts() -> None:
    good = [("good", 0.2, "ok"), ("good", 0.3, "ok")]
    assert "2/2 defects flagged" in _judge_scores(good + [("crack", 0.9, "ng"),
                                                          ("dent", 0.5, "uncertain")])
    with pytest.raises(RuntimeError, match="do not score higher"):
        _judge_scores(good + [("crack", 0.1, "ok")])
    with pytest.raises(RuntimeError, match="invalid verdicts"):
        _judge_scores(good + [("crack", 0.9, "maybe")])
    with pytest.raises(RuntimeError, match="need good and defective"):
        _judge_scores(good)


def test_launcher_dispatches_each_mode() -> None:
    launcher = load_launcher()
    calls: list[tuple[str, list[str]]] = []

    def fake(name: str, code: int):  # noqa: ANN202
        def job(argv: list[str]) -> int:
            calls.append((name, argv))
            return code
        return job

    jobs = launcher.Jobs(gui=fake("gui", 0), cli=fake("cli", 3), self_test=fake("self_test", 1),
                         version=fake("version", 0))
    assert launcher.dispatch(["--self-test"], jobs) == 1
    assert launcher.dispatch(["cli", "train", "--preset", "fast"], jobs) == 3
    assert launcher.dispatch([], jobs) == 0
    assert launcher.dispatch(["--project", "/p"], jobs) == 0
    assert launcher.dispatch(["-V"], jobs) == 0
    assert calls == [("self_test", []), ("cli", ["train", "--preset", "fast"]), ("gui", []),
                     ("gui", ["--project", "/p"]), ("version", [])]


def test_launcher_version_and_cli_run_without_qt() -> None:
    code = (
        "import sys, runpy\n"
        f"m = runpy.run_path({str(LAUNCHER)!r})\n"
        "assert m['dispatch'](['--version']) == 0\n"
        "try:\n"
        "    m['dispatch'](['cli', 'demo', '--preset', 'nope'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 2, exc.code\n"
        "assert not [k for k in sys.modules if k.startswith('PySide6')], 'Qt imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"Inspector {inspector.__version__} (model file format ")
    assert "invalid choice: 'nope'" in proc.stderr  # the CLI's own argparse answered

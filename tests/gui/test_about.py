"""About box: versions shown, F1 opens it, the self-test button runs the self-test job."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

import inspector
from inspector import selftest
from inspector.engine.modelfile import FORMAT_VERSION
from inspector.progress import Progress
from ui.widgets.about_dialog import AboutDialog

pytestmark = pytest.mark.gui  # selected by -m gui like the other GUI tests


def test_about_shows_versions_and_runs_self_test(qtbot, project, monkeypatch):
    calls = []

    def quick_self_test(progress=None, cancel=None):
        """Stands in for the slow real self-test (tests/test_selftest.py runs that)."""
        calls.append(True)
        if progress is not None:
            progress(Progress(0.5, "half way"))
        steps = selftest.SelfTestReport().expected_steps
        return selftest.SelfTestReport(
            steps=[selftest.SelfTestStep(f"step{i}", True, "fine", 0.1) for i in range(steps)]
        )

    monkeypatch.setattr(selftest, "run_self_test", quick_self_test)
    dialog = AboutDialog(project)
    qtbot.addWidget(dialog)
    labels = " ".join(lbl.text() for lbl in dialog.findChildren(QLabel))
    assert f"Inspector {inspector.__version__}" in labels
    assert f"Model file format: {FORMAT_VERSION}" in labels
    assert "none active yet" in labels
    dialog.run_button.click()
    qtbot.waitUntil(lambda: dialog.passed is not None, timeout=10_000)
    assert calls and dialog.passed is True
    assert "SELF-TEST PASSED" in dialog.output.toPlainText()


def test_about_checks_project_data(qtbot, project, admin):
    import numpy as np

    from inspector.services.importing import import_array

    img = import_array(project, admin, np.full((32, 32, 3), 90, np.uint8), source="file",
                       name="part.png")
    dialog = AboutDialog(project)
    qtbot.addWidget(dialog)
    dialog.check_button.click()
    qtbot.waitUntil(lambda: dialog.passed is not None, timeout=10_000)
    assert dialog.passed is True
    assert "PROJECT DATA CHECK PASSED" in dialog.output.toPlainText()
    from pathlib import Path

    Path(img.path).unlink()
    dialog.passed = None
    dialog.check_button.click()
    qtbot.waitUntil(lambda: dialog.passed is not None, timeout=10_000)
    text = dialog.output.toPlainText()
    assert dialog.passed is False and "PROJECT DATA CHECK FAILED" in text
    assert f"image #{img.id} (part.png)" in text and "missing" in text

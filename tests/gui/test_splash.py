"""The splash: up at once, before the seconds of imports and page building, gone when the
window shows, and never in front of a dialog (a new project's, a refusal)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _hooks_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main installs its own
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)


def test_the_splash_shows_before_the_heavy_part_and_goes_with_the_window(
        project, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import ui.app
    from ui import launch

    seen: dict[str, object] = {}
    real_main = ui.app.main

    def main_behind_splash(argv, splash=None):  # noqa: ANN001, ANN202
        seen["splash_visible"] = splash is not None and splash.isVisible()

        def event_loop(_app: QApplication) -> int:
            seen["splash_after_show"] = splash.isVisible()
            for widget in QApplication.topLevelWidgets():
                if widget.isVisible() and widget is not splash:
                    widget.close()
            return 0

        monkeypatch.setattr(QApplication, "exec", event_loop)
        return real_main(argv, splash=splash)

    monkeypatch.setattr(ui.app, "main", main_behind_splash)
    project.close()
    assert launch.main(["--project", str(project.root)]) == 0
    assert seen == {"splash_visible": True, "splash_after_show": False}


def test_the_splash_goes_before_the_new_project_dialog(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import launch
    from ui.widgets.create_project_dialog import CreateProjectDialog

    splash_up: list[bool] = []

    def refuse(dialog: QDialog) -> int:
        splash_up.extend(w.isVisible() for w in QApplication.topLevelWidgets()
                         if type(w).__name__ == "QSplashScreen")
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(CreateProjectDialog, "exec", refuse)
    assert launch.main(["--project", str(tmp_path / "new")]) == 1
    assert splash_up and not any(splash_up)


def test_the_splash_goes_before_a_refusal(tmp_path: Path, dialogs) -> None:  # noqa: ANN001
    from ui import launch

    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "inspector.db").write_bytes(b"")  # empty: damaged
    shown: list[bool] = []
    real = QMessageBox.critical

    def critical(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        shown.extend(w.isVisible() for w in QApplication.topLevelWidgets()
                     if type(w).__name__ == "QSplashScreen")
        return real(*args, **kwargs)

    QMessageBox.critical = critical
    try:
        assert launch.main(["--project", str(tmp_path / "p")]) == 1
    finally:
        QMessageBox.critical = real
    assert shown and not any(shown)

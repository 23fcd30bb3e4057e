"""The GUI never quits at startup without a word: a project folder it cannot write, a
database another program holds, or a bug before the window is up is said in a dialog;
a bad remembered station name does not stop every start."""

from __future__ import annotations

import errno
import sys
import threading

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

pytestmark = pytest.mark.gui


@pytest.fixture
def startup(monkeypatch, tmp_path):  # noqa: ANN001, ANN201
    """main() as a station runs it, its log and hooks kept to this test."""
    monkeypatch.setenv("INSPECTOR_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    return shown


def test_a_read_only_project_folder_is_said_not_silent(startup, dialogs, monkeypatch,
                                                       tmp_path) -> None:  # noqa: ANN001
    import ui.app

    def read_only(*_args):  # noqa: ANN002, ANN202 - the upgrade's backup could not be written
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "backups"))

    monkeypatch.setattr(ui.app, "open_or_create", read_only)
    assert ui.app.main(["--project", str(tmp_path)]) == 1
    assert dialogs == [("critical", "The project folder is not writable.")]


def test_a_bug_before_the_window_opens_is_shown_and_logged(startup, project, monkeypatch,
                                                           caplog) -> None:  # noqa: ANN001
    import ui.app
    import ui.main_window

    def broken(*_args):  # noqa: ANN002, ANN202
        raise TypeError("a bug in building the window")

    monkeypatch.setattr(ui.main_window, "MainWindow", broken)
    assert ui.app.main(["--project", str(project.root)]) == 3
    assert startup == ["TypeError: a bug in building the window"]
    assert any("the window could not open" in r.getMessage() and "a bug in building"
               in r.getMessage() for r in caplog.records)


def test_a_remembered_station_that_is_not_text_is_forgotten(project) -> None:  # noqa: ANN001
    """A hand-edited "Line 1, Station 2" reads back as a list; it stopped every start."""
    from ui.state import AppState

    settings = QSettings()
    settings.setValue("station", ["Line 1", "Station 2"])
    settings.setValue("product", 7)
    settings.sync()
    state = AppState(project)
    assert state.station is None and state.product is None
    settings.setValue("station", "Line 1 / Station 2")
    assert AppState(project).station == "Line 1 / Station 2"

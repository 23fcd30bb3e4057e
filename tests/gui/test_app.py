"""Entry point pieces: project creation dialog, crash reporting from any thread."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from inspector.services.session import sign_in

pytestmark = pytest.mark.gui


def test_create_project_dialog_makes_first_admin(tmp_path, qtbot) -> None:  # noqa: ANN001
    from ui.widgets.create_project_dialog import CreateProjectDialog

    dialog = CreateProjectDialog(tmp_path / "new")
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("")
    dialog.create()
    assert dialog.project is None and "name" in dialog.error.text()
    dialog.name_edit.setText("boss")
    dialog.pin_edit.setText("4321")
    dialog.create()
    assert dialog.project is not None
    assert sign_in(dialog.project, "boss", pin="4321").role == "admin"
    dialog.project.close()


def test_open_or_create_opens_existing(project) -> None:  # noqa: ANN001
    from ui.app import open_or_create, parse_args

    opened = open_or_create(project.root)
    assert opened is not None and opened.root == project.root
    opened.close()
    assert parse_args(["--project", "x"]).project.name == "x"


def test_the_gui_takes_the_project_folder_from_the_environment_as_the_cli_does(  # noqa: ANN201
        monkeypatch):  # noqa: ANN001
    """A station whose operators use different Windows accounts: IT sets INSPECTOR_PROJECT
    once, and the GUI must not open each account's own default project instead."""
    from ui.app import parse_args

    monkeypatch.setenv("INSPECTOR_PROJECT", "/srv/line1")
    assert parse_args([]).project == Path("/srv/line1")
    assert parse_args(["--project", "x"]).project == Path("x")  # the option wins
    assert parse_args(["--sample-project"]).project is None  # the sample stays where it is
    monkeypatch.delenv("INSPECTOR_PROJECT")
    assert parse_args([]).project is None


def test_unexpected_errors_are_logged_and_shown_once(qtbot, monkeypatch, caplog) -> None:  # noqa: ANN001
    from ui.app import CrashReporter

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    reporter = CrashReporter()
    reporter.install()

    def boom() -> None:
        raise RuntimeError("worker exploded")

    for _ in range(2):
        thread = threading.Thread(target=boom)
        thread.start()
        thread.join()
    qtbot.waitUntil(lambda: len(shown) == 1)
    qtbot.wait(50)
    assert shown == ["RuntimeError: worker exploded"]
    assert "worker exploded" in caplog.text
    try:
        raise ValueError("gui thread bug")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: len(shown) == 2)


def test_a_lost_database_server_is_said_each_time_not_called_a_bug(qtbot, monkeypatch) -> None:  # noqa: ANN001
    """A page that read from a stopped PostgreSQL server raised to the excepthook: it
    said "This is a bug" once, and every later failure was silent."""
    from sqlalchemy.exc import OperationalError

    from ui.app import CrashReporter

    warned: list[str] = []
    crashed: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _parent, _title, text: warned.append(text) or 0)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: crashed.append(box.text()) or 0)
    reporter = CrashReporter()
    gone = OperationalError("SELECT 1", {}, Exception(
        "connection failed: Connection refused. Is the server running on that host?"))
    for tries in (1, 2):  # pressed twice: said twice (the second try may have worked)
        reporter.excepthook(type(gone), gone, None)
        qtbot.waitUntil(lambda n=tries: len(warned) == n)
    assert all("database server cannot be reached" in text for text in warned)
    full = OSError(28, "No space left on device")
    reporter.excepthook(OSError, full, None)
    qtbot.waitUntil(lambda: len(warned) == 3)
    assert "disk" in warned[2].lower() or "space" in warned[2].lower()
    assert crashed == []  # none of them a "bug" dialog
    reporter.excepthook(RuntimeError, RuntimeError("real bug"), None)
    qtbot.waitUntil(lambda: crashed == ["RuntimeError: real bug"])
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    null = IntegrityError("INSERT", {}, sqlite3.IntegrityError(
        "NOT NULL constraint failed: labels.verdict"))  # a bug, not two stations
    reporter.excepthook(IntegrityError, null, None)
    denied = PermissionError(13, "Permission denied", "/home/x/report.pdf")
    reporter.excepthook(PermissionError, denied, None)
    qtbot.waitUntil(lambda: len(crashed) == 3)
    assert len(warned) == 3


def test_a_stopped_batch_whose_parts_cannot_be_counted_still_says_so(project, admin,
                                                                    monkeypatch) -> None:  # noqa: ANN001
    """The count after a batch stopped by a lost server raised a second error (a "bug"
    dialog after the right one): the note now says the parts are in History."""
    import datetime as dt

    from sqlalchemy.exc import OperationalError

    from inspector.services import inspection
    from ui.widgets.batch_note import stopped_text, stored_since

    def server_gone(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("SELECT count(*)", {}, Exception("server closed the connection"))

    since = dt.datetime.now(dt.UTC)
    assert stored_since(project, since, admin.name) == (0, 0)
    monkeypatch.setattr(inspection, "count_inspections", server_gone)
    done, ng = stored_since(project, since, admin.name)
    assert (done, ng) == (None, None)
    assert "History lists them" in stopped_text("Inspection stopped", done, ng)


def test_garbage_is_collected_on_the_gui_thread_only(qapp) -> None:  # noqa: ANN001
    """A worker must never free a Qt object: automatic collection is off, the GUI thread's
    timer collects what the thresholds would have."""
    import gc
    import weakref

    from ui import gc_guard

    collector = gc_guard.install(qapp)
    assert gc_guard.install(qapp) is collector  # one per application
    assert not gc.isenabled()

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: reference counting alone never frees it
    gone = weakref.ref(a)
    del a, b
    for _ in range(gc.get_threshold()[0] + 1):
        Node()  # allocations push the youngest generation past its threshold
    keep = [Node() for _ in range(gc.get_threshold()[0] + 1)]
    assert gone() is not None  # nothing collected behind the GUI thread's back
    collector.check()
    assert gone() is None and keep


def test_objects_alive_once_the_app_is_up_are_left_out_of_later_collections(qapp) -> None:  # noqa: ANN001
    """A full collection walked every object torch and Qt had made (321 ms on the GUI
    thread): once the window is up they are frozen, and later collections skip them."""
    import gc

    from ui.gc_guard import MainThreadCollector

    try:
        MainThreadCollector.freeze_survivors()
        assert gc.get_freeze_count() > 1000
        assert len(gc.get_objects()) < gc.get_freeze_count()
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("log_file", [Path("/var/log/inspector/inspector.log"), None])
def test_the_crash_dialog_says_where_the_details_went(qtbot, monkeypatch, log_file) -> None:  # noqa: ANN001
    """It said "written to the log file" also when none could be written (a windowed
    build's stderr goes nowhere): then the details are in the dialog only."""
    from ui.app import CrashReporter

    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: said.append(box.informativeText()) or 0)
    CrashReporter(log_file)._show("RuntimeError: x", "Traceback ...")
    assert (str(log_file) in said[0]) if log_file else ("could not be written" in said[0])

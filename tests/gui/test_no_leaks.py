"""A closed window or dialog leaves nothing behind: no widgets, no Python objects (state,
project), no application-wide event filter. Left-overs made every later window slower
(each restyle and each input event went through all of them)."""

from __future__ import annotations

import gc
import threading
import weakref
from types import SimpleNamespace

import pytest
from engine_fixtures import write_parts
from gui_helpers import sign_in_as, wait_for_job
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication, QDialog

from inspector import selftest
from inspector.progress import CancelToken
from inspector.services import products
from inspector.services.importing import import_paths
from ui.idle import IdleWatcher
from ui.main_window import MainWindow
from ui.override_action import ask_override
from ui.state import AppState
from ui.worker import stop_all

pytestmark = pytest.mark.gui


def _settle() -> None:
    """Let background jobs end (a finished job is let go 200 ms after its last signal)
    and deferred deletions happen, then collect cycles."""
    import time

    from ui import worker

    assert stop_all()
    end = time.monotonic() + 5
    while worker._RUNNING and time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.02)
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def test_a_closed_and_deleted_window_leaves_nothing_behind(project, qtbot) -> None:  # noqa: ANN001
    widgets = []
    for _ in range(3):
        state = AppState(project)
        window = MainWindow(state)
        window.show()
        qtbot.waitExposed(window)
        sign_in_as(window, "admin")
        window.close()
        window.deleteLater()
        gone = weakref.ref(window), weakref.ref(state)
        del window, state
        _settle()
        assert [ref() is None for ref in gone] == [True, True]  # window, state (its project)
        widgets.append(len(QApplication.allWidgets()))
    assert widgets == [widgets[0]] * 3


def test_a_closed_window_no_longer_filters_the_applications_input(state, qtbot,  # noqa: ANN001
                                                                  monkeypatch) -> None:
    filtered: list[QObject] = []
    original = IdleWatcher.eventFilter

    def counting(self: IdleWatcher, watched: QObject, event: QEvent) -> bool:
        filtered.append(self)
        return original(self, watched, event)

    monkeypatch.setattr(IdleWatcher, "eventFilter", counting)  # before the watcher is made
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.mouseMove(window.nav)
    assert window.idle in filtered  # open: it sees the input
    window.close()
    filtered.clear()
    other = QDialog()
    qtbot.addWidget(other)
    other.show()
    qtbot.mouseMove(other)
    qtbot.keyClick(other, "a")
    assert window.idle not in filtered
    window.show()  # shown again: it watches again
    qtbot.mouseMove(window.nav)
    assert window.idle in filtered


def test_dialogs_opened_from_the_window_are_deleted_after_use(window, project, admin,  # noqa: ANN001
                                                              tmp_path, monkeypatch,
                                                              qtbot) -> None:
    products.add_product(project, admin, "disc")
    write_parts(tmp_path / "data" / "good", 2, 0, size=64)
    import_paths(project, admin, [tmp_path / "data"], product="disc", labels_from_folders=True)
    window.state.set_product("disc")
    sign_in_as(window, "admin")
    monkeypatch.setattr(QDialog, "exec", lambda _self: QDialog.DialogCode.Rejected)
    for _ in range(2):
        window.show_about()  # F1
        window.show_page("train")
        # Region… opens once the product's photo is read
        wait_for_job(qtbot, window.pages["train"].edit_region(), 10000)
        assert ask_override(window.pages["history"],
                            SimpleNamespace(verdict="ng", final_verdict="ng")) is None
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChildren(QDialog) == []


def test_a_self_test_ending_after_its_about_box_was_deleted_reports_to_nobody(
        window, qtbot, monkeypatch) -> None:  # noqa: ANN001
    started, release = threading.Event(), threading.Event()

    def slow_self_test(cancel: CancelToken) -> None:
        """Stands in for the real self-test: still running when the box is closed."""
        started.set()
        release.wait(5)
        cancel.check()

    def run_then_close(dialog: QDialog) -> QDialog.DialogCode:
        dialog.run_button.click()
        assert started.wait(5)
        dialog.reject()  # Close while it runs: the job is asked to stop
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(selftest, "run_self_test", slow_self_test)
    monkeypatch.setattr(QDialog, "exec", run_then_close)
    window.show_about()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the box is gone
    release.set()
    _settle()  # the job's "cancelled" arrives: an error in a slot would fail the test

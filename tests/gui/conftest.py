"""GUI test fixtures: offscreen Qt, isolated QSettings, recorded (not modal) message boxes."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True, scope="package")
def collect_on_the_gui_thread(qapp) -> Iterator[None]:  # noqa: ANN001
    """As the app does (ui.gc_guard): garbage is never freed in a worker thread."""
    from ui import gc_guard

    collector = gc_guard.install(qapp)
    yield
    collector.uninstall()


@pytest.fixture(autouse=True)
def qt_settings(qapp, tmp_path: Path) -> Iterator[None]:  # noqa: ANN001
    """Each test gets its own QSettings folder and the application's real style."""
    from PySide6.QtCore import QSettings

    from ui.style import apply_style

    qapp.setOrganizationName("InspectorTest")
    qapp.setApplicationName("InspectorTest")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "qsettings"))
    apply_style(qapp)
    yield


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Message boxes are recorded as (kind, text) instead of blocking the test."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []

    def recorder(kind: str, answer: QMessageBox.StandardButton):  # noqa: ANN202
        def _box(_parent, _title, text, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            shown.append((kind, str(text)))
            return answer

        return _box

    monkeypatch.setattr(QMessageBox, "warning", recorder("warning", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "critical",
                        recorder("critical", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "information",
                        recorder("information", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "question",
                        recorder("question", QMessageBox.StandardButton.Yes))
    return shown


@pytest.fixture
def state(project):  # noqa: ANN001, ANN201
    """The session state; deleted after the test unless a window owns (and deleted) it."""
    from shiboken6 import isValid

    from ui.state import AppState

    app_state = AppState(project)
    yield app_state
    if isValid(app_state) and app_state.parent() is None:
        app_state.deleteLater()  # with the connections pages made to it


@pytest.fixture
def window(state, qtbot):  # noqa: ANN001, ANN201
    """The main window on the test project, shown and active (shortcuts need that)."""
    from ui.main_window import MainWindow

    win = MainWindow(state)
    qtbot.addWidget(win)
    win.resize(1366, 768)  # a first start fits the screen: offscreen's is only 800x600
    win.show()
    win.activateWindow()
    qtbot.waitExposed(win)
    yield win
    win.close()


@pytest.fixture(autouse=True)
def _no_worker_outlives_its_test(qtbot):  # noqa: ANN001, ANN202
    """As the app does at exit: a job still running when its widgets are gone (a chart
    drawn for a closed page) would emit into a deleted object at interpreter exit."""
    yield
    from ui.worker import stop_all

    assert stop_all(), "a background job did not stop within 10 s"
    _delete_closed_widgets()


def _delete_closed_widgets() -> None:
    """pytest-qt closes the test's widgets and calls deleteLater(), but outside an event
    loop that deletion can wait for many tests: dozens of hidden windows then pile up,
    each later setStyleSheet re-polishes all of them (20 s per test by the end of a file).
    The jobs' last signals are delivered first, while their pages still exist."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def label_page(window, project, admin, image_dir, qtbot):  # noqa: ANN001, ANN201
    """The Label page over five good and two scratch images (type key S), signed in as
    admin, its first picture shown."""
    from gui_helpers import picture_seen, sign_in_as

    from inspector.services import labeling
    from inspector.services.importing import import_paths

    labeling.add_defect_type(project, admin, "scratch", "S")
    import_paths(project, admin, [image_dir / "good", image_dir / "scratch"])
    sign_in_as(window, "admin")
    assert window.show_page("label")
    page = window.pages["label"]
    page.gallery.setFocus()
    qtbot.waitUntil(lambda: page.current is not None)
    picture_seen(page, qtbot)
    return page


@pytest.fixture
def capture(window, actor):  # noqa: ANN001, ANN201
    """The Capture page, signed in as the operator 'op'; its camera stopped afterwards."""
    from gui_helpers import sign_in_as

    sign_in_as(window, "op")
    assert window.show_page("capture")
    page = window.pages["capture"]
    yield page
    page.shutdown()

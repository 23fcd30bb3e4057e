"""Keyboard-only use and small screens: what an accessibility review found (Space on a
button reached with Tab, Tab traps, the calendar's start page, the first window size,
row heights, the camera-narrowed result column)."""

from __future__ import annotations

import datetime as dt

import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from inspector.imaging.camera import FakeCamera, synthetic_frame
from inspector.services import labeling

pytestmark = pytest.mark.gui


def test_space_presses_a_button_reached_with_tab_and_snapshots_after_a_click(
        capture, project, qtbot) -> None:  # noqa: ANN001
    """Space took a snapshot even on "Start watching" reached with Tab, so the hot folder
    and the camera could not be started from the keyboard. A click must not move the
    keyboard there, though: Space after clicking a button still takes the picture."""
    watch = capture.hot_folder.start_button
    assert not watch.focusPolicy() & Qt.FocusPolicy.ClickFocus
    pressed: list[bool] = []
    watch.clicked.connect(lambda: pressed.append(True))
    watch.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(watch, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: pressed == [True], timeout=2000)
    assert "No camera frame" not in capture.snapshot_status.text()

    capture.camera.start(FakeCamera(synthetic_frame))
    qtbot.waitUntil(lambda: capture.camera.last_frame is not None, timeout=5000)
    capture.setFocus()
    qtbot.mouseClick(capture.folder_labels, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is not capture.folder_labels
    qtbot.keyClick(QApplication.focusWidget() or capture, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "stored as image" in capture.snapshot_status.text(), timeout=5000)
    assert len(labeling.list_images(project)) == 1


def test_tab_leaves_the_date_filter_and_its_calendar_opens_on_this_month(window, qtbot,  # noqa: ANN001
                                                                         actor) -> None:
    """On "any date" Tab walked the box's day, month and year for ever, and the calendar
    opened on January 2000, some 320 taps from today."""
    sign_in_as(window, "op")
    assert window.show_page("history")
    since = window.pages["history"].since
    since.setFocus()
    qtbot.keyClick(since, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not since
    calendar = since.calendarWidget()
    QApplication.sendEvent(calendar, QEvent(QEvent.Type.Show))
    today = dt.date.today()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year, today.month)
    assert since.since() is None  # opening the calendar picks nothing


def test_tables_are_left_with_tab_and_their_rows_fit_a_glove(window, actor) -> None:  # noqa: ANN001
    from ui.style import TABLE_ROW_HEIGHT

    sign_in_as(window, "admin")
    tables = [t for key in ("history", "train", "capture")
              for t in window.pages[key].findChildren(QTableView)
              if not t.objectName().startswith("qt_")]  # a date box's calendar
    assert len(tables) >= 3
    for table in tables:
        assert not table.tabKeyNavigation(), table
        assert table.verticalHeader().defaultSectionSize() >= TABLE_ROW_HEIGHT, table


def test_the_first_window_fits_a_small_screen(state, qtbot, monkeypatch) -> None:  # noqa: ANN001
    """With no saved size the window opened at 1366x768, past a 1024x768 screen (and past
    a 1080p screen at 200 %): the verdict banner was off the right edge."""
    from PySide6.QtGui import QScreen

    from ui.main_window import MainWindow

    monkeypatch.setattr(QScreen, "availableGeometry", lambda _s: QRect(0, 0, 1024, 740))
    win = MainWindow(state)
    qtbot.addWidget(win)
    assert win.width() <= 1024 and win.height() <= 740


def test_the_type_list_is_reached_with_tab_and_enter_picks(label_page, project, qtbot) -> None:  # noqa: ANN001
    """A type without a key could only be picked with the mouse."""
    page = label_page
    labeling.add_defect_type(project, page.state.actor, "dent")  # no key
    page.reload_types()
    image_id = page.current.id
    types = page.types.list
    assert types.focusPolicy() & Qt.FocusPolicy.TabFocus
    types.setFocus(Qt.FocusReason.TabFocusReason)
    row = next(i for i in range(types.count())
               if types.item(i).data(Qt.ItemDataRole.UserRole) == "dent")
    types.setCurrentRow(row)
    qtbot.keyClick(types, Qt.Key.Key_Return)
    last = labeling.label_history(project, image_id)[-1]
    assert (last.verdict, last.defect_type) == ("defective", "dent")
    assert QApplication.focusWidget() is page.gallery  # the label keys work again


@pytest.mark.parametrize("size", [(1366, 740), (1024, 600)])
def test_result_buttons_keep_their_whole_text_beside_the_camera(window, actor, qtbot,  # noqa: ANN001
                                                               size) -> None:
    """With the camera shown, "Label defective… [D]" read "bel defective… [" and the heat
    map box "Heat map [H": the key hints were lost."""
    sign_in_as(window, "op")
    window.resize(*size)
    assert window.show_page("inspect")
    page = window.pages["inspect"]
    page.camera_button.setChecked(True)
    page.camera.start(FakeCamera(synthetic_frame))
    qtbot.waitUntil(lambda: page.camera.last_frame is not None, timeout=5000)
    widgets: list[QWidget] = [page.label_good_button, page.label_defective_button,
                              page.heatmap_box, page.continuous]
    qtbot.wait(50)  # the layouts after the visible height is known
    for widget in widgets:
        assert widget.isVisible() and widget.width() >= widget.sizeHint().width(), widget
        assert widget.text().endswith("]") or widget is page.continuous
    page.camera.stop()
    page.camera_button.setChecked(False)
    qtbot.waitUntil(lambda: page.label_good_button.y() == page.label_defective_button.y(),
                    timeout=2000)  # side by side again

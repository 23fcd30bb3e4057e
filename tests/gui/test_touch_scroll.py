"""A finger drags lists, tables and small-screen pages (ui.widgets.touch_scroll): gloved
operators on touch panels could not hit the scroll bars, and a drag over a list moved its
selection along (the Label page loading each image passed) instead of scrolling it. A
tap still selects, two taps double-click, and the mouse works as before."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pytest
from gui_helpers import picture_seen, sign_in_as
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPointingDevice, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QWidget,
)

from inspector.services import labeling
from inspector.services.importing import import_array
from inspector.store.models import Inspection
from ui.widgets.defect_label_dialog import DefectLabelDialog
from ui.widgets.image_view import ImageView

pytestmark = pytest.mark.gui
ROWS = 250  # inspections on History: more than one page of 200


@functools.cache
def _device() -> QPointingDevice:
    """A touch screen, made as test_a11y_zoom makes it; once: Qt keeps each one made."""
    return QTest.createTouchDevice()


def on_screen(window: QWidget, qtbot, width: int = 800, height: int = 760) -> None:  # noqa: ANN001
    """The window inside the offscreen screen (800x800): a touch point off the screen is
    dropped before it reaches any widget (the window fixture is 1366x768)."""
    window.resize(width, height)
    qtbot.wait(50)


def in_view(area: QScrollArea, widget: QWidget, qtbot, whole: bool = True) -> None:  # noqa: ANN001
    """Scroll ``area`` until ``widget`` shows (whole, or a good part of it), once the
    page's layout has settled (it grows a moment after a resize)."""
    def shown() -> bool:
        area.ensureWidgetVisible(widget, 0, 0)
        height = widget.visibleRegion().boundingRect().height()
        return height == widget.height() if whole else height > 120
    qtbot.wait(200)
    qtbot.waitUntil(shown)


def _check(widget: QWidget, start: QPoint, *more: QPoint) -> None:
    """The finger lands on ``widget`` where the window shows it, and stays on the screen."""
    window = widget.window()
    hit = window.childAt(widget.mapTo(window, start))
    assert hit is not None and (hit is widget or widget.isAncestorOf(hit)), "it misses"
    screen = QApplication.primaryScreen().geometry()
    assert all(screen.contains(widget.mapToGlobal(p)) for p in (start, *more)), "off screen"


# Points are given with their widget: without it PySide picks the QWindow overload and
# reads them as window coordinates (a tap on a list landed on a button above it).
def drag(widget: QWidget, start: QPoint, end: QPoint, steps: int = 8, pause: int = 20) -> None:
    """One finger down at ``start``, moved in ``steps`` to ``end``, lifted there."""
    _check(widget, start, end)
    QTest.touchEvent(widget, _device()).press(0, start, widget).commit()
    QTest.qWait(pause)
    for i in range(1, steps + 1):
        point = start + (end - start) * i / steps
        QTest.touchEvent(widget, _device()).move(0, point, widget).commit()
        QTest.qWait(pause)
    QTest.touchEvent(widget, _device()).release(0, end, widget).commit()


def tap(widget: QWidget, point: QPoint) -> None:
    _check(widget, point)
    QTest.touchEvent(widget, _device()).press(0, point, widget).commit()
    QTest.qWait(30)
    QTest.touchEvent(widget, _device()).release(0, point, widget).commit()
    QTest.qWait(30)


def settle(port: QWidget, qtbot) -> None:  # noqa: ANN001
    """Wait for a glide after the finger lifted to end."""
    scroller = QScroller.scroller(port)
    qtbot.waitUntil(lambda: scroller.state() == QScroller.State.Inactive, timeout=5000)


def row_centre(view: QAbstractItemView, row: int) -> QPoint:
    return view.visualRect(view.model().index(row, 0)).center()


@pytest.fixture
def many_types(label_page, project, admin, qtbot):  # noqa: ANN001, ANN201
    """Fourteen defect types (the list shows four at most), no keys; in view."""
    for i in range(14):
        labeling.add_defect_type(project, admin, f"type {i:02}", None)
    label_page.reload_types()
    window = label_page.window()
    on_screen(window, qtbot)
    in_view(window.containers["label"], label_page.types.list, qtbot)
    return label_page.types


@pytest.fixture
def history(window, project, admin, qtbot):  # noqa: ANN001, ANN201
    """The History page over ROWS inspections, one a day, newest first."""
    img = import_array(project, admin, np.full((16, 16, 3), 99, np.uint8), source="file",
                       name="part.png")
    today = dt.datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
    with project.db.session() as s:
        s.add_all(Inspection(image_id=img.id, score=float(i), threshold=1.0, verdict="ok",
                             inspected_at=today - dt.timedelta(days=i)) for i in range(ROWS))
    sign_in_as(window, "admin")
    assert window.show_page("history")
    on_screen(window, qtbot)
    return window.pages["history"]


def test_a_finger_drag_scrolls_the_type_list_and_labels_nothing(label_page, many_types,
                                                                 project, qtbot) -> None:  # noqa: ANN001
    """A click on a type labels the picture with it: a drag scrolls the list and labels
    nothing (Qt's own touch scroller clicked the type the finger was lifted on)."""
    states = [(i.id, i.state, i.defect_type) for i in labeling.list_images(project)]
    picked: list[str] = []
    many_types.picked.connect(picked.append)
    view = many_types.list
    port, bar = view.viewport(), view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    bottom = port.rect().bottom() - 10
    drag(port, QPoint(60, bottom), QPoint(60, 10))
    settle(port, qtbot)
    assert bar.value() > 0  # the rows moved up with the finger
    assert picked == [] and view.currentItem() is None
    assert [(i.id, i.state, i.defect_type) for i in labeling.list_images(project)] == states


def test_a_tap_on_a_type_still_picks_it(label_page, many_types, qtbot) -> None:  # noqa: ANN001
    picked: list[str] = []
    many_types.picked.connect(picked.append)
    view = many_types.list
    assert QScroller.hasScroller(view.viewport())  # touch scrolling is on: yet a tap picks
    tap(view.viewport(), row_centre(view, 1))
    assert picked == [view.item(1).data(Qt.ItemDataRole.UserRole)]


def test_a_tap_on_a_thumbnail_shows_that_image_and_a_drag_scrolls_the_gallery(
        label_page, qtbot) -> None:  # noqa: ANN001
    on_screen(label_page.window(), qtbot)
    gallery = label_page.gallery
    port, bar = gallery.viewport(), gallery.verticalScrollBar()
    first = label_page.current
    tap(port, row_centre(gallery, 1))
    qtbot.waitUntil(lambda: label_page.current is not None and label_page.current != first)
    assert label_page.current == label_page.model.images[1]
    picture_seen(label_page, qtbot)
    assert bar.maximum() > 100  # one column of seven thumbnails
    chosen = label_page.current
    drag(port, QPoint(60, port.height() - 20), QPoint(60, 20))
    settle(port, qtbot)
    assert bar.value() > 0 and label_page.current == chosen  # scrolled, nothing chosen


def test_history_scrolls_by_finger_and_a_tap_selects_a_row(history, qtbot) -> None:  # noqa: ANN001
    """Rows scroll by the pixel (by the row, the scroller moved 60 rows for a 60 px drag)
    and a glide is stopped by the next touch without choosing the row under it; "Show
    200 more" keeps the place."""
    table = history.table
    port, bar = table.viewport(), table.verticalScrollBar()
    assert table.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerPixel
    assert table.currentRow() == 0
    drag(port, QPoint(80, port.height() - 20), QPoint(80, 20), steps=4, pause=15)  # a flick
    assert QScroller.scroller(port).state() == QScroller.State.Scrolling  # still gliding
    tap(port, QPoint(80, port.height() // 2))  # stops the glide; no row chosen
    settle(port, qtbot)
    assert bar.value() > 0 and table.currentRow() == 0
    row = table.rowAt(port.height() // 2)
    tap(port, QPoint(80, port.height() // 2))
    assert table.currentRow() == row > 0 and history.selected_info() == history.results[row]
    scrolled = bar.value()
    history.more_button.click()  # the next 200 rows go below; the place stays
    assert table.rowCount() == ROWS and bar.value() == scrolled
    assert table.currentRow() == row


def test_a_mouse_drag_selects_as_before_and_the_wheel_scrolls_three_rows(history,
                                                                          qtbot) -> None:  # noqa: ANN001
    """Desktop use is unchanged: touch scrolling is on, yet a mouse drag moves the
    selection with the pointer and scrolls nothing; a wheel notch scrolls three rows."""
    table = history.table
    port, bar = table.viewport(), table.verticalScrollBar()
    assert QScroller.hasScroller(port)
    QTest.mousePress(port, Qt.MouseButton.LeftButton, pos=row_centre(table, 1))
    for row in range(2, 6):
        QTest.mouseMove(port, row_centre(table, row))
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, pos=row_centre(table, 5))
    qtbot.wait(300)
    assert bar.value() == 0 and table.currentRow() == 5
    centre = QPointF(port.rect().center())
    QApplication.sendEvent(port, QWheelEvent(
        centre, QPointF(port.mapToGlobal(centre)), QPoint(), QPoint(0, -120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
        False))
    assert table.rowAt(0) == 3


def test_a_short_page_scrolls_by_finger_without_clicking_the_button_under_it(
        label_page, qtbot) -> None:  # noqa: ANN001
    """A page taller than the screen scrolls where the finger lands on its buttons; the
    button under a finger that scrolled the page is not clicked (it moved along with the
    finger and was lifted on), and a tap still clicks it."""
    window = label_page.window()
    on_screen(window, qtbot, 800, 400)
    area = window.containers["label"]
    port, bar = area.viewport(), area.verticalScrollBar()
    clicks: list[bool] = []
    button = QPushButton("Touch target")
    button.clicked.connect(lambda: clicks.append(True))
    label_page.layout().addWidget(button)  # its click does nothing else
    label_page.layout().addSpacing(300)  # room to scroll either way
    in_view(area, button, qtbot)
    bar.setValue(bar.value() + button.mapTo(port, QPoint()).y() - port.height() // 3)
    scrolled = bar.value()
    assert 60 < scrolled < bar.maximum()  # the page is taller than the window
    # Points on the viewport, which stays put: the button moves down with the finger
    # (points given on the button would follow it, and leave it).
    start = button.mapTo(port, button.rect().center())
    drag(port, start, start + QPoint(0, 40), pause=40)  # slowly: the page stops with it
    assert port.childAt(start + QPoint(0, 40)) is button  # lifted over the button
    settle(port, qtbot)
    assert bar.value() < scrolled and clicks == [] and not button.isDown()
    in_view(area, button, qtbot)
    tap(button, button.rect().center())
    assert clicks == [True]


def test_a_drag_from_a_list_that_fits_scrolls_the_page_and_picks_nothing(
        label_page, qtbot) -> None:  # noqa: ANN001
    """Where the list under the finger has nothing to scroll (one defect type), the page
    scrolls; the list moved along with the finger, and the row under it is not picked."""
    window = label_page.window()
    on_screen(window, qtbot, 800, 400)
    area = window.containers["label"]
    port, bar = area.viewport(), area.verticalScrollBar()
    view = label_page.types.list
    picked: list[str] = []
    label_page.types.picked.connect(picked.append)
    in_view(area, view, qtbot)
    assert view.count() == 1 and view.verticalScrollBar().maximum() == 0
    before = bar.value()
    step = QPoint(0, 50) if before > 60 else QPoint(0, -50)
    assert 0 <= before - step.y() <= bar.maximum()  # room to scroll that way
    start = view.viewport().mapTo(port, row_centre(view, 0))
    drag(port, start, start + step, pause=40)
    settle(port, qtbot)
    assert bar.value() != before and picked == []


def test_a_drag_on_the_picture_pans_it_and_leaves_the_page(label_page, qtbot) -> None:  # noqa: ANN001
    """The picture pans under one finger by itself (ui.widgets.image_view): the page
    around it, which scrolls by finger elsewhere, stays put."""
    window = label_page.window()
    on_screen(window, qtbot, 800, 400)
    area = window.containers["label"]
    port, bar = area.viewport(), area.verticalScrollBar()
    view = label_page.view
    in_view(area, view, qtbot, whole=False)
    for _ in range(4):  # zoomed in, so one finger pans it
        view.zoom_at(1.5)
    picture = view.horizontalScrollBar()
    start, page = picture.value(), bar.value()
    assert 0 < start < picture.maximum() and bar.maximum() > page  # both could move
    centre = view.viewport().visibleRegion().boundingRect().center()
    drag(view.viewport(), centre, centre - QPoint(60, 40))
    qtbot.wait(300)
    assert picture.value() > start and bar.value() == page
    text = QLabel("Some words at the foot of the page")
    label_page.layout().addWidget(text)
    in_view(area, text, qtbot)
    page = bar.value()
    spot = text.rect().center()
    drag(text, spot, spot + QPoint(0, 70))  # elsewhere the page scrolls by finger
    settle(port, qtbot)
    assert bar.value() < page


def test_pictures_drop_downs_and_headers_keep_their_own_touch(window) -> None:  # noqa: ANN001
    """Every list, table and page scroll area scrolls by finger; the pictures pan and
    pinch by themselves, a drop-down's list and a table's header (a drag sizes a column)
    are left as Qt makes them."""
    areas = window.findChildren(QAbstractScrollArea)
    pictures = [a for a in areas if isinstance(a, ImageView)]
    others = [a for a in areas if isinstance(a, QHeaderView)
              or any(isinstance(p, QComboBox) for p in _ancestors(a))]
    lists = [window.nav, window.pages["label"].gallery, window.pages["label"].types.list,
             window.pages["history"].table, window.pages["train"].models.table,
             window.pages["inspect"].recent, *window.containers.values()]
    assert pictures and others
    assert all(QScroller.hasScroller(a.viewport()) for a in lists)
    assert not any(QScroller.hasScroller(a.viewport()) for a in pictures + others)


def _ancestors(widget: QWidget) -> list[QWidget]:
    found = []
    while (widget := widget.parentWidget()) is not None:
        found.append(widget)
    return found


def test_a_dialog_made_later_scrolls_by_finger_and_a_double_tap_accepts(label_page,
                                                                         qtbot) -> None:  # noqa: ANN001
    """Dialogs make their lists when they open: the defect-label dialog's types scroll
    by finger once it has the focus, and a double tap on a type still accepts it."""
    dialog = DefectLabelDialog([f"type {i:02}" for i in range(30)], None, None,
                               parent=label_page)
    dialog.show()
    dialog.activateWindow()
    view = dialog.types
    port, bar = view.viewport(), view.verticalScrollBar()
    qtbot.waitUntil(lambda: QScroller.hasScroller(port))
    assert bar.maximum() > 0
    drag(port, QPoint(60, port.height() - 20), QPoint(60, 20))
    settle(port, qtbot)
    assert bar.value() > 0 and view.currentRow() == 0 and dialog.isVisible()
    row = view.indexAt(QPoint(60, port.height() // 2)).row()
    tap(port, QPoint(60, port.height() // 2))
    tap(port, QPoint(60, port.height() // 2))
    assert dialog.result() == QDialog.DialogCode.Accepted and view.currentRow() == row

"""Zooming a picture without a mouse wheel: Ctrl with + / - / 0 on the focused picture, and a
two-finger pinch on a touch panel (an accessibility review: gloved operators on touch
panels could not zoom into a defect)."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import picture_seen
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QNativeGestureEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from inspector.services import labeling
from ui.widgets.image_view import ImageView

pytestmark = pytest.mark.gui
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
ZOOM_STEP = 1.25  # a key press zooms as much as one wheel notch


def _shown_view(qtbot) -> ImageView:  # noqa: ANN001
    view = ImageView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    view.set_image(np.random.default_rng(0).integers(0, 255, (600, 800, 3), np.uint8))
    return view


def test_ctrl_keys_zoom_and_fit_the_picture_and_never_label(label_page, project, admin,
                                                            qtbot) -> None:  # noqa: ANN001
    """On the Label page, where a defect type may own the bare key 0: Ctrl++ / Ctrl+= zoom
    in, Ctrl+- out, Ctrl+0 fits, and none of them labels the picture."""
    labeling.add_defect_type(project, admin, "dent", "0")
    label_page.reload_types()
    assert label_page.types.shortcuts().get("0") == "dent"  # the bare 0 is a label key
    states = [(i.id, i.state) for i in labeling.list_images(project)]
    view = label_page.view
    picture_seen(label_page, qtbot)
    view.setFocus()
    assert QApplication.focusWidget() is view
    fitted = view.zoom_factor
    qtbot.keyClick(view, Qt.Key.Key_Equal, CTRL)
    assert view.zoom_factor == pytest.approx(fitted * ZOOM_STEP)
    qtbot.keyClick(view, Qt.Key.Key_Plus, CTRL | SHIFT)  # Ctrl, Shift and = on a US board
    assert view.zoom_factor == pytest.approx(fitted * ZOOM_STEP**2)
    qtbot.keyClick(view, Qt.Key.Key_Minus, CTRL)
    assert view.zoom_factor == pytest.approx(fitted * ZOOM_STEP)
    qtbot.keyClick(view, Qt.Key.Key_0, CTRL)
    assert view.zoom_factor == pytest.approx(fitted)
    assert [(i.id, i.state) for i in labeling.list_images(project)] == states


def test_ctrl_zoom_keeps_the_middle_of_the_picture_in_the_middle(qtbot) -> None:  # noqa: ANN001
    """A key has no pointer: zooming about a resting mouse took the defect off screen."""
    view = _shown_view(qtbot)
    view.activateWindow()
    view.setFocus()
    middle = view.mapToScene(view.viewport().rect().center())
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Equal, CTRL)
    after = view.mapToScene(view.viewport().rect().center())
    assert view.zoom_factor > view._fitted_zoom * 1.9
    assert abs(after.x() - middle.x()) < 3 and abs(after.y() - middle.y()) < 3


def test_two_fingers_pinch_the_picture_larger_and_one_finger_still_pans(qtbot) -> None:  # noqa: ANN001
    """A real touch sequence: two fingers moving apart zoom in; one finger drags."""
    view = _shown_view(qtbot)
    view.activateWindow()
    view.setFocus()  # with the focus ring (ui.widgets.focus_ring) over it
    device = QTest.createTouchDevice()
    port = view.viewport()
    fitted = view.zoom_factor
    QTest.touchEvent(port, device).press(0, QPoint(150, 150)).press(1, QPoint(250, 150)).commit()
    QTest.qWait(20)
    for i in range(1, 8):
        QTest.touchEvent(port, device).move(0, QPoint(150 - 10 * i, 150)).move(
            1, QPoint(250 + 10 * i, 150)).commit()
        QTest.qWait(20)
    QTest.touchEvent(port, device).release(0, QPoint(80, 150)).release(
        1, QPoint(320, 150)).commit()
    QTest.qWait(20)
    assert view.zoom_factor > fitted * 1.5  # the fingers went from 100 to 240 px apart

    bar = view.horizontalScrollBar()
    start = bar.value()
    QTest.touchEvent(port, device).press(0, QPoint(200, 150)).commit()
    for i in range(1, 6):
        QTest.touchEvent(port, device).move(0, QPoint(200 - 15 * i, 150)).commit()
        QTest.qWait(20)
    QTest.touchEvent(port, device).release(0, QPoint(125, 150)).commit()
    assert bar.value() > start  # dragged left: the picture moved with the finger


def test_a_touchpad_pinch_zooms_too(qtbot) -> None:  # noqa: ANN001
    """macOS and Wayland send a touchpad's pinch as a native zoom gesture."""
    view = _shown_view(qtbot)
    fitted = view.zoom_factor
    centre = QPointF(view.viewport().rect().center())
    event = QNativeGestureEvent(Qt.NativeGestureType.ZoomNativeGesture,
                                QTest.createTouchDevice(), 2, centre, centre,
                                QPointF(view.viewport().mapToGlobal(centre)), 0.5, QPointF(), 1)
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom_factor == pytest.approx(fitted * 1.5)

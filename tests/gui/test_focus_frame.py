"""Keyboard focus is visible: a frame in the focus colour around the focused control,
outside it (no layout moves); Fusion's own 1 px tint could not be seen from a step away."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.style import FOCUS_COLOUR

pytestmark = pytest.mark.gui


def _left_edge_colour(holder: QWidget, widget: QWidget) -> QColor:
    """The colour just left of ``widget``, in the middle of its height."""
    image = holder.grab().toImage()
    return image.pixelColor(widget.x() - 1, widget.y() + widget.height() // 2)


def test_the_focused_control_has_a_frame_in_the_focus_colour(qtbot) -> None:  # noqa: ANN001
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(12, 12, 12, 12)
    first, second, field = QPushButton("First"), QPushButton("Second"), QLineEdit()
    for widget in (first, second, field):
        layout.addWidget(widget)
    qtbot.addWidget(holder)
    holder.show()
    holder.activateWindow()
    qtbot.waitExposed(holder)
    geometry = first.geometry()
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    assert _left_edge_colour(holder, first) == QColor(FOCUS_COLOUR)
    assert _left_edge_colour(holder, second) != QColor(FOCUS_COLOUR)
    assert first.geometry() == geometry  # drawn outside: nothing moved
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    assert _left_edge_colour(holder, field) == QColor(FOCUS_COLOUR)
    assert _left_edge_colour(holder, first) != QColor(FOCUS_COLOUR)

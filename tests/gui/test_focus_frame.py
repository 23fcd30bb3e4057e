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


def test_a_view_that_fills_its_parent_shows_its_focus_inside(qtbot) -> None:  # noqa: ANN001
    """The frame drawn around a control, in its parent, was cut off around a table, the
    Label gallery and the pictures: they fill their parent edge to edge."""
    from PySide6.QtWidgets import QListWidget, QTableWidget

    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    table, gallery, button = QTableWidget(3, 2), QListWidget(), QPushButton("Below")
    for widget in (table, gallery, button):
        layout.addWidget(widget)
    qtbot.addWidget(holder)
    holder.resize(300, 400)
    holder.show()
    holder.activateWindow()
    qtbot.waitExposed(holder)
    for view in (table, gallery):
        view.setFocus()
        qtbot.waitUntil(view.hasFocus)
        image = holder.grab().toImage()
        middle = view.y() + view.height() // 2
        assert image.pixelColor(view.x(), middle) == QColor(FOCUS_COLOUR)  # left edge
        top = view.y() + 1
        assert image.pixelColor(view.x() + view.width() // 2, top) == QColor(FOCUS_COLOUR)
    button.setFocus()
    qtbot.waitUntil(button.hasFocus)
    image = holder.grab().toImage()
    assert image.pixelColor(gallery.x(), gallery.y() + gallery.height() // 2) != QColor(
        FOCUS_COLOUR)


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def _contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_selected_entries_and_placeholders_are_readable(qapp) -> None:  # noqa: ANN001
    """White on Fusion's selection blue was 3.7:1 (gallery captions, selected History rows
    with "NG ⚠"), Qt's placeholder grey on white 4.0:1; WCAG AA asks 4.5:1."""
    from PySide6.QtGui import QPalette

    palette = qapp.palette()
    roles = QPalette.ColorRole
    assert _contrast(palette.color(roles.Highlight), palette.color(roles.HighlightedText)) >= 4.5
    assert _contrast(palette.color(roles.PlaceholderText), QColor("#ffffff")) >= 4.5
    assert _contrast(palette.color(roles.PlaceholderText), palette.color(roles.Base)) >= 4.5

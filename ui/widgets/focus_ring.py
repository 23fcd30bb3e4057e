"""A focus mark drawn inside a large view (table, list, picture).

The focus frame (ui.style.FocusMarker) is drawn around a control, in its parent. A table,
the Label gallery or a picture view fills its parent edge to edge (splitters, layouts
without margins), so that frame was cut off: no side of it showed around the gallery
and the picture, one around the History table. Inside such a view the ring is always
seen, and at the size of a view it hides nothing that matters.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QAbstractScrollArea, QComboBox, QWidget
from shiboken6 import isValid


def wants_inner_ring(widget: QWidget | None) -> bool:
    """Views that scroll their content, not a drop-down's own popup list."""
    if not isinstance(widget, QAbstractScrollArea):
        return False
    parent = widget.parentWidget()
    while parent is not None:  # a combo box's popup view lives in a private container
        if isinstance(parent, QComboBox):
            return False
        parent = parent.parentWidget()
    return not widget.isWindow()


class FocusRing(QWidget):
    """A transparent child over the whole focused view that paints only a border."""

    def __init__(self, colour: str, width: int) -> None:
        super().__init__()
        self.colour, self.width_px = QColor(colour), width
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view: QWidget | None = None

    def follow(self, view: QWidget | None) -> None:
        """Sit on ``view`` (None: hide)."""
        if self.view is not None and isValid(self.view):
            self.view.removeEventFilter(self)
        self.view = view
        if view is None:
            self.hide()
            self.setParent(None)
            return
        self.setParent(view)
        self.setGeometry(view.rect())
        view.installEventFilter(self)
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.view.rect())
        return False

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt
        painter = QPainter(self)
        pen = QPen(self.colour, self.width_px)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        half = self.width_px / 2
        painter.drawRect(self.rect().toRectF().adjusted(half, half, -half, -half))
        painter.end()

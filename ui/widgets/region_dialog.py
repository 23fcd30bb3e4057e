"""Drag a rectangle on a product photo: the inspection region the model will look at.

The region is kept as fractions of the image (engine ``Region``), so the dialog works on
a scaled-down view and the result fits any camera resolution.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector.engine.region import MIN_SIDE, Region, describe
from ui.qimage import rgb_to_pixmap
from ui.screen_fit import fit_to_screen

SHADE = QColor(0, 0, 0, 140)  # outside the region
FRAME = QColor("#ffb300")  # the region's border: visible on dark and light parts


class RegionCanvas(QWidget):
    """The photo, fitted to the widget; press-drag-release draws the region."""

    changed = Signal()

    def __init__(self, rgb: np.ndarray, region: Region | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pixmap: QPixmap = rgb_to_pixmap(rgb, 1600)
        self.region = region
        self._anchor: QPointF | None = None
        self.setMinimumSize(320, 240)  # fits a 960x540 screen with the dialog around it
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def image_rect(self) -> QRectF:
        """Where the photo is drawn (aspect kept, centred)."""
        pw, ph = self.pixmap.width(), self.pixmap.height()
        scale = min(self.width() / pw, self.height() / ph)
        w, h = pw * scale, ph * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def to_fraction(self, pos: QPointF) -> tuple[float, float]:
        r = self.image_rect()
        x = min(max((pos.x() - r.left()) / r.width(), 0.0), 1.0)
        y = min(max((pos.y() - r.top()) / r.height(), 0.0), 1.0)
        return x, y

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self._anchor = event.position()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._anchor is not None:
            self._drag_to(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._anchor is not None and event.button() == Qt.MouseButton.LeftButton:
            self._drag_to(event.position())
            self._anchor = None

    def _drag_to(self, pos: QPointF) -> None:
        assert self._anchor is not None
        (ax, ay), (bx, by) = self.to_fraction(self._anchor), self.to_fraction(pos)
        x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        if x1 - x0 >= MIN_SIDE and y1 - y0 >= MIN_SIDE:  # ignore clicks and slips
            self.region = Region(x0, y0, x1, y1)
            self.update()
            self.changed.emit()

    def clear(self) -> None:
        self.region = None
        self.update()
        self.changed.emit()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        r = self.image_rect()
        p.drawPixmap(r, self.pixmap, QRectF(self.pixmap.rect()))
        if self.region is not None:
            g = self.region
            inner = QRectF(r.left() + g.x0 * r.width(), r.top() + g.y0 * r.height(),
                           (g.x1 - g.x0) * r.width(), (g.y1 - g.y0) * r.height())
            for part in (QRectF(r.left(), r.top(), r.width(), inner.top() - r.top()),
                         QRectF(r.left(), inner.bottom(), r.width(), r.bottom() - inner.bottom()),
                         QRectF(r.left(), inner.top(), inner.left() - r.left(), inner.height()),
                         QRectF(inner.right(), inner.top(), r.right() - inner.right(),
                                inner.height())):
                p.fillRect(part, SHADE)
            p.setPen(QPen(FRAME, 3))
            p.drawRect(inner)
        p.end()


class RegionDialog(QDialog):
    """``region()`` after ``exec()`` returns Accepted (None = the whole image)."""

    def __init__(self, rgb: np.ndarray, region: Region | None, product: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Inspection region of {product}")
        hint = QLabel("Drag a rectangle around the part. Everything outside it (fixture, "
                      "conveyor, hands) is ignored. It applies from the next training.")
        hint.setWordWrap(True)
        self.canvas = RegionCanvas(rgb, region)
        self.status = QLabel()
        self.status.setProperty("role", "hint")
        whole = QPushButton("Whole image")
        whole.clicked.connect(self.canvas.clear)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.addButton(whole, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.canvas.changed.connect(self._show_status)
        self._show_status()
        fit_to_screen(self, 900, 680)

    def _show_status(self) -> None:
        self.status.setText(f"Region: {describe(self.canvas.region)}")

    def region(self) -> Region | None:
        return self.canvas.region

"""A column of word-wrapped notes that is as tall as its text where there is room, and
scrolls inside itself where there is not.

The Inspect page's setup warning and batch summary can run to eight lines on a 1024 px
panel PC; grown whole they pushed the verdict's neighbours (the heat map, the recent
parts) below the screen. Here they give way first, and never below a few lines.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

MIN_LINES = 3  # what always shows of the notes, when there are that many lines


class NotesArea(QScrollArea):
    """Holds ``labels`` (hide one to leave it out); the vertical bar appears only when the
    layout gives the area less than the text needs."""

    def __init__(self, labels: list[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        inner = QWidget()
        inner.setAutoFillBackground(False)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 0, 0, 0)
        for label in labels:
            layout.addWidget(label)
        self.setWidget(inner)
        self.viewport().setAutoFillBackground(False)

    def _text_height(self) -> int:
        """The notes' height at the width they are shown at (0 with none shown)."""
        layout = self.widget().layout()
        if not any(
            layout.itemAt(i).widget().isVisibleTo(self.widget()) for i in range(layout.count())
        ):
            return 0
        width = max(self.viewport().width(), 1)
        if layout.hasHeightForWidth():
            return layout.totalHeightForWidth(width)
        return layout.totalSizeHint().height()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(super().sizeHint().width(), self._text_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        lines = self.fontMetrics().lineSpacing() * MIN_LINES
        return QSize(0, min(self._text_height(), lines))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return False  # the page's minimum must not grow with the text (it scrolls here)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # the wrapped text's height follows the width

    def refresh(self) -> None:
        """Call after a note's text or visibility changed: the area's hint follows."""
        self.widget().layout().invalidate()
        self.updateGeometry()

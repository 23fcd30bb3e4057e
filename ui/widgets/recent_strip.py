"""The last results as small thumbnails framed in their verdict colour; click to reopen.

An entry keeps only its thumbnail and the caller's payload (which should be small too:
ten 12 MP results with their heat maps held 1.2 GB), never the picture itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ui.qimage import rgb_to_pixmap, screen_ratio
from ui.style import VERDICT_COLOURS
from ui.widgets.verdict_banner import WORDS

THUMB = 84
COMPACT_THUMB = 56  # on a short screen: the strip gives its height to the verdict
ITEM_PADDING = 10  # px an icon-mode item adds around its icon and word
SOURCE_SIDE = 8 * THUMB  # longer side of what thumbnail_source keeps (4x at 200 %)
THUMB_ROLE = Qt.ItemDataRole.UserRole + 1  # an entry's thumbnail, to reframe it


def thumbnail_source(rgb: np.ndarray) -> np.ndarray:
    """Every n-th pixel of a picture, still enough for its sharp thumbnail at 200 %: what
    a worker hands the strip instead of a whole 12 MP picture (36 MB). Numpy only, so
    safe in a worker thread."""
    step = -(-max(rgb.shape[:2]) // SOURCE_SIDE)  # rounded up: the longer side fits
    return np.ascontiguousarray(rgb[::step, ::step]) if step > 1 else rgb


def _thumbnail(rgb: np.ndarray) -> QPixmap:
    """The picture at its thumbnail size, in device pixels (sharp at 200 %); the strip
    keeps this, never the picture, so an entry costs kilobytes."""
    ratio = screen_ratio()
    # Every n-th pixel first (still 4x the thumbnail, smoothed below): converting a whole
    # 12 MP result took 60 ms of the GUI thread per part, 0.6 s after a batch of ten.
    step = max(1, max(rgb.shape[:2]) // (4 * round(THUMB * ratio)))
    inner = rgb_to_pixmap(rgb[::step, ::step])
    longest = max(inner.width(), inner.height(), 1)
    side = round(min(longest, THUMB) * ratio)  # its logical size (at most THUMB), in device px
    if side != longest:
        inner = inner.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return inner


def _frame(inner: QPixmap, verdict: str) -> QPixmap:
    """A thumbnail in a frame of its verdict's colour."""
    ratio = screen_ratio()
    side = round((THUMB + 10) * ratio)
    pix = QPixmap(side, side)
    pix.fill(QColor(VERDICT_COLOURS.get(verdict, VERDICT_COLOURS["none"])[0]))
    painter = QPainter(pix)
    painter.drawPixmap((pix.width() - inner.width()) // 2, (pix.height() - inner.height()) // 2,
                       inner)
    painter.end()
    pix.setDevicePixelRatio(ratio)
    return pix


def _framed(rgb: np.ndarray, verdict: str) -> QPixmap:
    """The picture in a frame of its verdict's colour, in device pixels (sharp at 200 %)."""
    return _frame(_thumbnail(rgb), verdict)


def describe(verdict: str, payload: Any) -> str:
    """Which part a thumbnail is, e.g. "part_17.png · NG · 14:32:05", for its tooltip and
    a screen reader (the strip shows only the word). Name and time come from the payload
    where it has them (an InspectionInfo)."""
    name = getattr(payload, "image_name", None) or (
        f"#{payload.image_id}" if getattr(payload, "image_id", None) is not None else "")
    when = getattr(payload, "inspected_at", None)
    time = f"{when.astimezone():%H:%M:%S}" if isinstance(when, dt.datetime) else ""
    return " · ".join(part for part in (name, WORDS.get(verdict, verdict), time) if part)


def _describe_item(item: QListWidgetItem, verdict: str, payload: Any) -> None:
    text = describe(verdict, payload)
    item.setToolTip(text)
    item.setData(Qt.ItemDataRole.AccessibleTextRole, text)


class RecentStrip(QListWidget):
    """Newest first, at most ``limit`` entries; ``chosen(payload)`` on click."""

    chosen = Signal(object)

    def __init__(self, limit: int = 10, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.limit = limit
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListWidget.Movement.Static)
        self.set_compact(False)
        self.setAccessibleName("Recent results")
        self.setAccessibleDescription("The last parts inspected, newest first; Enter or a "
                                      "click shows one again")
        self.itemClicked.connect(lambda item: self.chosen.emit(item.data(Qt.ItemDataRole.UserRole)))

    def set_compact(self, compact: bool) -> None:
        """Smaller thumbnails (the framed pictures scale down) and a strip only as high as
        they, their word and a scroll bar need."""
        side = (COMPACT_THUMB if compact else THUMB) + 10
        self.setIconSize(QSize(side, side))
        self.setFixedHeight(side + self.fontMetrics().height() + ITEM_PADDING
                            + self.horizontalScrollBar().sizeHint().height()
                            + 2 * self.frameWidth())

    def add(self, rgb: np.ndarray, verdict: str, payload: Any) -> None:
        """A new first entry showing ``rgb`` (of any size: only a thumbnail is kept)."""
        thumb = _thumbnail(rgb)
        item = QListWidgetItem(QIcon(_frame(thumb, verdict)), WORDS.get(verdict, verdict))
        item.setData(Qt.ItemDataRole.UserRole, payload)
        item.setData(THUMB_ROLE, thumb)
        _describe_item(item, verdict, payload)
        self.insertItem(0, item)
        while self.count() > self.limit:
            self.takeItem(self.count() - 1)

    def update_entry(self, matches: Any, verdict: str, payload: Any) -> bool:
        """Replace the entry whose payload ``matches(payload)`` (an override changed its
        verdict): its frame, word and payload follow, so a click shows the new verdict."""
        for i in range(self.count()):
            item = self.item(i)
            if matches(item.data(Qt.ItemDataRole.UserRole)):
                item.setIcon(QIcon(_frame(item.data(THUMB_ROLE), verdict)))
                item.setText(WORDS.get(verdict, verdict))
                item.setData(Qt.ItemDataRole.UserRole, payload)
                _describe_item(item, verdict, payload)
                return True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Enter shows the highlighted part, as a click does: reached with Tab and the
        arrows, a part could be highlighted but never shown again."""
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
            event.accept()
            return
        super().keyPressEvent(event)

    def payloads(self) -> list[Any]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())]

    def verdicts(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]

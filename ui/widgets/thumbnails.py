"""A list model of stored images whose thumbnails load lazily in a background thread.

``data(DecorationRole)`` answers from a cache; a miss queues one scaled read (QImageReader
decodes JPEG at reduced size cheaply) and the row repaints when it arrives. The model
only ever holds ``ImageInfo`` records, never full-size pixels.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QThreadPool,
)
from PySide6.QtGui import QBrush, QColor, QImage, QImageReader, QPainter, QPixmap
from PySide6.QtWidgets import QListView, QStyle

from inspector.imaging.decode import decode_bytes
from inspector.services.dto import ImageInfo
from ui.qimage import rgb_to_qimage, screen_ratio
from ui.style import LABEL_COLOURS
from ui.worker import Job

THUMB_SIZE = 128
ITEM_WIDTH = THUMB_SIZE + 24  # a thumbnail and its frame, with room for its name
CACHE_SIZE = 600
InfoRole = Qt.ItemDataRole.UserRole + 1


def read_thumbnail(path: str, size: int = THUMB_SIZE) -> QImage:
    """Read ``path`` scaled to fit ``size`` (runs in a worker thread; QImage is safe there)."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    original = reader.size()
    if original.isValid() and max(original.width(), original.height()) > size:
        reader.setScaledSize(original.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return QImage()
    return image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


def read_deep_thumbnail(path: str, size: int, sensor_bits: int) -> QImage:
    """A 16-bit file scaled by the camera's bit depth (setting sensor_bits), as every
    decode of a stored picture is: Qt's reader always takes 16 bits, and the pictures of a
    12-bit camera showed almost black in the gallery."""
    rgb = decode_bytes(Path(path).read_bytes(), max_pixels=None, first_picture_only=True,
                       sensor_bits=sensor_bits).rgb
    return rgb_to_qimage(rgb).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation)


def _framed(image: QImage, colour: str, size: int = THUMB_SIZE) -> QPixmap:
    """The thumbnail centred on a square with a coloured frame for its label state,
    drawn in device pixels so that it stays sharp on a monitor at 150 or 200 %."""
    ratio = screen_ratio()
    inner, border = round(size * ratio), round(4 * ratio)
    pix = QPixmap(inner + 2 * border, inner + 2 * border)
    pix.fill(QColor(colour))
    painter = QPainter(pix)
    painter.fillRect(border, border, inner, inner, QBrush(QColor("#202124")))
    if not image.isNull():
        if max(image.width(), image.height()) > inner:  # read before the ratio changed
            image = image.scaled(inner, inner, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        x = border + (inner - image.width()) // 2
        y = border + (inner - image.height()) // 2
        painter.drawImage(x, y, image)
    painter.end()
    pix.setDevicePixelRatio(ratio)
    return pix


class ThumbnailModel(QAbstractListModel):
    """Rows are ``ImageInfo``; display text is the name and state, icon the thumbnail."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.images: list[ImageInfo] = []
        self._cache: OrderedDict[str, QImage] = OrderedDict()
        self._pending: set[str] = set()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self.sensor_bits = 16  # the project's setting; the page keeps it current

    # -- model API ----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.images)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self.images):
            return None
        info = self.images[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{(info.original_name or str(info.id))[:18]}\n{info.state}"
        if role == Qt.ItemDataRole.DecorationRole:
            return _framed(self._thumbnail(info), LABEL_COLOURS.get(info.state, "#5f6368"))
        if role == Qt.ItemDataRole.ToolTipRole:
            extra = f" · {info.defect_type}" if info.defect_type else ""
            return f"#{info.id} {info.original_name or ''}\n{info.state}{extra}"
        if role == Qt.ItemDataRole.AccessibleTextRole:  # the whole name, not 18 letters
            return ", ".join(filter(None, (info.original_name or f"image {info.id}",
                                           info.state, info.defect_type)))
        if role == InfoRole:
            return info
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(ITEM_WIDTH, THUMB_SIZE + 56)
        return None

    def set_images(self, images: list[ImageInfo]) -> None:
        self.beginResetModel()
        self.images = list(images)
        self.endResetModel()

    def replace(self, info: ImageInfo) -> None:
        """Update one row (after labelling) without reloading the list."""
        for row, old in enumerate(self.images):
            if old.id == info.id:
                self.images[row] = info
                index = self.index(row)
                self.dataChanged.emit(index, index)
                return

    def row_of(self, image_id: int) -> int:
        return next((r for r, i in enumerate(self.images) if i.id == image_id), -1)

    # -- lazy thumbnails ----------------------------------------------------------------
    def _key(self, info: ImageInfo) -> str:
        """A 16-bit picture's thumbnail depends on the sensor_bits setting too."""
        return info.path if info.bit_depth <= 8 else f"{info.path}|{self.sensor_bits}"

    def _thumbnail(self, info: ImageInfo) -> QImage:
        key = self._key(info)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        if key not in self._pending:
            self._pending.add(key)
            size = round(THUMB_SIZE * screen_ratio())
            job = (Job(read_thumbnail, info.path, size) if info.bit_depth <= 8
                   else Job(read_deep_thumbnail, info.path, size, self.sensor_bits))
            job.finished.connect(lambda image, k=key: self._loaded(k, image))
            # A picture that cannot be read gets no thumbnail (as an 8-bit one): leaving
            # it uncached decoded it again, and logged again, at every repaint.
            job.failed.connect(lambda _e, k=key: self._loaded(k, QImage()))
            job.start(self._pool)
        return QImage()

    def _loaded(self, key: str, image: QImage) -> None:
        self._pending.discard(key)
        self._cache[key] = image
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        for row, info in enumerate(self.images):
            if self._key(info) == key:
                index = self.index(row)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def cached_count(self) -> int:
        return len(self._cache)


def gallery_view(model: ThumbnailModel) -> QListView:
    """A grid of thumbnails that flows with the width (Label page's gallery)."""
    view = QListView()
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setMovement(QListView.Movement.Static)
    view.setUniformItemSizes(True)
    view.setWordWrap(True)
    view.setModel(model)
    view.setAccessibleName("Gallery")
    view.setAccessibleDescription("Images to label: arrow keys choose one; G, D, 1-3 and "
                                  "the defect types' keys label it")
    scroll_bar = view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
    view.setMinimumWidth(ITEM_WIDTH + scroll_bar + 2 * view.frameWidth() + 8)  # one column
    return view

"""numpy <-> Qt image conversions (the core speaks uint8 RGB HxWx3 arrays)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPixmap


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """A deep-copied QImage of an RGB (or grey) uint8 array, safe after the array dies."""
    arr = np.ascontiguousarray(rgb)
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        h, w = arr.shape
        return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_Grayscale8).copy()
    h, w = arr.shape[:2]
    if arr.shape[2] == 4:
        fmt = QImage.Format.Format_RGBA8888
    else:
        arr = np.ascontiguousarray(arr[:, :, :3])
        fmt = QImage.Format.Format_RGB888
    return QImage(arr.data, w, h, arr.strides[0], fmt).copy()


def screen_ratio() -> float:
    """Device pixels per logical pixel (2 on a monitor at 200 % scaling). Small pictures
    drawn at that many pixels stay sharp instead of being blown up."""
    app = QGuiApplication.instance()
    return max(1.0, float(app.devicePixelRatio())) if isinstance(app, QGuiApplication) else 1.0


def rgb_to_pixmap(rgb: np.ndarray, max_side: int | None = None, ratio: float = 1.0) -> QPixmap:
    """A pixmap of the array, optionally scaled down so its longer side is ``max_side``
    logical pixels, drawn with ``ratio`` device pixels per logical pixel."""
    pix = QPixmap.fromImage(rgb_to_qimage(rgb))
    side = round(max_side * ratio) if max_side else None
    if side and max(pix.width(), pix.height()) > side:
        pix = pix.scaled(
            side,
            side,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    if max_side:
        # A picture smaller than the place it goes keeps its logical size (it is not
        # shrunk to half on a 200 % screen); a larger one is drawn in device pixels.
        longest = max(pix.width(), pix.height(), 1)
        pix.setDevicePixelRatio(max(1.0, min(ratio, longest / max_side)))
    return pix


def alpha_mask(image: QImage) -> np.ndarray:
    """Boolean HxW array of the pixels with non-zero alpha in an ARGB32 image."""
    img = image.convertToFormat(QImage.Format.Format_ARGB32)
    h, w = img.height(), img.width()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes())
    arr = buf.reshape(h, img.bytesPerLine())[:, : w * 4].reshape(h, w, 4)
    return arr[:, :, 3] > 0  # ARGB32 is BGRA in memory on little-endian machines


def heatmap_to_rgba(
    heatmap: np.ndarray, region_box: tuple[int, int, int, int] | None = None
) -> np.ndarray:
    """The heat map as an RGBA layer over the photo: the engine's colours and defect
    outlines, as in the stored overlay History and the reports show; cold areas stay
    clear. With ``region_box`` (top, left, bottom, right) the inspection region is
    framed in white, so the operator sees what the model looked at."""
    from inspector.engine.result import overlay_rgba

    return overlay_rgba(heatmap, region_box)

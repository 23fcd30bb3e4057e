"""Pictures decoded and made ready to draw off the GUI thread; the latest request wins.

Decoding a 12 MP photo takes a quarter to half a second: on the GUI thread every arrow
key on Label froze the window that long. ``PictureLoader.request`` runs a worker body
(which returns a ``Picture``) through ``ui.worker.Job`` on its own thread. Only one
request runs at a time and only the newest waits behind it, so fast stepping never queues
up decodes; the result of a request overtaken by a newer one is dropped, never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPainter

from ui.worker import Job, picture_pool

# Pixels per call into Qt when converting: a call holds Python's lock, and one call for
# a whole 12 MP picture kept the GUI thread waiting 40-70 ms; a band takes a few ms.
BAND_PIXELS = 500_000
_SOURCE_FORMATS = {1: QImage.Format.Format_Grayscale8, 3: QImage.Format.Format_RGB888,
                   4: QImage.Format.Format_RGBA8888}


@dataclass(frozen=True)
class Picture:
    """What an ImageView shows, built as QImages (safe outside the GUI thread): the
    picture in the format a pixmap uses, an optional painted-region layer of the same
    size and an optional overlay (a heat map)."""

    image: QImage
    mask: QImage | None = None
    overlay: QImage | None = None


def to_qimage(arr: np.ndarray, target: QImage.Format) -> QImage:
    """An HxW grey, HxWx3 RGB or HxWx4 RGBA array as a new QImage in ``target`` format,
    converted band by band (BAND_PIXELS), so a worker thread doing it leaves the GUI
    thread free to run between the bands."""
    arr = np.ascontiguousarray(arr if arr.dtype == np.uint8
                               else np.clip(arr, 0, 255).astype(np.uint8))
    h, w = arr.shape[:2]
    source = _SOURCE_FORMATS[1 if arr.ndim == 2 else arr.shape[2]]
    out = QImage(w, h, target)
    painter = QPainter(out)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
    rows = max(1, BAND_PIXELS // w)
    for top in range(0, h, rows):
        band = arr[top:top + rows]
        painter.drawImage(0, top, QImage(band.data, w, band.shape[0], band.strides[0], source))
    painter.end()
    return out


def mask_layer(mask: np.ndarray) -> QImage:
    """The brush layer of a stored HxW defect mask: red where True, clear elsewhere."""
    rgba = np.zeros((*mask.shape, 4), dtype=np.uint8)
    rgba[mask.astype(bool)] = (255, 0, 60, 255)
    return to_qimage(rgba, QImage.Format.Format_ARGB32_Premultiplied)


def prepare(rgb: np.ndarray, mask: np.ndarray | None = None,
            overlay: np.ndarray | QImage | None = None) -> Picture:
    """A Picture of an RGB array, in the format a pixmap draws from: the conversion a
    pixmap would otherwise do on the GUI thread (48 MB for 12 MP) happens here. A mask
    of another size than the picture is left out."""
    image = to_qimage(rgb, QImage.Format.Format_RGB32)
    layer = None
    if mask is not None and mask.shape[:2] == rgb.shape[:2]:
        layer = mask_layer(mask)
    if overlay is not None and not isinstance(overlay, QImage):
        overlay = to_qimage(overlay, QImage.Format.Format_ARGB32_Premultiplied
                            if overlay.ndim == 3 and overlay.shape[2] == 4
                            else QImage.Format.Format_RGB32)
    return Picture(image, layer, overlay)


def inspection_picture(project: Any, info: Any, rgb: np.ndarray | None = None) -> Picture:
    """Worker body for an inspection (Inspect, History): its picture (from the store when
    not in hand) with its heat map, fresh from the engine when the record still carries
    it, else the overlay stored with the inspection."""
    from inspector.services import inspection, labeling
    from ui.qimage import heatmap_to_rgba

    if rgb is None:
        rgb = labeling.load_image(project, info.image_id)
    if info.heatmap is not None:
        overlay = heatmap_to_rgba(info.heatmap, region_box=info.region_box)
    else:
        path = inspection.overlay_path(project, info)
        overlay = QImage(str(path)) if path else None
    return prepare(rgb, overlay=overlay)


class PictureLoader(QObject):
    """Loads one picture at a time for one view; ``ready(key, picture)`` or
    ``failed(key, error)`` arrive on the GUI thread for the newest request only."""

    ready = Signal(object, object)
    failed = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._serial = 0  # of the newest request
        self._running: tuple[Job, int, Any] | None = None  # job, serial, key
        self._waiting: tuple[int, Any, Callable[..., Picture], tuple[Any, ...]] | None = None

    def request(self, key: Any, fn: Callable[..., Picture], *args: Any) -> None:
        """Load ``fn(*args)`` in the background for ``key``; earlier requests are dropped
        (one still waiting is forgotten, a running one is asked to stop and ignored)."""
        self._serial += 1
        self._waiting = (self._serial, key, fn, args)
        if self._running is None:
            self._start_waiting()
        else:
            self._running[0].cancel()

    def forget(self) -> None:
        """Nothing is to be shown any more: a pending result is dropped."""
        self._serial += 1
        self._waiting = None
        if self._running is not None:
            self._running[0].cancel()

    def pending(self) -> bool:
        """True while a request has not delivered its result yet."""
        return self._waiting is not None or (
            self._running is not None and self._running[1] == self._serial)

    def _start_waiting(self) -> None:
        assert self._waiting is not None
        serial, key, fn, args = self._waiting
        self._waiting = None
        job = Job(fn, *args)
        job.done.connect(self._job_done)
        self._running = (job, serial, key)
        job.start(picture_pool())

    def _job_done(self) -> None:
        if self._running is None:
            return
        (job, serial, key), self._running = self._running, None
        if self._waiting is not None:
            self._start_waiting()
        if serial != self._serial:
            return  # overtaken by a newer request (or forgotten): never shown
        if job.error is not None:
            self.failed.emit(key, job.error)
        elif job.result is not None:
            self.ready.emit(key, job.result)

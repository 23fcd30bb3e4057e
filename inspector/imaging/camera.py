"""Frame sources: OpenCV cameras (USB index or network URL) and a fake one for tests/demos.

Every source returns RGB ``uint8`` HxWx3 frames and raises ``CameraError`` with a clear
message when it cannot open or stops delivering frames (e.g. unplugged).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from inspector.errors import CameraError

log = logging.getLogger(__name__)
URL_TIMEOUT_MS = 5000


@runtime_checkable
class FrameSource(Protocol):
    """Anything that delivers frames: ``open()``, ``read()`` -> RGB array, ``close()``."""

    name: str

    def open(self) -> None: ...

    def read(self) -> np.ndarray: ...

    def close(self) -> None: ...


@contextlib.contextmanager
def quiet_opencv() -> Iterator[None]:
    """Silence OpenCV's own log output (probing absent cameras is very chatty)."""
    import cv2

    utils_logging = getattr(getattr(cv2, "utils", None), "logging", None)
    if utils_logging is None:
        yield
        return
    old = utils_logging.getLogLevel()
    utils_logging.setLogLevel(utils_logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        utils_logging.setLogLevel(old)


def _to_rgb(frame: np.ndarray, sensor_bits: int = 16) -> np.ndarray:
    """A frame as RGB uint8. A 16-bit frame is scaled by the camera's bit depth, the same
    for every frame: scaling each by its own brightest pixel made a dark part as bright as
    a light one, and the model compares brightness."""
    import cv2

    if frame.dtype == np.uint16:
        frame = cv2.convertScaleAbs(frame, alpha=255.0 / ((1 << sensor_bits) - 1))
    elif frame.dtype != np.uint8:  # float or 32-bit frames (rare backends): their range
        frame = cv2.convertScaleAbs(frame, alpha=255.0 / max(1.0, float(frame.max())))
    if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 1):
        return cv2.cvtColor(frame.reshape(frame.shape[:2]), cv2.COLOR_GRAY2RGB)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
    if frame.ndim == 3 and frame.shape[2] == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    # Raw YUYV (two channels) and the like: a message that names the fix, not cv2.error.
    raise CameraError(f"the camera delivers frames of shape {frame.shape}, which Inspector "
                      "cannot show; set the camera (or its driver) to an RGB or grey format")


_SECRET_KEYS = ("pass", "pwd", "token", "key", "auth", "secret")


def safe_stream_name(url: str) -> str:
    """A stream URL fit for the screen, messages and logs: a password in it
    (``rtsp://user:pw@host/...`` or ``?password=...``, as IP cameras take them) reads
    ``***``. Opening still uses the full URL."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            netloc = f"{parts.username or ''}:***@{netloc.rpartition('@')[2]}"
        query = "&".join(
            f"{key}=***" if any(word in key.lower() for word in _SECRET_KEYS) else pair
            for pair in parts.query.split("&") if pair
            for key in [pair.partition("=")[0]])
        return urlunsplit(parts._replace(netloc=netloc, query=query))
    except ValueError:  # not a URL at all (a bad port...): show no part of it
        return "network camera (address not shown)"


class OpenCVCamera:
    """A USB camera (int index) or network stream (URL string) read through OpenCV."""

    def __init__(self, index_or_url: int | str, width: int | None = None,
                 height: int | None = None, sensor_bits: int = 16) -> None:
        self.source = index_or_url
        self.sensor_bits = sensor_bits  # of a 16-bit frame (services.sensor_depth)
        self.width, self.height = width, height
        self.name = (f"camera {index_or_url}" if isinstance(index_or_url, int)
                     else safe_stream_name(str(index_or_url)))
        self._cap = None
        self._lock = threading.Lock()

    def open(self) -> None:
        import cv2

        with self._lock, quiet_opencv():
            if isinstance(self.source, int):
                cap = cv2.VideoCapture(self.source)
            else:
                params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, URL_TIMEOUT_MS,
                          cv2.CAP_PROP_READ_TIMEOUT_MSEC, URL_TIMEOUT_MS]
                cap = cv2.VideoCapture(self.source, cv2.CAP_ANY, params)
            if not cap.isOpened():
                cap.release()
                raise CameraError(f"cannot open {self.name}: it is not connected, is in use "
                                  "by another program, or the address is wrong")
            if self.width:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            if self.height:
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            self._cap = cap

    def read(self) -> np.ndarray:
        with self._lock:
            if self._cap is None:
                raise CameraError(f"{self.name} is not open")
            with quiet_opencv():
                ok, frame = self._cap.read()
            if not ok or frame is None or frame.size == 0:
                raise CameraError(f"{self.name} stopped delivering frames "
                                  "(unplugged or the stream ended)")
            return _to_rgb(frame, self.sensor_bits)

    def close(self) -> None:
        with self._lock:
            if self._cap is not None:
                self._cap.release()
                self._cap = None

    def __enter__(self) -> OpenCVCamera:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def list_cameras(max_index: int = 5) -> list[int]:
    """Indices 0..max_index-1 that open and deliver a frame (quietly, quickly)."""
    import cv2

    found = []
    with quiet_opencv():
        for index in range(max_index):
            cap = cv2.VideoCapture(index)
            try:
                if cap.isOpened() and cap.read()[0]:
                    found.append(index)
            finally:
                cap.release()
    return found


class FakeCamera:
    """Plays back given frames (or frames from a function) in a loop; for tests and demos.

    ``fail_after`` makes ``read`` raise CameraError after that many frames, like an
    unplugged camera.
    """

    def __init__(self, frames: Sequence[np.ndarray] | Callable[[int], np.ndarray],
                 name: str = "fake camera", fail_after: int | None = None) -> None:
        if not callable(frames) and len(frames) == 0:
            raise CameraError("a fake camera needs at least one frame")
        self._frames = frames
        self.name = name
        self.fail_after = fail_after
        self.count = 0
        self._open = False

    def open(self) -> None:
        self._open = True

    def read(self) -> np.ndarray:
        if not self._open:
            raise CameraError(f"{self.name} is not open")
        if self.fail_after is not None and self.count >= self.fail_after:
            raise CameraError(f"{self.name} stopped delivering frames (unplugged)")
        frames = self._frames
        frame = frames(self.count) if callable(frames) else frames[self.count % len(frames)]
        self.count += 1
        return np.ascontiguousarray(frame, dtype=np.uint8)

    def close(self) -> None:
        self._open = False

    def __enter__(self) -> FakeCamera:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def synthetic_frame(index: int, size: tuple[int, int] = (240, 320)) -> np.ndarray:
    """A moving-gradient test frame (deterministic per index)."""
    h, w = size
    y, x = np.mgrid[0:h, 0:w]
    r = (x + index * 4) % 256
    g = (y + index * 2) % 256
    b = np.full_like(r, (index * 16) % 256)
    return np.stack([r, g, b], 2).astype(np.uint8)

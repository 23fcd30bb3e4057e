"""Live camera preview: frames are read in a background thread and delivered by signal.

A missing or unplugged camera becomes a status message (the thread ends cleanly), never
a frozen window. Any ``FrameSource`` works (OpenCV index or URL, ``FakeCamera`` in tests).
While a camera runs, its set-up controls (picker, URL, resolution) fold into one line
that names the camera beside Stop: on a 1024x600 panel PC the two rows they took pushed
the inspection's heat map below the screen.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import cv2
import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import CameraError, UserError
from inspector.imaging.camera import URL_TIMEOUT_MS, FrameSource, OpenCVCamera, list_cameras
from ui.qimage import rgb_to_qimage
from ui.widgets.elided_label import ElidedLabel
from ui.worker import Job

log = logging.getLogger(__name__)
REOPEN_S = 5  # a camera lost while running is tried again this often until it is back
RESOLUTIONS = {"camera default": None, "640 × 480": (640, 480), "1280 × 720": (1280, 720),
               "1920 × 1080": (1920, 1080)}


class CameraThread(QObject):
    """Opens ``source`` and emits each frame; ``error(text)`` ends it on a camera failure.

    The picture for the screen is scaled here, off the GUI thread, to ``preview_size``
    (device pixels), and a frame is only sent once the GUI has taken the previous one:
    a 12 MP camera at 25 fps otherwise queued frames faster than the window could draw
    them, which froze it for seconds while gigabytes of frames piled up.

    The loop runs in a daemon Python thread, not a QThread: a driver's read() may block
    for good (an unplugged camera), and a QThread still running when the window closed
    aborted the process (SIGABRT); a daemon thread never holds up the exit. Until its
    end reaches the GUI thread it is held by ``_keeper()``, not by a widget, so it lives
    on to close the camera once a late read() returns.
    """

    frame = Signal(object, object)  # the frame (RGB array), its picture (QImage) to show
    error = Signal(str)
    finished = Signal(object)  # this thread, the last thing it sends: the camera is closed

    def __init__(self, source: FrameSource, max_fps: float = 25.0) -> None:
        super().__init__()
        self._worker: threading.Thread | None = None
        self.source = source
        self.min_interval = 1.0 / max_fps
        self.preview_size = (640, 480)  # set by the GUI: the picture's size on screen
        self.skipped = 0  # frames read while the GUI was still busy with the last one
        self._stop = False
        self._lock = threading.Lock()
        self._sent = False  # a frame is on its way to the GUI, not yet taken

    def start(self) -> None:
        """Run the camera loop in the background."""
        _keeper().hold(self)
        name = getattr(self.source, "name", "camera")
        self._worker = threading.Thread(target=self.run, name=f"camera: {name}", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        self._stop = True

    def is_running(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def wait(self, msecs: float) -> bool:
        """Wait up to ``msecs`` for the loop to end; True when it has (or never started)."""
        if self._worker is not None:
            self._worker.join(max(0.0, msecs) / 1000)
        return not self.is_running()

    def taken(self) -> None:
        """The GUI has the last frame: the next one may be sent."""
        with self._lock:
            self._sent = False

    def _may_send(self) -> bool:
        with self._lock:
            if self._sent:
                self.skipped += 1
                return False
            self._sent = True
            return True

    def _preview(self, frame: np.ndarray) -> QImage:
        """The frame shrunk to fit ``preview_size``. OpenCV's area filter is smooth (small
        print stays readable) and lets go of Python's lock while it works; QImage.scaled
        held it, 70-100 ms a 12 MP frame, and the window stalled as long each time."""
        width, height = (max(1, side) for side in self.preview_size)
        rows, cols = frame.shape[:2]
        scale = min(width / cols, height / rows)
        if scale < 1:
            size = (max(1, round(cols * scale)), max(1, round(rows * scale)))
            frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        return rgb_to_qimage(frame)

    def run(self) -> None:
        """The camera loop (in the worker thread); closes the camera however it ends."""
        try:
            self.source.open()
            while not self._stop:
                started = time.monotonic()
                frame = self.source.read()  # read on: a camera's buffer must not go stale
                if self._stop:  # stopped while read() blocked: this frame is stale
                    break
                if self._may_send():
                    self.frame.emit(frame, self._preview(frame))
                rest = self.min_interval - (time.monotonic() - started)
                if rest > 0:
                    time.sleep(rest)
        except CameraError as exc:
            self.error.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - any driver failure is a status message
            log.exception("camera thread failed")
            self.error.emit(f"camera failed: {exc}")
        finally:
            try:
                self.source.close()
            except Exception:  # noqa: BLE001 - closing a broken camera may fail too
                log.warning("closing %s failed", getattr(self.source, "name", "camera"),
                            exc_info=True)
            self.finished.emit(self)


class _Keeper(QObject):
    """Holds each camera thread from its start until its end is seen on the GUI thread:
    a thread stopped while read() blocks outlives its widget and closes the camera when
    read() returns. It is let go here, not in the worker: a Qt object freed in a worker
    thread can crash the process (ui.gc_guard)."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[CameraThread] = set()

    def hold(self, thread: CameraThread) -> None:
        self.threads.add(thread)
        thread.finished.connect(self._release)

    def _release(self, thread: CameraThread) -> None:
        if thread.wait(1000):  # ``finished`` is its last act: the worker ends at once
            self.threads.discard(thread)
        else:  # held on: the worker must not drop the last reference
            QTimer.singleShot(1000, self, lambda: self._release(thread))


_KEEPER: _Keeper | None = None
_wait_began: float | None = None  # when this round of waiting for stopped cameras began


def _keeper() -> _Keeper:
    """The one keeper, made on the GUI thread by the first camera started."""
    global _KEEPER
    if _KEEPER is None:
        _KEEPER = _Keeper()
    return _KEEPER


def _wait_deadline(msecs: int) -> float:
    """When waiting for stopped cameras must end. Calls made before the event loop runs
    again (each page's shutdown as the window closes) share one wait counted from the
    first: two pages waiting 7 s each froze the closing window for 14 s."""
    global _wait_began
    if _wait_began is None:
        _wait_began = time.monotonic()
        QTimer.singleShot(0, _end_wait_round)
    return _wait_began + msecs / 1000


def _end_wait_round() -> None:
    global _wait_began
    _wait_began = None


class CameraPreview(QWidget):
    """Camera picker (index or URL), resolution, Start/Stop and the live picture."""

    frame_ready = Signal(object)
    state_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None,
                 running_hint: str = "Space takes a snapshot.",
                 sensor_bits: Callable[[], int] = lambda: 16) -> None:
        super().__init__(parent)
        self.running_hint = running_hint  # what the page's Space key does with a frame
        self.sensor_bits = sensor_bits  # the project's setting, read when a camera starts
        self.camera_box = QComboBox()
        self.camera_box.setEditable(False)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("or IP camera URL, e.g. rtsp://192.168.1.20/stream")
        self.url_edit.setMinimumWidth(120)
        self.resolution = QComboBox()
        self.resolution.addItems(list(RESOLUTIONS))
        self.refresh_button = QPushButton("Find cameras")
        self.refresh_button.clicked.connect(self.refresh_cameras)
        self.start_button = QPushButton("Start camera")
        self.start_button.clicked.connect(self.toggle)
        self.picture = QLabel("No camera running")
        # Narrow enough to sit beside the result picture on a 1024 px screen.
        self.picture.setMinimumSize(210, 200)
        self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.picture.setStyleSheet("background: #202124; color: white;")
        self.picture.setWordWrap(True)  # camera errors are long; they must be read whole
        self.picture.setScaledContents(False)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.source_label = ElidedLabel()  # the running camera, in place of its set-up
        self.source_label.setVisible(False)
        self.setup_row = QWidget()
        row = QHBoxLayout(self.setup_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.camera_box, 1)
        row.addWidget(self.refresh_button)
        row2 = QHBoxLayout()
        row2.addWidget(self.url_edit, 2)
        row2.addWidget(self.resolution, 1)
        row2.addWidget(self.source_label, 1)
        row2.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.setup_row)
        layout.addLayout(row2)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.status)
        self.camera_thread: CameraThread | None = None
        self._retired: list[CameraThread] = []  # stopped, still finishing a blocked read()
        self.last_frame: np.ndarray | None = None
        self.frame_serial = 0  # counts frames, so a consumer can tell a new one from a stale
        self.camera_box.addItem("(press Find cameras)")
        # A camera lost while running (unplugged, a network drop) is opened again every
        # REOPEN_S until it is back or someone presses Stop: an unattended station
        # recorded nothing for the rest of the shift.
        self._reopen: Callable[[], FrameSource] | None = None
        self.reopen_timer = QTimer(self)
        self.reopen_timer.setSingleShot(True)
        self.reopen_timer.setInterval(REOPEN_S * 1000)
        self.reopen_timer.timeout.connect(self._try_reopen)

    @property
    def reopening(self) -> bool:
        """True while a lost camera is being opened again."""
        return self._reopen is not None and self.camera_thread is None

    @property
    def running(self) -> bool:
        return self.camera_thread is not None

    def refresh_cameras(self) -> Job:
        """Probe USB cameras in a worker (probing can take seconds)."""
        self.refresh_button.setEnabled(False)
        self.status.setText("Looking for cameras…")
        job = Job(list_cameras)
        job.finished.connect(self._cameras_found)
        job.failed.connect(lambda exc: self.status.setText(f"Cannot list cameras: {exc}"))
        job.done.connect(lambda: self.refresh_button.setEnabled(True))
        return job.start()

    def _cameras_found(self, indices: list[int]) -> None:
        self.camera_box.clear()
        for index in indices:
            self.camera_box.addItem(f"USB camera {index}", index)
        if not indices:  # never a blank box: say what to do
            self.camera_box.addItem("(no USB camera found)")
        self.status.setText(
            f"{len(indices)} camera(s) found." if indices else
            "No USB camera found. Plug one in and press Find cameras, or enter a URL."
        )

    def selected_source(self) -> FrameSource:
        return self.selected_factory()()

    def selected_factory(self) -> Callable[[], FrameSource]:
        """Makes the camera chosen now (fixed at this moment: reopening a lost camera must
        not pick up a half-typed URL)."""
        size = RESOLUTIONS[self.resolution.currentText()]
        width, height = size if size else (None, None)
        url = self.url_edit.text().strip()
        bits = self.sensor_bits()
        if url:
            return lambda: OpenCVCamera(url, width, height, bits)
        index = self.camera_box.currentData()
        if index is None:
            raise CameraError("No camera selected: press Find cameras or enter a URL.")
        return lambda: OpenCVCamera(int(index), width, height, bits)

    def toggle(self) -> None:
        if self.running or self.reopening:
            self.stop()
            return
        try:
            factory = self.selected_factory()
            self.start(factory(), reopen=factory)
        except (CameraError, UserError) as exc:  # UserError: a setting it cannot use
            self.status.setText(str(exc))

    def start(self, source: FrameSource,
              reopen: Callable[[], FrameSource] | None = None) -> None:
        """Start showing ``source`` (stops any running camera first). With ``reopen``, a
        camera lost while running is made with it and opened again every REOPEN_S."""
        self.reopen_timer.stop()
        self._reopen = None  # replaced, not given up: no "stopped" notice for the pages
        self.stop()
        self._reopen = reopen
        self.last_frame = None
        thread = CameraThread(source)
        target = self.picture.size() * self.picture.devicePixelRatioF()
        thread.preview_size = (target.width(), target.height())
        thread.frame.connect(self._on_frame)
        thread.error.connect(self._on_error)
        thread.finished.connect(self._thread_ended)  # a lambda here kept every thread alive
        self.destroyed.connect(thread.stop)  # a widget dropped unstopped: its camera ends too
        self.camera_thread = thread
        name = getattr(source, "name", "camera")
        self.status.setText(f"Opening {name}…")
        self._show_setup(False, f"{name} · {self.resolution.currentText()}")
        thread.start()
        self.state_changed.emit(True)

    def stop(self) -> None:
        """Stop at once without waiting for the driver: a read() that blocks (an unplugged
        network camera) finishes in the retired thread, and its frame is dropped."""
        self.reopen_timer.stop()
        was_reopening, self._reopen = self.reopening, None
        thread, self.camera_thread = self.camera_thread, None
        if thread is not None:
            thread.stop()
            self._retired.append(thread)
            self._no_picture("Camera stopped.")
            self.state_changed.emit(False)
        elif was_reopening:  # given up while it was lost: said, so pages stop waiting
            self._no_picture("Camera stopped.")
            self.state_changed.emit(False)

    def wait_stopped(self, msecs: int = URL_TIMEOUT_MS + 2000) -> None:
        """At shutdown: give the stopped cameras ``msecs`` in all (not each) to end and be
        closed; longer than a network camera's 5 s read timeout. A read() blocked longer
        is left to its daemon thread, which closes the camera if it ever returns and
        never holds up the exit: the window closed in 7 s per camera, then aborted."""
        self.stop()
        deadline = _wait_deadline(msecs)
        for thread in list(self._retired):
            thread.wait((deadline - time.monotonic()) * 1000)
        self._retired = [t for t in self._retired if t.is_running()]

    def _no_picture(self, status: str) -> None:
        """No camera now: no frame to snapshot or inspect, and the screen says so."""
        self.last_frame = None
        self._show_setup(True)
        self.status.setText(status)
        self.picture.clear()
        self.picture.setText("No camera running")

    def _show_setup(self, shown: bool, running: str = "") -> None:
        """Set-up controls while no camera runs; the running camera's name and Stop while
        one does (the camera must be stopped to pick another anyway)."""
        for widget in (self.setup_row, self.url_edit, self.resolution):
            widget.setVisible(shown)
        self.source_label.setText(running)
        self.source_label.setVisible(not shown)
        self.start_button.setText("Start camera" if shown else "Stop camera")

    def _on_frame(self, frame: np.ndarray, preview: QImage) -> None:
        thread = self.sender()
        if self.camera_thread is None or thread is not self.camera_thread:
            return  # a frame from a camera that was stopped or replaced meanwhile
        if self.last_frame is None:
            self.status.setText(f"Camera running. {self.running_hint}")
        self.last_frame = frame
        self.frame_serial += 1
        # Scaled in the camera thread to the label's device pixels, smoothly: a lot or
        # serial number printed on the part must stay readable on a monitor at 200 %.
        ratio = self.picture.devicePixelRatioF()
        target = self.picture.size() * ratio
        thread.preview_size = (target.width(), target.height())  # for the next frames
        pix = QPixmap.fromImage(preview)
        if pix.width() > target.width() or pix.height() > target.height():  # just shrunk
            pix = pix.scaled(target, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        pix.setDevicePixelRatio(ratio)
        self.picture.setPixmap(pix)
        thread.taken()
        self.frame_ready.emit(frame)

    def _on_error(self, message: str) -> None:
        if self.sender() is not self.camera_thread:
            return
        self.last_frame = None  # the last picture no longer shows the part in front of it
        self.status.setText(f"⚠ {message}")
        self.picture.clear()
        self.picture.setText(f"⚠ {message}")

    def _thread_ended(self, thread: CameraThread) -> None:
        if thread in self._retired:
            self._retired.remove(thread)
        if self.camera_thread is thread:
            self.camera_thread = None
            self.last_frame = None
            if self.status.text().startswith("Camera running"):
                self.status.setText("⚠ The camera stopped delivering pictures.")
            if self._reopen is not None:  # lost, not stopped: keep trying
                self.status.setText(f"{self.status.text()} Opening it again every "
                                    f"{REOPEN_S} s (Stop camera to give up).")
                self.reopen_timer.start()
            else:
                self._show_setup(True)
            self.state_changed.emit(False)

    def _try_reopen(self) -> None:
        reopen = self._reopen
        if reopen is None or self.camera_thread is not None:
            return
        try:
            self.start(reopen(), reopen=reopen)
        except (CameraError, UserError) as exc:  # cannot even be made: try again later
            self.status.setText(f"⚠ {exc} Trying again in {REOPEN_S} s.")
            self.reopen_timer.start()

"""Camera threads at shutdown and while a lost camera is reopened: a read() blocked in the
driver aborted the app when its window closed (QThread destroyed while running) and the
camera was never closed; every failed reopen attempt left its thread object behind."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from inspector.errors import CameraError
from ui.widgets import camera_preview
from ui.widgets.camera_preview import CameraPreview

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


class BlockingCamera:
    """Its second read() waits for ``release`` (``None``: for good, a hung driver)."""

    def __init__(self, name: str, release: threading.Event | None,
                 closed: list[str]) -> None:
        self.name, self.release, self.closed = name, release, closed
        self.blocking = threading.Event()
        self.reads = 0

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        self.reads += 1
        if self.reads > 1:
            self.blocking.set()
            (self.release or threading.Event()).wait()
        return np.zeros((24, 32, 3), np.uint8)

    def close(self) -> None:
        self.closed.append(self.name)


# Run apart: with the bug, deleting the widget aborted the whole process (SIGABRT).
EXIT_SCRIPT = r"""
import gc, json, threading, time, weakref
from PySide6.QtWidgets import QApplication
from tests.gui.test_camera_threads import BlockingCamera
from ui.widgets.camera_preview import CameraPreview

app = QApplication([])
closed = []

def spin(until, seconds):
    end = time.monotonic() + seconds
    while not until() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)

release = threading.Event()
previews = [CameraPreview(), CameraPreview()]
cameras = [BlockingCamera("late", release, closed), BlockingCamera("hung", None, closed)]
for preview, camera in zip(previews, cameras, strict=True):
    preview.start(camera)
spin(lambda: all(camera.blocking.is_set() for camera in cameras), 10)
thread = weakref.ref(previews[0].camera_thread)
started = time.monotonic()
for preview in previews:
    preview.wait_stopped(300)
waited = time.monotonic() - started
del preview
previews.clear()  # the window closes: its widgets go, the reads still block
gc.collect()
release.set()  # the late read returns: its thread must close the camera
spin(lambda: "late" in closed and thread() is None, 5)
print(json.dumps({"waited": waited, "closed": closed, "freed": thread() is None}))
# "hung" never returns: the interpreter must still exit, and cleanly
"""


def test_closing_while_camera_reads_block_neither_aborts_nor_hangs() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", EXIT_SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Destroyed while thread" not in done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["waited"] < 1.0  # 300 ms for both previews together, then given up
    assert result["closed"] == ["late"]  # closed once its read returned, widget or not
    assert result["freed"]  # and the thread object let go of
    assert took < 30  # the read blocked for good did not keep the process alive


def test_stopped_cameras_share_one_bounded_wait(qtbot) -> None:  # noqa: ANN001
    """Pages shut down one after another as the window closes: each blocked thread
    used to get the full wait, 7 s per camera."""
    release, closed = threading.Event(), []
    first, second = CameraPreview(), CameraPreview()
    qtbot.addWidget(first)
    qtbot.addWidget(second)
    cameras = [BlockingCamera(name, release, closed) for name in ("a", "b", "c")]
    try:
        for preview, camera in zip((first, first, second), cameras, strict=True):
            preview.start(camera)  # "a" is replaced while blocked: two threads on first
            qtbot.waitUntil(camera.blocking.is_set, timeout=5000)
        started = time.monotonic()
        first.wait_stopped(400)
        second.wait_stopped(400)
        took = time.monotonic() - started
        assert 0.35 < took < 0.75  # 400 ms in all, not 3 x 400
        assert len(first._retired) == 2 and len(second._retired) == 1  # still reading
    finally:
        release.set()
    qtbot.waitUntil(lambda: sorted(closed) == ["a", "b", "c"], timeout=5000)
    qtbot.waitUntil(lambda: not first._retired and not second._retired, timeout=5000)


def _camera_threads() -> int:
    gc.collect()
    return sum(isinstance(o, camera_preview.CameraThread) for o in gc.get_objects())


def test_failed_reopen_attempts_leave_no_thread_objects(qtbot) -> None:  # noqa: ANN001
    """A camera unplugged for a shift is tried every 5 s: each attempt's thread stayed
    alive, held by the signal connection that reports its end."""
    calls = {"open": 0, "close": 0}

    class Unplugged:
        name = "camera 0"

        def open(self) -> None:
            calls["open"] += 1
            raise CameraError("cannot open camera 0")

        def read(self) -> np.ndarray:
            raise AssertionError("never opened")

        def close(self) -> None:
            calls["close"] += 1

    before = _camera_threads()
    preview = CameraPreview()
    qtbot.addWidget(preview)
    preview.reopen_timer.setInterval(1)
    preview.start(Unplugged(), reopen=Unplugged)
    qtbot.waitUntil(lambda: calls["open"] >= 60, timeout=15_000)
    assert calls["close"] >= calls["open"] - 1  # each attempt closes what it opened
    assert preview.reopening or preview.running  # still trying
    assert _camera_threads() - before <= 3
    preview.stop()
    preview.wait_stopped(2000)
    assert not preview.reopening and not preview.running

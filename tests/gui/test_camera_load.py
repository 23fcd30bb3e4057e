"""A camera faster than the window can draw must not queue frames on the GUI thread: a
12 MP camera at 25 fps froze the window for seconds while frames piled up."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from inspector.imaging.camera import FakeCamera
from ui.widgets.camera_preview import CameraPreview

pytestmark = pytest.mark.gui


@pytest.fixture
def preview(qtbot):  # noqa: ANN001, ANN201
    widget = CameraPreview()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    yield widget
    widget.wait_stopped()


def test_a_busy_window_gets_the_newest_frame_not_a_backlog(preview, qtbot) -> None:  # noqa: ANN001
    shown: list[int] = []
    preview.frame_ready.connect(lambda frame: shown.append(int(frame[0, 0, 0])))
    camera = FakeCamera(lambda n: np.full((48, 64, 3), n % 256, np.uint8))
    preview.start(camera)
    qtbot.waitUntil(lambda: preview.last_frame is not None, timeout=5000)
    before, read_before = len(shown), camera.count
    time.sleep(1.0)  # the GUI thread is busy (a slow repaint, a long query)
    QApplication.processEvents()
    assert camera.count - read_before >= 10  # the camera read on meanwhile
    assert len(shown) - before <= 2  # at most the one frame that was on its way
    qtbot.waitUntil(lambda: len(shown) > before + 2, timeout=5000)  # and it goes on
    assert shown[-1] > shown[before]  # newer frames, not the queued old ones


def test_the_picture_is_scaled_before_it_reaches_the_window(preview, qtbot) -> None:  # noqa: ANN001
    frames: list[tuple[np.ndarray, object]] = []
    preview.start(FakeCamera([np.zeros((1500, 2000, 3), np.uint8)]))
    preview.camera_thread.frame.connect(lambda frame, picture: frames.append((frame, picture)))
    qtbot.waitUntil(lambda: bool(frames), timeout=5000)
    frame, picture = frames[0]
    assert frame.shape == (1500, 2000, 3)  # snapshots and inspections get every pixel
    limit = preview.picture.size() * preview.picture.devicePixelRatioF()
    assert picture.width() <= max(limit.width(), 1) and picture.height() <= max(limit.height(), 1)
    pixmap = preview.picture.pixmap()
    assert not pixmap.isNull() and pixmap.width() <= limit.width()

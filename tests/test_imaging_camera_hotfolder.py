"""Camera sources and the hot-folder watcher, with real files in temporary folders."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from polling import wait_for

from inspector.errors import CameraError, UserError
from inspector.imaging.camera import (
    FakeCamera,
    FrameSource,
    OpenCVCamera,
    list_cameras,
    synthetic_frame,
)
from inspector.imaging.hot_folder import HotFolderWatcher


def test_fake_camera_cycles_and_unplugs() -> None:
    frames = [np.full((4, 4, 3), i, np.uint8) for i in range(3)]
    cam = FakeCamera(frames, fail_after=4)
    assert isinstance(cam, FrameSource)
    with pytest.raises(CameraError, match="not open"):
        cam.read()
    with cam:
        got = [int(cam.read()[0, 0, 0]) for _ in range(4)]
        assert got == [0, 1, 2, 0]
        with pytest.raises(CameraError, match="unplugged"):
            cam.read()
    with pytest.raises(CameraError):
        FakeCamera([])


def test_synthetic_source() -> None:
    with FakeCamera(synthetic_frame) as cam:
        a, b = cam.read(), cam.read()
    assert a.shape == (240, 320, 3) and a.dtype == np.uint8 and not np.array_equal(a, b)


def test_missing_opencv_camera_fails_fast() -> None:
    start = time.perf_counter()
    cam = OpenCVCamera(97)
    with pytest.raises(CameraError, match="cannot open camera 97"):
        cam.open()
    with pytest.raises(CameraError, match="not open"):
        cam.read()
    cam.close()
    assert time.perf_counter() - start < 10


def test_bad_url_camera_fails(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="cannot open"):
        OpenCVCamera(str(tmp_path / "no-such-stream.mp4")).open()


def test_list_cameras_returns_indices() -> None:
    found = list_cameras(max_index=2)
    assert isinstance(found, list) and all(isinstance(i, int) for i in found)


class _Collector:
    def __init__(self) -> None:
        self.items: list[tuple[Path, bytes]] = []
        self.event = threading.Event()

    def __call__(self, path: Path) -> None:
        self.items.append((path, path.read_bytes()))
        self.event.set()



def test_hot_folder_waits_until_file_is_complete(tmp_path: Path) -> None:
    got = _Collector()
    with HotFolderWatcher(tmp_path, got, stable_ms=800, poll_s=0.05):
        (tmp_path / "notes.txt").write_text("ignored")
        target = tmp_path / "frame.png"
        payload = bytes(range(256)) * 40
        with target.open("wb") as fh:
            for start in range(0, len(payload), 2560):  # a slow writer, pausing between parts
                fh.write(payload[start : start + 2560])
                fh.flush()
                time.sleep(0.3)  # longer than a poll, shorter than the stable time
                assert not got.items
        assert wait_for(lambda: got.items)
        time.sleep(0.5)  # no second report of the same, unchanged file
    assert [(p.name, data) for p, data in got.items] == [("frame.png", payload)]


def test_hot_folder_existing_files_and_errors(tmp_path: Path) -> None:
    (tmp_path / "old.jpg").write_bytes(b"x" * 10)
    errors: list[Path] = []

    def explode(path: Path) -> None:
        raise RuntimeError(f"cannot handle {path.name}")

    watcher = HotFolderWatcher(tmp_path, explode, stable_ms=100, poll_s=0.05,
                               include_existing=True, on_error=lambda p, e: errors.append(p))
    watcher.start()
    try:
        assert wait_for(lambda: errors)
        (tmp_path / "new.png").write_bytes(b"y" * 10)
        assert wait_for(lambda: len(errors) == 2)  # still watching after a failure
        assert watcher.running
    finally:
        watcher.stop()
    assert not watcher.running
    assert sorted(p.name for p in errors) == ["new.png", "old.jpg"]


def test_hot_folder_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        HotFolderWatcher(tmp_path / "nope", lambda p: None).start()


def test_a_pipe_named_like_an_image_does_not_block_the_watcher(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.png")  # opening it would wait for a writer forever
    got = _Collector()
    with HotFolderWatcher(tmp_path, got, stable_ms=100, poll_s=0.05, include_existing=True):
        (tmp_path / "after.png").write_bytes(b"z" * 10)
        assert wait_for(lambda: got.items)
    assert [p.name for p, _ in got.items] == ["after.png"]


def test_retry_reports_an_unchanged_file_again(tmp_path: Path) -> None:
    got = _Collector()
    watcher = HotFolderWatcher(tmp_path, got, stable_ms=100, poll_s=0.05)
    with watcher:
        (tmp_path / "slow.png").write_bytes(b"part")
        assert wait_for(lambda: len(got.items) == 1)
        time.sleep(0.4)
        assert len(got.items) == 1  # unchanged: not reported twice on its own
        watcher.retry(tmp_path / "slow.png")
        assert wait_for(lambda: len(got.items) == 2)


def test_a_removed_folder_is_reported_and_watched_again_when_back(tmp_path: Path) -> None:
    folder = tmp_path / "hot"
    folder.mkdir()
    got, states = _Collector(), []
    watcher = HotFolderWatcher(folder, got, stable_ms=100, poll_s=0.05, check_folder_s=0.1,
                               on_state=states.append)
    with watcher:
        folder.rename(tmp_path / "moved")
        assert wait_for(lambda: states == ["lost"])
        assert watcher.running and watcher.lost
        folder.mkdir()
        (folder / "first.png").write_bytes(b"a" * 10)  # there before the watch resumes
        assert wait_for(lambda: states == ["lost", "back"])
        (folder / "second.png").write_bytes(b"b" * 10)
        assert wait_for(lambda: len(got.items) == 2)
    assert sorted(p.name for p, _ in got.items) == ["first.png", "second.png"]


def test_file_away_keeps_every_file(tmp_path: Path) -> None:
    from inspector.imaging.hot_folder import file_away

    for i in range(3):
        (tmp_path / "part.png").write_bytes(bytes([i]))
        file_away(tmp_path / "part.png", "done")
    kept = sorted((tmp_path / "done").iterdir())
    assert len(kept) == 3 and sorted(p.read_bytes() for p in kept) == [b"\x00", b"\x01", b"\x02"]
    assert all(p.name == "part.png" or (p.name.startswith("part~") and p.suffix == ".png")
               for p in kept)
    (tmp_path / "bad.png").write_bytes(b"x")
    assert file_away(tmp_path / "bad.png", "refused") == tmp_path / "refused" / "bad.png"
    with pytest.raises(ValueError):
        file_away(tmp_path / "refused" / "bad.png", "elsewhere")


@pytest.mark.parametrize(("url", "shown"), [
    ("rtsp://admin:S3cret@10.0.0.7:554/stream1", "rtsp://admin:***@10.0.0.7:554/stream1"),
    ("http://cam.local/video.mjpg?user=admin&password=S3cret&res=hd",
     "http://cam.local/video.mjpg?user=admin&password=***&res=hd"),
    ("rtsp://10.0.0.7/live?token=S3cret", "rtsp://10.0.0.7/live?token=***"),
    ("rtsp://10.0.0.7:554/stream1", "rtsp://10.0.0.7:554/stream1"),
    ("http://[::1/broken", "network camera (address not shown)"),
])
def test_a_stream_password_is_never_shown(url: str, shown: str) -> None:
    from inspector.imaging.camera import OpenCVCamera

    camera = OpenCVCamera(url)
    assert camera.name == shown and "S3cret" not in camera.name
    assert camera.source == url  # opening still uses the whole address


def test_a_16_bit_camera_frame_keeps_its_brightness_from_frame_to_frame() -> None:
    """Each 16-bit frame was scaled by its own brightest pixel: a dark part came out as
    bright as a light one. Now the camera's bit depth scales every frame the same."""
    from inspector.imaging.camera import _to_rgb

    dark = np.full((8, 8), 1000, np.uint16)
    light = np.full((8, 8), 3000, np.uint16)
    assert _to_rgb(dark, 12)[0, 0, 0] == round(1000 * 255 / 4095)
    assert _to_rgb(light, 12)[0, 0, 0] == round(3000 * 255 / 4095)
    assert _to_rgb(light)[0, 0, 0] == round(3000 * 255 / 65535)  # 16 bits by default
    colour = np.dstack([light, dark, dark])  # OpenCV's BGR
    assert tuple(_to_rgb(colour, 12)[0, 0]) == (62, 62, 187)


def test_a_raw_two_channel_frame_is_a_camera_error_that_names_the_fix() -> None:
    """Raw YUYV frames (HxWx2) raised cv2.error, shown as a generic thread failure."""
    from inspector.imaging.camera import _to_rgb

    with pytest.raises(CameraError, match="RGB or grey format"):
        _to_rgb(np.zeros((4, 6, 2), np.uint8))
    assert _to_rgb(np.full((4, 6, 1), 7, np.uint8)).shape == (4, 6, 3)


def test_reading_a_handled_file_does_not_wake_the_watcher(tmp_path: Path) -> None:
    """Opening and closing a file raised events too: the watcher's own readability check
    and the import's read put every file back in its queue, for ever (about 30 % of a
    core with 2,000 handled files in the folder)."""
    import time

    from inspector.imaging.hot_folder import HotFolderWatcher

    got: list[Path] = []
    (tmp_path / "part.png").write_bytes(b"x" * 10)
    with HotFolderWatcher(tmp_path, got.append, stable_ms=50, include_existing=True) as w:
        assert wait_for(lambda: len(got) == 1)
        time.sleep(0.3)
        for _ in range(5):
            (tmp_path / "part.png").read_bytes()  # as the import reads it
        time.sleep(0.3)
        assert w._pending == {}
    assert len(got) == 1


def test_a_done_folder_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    """Anyone who may write to the camera share could make done/ a link to any folder the
    station may write to, and handled parts were moved there."""
    from inspector.imaging.hot_folder import file_away

    hot, elsewhere = tmp_path / "hot", tmp_path / "elsewhere"
    hot.mkdir()
    elsewhere.mkdir()
    (hot / "done").symlink_to(elsewhere, target_is_directory=True)
    (hot / "part.png").write_bytes(b"x")
    with pytest.raises(OSError, match="link"):
        file_away(hot / "part.png", "done")
    assert (hot / "part.png").exists() and list(elsewhere.iterdir()) == []

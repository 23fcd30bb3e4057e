"""Capture page: fake camera preview and snapshot, unplug message, import report,
drag & drop, hot folder import."""

from __future__ import annotations

import shutil

import pytest
from gui_helpers import sign_in_as, wait_for_job
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QPushButton

from inspector.imaging.camera import FakeCamera, synthetic_frame
from inspector.services import labeling

pytestmark = pytest.mark.gui


def test_fake_camera_preview_and_space_snapshot(capture, project, qtbot) -> None:  # noqa: ANN001
    capture.camera.start(FakeCamera(synthetic_frame))
    qtbot.waitUntil(lambda: capture.camera.last_frame is not None, timeout=5000)
    assert not capture.camera.picture.pixmap().isNull()
    capture.setFocus()
    qtbot.keyClick(capture, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "stored as image" in capture.snapshot_status.text(), timeout=5000)
    images = labeling.list_images(project)
    assert len(images) == 1 and images[0].source == "camera"
    assert (images[0].height, images[0].width) == (240, 320)


def test_unplugged_camera_is_a_message_not_a_freeze(capture, qtbot) -> None:  # noqa: ANN001
    capture.camera.start(FakeCamera(synthetic_frame, fail_after=3))
    qtbot.waitUntil(lambda: not capture.camera.running, timeout=5000)
    assert "stopped delivering frames" in capture.camera.status.text()


def test_missing_camera_message(capture) -> None:  # noqa: ANN001
    capture.camera.camera_box.clear()
    capture.camera.toggle()
    assert not capture.camera.running
    assert "No camera selected" in capture.camera.status.text()


def test_no_camera_found_says_what_to_do(capture) -> None:  # noqa: ANN001
    capture.camera._cameras_found([])
    assert capture.camera.camera_box.currentText() == "(no USB camera found)"
    assert "Plug one in" in capture.camera.status.text()
    capture.camera.toggle()  # starting it anyway: a message, no crash
    assert "No camera selected" in capture.camera.status.text()


def test_empty_folder_import_says_no_images_found(capture, tmp_path, qtbot) -> None:  # noqa: ANN001
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("not an image")
    capture.import_paths([str(empty)])
    qtbot.waitUntil(lambda: capture.import_job is None, timeout=10000)  # a quick job
    assert "other file(s) ignored" in capture.summary.text()
    (empty / "readme.txt").unlink()
    capture.import_paths([str(empty)])
    qtbot.waitUntil(lambda: capture.import_job is None, timeout=10000)  # a quick job
    assert capture.summary.text().startswith("No image files found")


def test_import_report_lists_refused_files(capture, image_dir, tmp_path, qtbot) -> None:  # noqa: ANN001
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    job = capture.import_paths([str(image_dir / "good"), str(bad)])
    wait_for_job(qtbot, job, 10000)
    outcomes = capture.report.outcomes()
    assert ("broken.png", "refused") in [(o[0], o[1]) for o in outcomes]
    refused_reason = next(o[2] for o in outcomes if o[0] == "broken.png")
    assert refused_reason
    assert "refused" in capture.summary.text()


def test_drop_files_imports(capture, image_dir, project, qtbot) -> None:  # noqa: ANN001
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in sorted((image_dir / "good").iterdir())])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    capture.dropEvent(event)
    qtbot.waitUntil(lambda: capture.import_job is None, timeout=10000)
    assert len(labeling.list_images(project)) >= 1
    assert capture.report.rowCount() == 5


def test_hot_folder_imports_new_files(capture, image_dir, tmp_path, project, qtbot) -> None:  # noqa: ANN001
    hot = tmp_path / "hot"
    hot.mkdir()
    assert capture.hot_folder.start(hot, stable_ms=100)
    shutil.copy(image_dir / "good" / "g0.png", hot / "new.png")
    qtbot.waitUntil(lambda: capture.hot_folder.count == 1, timeout=10000)
    images = labeling.list_images(project)
    assert [i.source for i in images] == ["hot_folder"]
    assert not (hot / "new.png").exists() and (hot / "done" / "new.png").is_file()
    capture.hot_folder.stop()
    # Copied in while nobody watched: the next Start takes it (what is left is unhandled).
    shutil.copy(image_dir / "good" / "g1.png", hot / "while_stopped.png")
    (hot / "broken.png").write_bytes(b"\x89PNG not really")
    import os
    import time

    past = time.time() - 60  # written a while ago: not a copy still in progress
    os.utime(hot / "broken.png", (past, past))
    assert capture.hot_folder.start(hot, stable_ms=100)
    qtbot.waitUntil(lambda: capture.hot_folder.count == 3, timeout=10000)
    capture.hot_folder.stop()
    assert sorted(p.name for p in hot.iterdir() if p.is_file()) == []
    assert (hot / "done" / "while_stopped.png").is_file()
    assert (hot / "refused" / "broken.png").is_file()
    assert len(labeling.list_images(project)) == 2


def test_hot_folder_says_when_its_folder_is_gone_and_resumes(capture, image_dir, tmp_path,
                                                             project, qtbot) -> None:  # noqa: ANN001
    hot = tmp_path / "hot"
    hot.mkdir()
    panel = capture.hot_folder
    assert panel.start(hot, stable_ms=100)
    panel.watcher.check_folder_s = 0.1
    hot.rename(tmp_path / "renamed")
    qtbot.waitUntil(lambda: "is gone" in panel.log.text(), timeout=10000)
    hot.mkdir()
    shutil.copy(image_dir / "good" / "g0.png", hot / "after.png")
    qtbot.waitUntil(lambda: panel.count == 1, timeout=10000)
    assert (hot / "done" / "after.png").is_file()
    panel.stop()


def test_hot_folder_log_warns_about_unfamiliar_images(capture) -> None:  # noqa: ANN001
    import datetime as dt
    from types import SimpleNamespace

    from inspector.services.results import InspectionInfo

    def info(unfamiliar: bool) -> InspectionInfo:
        return InspectionInfo(1, 1, "a.png", 1, 9.0, 5.0, "ng", "ng", "minor", None, None,
                              None, "op", None, None, dt.datetime.now(dt.UTC), 20.0,
                              unfamiliar=unfamiliar)

    panel = capture.hot_folder
    from inspector.services.hot_folder import HotFileOutcome

    panel._done("/x/a.png", HotFileOutcome(SimpleNamespace(refused=[],
                                                           inspections=[info(True)])))
    assert "a.png: NG ⚠" in panel.log.text() and "check the setup" in panel.log.text()
    panel._done("/x/b.png", HotFileOutcome(SimpleNamespace(refused=[],
                                                           inspections=[info(False)])))
    assert "b.png: NG (" in panel.log.text()


def test_stop_clears_the_last_frame_and_says_so(capture, qtbot) -> None:  # noqa: ANN001
    capture.camera.start(FakeCamera(synthetic_frame))
    qtbot.waitUntil(lambda: capture.camera.last_frame is not None, timeout=5000)
    capture.camera.stop()
    assert capture.camera.last_frame is None and not capture.camera.running
    assert capture.camera.status.text() == "Camera stopped."
    assert capture.camera.picture.pixmap().isNull()
    assert capture.snapshot() is None  # no stale picture stored as a new part
    assert "start a camera first" in capture.snapshot_status.text()


def test_unplugged_camera_leaves_no_frame_to_store(capture, qtbot) -> None:  # noqa: ANN001
    capture.camera.start(FakeCamera(synthetic_frame, fail_after=3))
    qtbot.waitUntil(lambda: not capture.camera.running, timeout=5000)
    assert capture.camera.last_frame is None


class _BlockingCamera(FakeCamera):
    """read() blocks (a network camera whose cable was pulled) until released."""

    def __init__(self, colour: int) -> None:
        import threading

        import numpy as np

        super().__init__([np.full((24, 32, 3), colour, np.uint8)])
        self.release = threading.Event()
        self.blocking = threading.Event()

    def read(self):  # noqa: ANN201
        if self.count >= 1:
            self.blocking.set()
            self.release.wait(10)
        return super().read()


def test_stop_does_not_wait_for_a_blocked_camera_nor_take_its_frame(capture, qtbot) -> None:  # noqa: ANN001
    import time

    old = _BlockingCamera(200)
    capture.camera.start(old)
    qtbot.waitUntil(lambda: old.blocking.is_set(), timeout=5000)
    started = time.monotonic()
    capture.camera.stop()
    assert time.monotonic() - started < 0.5  # the window does not freeze
    capture.camera.start(FakeCamera([synthetic_frame(0) * 0 + 50]))
    qtbot.waitUntil(lambda: capture.camera.last_frame is not None, timeout=5000)
    old.release.set()  # the old camera's late frame must not reach the new session
    qtbot.wait(200)
    assert int(capture.camera.last_frame.mean()) == 50
    capture.camera.wait_stopped()
    assert capture.camera._retired == []


def test_stacked_camera_picture_uses_the_room_it_has(window, capture, qtbot) -> None:  # noqa: ANN001
    """A narrow, tall window stacks the panes; the picture stayed at its 200 px minimum
    under a 560 px wide pane. It grows to 4:3, and the camera box stays on screen."""
    from ui.widgets.adaptive_splitter import AdaptiveSplitter

    splitter = capture.findChild(AdaptiveSplitter)
    capture.camera.start(FakeCamera(synthetic_frame))
    window.resize(800, 1000)
    qtbot.waitUntil(lambda: splitter.orientation() == Qt.Orientation.Vertical)
    qtbot.wait(50)
    picture = capture.camera.picture
    assert picture.height() >= picture.width() * 3 // 4 - 2 > 400
    viewport = window.containers["capture"].viewport()
    box = capture.camera.parentWidget()  # the Camera group box
    assert box.mapTo(viewport, box.rect().bottomLeft()).y() <= viewport.height()
    window.resize(1366, 768)  # side by side again: the page fits, as before
    qtbot.waitUntil(lambda: splitter.orientation() == Qt.Orientation.Horizontal)
    qtbot.wait(50)
    assert window.containers["capture"].verticalScrollBar().maximum() == 0
    assert picture.minimumHeight() == 200


def test_a_stopped_camera_leaves_import_on_a_small_screen(window, capture, qtbot) -> None:  # noqa: ANN001
    """1024x600, no camera running: the empty picture is a strip, so the Import buttons
    are on screen (they were below it, found only by scrolling or Ctrl+O)."""
    window.resize(1024, 600)
    qtbot.waitUntil(lambda: capture.splitter.orientation() == Qt.Orientation.Vertical)
    viewport = window.containers["capture"].viewport()
    button = next(b for b in capture.findChildren(QPushButton) if b.text() == "Import folder…")
    qtbot.waitUntil(lambda: capture.camera.picture.height() < 100)  # not a 4:3 black box
    qtbot.waitUntil(
        lambda: button.mapTo(viewport, button.rect().bottomLeft()).y() <= viewport.height())
    capture.camera.start(FakeCamera(synthetic_frame))
    qtbot.waitUntil(lambda: capture.camera.picture.height() > 150)  # running: it grows back


def test_an_import_of_12_bit_pictures_says_how_to_read_them(capture, tmp_path, qtbot) -> None:  # noqa: ANN001
    import cv2
    import numpy as np

    window = capture.window()
    sign_in_as(window, "admin")  # a QA lead or admin may change the setting
    window.show_page("capture")
    ramp = np.linspace(0, 4095, 64 * 64).reshape(64, 64).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "deep.png"), ramp)
    job = capture.import_paths([str(tmp_path / "deep.png")])
    wait_for_job(qtbot, job, 10000)
    assert "⚠ 1 16-bit picture(s) use only 12 bits" in capture.summary.text()
    assert "sensor_bits 12" in capture.summary.text()
    assert capture.bits_button.isVisibleTo(capture)  # the admin may change settings
    assert "as 12-bit" in capture.bits_button.text()
    capture.bits_button.click()
    assert capture.state.project.get_setting("sensor_bits") == 12
    assert not capture.bits_button.isVisibleTo(capture)


def test_an_operator_is_not_offered_the_bits_setting(capture, tmp_path, qtbot) -> None:  # noqa: ANN001
    import cv2
    import numpy as np

    assert capture.state.actor.role == "operator"
    ramp = np.linspace(0, 4095, 64 * 64).reshape(64, 64).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "deep.png"), ramp)
    job = capture.import_paths([str(tmp_path / "deep.png")])
    wait_for_job(qtbot, job, 10000)
    assert "use only 12 bits" in capture.summary.text()  # told, but the QA lead decides
    assert not capture.bits_button.isVisibleTo(capture)


def test_hot_folder_says_once_that_its_files_look_like_12_bit(capture, tmp_path, qtbot) -> None:  # noqa: ANN001
    """A machine-vision camera writing 16-bit TIFFs into the hot folder is the usual way
    12-bit pictures arrive: the note is said, once, not with every part."""
    import cv2
    import numpy as np

    said: list[str] = []
    capture.state.status_message.connect(said.append)
    hot = tmp_path / "hot"
    hot.mkdir()
    assert capture.hot_folder.start(hot, stable_ms=100)
    for i in range(2):
        part = np.full((64, 64), 1000 + i, np.uint16)
        cv2.imwrite(str(hot / f"part{i}.tif"), part)
        qtbot.waitUntil(lambda n=i: capture.hot_folder.count == n + 1, timeout=10000)
    capture.hot_folder.stop()
    notes = [m for m in said if "use only" in m]
    assert len(notes) == 1 and notes[0].startswith("Hot folder: 1 16-bit picture(s)")


def test_the_hot_folder_goes_on_through_an_idle_sign_out_but_not_a_sign_out(
        capture, window, image_dir, tmp_path, project, qtbot) -> None:  # noqa: ANN001
    """An idle sign-out was postponed while the hot folder ran: whoever started it stayed
    signed in with all their rights. Now they are signed out and the files go on under
    their name; after a sign-out by hand the files wait for the next person."""
    from sqlalchemy import select

    from inspector.store.models import AuditEntry

    hot = tmp_path / "hot"
    hot.mkdir()
    assert capture.hot_folder.start(hot, stable_ms=100)
    window.idle.idle.emit()
    assert window.state.actor is None and capture.automatic_work()
    shutil.copy(image_dir / "good" / "g0.png", hot / "after_idle.png")
    qtbot.waitUntil(lambda: capture.hot_folder.count == 1, timeout=10000)
    assert [i.imported_by for i in labeling.list_images(project)] == ["op"]
    sign_in_as(window, "op")
    window.pages["signin"].sign_out()  # by hand: the session and its automation end
    shutil.copy(image_dir / "good" / "g1.png", hot / "after_sign_out.png")
    qtbot.waitUntil(lambda: bool(capture.hot_folder.waiting), timeout=10000)
    assert capture.hot_folder.count == 1
    capture.hot_folder.stop()
    with project.db.session() as s:
        ends = [e.details.get("why") for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "session.end"))]
        starts = s.scalars(select(AuditEntry).where(AuditEntry.action == "session.start")).all()
    assert ends == ["idle", "signed out"] and len(starts) == 2


def test_a_busy_database_in_the_hot_folder_log_is_said_in_words_not_sql(capture) -> None:  # noqa: ANN001
    """The log showed "(sqlite3.OperationalError) database is locked [SQL: UPDATE images
    SET product_id=?…] (Background on this error at: https://sqlalche.me/…)"."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    locked = OperationalError("UPDATE images SET product_id=? WHERE images.id = ?", (1, 450),
                              sqlite3.OperationalError("database is locked"))
    capture.hot_folder._failed("/hot/b5_350.png", locked)
    text = capture.hot_folder.log.text()
    assert "b5_350.png: The project is busy" in text and "trying it again" in text
    assert "SQL" not in text and "sqlalche.me" not in text
    held = PermissionError(13, "Permission denied", "/hot/part1.png")  # the camera has it
    capture.hot_folder._failed("/hot/part1.png", held)
    assert "Permission denied: /hot/part1.png" in capture.hot_folder.log.text()
    assert "project" not in capture.hot_folder.log.text()  # not blamed on the project


def test_a_snapshot_does_not_wait_behind_long_jobs(capture, qtbot) -> None:  # noqa: ANN001
    """A training and an import held both job threads: a snapshot took 19 s to store."""
    import threading

    import numpy as np

    from ui.worker import Job

    release = threading.Event()
    long_jobs = [Job(release.wait, 60).start() for _ in range(2)]  # both job threads held
    try:
        capture.camera.last_frame = np.full((64, 64, 3), 90, np.uint8)
        capture.snapshot()
        qtbot.waitUntil(lambda: "stored as image" in capture.snapshot_status.text(),
                        timeout=10_000)
    finally:
        release.set()
    for job in long_jobs:
        qtbot.waitUntil(lambda j=job: not j.running, timeout=10_000)

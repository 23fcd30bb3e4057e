"""Background work at its edges: a folder the system will not watch is said, not an
exception in a slot; at exit a hot-folder file under way is finished before the project
closes; a thumbnail that cannot be read is tried once, not at every repaint."""

from __future__ import annotations

import errno
import threading
import time

import pytest

pytestmark = pytest.mark.gui


def test_a_folder_the_system_will_not_watch_is_said(state, admin, qtbot, monkeypatch,
                                                    tmp_path) -> None:  # noqa: ANN001
    import inspector.imaging.hot_folder as hot_folder
    from ui.widgets.hot_folder_panel import HotFolderPanel

    class NoWatch:  # the inotify limit reached (root's tests cannot reach it for real)
        daemon = False

        def schedule(self, *_args, **_kwargs) -> None:  # noqa: ANN002, ANN003
            return None

        def start(self) -> None:
            raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(hot_folder, "Observer", NoWatch)
    state.set_actor(admin)
    panel = HotFolderPanel(state)
    qtbot.addWidget(panel)
    (tmp_path / "hot").mkdir()
    assert panel.start(tmp_path / "hot") is False
    assert panel.log.text().startswith("⚠ Cannot watch") and panel.watcher is None
    assert panel.start_button.text() == "Start watching"


def test_exit_waits_for_a_file_under_way(state, admin, qtbot, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    import ui.widgets.hot_folder_panel as panel_module
    from ui.widgets.hot_folder_panel import HotFolderPanel

    started, finished = threading.Event(), []

    def slow_handle(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        started.set()
        time.sleep(0.5)
        finished.append(True)
        return panel_module.HotFileOutcome(result=None)

    monkeypatch.setattr("ui.inspect_work.handle_hot_file", slow_handle)
    state.set_actor(admin)
    panel = HotFolderPanel(state)
    qtbot.addWidget(panel)
    (tmp_path / "hot").mkdir()
    assert panel.start(tmp_path / "hot", stable_ms=50)
    (tmp_path / "hot" / "part.png").write_bytes(b"\x89PNG")
    qtbot.waitUntil(started.is_set, timeout=10_000)
    panel.shutdown()
    assert finished == [True]


def test_a_16_bit_picture_that_cannot_be_read_is_decoded_once(qtbot, monkeypatch) -> None:  # noqa: ANN001
    """A failed 16-bit thumbnail was not cached: every repaint decoded (and logged) it
    again."""
    from types import SimpleNamespace

    from PySide6.QtCore import Qt

    import ui.widgets.thumbnails as thumbnails

    calls: list[str] = []

    def broken(path, _size, _bits):  # noqa: ANN001, ANN202
        calls.append(path)
        raise OSError("the share is down")

    monkeypatch.setattr(thumbnails, "read_deep_thumbnail", broken)
    model = thumbnails.ThumbnailModel()
    model.set_images([SimpleNamespace(id=1, path="/share/a.tif", bit_depth=16, state="good",
                                      original_name="a.tif", defect_type=None)])
    for _ in range(5):  # repaints: scrolling, hovering
        model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
        qtbot.waitUntil(lambda: not model._pending, timeout=3000)
    assert calls == ["/share/a.tif"]


def test_zooming_in_on_a_small_picture_makes_it_larger(qtbot) -> None:  # noqa: ANN001
    """A 16x12 crop fits at about 56x; "zoom in" clamped at 40x made it smaller."""
    import numpy as np

    from ui.widgets.image_view import ImageView

    view = ImageView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    view.set_image(np.full((12, 16, 3), 128, np.uint8))
    view.fit()
    fitted = view.zoom_factor
    assert fitted > 40
    view.zoom(1.25)
    assert view.zoom_factor > fitted


def test_exit_waits_for_a_camera_read_that_hangs(qtbot) -> None:  # noqa: ANN001
    """A network camera's read() may wait its 5 s timeout: 3 s of waiting at exit left
    the thread running and Qt aborted the app."""
    import numpy as np

    from inspector.imaging.camera import URL_TIMEOUT_MS, FakeCamera
    from ui.widgets.camera_preview import CameraPreview

    class Hanging(FakeCamera):
        def read(self) -> np.ndarray:
            if self.count >= 1:
                time.sleep(URL_TIMEOUT_MS / 1000 - 1.0)  # longer than the old 3 s wait
            return super().read()

    preview = CameraPreview()
    qtbot.addWidget(preview)
    preview.start(Hanging([np.full((24, 32, 3), 90, np.uint8)]))
    qtbot.waitUntil(lambda: preview.frame_serial >= 1, timeout=5000)
    time.sleep(0.2)  # the second read() is waiting now
    preview.wait_stopped()
    assert preview._retired == []


def test_a_file_whose_handling_failed_is_tried_again(state, admin, qtbot, monkeypatch,
                                                     tmp_path) -> None:  # noqa: ANN001
    """The database busy or the disk full: the file stayed in the hot folder, unchanged,
    so the watcher never handed it over again until the station was restarted."""
    import ui.widgets.hot_folder_panel as panel_module
    from inspector.errors import UserError

    calls: list[str] = []

    def flaky(_project, _actor, path, **_kwargs):  # noqa: ANN001, ANN003, ANN202
        calls.append(str(path))
        if len(calls) == 1:
            raise UserError("The disk is full.")
        return panel_module.HotFileOutcome(result=None)

    monkeypatch.setattr("ui.inspect_work.handle_hot_file", flaky)
    monkeypatch.setattr(panel_module, "RETRY_AFTER_S", (1,))
    panel = _watching_without_moving(state, admin, qtbot, tmp_path)
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: "trying it again in 1 s" in panel.log.text(), timeout=5_000)
    assert "The disk is full." in panel.log.text()
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: "imported" in panel.log.text(), timeout=5_000)
    assert panel.failures == {} and calls[0] == calls[1]
    panel.shutdown()


@pytest.mark.parametrize("outcome, said", [
    ({"judged_before": "2026-11-28 14:02:11, NG", "moved_to": "x"},
     "was judged already (2026-11-28 14:02:11, NG): not judged again, moved to done/"),
    ({"left_because": "several products have an active model (A, B): choose"},
     "left in the folder: several products"),
])
def test_a_file_not_judged_anew_is_said_not_shown_as_a_verdict(
        state, admin, qtbot, monkeypatch, tmp_path, outcome, said) -> None:  # noqa: ANN001
    import ui.widgets.hot_folder_panel as panel_module

    monkeypatch.setattr("ui.inspect_work.handle_hot_file", lambda *_a, **_k:
                        panel_module.HotFileOutcome(None, **outcome))
    shown: list[object] = []
    state.part_inspected.connect(lambda *args: shown.append(args))
    panel = _watching_without_moving(state, admin, qtbot, tmp_path)
    qtbot.waitUntil(lambda: said in panel.log.text(), timeout=10_000)
    assert panel.count == 0 and shown == []
    panel.shutdown()


def _watching_without_moving(state, admin, qtbot, tmp_path):  # noqa: ANN001, ANN202
    """A panel watching tmp_path/hot (files left in place), one file dropped in."""
    from ui.widgets.hot_folder_panel import HotFolderPanel

    state.set_actor(admin)
    panel = HotFolderPanel(state)
    qtbot.addWidget(panel)
    panel.move_box.setChecked(False)
    (tmp_path / "hot").mkdir()
    assert panel.start(tmp_path / "hot", stable_ms=50)
    (tmp_path / "hot" / "part.png").write_bytes(b"\x89PNG")
    return panel


def test_a_file_left_for_want_of_a_product_is_taken_when_one_is_chosen(
        state, admin, qtbot, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    """Without moving, a Start does not look at files already there: the advice "choose
    the product, then start again" never took them."""
    import ui.widgets.hot_folder_panel as panel_module

    seen: list[str | None] = []

    def handle(_project, _actor, _path, *, product, **_kwargs):  # noqa: ANN001, ANN003, ANN202
        seen.append(product)
        if product is None:
            return panel_module.HotFileOutcome(None, left_because="several products")
        return panel_module.HotFileOutcome(None)

    monkeypatch.setattr("ui.inspect_work.handle_hot_file", handle)
    panel = _watching_without_moving(state, admin, qtbot, tmp_path)
    qtbot.waitUntil(lambda: "left in the folder" in panel.log.text(), timeout=10_000)
    from inspector.services.products import add_product

    add_product(state.project, admin, "A")
    state.set_product("A")
    qtbot.waitUntil(lambda: seen == [None, "A"], timeout=10_000)
    qtbot.waitUntil(lambda: "imported" in panel.log.text(), timeout=5_000)
    assert panel.left == set()
    panel.shutdown()

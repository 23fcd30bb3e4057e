"""The hot-folder panel: a folder the system will not watch is said, not an exception in
a slot; at exit a file under way is finished before the project closes."""

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

    monkeypatch.setattr(panel_module, "handle_hot_file", slow_handle)
    state.set_actor(admin)
    panel = HotFolderPanel(state)
    qtbot.addWidget(panel)
    (tmp_path / "hot").mkdir()
    assert panel.start(tmp_path / "hot", stable_ms=50)
    (tmp_path / "hot" / "part.png").write_bytes(b"\x89PNG")
    qtbot.waitUntil(started.is_set, timeout=10_000)
    panel.shutdown()
    assert finished == [True]

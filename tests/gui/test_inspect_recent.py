"""Inspect's recent strip keeps thumbnails and records, never full-size pictures or heat
maps (ten 12 MP results held 1.2 GB); an older part chosen there still shows its picture,
verdict and stored heat map, loaded from the store as History shows it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import cv2
import numpy as np
import pytest
from gui_helpers import picture_grey, sign_in_as, slow_pictures
from PySide6.QtCore import Qt

from inspector.services.inspection import BatchInspection
from inspector.services.results import InspectionInfo
from ui.qimage import screen_ratio
from ui.widgets import recent_strip

pytestmark = pytest.mark.gui

SIZE = (600, 800)  # a "full-size" picture here: big enough to tell from a thumbnail
VERDICTS = ("ok", "ng", "uncertain")
OVERLAY = "artefacts/heatmaps/older.png"


@pytest.fixture(autouse=True)
def model_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page inspects (a model is ready); its first-run note is not what this is about."""
    import ui.pages.inspect_page as inspect_page

    monkeypatch.setattr(inspect_page, "model_step", lambda *_args: None)


def fresh(number: int) -> InspectionInfo:
    """An inspection as the service returns it right after inspecting: with its full-size
    heat map and overlay, and a stored overlay file."""
    return InspectionInfo(
        id=number, image_id=number, image_name=f"part_{number:04d}.png", model_version=1,
        score=float(number), threshold=17.0, verdict=VERDICTS[number % 3],
        final_verdict=VERDICTS[number % 3], severity=None, defect_type=None,
        type_confidence=None, heatmap_path=OVERLAY, operator="admin", station=None,
        product=None, inspected_at=dt.datetime(2026, 11, 27, 18, number, tzinfo=dt.UTC),
        duration_ms=40.0, overlay=np.full((*SIZE, 3), number, np.uint8),
        heatmap=np.full(SIZE, 0.75, np.float32),
    )


def array_bytes(obj: Any) -> int:
    """Bytes of the numpy arrays reachable from an entry's payload."""
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, tuple | list):
        return sum(array_bytes(o) for o in obj)
    if dataclasses.is_dataclass(obj):
        return sum(array_bytes(getattr(obj, f.name)) for f in dataclasses.fields(obj))
    return 0


def assert_entries_small(strip: recent_strip.RecentStrip) -> None:
    """No entry holds more than a thumbnail: no heat map, overlay or picture."""
    side = round(recent_strip.THUMB * screen_ratio())
    for row in range(strip.count()):
        item = strip.item(row)
        assert array_bytes(item.data(Qt.ItemDataRole.UserRole)) == 0, row
        thumb = item.data(recent_strip.THUMB_ROLE)
        assert max(thumb.width(), thumb.height()) <= side, row


def inspect_page(window, project):  # noqa: ANN001, ANN201
    sign_in_as(window, "admin")
    window.show_page("inspect")
    overlay = project.root / OVERLAY
    overlay.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(overlay), np.full((30, 40, 3), 200, np.uint8))
    return window.pages["inspect"]


def choose(page, row: int, qtbot) -> None:  # noqa: ANN001
    """Click an entry of the strip, as an operator would."""
    strip = page.recent
    strip.scrollToItem(strip.item(row))
    rect = strip.visualItemRect(strip.item(row))
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_strip_keeps_no_full_size_arrays_and_an_older_part_shows_from_the_store(
        window, project, admin, monkeypatch, qtbot) -> None:  # noqa: ANN001
    slow_pictures(monkeypatch, 0.0)  # the stored picture of image n is flat grey n
    page = inspect_page(window, project)
    for n in range(1, 11):
        page._add_result(fresh(n), np.full((*SIZE, 3), n, np.uint8))
    qtbot.waitUntil(lambda: not page.picture_pending(), timeout=10_000)
    assert page.recent.count() == 10
    assert_entries_small(page.recent)
    assert page.current.heatmap is not None  # the part on screen keeps its live heat map
    choose(page, 3, qtbot)  # part 7, judged three parts ago
    older = page.recent.item(3).data(Qt.ItemDataRole.UserRole)
    assert page.current.id == older.id == 7
    assert page.banner.verdict == VERDICTS[7 % 3]
    assert "score 7 / threshold 17" in page.banner.detail.text()
    qtbot.waitUntil(lambda: not page.picture_pending(), timeout=10_000)
    assert picture_grey(page.view) == 7  # its own picture, from the store
    assert page.view.overlay_visible()  # with its stored heat map
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_H)
    assert not page.view.overlay_visible()
    assert page.current_rgb is None and page.current.heatmap is None  # nothing big held


def test_a_batch_fills_the_strip_with_thumbnails_only(window, project, admin, monkeypatch,
                                                      qtbot) -> None:  # noqa: ANN001
    """The worker hands over the older parts only as big as their thumbnails; the last
    part is shown whole."""
    import ui.pages.inspect_page as inspect_page_module
    from inspector.services import inspection, labeling

    done = [fresh(n) for n in range(1, 13)]
    monkeypatch.setattr(inspection, "inspect_paths",
                        lambda *_a, **_k: BatchInspection(list(done), []))
    monkeypatch.setattr(labeling, "load_image",
                        lambda _p, image_id, **_k: np.full((1500, 2000, 3), image_id, np.uint8))
    batch, shown = inspect_page_module.inspect_files(project, admin, ["parts"], None)
    assert [info.id for info, _rgb in shown] == list(range(3, 13))
    for info, rgb in shown[:-1]:
        assert info.heatmap is None and info.overlay is None
        assert max(rgb.shape[:2]) <= recent_strip.SOURCE_SIDE and rgb[0, 0, 0] == info.id
    assert shown[-1][1].shape[:2] == (1500, 2000) and shown[-1][0].heatmap is not None
    page = inspect_page(window, project)
    page._files_inspected((batch, shown))
    assert page.recent.count() == 10 and page.current.id == 12
    assert_entries_small(page.recent)
    qtbot.waitUntil(lambda: not page.picture_pending(), timeout=10_000)


def test_a_file_picked_during_an_inspection_is_answered_not_dropped(window, project,
                                                                    monkeypatch, qtbot) -> None:  # noqa: ANN001
    """A second file chosen while a batch ran vanished without a word."""
    import threading

    from PySide6.QtWidgets import QFileDialog

    import ui.pages.inspect_page as inspect_page_module

    release = threading.Event()
    monkeypatch.setattr(inspect_page_module, "inspect_files",
                        lambda *_a: (release.wait(10), (BatchInspection([], []), []))[1])
    page = inspect_page(window, project)
    said: list[str] = []
    window.state.status_message.connect(said.append)
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *_a, **_k: (asked.append("file"), ("part.png", ""))[1])
    first = page.inspect_paths(["parts"])
    assert first is not None and page.job is not None
    page.choose_file()
    assert asked == [] and any("under way" in s for s in said)
    release.set()
    qtbot.waitUntil(lambda: page.job is None, timeout=10_000)

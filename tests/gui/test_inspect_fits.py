"""Inspect on a small panel PC (1024x600) and on a laptop (1366x768): the verdict word is
whole, and verdict, score, heat map and the recent parts show without scrolling, even
with the setup warning and a batch summary that names a refused file."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics

from inspector.services.inspection import BatchInspection
from inspector.services.results import InspectionInfo
from ui.pages.inspect_page import COMPACT_BELOW
from ui.visible_height import visible_height

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def model_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    """The results shown here come from a model; without one the page would show its
    first-run note ("No model yet") instead, which is not what these sizes are about."""
    import ui.pages.inspect_page as inspect_page

    monkeypatch.setattr(inspect_page, "model_step", lambda *_args: None)

REFUSED = ("broken.png", "not an image, a damaged image, or an image type Inspector cannot read")


def inspection(number: int, verdict: str) -> InspectionInfo:
    """A stored inspection as the service returns it right after inspecting."""
    heat = np.zeros((32, 32), np.float32)
    heat[8:20, 10:24] = 1.0
    return InspectionInfo(
        id=number,
        image_id=number,
        image_name=f"part_{number:04d}.png",
        model_version=3,
        score=25.8,
        threshold=17.0,
        verdict=verdict,
        final_verdict=verdict,
        severity="critical",
        defect_type="broken_large",
        type_confidence=0.9,
        heatmap_path=None,
        operator="admin",
        station="Line 1 / Station A",
        product="disc",
        inspected_at=dt.datetime(2026, 11, 27, 18, 45, tzinfo=dt.UTC),
        duration_ms=40.0,
        unfamiliar=True,
        heatmap=heat,
    )


def show_batch(window, qtbot, size: tuple[int, int], verdict: str):  # noqa: ANN001, ANN201
    """Ten parts inspected in a batch with one file refused; the last one unfamiliar."""
    sign_in_as(window, "admin")
    window.resize(*size)
    window.show_page("inspect")
    page = window.pages["inspect"]
    rgb = np.full((256, 256, 3), 90, np.uint8)
    done = [inspection(n, "ok") for n in range(1, 10)] + [inspection(10, verdict)]
    page._files_inspected((BatchInspection(done, [REFUSED]), [(i, rgb) for i in done]))
    settle(window, qtbot)
    return page


def settle(window, qtbot) -> None:  # noqa: ANN001
    """Until the page has chosen its size for the visible height (after the next turn of
    the event loop) and the layouts that follow have run."""
    page = window.pages["inspect"]
    qtbot.waitUntil(lambda: page.compact == (visible_height(page) < COMPACT_BELOW))
    qtbot.wait(50)


def on_screen(window, widget) -> bool:  # noqa: ANN001
    """``widget`` lies wholly inside the visible part of the Inspect page's scroll area."""
    viewport = window.containers["inspect"].viewport()
    top_left = widget.mapTo(viewport, widget.rect().topLeft())
    return viewport.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("size", [(1024, 600), (1093, 614), (1366, 768)])
def test_verdict_heat_map_and_recent_parts_fit_without_scrolling(
    window, qtbot, admin, size
) -> None:  # noqa: ANN001
    page = show_batch(window, qtbot, size, "ng")
    scroll = window.containers["inspect"]
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() == 0)  # else: fails here
    assert scroll.horizontalScrollBar().maximum() == 0, size
    for widget in (page.banner, page.view, page.recent, page.override_button):
        assert on_screen(window, widget), (size, widget)
    assert page.view.height() >= 240 and page.recent.count() == 10
    assert page.setup_warning.isVisibleTo(page) and page.batch_note.isVisibleTo(page)
    assert "NOT inspected" in page.batch_note.text()  # whole, in its scrolling notes
    word = page.banner.word
    # the batch's NG parts, not the last file's verdict alone; still big from 2 m
    assert word.text() == "1 NG" and word.font().pointSize() >= 44


@pytest.mark.parametrize("size", [(1024, 600), (1366, 768)])
def test_uncertain_is_shown_whole(window, qtbot, admin, size) -> None:  # noqa: ANN001
    """At 64 pt "UNCERTAIN" is wider than the result column: it showed as "NCERTAI"."""
    page = show_batch(window, qtbot, size, "uncertain")
    word = page.banner.word
    assert word.text() == "UNCERTAIN"
    assert QFontMetrics(word.font()).horizontalAdvance(word.text()) <= word.contentsRect().width()
    assert word.font().pointSize() >= 36


def test_full_size_where_there_is_room(window, qtbot, admin) -> None:  # noqa: ANN001
    page = show_batch(window, qtbot, (1366, 768), "ng")
    assert page.banner.word.font().pointSize() == 64
    assert page.recent.iconSize().height() == 94


def test_live_camera_never_pushes_the_verdict_out_sideways(window, qtbot, admin) -> None:  # noqa: ANN001
    """With the camera shown, the page was 1109 px wide: on a 1024 px panel PC it scrolled
    sideways and the verdict banner was cut off. Narrow, camera and result picture stack;
    at 1366 px they stay side by side with nothing scrolled."""
    from PySide6.QtCore import Qt

    page = show_batch(window, qtbot, (1024, 600), "ng")
    page.camera_button.setChecked(True)
    settle(window, qtbot)
    scroll = window.containers["inspect"]
    assert scroll.horizontalScrollBar().maximum() == 0
    assert on_screen(window, page.banner) and on_screen(window, page.inspect_now)
    window.resize(1366, 768)
    settle(window, qtbot)
    qtbot.waitUntil(lambda: page.middle.orientation() == Qt.Orientation.Horizontal)
    assert scroll.horizontalScrollBar().maximum() == 0
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() == 0)
    page.camera_button.setChecked(False)
    qtbot.wait(50)
    assert page.right.width() == 430  # the result column is wide again


@pytest.mark.parametrize("size", [(1024, 600), (1093, 614), (1366, 768)])
def test_running_camera_keeps_verdict_and_heat_map_on_screen(window, qtbot, admin,
                                                            size) -> None:  # noqa: ANN001
    """With the camera running the 1024x600 page scrolled about 300 px: the camera's
    set-up rows and its frame controls stacked the result's heat map below the screen.
    Running, the set-up folds into one line beside Stop, the frame controls sit under the
    verdict, and live picture and result picture stand side by side."""
    from PySide6.QtCore import Qt

    from inspector.imaging.camera import FakeCamera, synthetic_frame

    page = show_batch(window, qtbot, size, "ng")
    page.camera_button.setChecked(True)
    page.camera.start(FakeCamera(synthetic_frame))
    qtbot.waitUntil(lambda: page.camera.last_frame is not None, timeout=5000)
    settle(window, qtbot)
    scroll = window.containers["inspect"]
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() == 0)  # else: fails here
    assert scroll.horizontalScrollBar().maximum() == 0
    assert page.middle.orientation() == Qt.Orientation.Horizontal
    for widget in (page.banner, page.view, page.recent, page.inspect_now, page.continuous,
                   page.rate, page.heatmap_box, page.camera.picture,
                   page.camera.start_button):
        assert on_screen(window, widget), (size, widget)
    assert page.camera.picture.height() >= 200 and page.view.height() >= 240
    assert page.camera.url_edit.isHidden() and page.camera.setup_row.isHidden()
    assert "Space inspects" in page.camera.status.text()  # not "takes a snapshot"
    page.camera.stop()
    assert page.camera.setup_row.isVisibleTo(page) and page.camera.url_edit.isVisibleTo(page)
    assert page.camera.start_button.text() == "Start camera"


def test_o_opens_the_override_of_the_part_on_screen(window, qtbot, admin,
                                                    monkeypatch) -> None:  # noqa: ANN001
    """Every main action has a key: Override… said none."""
    import ui.pages.inspect_page as inspect_page

    asked = []
    monkeypatch.setattr(inspect_page, "ask_override",
                        lambda _parent, info: asked.append(info.id))  # cancelled
    page = show_batch(window, qtbot, (1366, 768), "ng")
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_O)
    assert asked == [10] and "[O]" in page.override_button.text()

"""Inspection region: drawn by dragging on a photo, stored per product by a QA lead."""

from __future__ import annotations

import numpy as np
import pytest
from engine_fixtures import write_parts
from gui_helpers import sign_in_as, wait_for_job
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from inspector.engine.region import Region
from inspector.services import products
from inspector.services.importing import import_paths
from inspector.services.operators import add_operator
from ui.widgets.region_dialog import RegionDialog

pytestmark = pytest.mark.gui


def point(canvas, fx: float, fy: float) -> QPoint:  # noqa: ANN001
    r = canvas.image_rect()
    return QPoint(round(r.left() + fx * r.width()), round(r.top() + fy * r.height()))


def test_dragging_draws_the_region_and_whole_image_clears_it(qtbot) -> None:  # noqa: ANN001
    dialog = RegionDialog(np.full((300, 400, 3), 128, np.uint8), None, "disc")
    qtbot.addWidget(dialog)
    dialog.show()
    canvas = dialog.canvas
    assert "whole image" in dialog.status.text()
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=point(canvas, 0.2, 0.1))
    QTest.mouseMove(canvas, point(canvas, 0.5, 0.5))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=point(canvas, 0.8, 0.9))
    r = dialog.region()
    assert r is not None
    assert (r.x0, r.y0, r.x1, r.y1) == pytest.approx((0.2, 0.1, 0.8, 0.9), abs=0.01)
    assert "20%–80% across" in dialog.status.text()
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=point(canvas, 0.5, 0.5))
    assert dialog.region() == r  # a click is not a new region
    whole = next(b for b in dialog.buttons.buttons() if b.text() == "Whole image")
    whole.click()
    assert dialog.region() is None


def _disc_train_page(window, project, admin, tmp_path):  # noqa: ANN001, ANN202
    """The Train page of product "disc" (two good 64 px photos), signed in as admin."""
    products.add_product(project, admin, "disc")
    write_parts(tmp_path / "data" / "good", 2, 0, size=64)
    import_paths(project, admin, [tmp_path / "data"], product="disc", labels_from_folders=True)
    window.state.set_product("disc")
    sign_in_as(window, "admin")
    assert window.show_page("train")
    return window.pages["train"]


def test_region_reads_its_photo_in_the_background_and_opens_on_it(  # noqa: ANN001
        window, project, admin, tmp_path, qtbot, monkeypatch) -> None:
    """Region… reads the product's first good photo off the window's thread (a 12 MP
    photo held it for half a second), then opens the dialog on that photo."""
    page = _disc_train_page(window, project, admin, tmp_path)
    shown: list[tuple[int, int]] = []
    monkeypatch.setattr(RegionDialog, "exec", lambda d: shown.append(
        (d.canvas.pixmap.width(), d.canvas.pixmap.height())) or RegionDialog.DialogCode.Rejected)
    job = page.edit_region()
    assert not page.region_button.isEnabled()  # one dialog at a time
    wait_for_job(qtbot, job, 10000)
    assert shown == [(64, 64)] and page.region_button.isEnabled()


def test_qa_lead_sets_the_region_on_the_train_page(window, project, admin, tmp_path) -> None:  # noqa: ANN001
    page = _disc_train_page(window, project, admin, tmp_path)
    add_operator(project, admin, "olga", role="operator")
    assert page.region_button.isEnabled()
    assert "whole image" in page.region_label.text()
    assert page.apply_region(Region(0.1, 0.0, 0.9, 1.0))
    assert products.region_of(project, "disc").as_list() == [0.1, 0.0, 0.9, 1.0]
    assert "10%–90% across" in page.region_label.text()
    assert page.apply_region(None) and products.region_of(project, "disc") is None

    sign_in_as(window, "olga")
    assert window.show_page("train")
    assert not page.region_button.isEnabled()


def test_live_overlay_frames_the_region() -> None:
    from ui.qimage import heatmap_to_rgba

    heat = np.zeros((100, 200), np.float32)
    heat[40:50, 40:50] = 1.0
    plain = heatmap_to_rgba(heat)
    framed = heatmap_to_rgba(heat, region_box=(10, 20, 90, 120))
    assert plain[10, 20, 3] == 0 and tuple(framed[10, 20]) == (255, 255, 255, 255)
    assert tuple(framed[89, 119]) == (255, 255, 255, 255)
    assert framed[50, 70, 3] == 0 and framed[0, 0, 3] == 0  # inside and outside stay clear
    assert np.array_equal(framed[40:50, 40:50], plain[40:50, 40:50])


def test_dialog_fits_the_screen(qtbot) -> None:  # noqa: ANN001
    """Save and Cancel stay on screen on a small (or highly scaled) monitor."""
    dialog = RegionDialog(np.full((300, 400, 3), 128, np.uint8), None, "disc")
    qtbot.addWidget(dialog)
    room = dialog.screen().availableGeometry()
    if room.width() >= 900 and room.height() >= 680:
        pytest.skip("this screen is large enough for the dialog's full size")
    dialog.show()
    assert dialog.width() <= room.width() and dialog.height() <= room.height()
    assert dialog.height() >= dialog.minimumSizeHint().height()

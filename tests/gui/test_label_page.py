"""Label page end to end: keys label through the services, brush masks, undo, filters."""

from __future__ import annotations

import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import QPointF, Qt

from inspector.services import labeling
from inspector.services.importing import import_paths

pytestmark = pytest.mark.gui


@pytest.fixture
def label_page(window, project, admin, image_dir, qtbot):  # noqa: ANN001, ANN201
    labeling.add_defect_type(project, admin, "scratch", "S")
    import_paths(project, admin, [image_dir / "good", image_dir / "scratch"])
    sign_in_as(window, "admin")
    assert window.show_page("label")
    page = window.pages["label"]
    page.gallery.setFocus()
    qtbot.waitUntil(lambda: page.current is not None)
    return page


def _history(project, image_id):  # noqa: ANN001, ANN202
    return labeling.label_history(project, image_id)


def test_keys_label_and_advance(label_page, project, qtbot) -> None:  # noqa: ANN001
    page = label_page
    first = page.current.id
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)
    assert [lbl.verdict for lbl in _history(project, first)] == ["good"]
    assert page.current.id != first  # good moves on
    second = page.current.id
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    qtbot.keyClick(page.gallery, Qt.Key.Key_2)
    qtbot.keyClick(page.gallery, Qt.Key.Key_S)
    last = _history(project, second)[-1]
    assert (last.verdict, last.severity, last.defect_type) == ("defective", "major", "scratch")
    counts = labeling.label_counts(project)
    assert counts["good"] == 1 and counts["defective"] == 1
    assert "1 good" in page.counts.text() and "1 defective" in page.counts.text()
    qtbot.keyClick(page.gallery, Qt.Key.Key_Left)
    assert page.current.id == first


def test_brush_mask_saved_and_stroke_undo(label_page, project, qtbot) -> None:  # noqa: ANN001
    page = label_page
    image_id = page.current.id
    qtbot.keyClick(page.gallery, Qt.Key.Key_B)
    assert page.view.brush_enabled
    page.view.set_brush_size(6)
    page.view.begin_stroke()
    page.view.paint_line(QPointF(5, 5), QPointF(20, 5))
    page.view.begin_stroke()
    page.view.paint_line(QPointF(5, 25), QPointF(20, 25))
    qtbot.keyClick(page.gallery, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    mask = page.view.mask()
    assert mask is not None and mask[5, 10] and not mask[25, 10]
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    stored = labeling.load_mask(project, image_id)
    assert stored is not None and stored[5, 10] and not stored[25, 10]


def test_undo_label_appends_previous(label_page, project, qtbot) -> None:  # noqa: ANN001
    page = label_page
    image_id = page.current.id
    page.label("good", advance=False)
    page.label("defective", advance=False)
    qtbot.keyClick(page.gallery, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    verdicts = [lbl.verdict for lbl in _history(project, image_id)]
    assert verdicts == ["good", "defective", "good"]


def test_filters(label_page, project) -> None:  # noqa: ANN001
    page = label_page
    total = len(page.model.images)
    page.label("good", advance=False)
    page.state_filter.setCurrentText("good")
    assert [i.state for i in page.model.images] == ["good"]
    page.state_filter.setCurrentText("unlabelled")
    assert len(page.model.images) == total - 1
    assert all(i.state == "unlabelled" for i in page.model.images)


def test_thumbnails_load_lazily(label_page, qtbot) -> None:  # noqa: ANN001
    page = label_page
    qtbot.waitUntil(lambda: page.model.cached_count() > 0, timeout=5000)


def test_operator_cannot_edit_defect_types(window, project, actor, image_dir) -> None:  # noqa: ANN001
    sign_in_as(window, "op")
    window.show_page("label")
    page = window.pages["label"]
    assert page.types.add_button.isHidden()

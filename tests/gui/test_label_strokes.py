"""Brush strokes and labels on the Label page, as a day of labelling found them: undo
after a relabel, G on a good part with a stroke, the type list and the keyboard, and a
brush click at a high zoom."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from inspector.services import labeling

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier


def _stroke(page, y: float) -> None:  # noqa: ANN001
    page.view.set_brush_enabled(True)
    page.view.set_brush_size(6)
    page.view.begin_stroke()
    page.view.paint_line(QPointF(5, y), QPointF(20, y))


def _last(project, image_id):  # noqa: ANN001, ANN202
    return labeling.label_history(project, image_id)[-1]


def test_undo_after_a_relabel_brings_back_the_label_and_its_whole_region(
        label_page, project, qtbot) -> None:  # noqa: ANN001
    """Ctrl+Z after "good" undid a stroke that had already been saved, left the region on
    a part now labelled good, and the next image saved "defective" with half the region
    and no type or severity."""
    page = label_page
    image_id = page.current.id
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    _stroke(page, 5)
    qtbot.keyClick(page.gallery, Qt.Key.Key_S)  # type scratch: saved with the region
    _stroke(page, 25)
    qtbot.keyClick(page.gallery, Qt.Key.Key_3)  # critical: saved with both strokes
    saved = labeling.load_mask(project, image_id)
    assert saved is not None and saved[5, 10] and saved[25, 10]
    page.label("good", advance=False)
    qtbot.keyClick(page.gallery, Qt.Key.Key_Z, CTRL)
    last = _last(project, image_id)
    assert (last.verdict, last.defect_type, last.severity) == ("defective", "scratch",
                                                               "critical")
    assert np.array_equal(labeling.load_mask(project, image_id), saved)
    count = len(labeling.label_history(project, image_id))
    qtbot.keyClick(page.gallery, Qt.Key.Key_Right)
    assert len(labeling.label_history(project, image_id)) == count  # nothing half saved


def test_g_on_a_good_part_with_a_stroke_keeps_it_good(label_page, project, qtbot) -> None:  # noqa: ANN001
    page = label_page
    image_id = page.current.id
    page.label("good", advance=False)
    _stroke(page, 5)
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)
    assert [lbl.verdict for lbl in labeling.label_history(project, image_id)] == ["good"]


def test_the_type_list_leaves_the_keyboard_to_the_gallery(label_page, project, qtbot) -> None:  # noqa: ANN001
    """A click in the type list kept the keyboard there: Up moved the highlight to
    another type without a word, and the next severity key saved that type."""
    page = label_page
    labeling.add_defect_type(project, page.state.actor, "dent", "N")
    page.reload_types()
    image_id = page.current.id
    types = page.types.list
    row = next(i for i in range(types.count())
               if types.item(i).data(Qt.ItemDataRole.UserRole) == "scratch")
    qtbot.mouseClick(types.viewport(), Qt.MouseButton.LeftButton,
                     pos=types.visualItemRect(types.item(row)).center())
    assert _last(project, image_id).defect_type == "scratch"
    assert QApplication.focusWidget() is not types
    qtbot.keyClick(QApplication.focusWidget() or page.gallery, Qt.Key.Key_Up)
    if page.current.id == image_id:  # Up moved the gallery, or stayed on its first image
        qtbot.keyClick(page.gallery, Qt.Key.Key_2)
        assert _last(project, image_id).defect_type == "scratch"


def test_a_brush_click_paints_the_pixel_under_it_at_any_zoom(qtbot) -> None:  # noqa: ANN001
    """Zoomed in, a brush under one image pixel wide filled no pixel's centre: 49 of 49
    clicks on a 16x16 picture at 184x painted nothing."""
    from ui.widgets.image_view import ImageView

    view = ImageView()
    qtbot.addWidget(view)
    view.resize(600, 600)
    view.show()
    view.set_image(np.zeros((16, 16, 3), np.uint8))
    view.set_brush_enabled(True)
    for zoom in (1.0, 8.0, 40.0):
        view.zoom_factor = zoom  # what the brush's width is computed from
        for x, y in ((0.1, 0.1), (3.9, 7.2), (8.5, 8.5), (15.9, 15.9), (12.02, 4.97)):
            view.clear_mask()
            view.paint_line(QPointF(x, y), QPointF(x, y))
            mask = view.mask()
            assert mask is not None and mask[int(y), int(x)], (zoom, x, y)

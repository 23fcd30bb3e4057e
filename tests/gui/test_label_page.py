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


def test_unlabelled_view_labels_one_image_after_another(label_page, project, qtbot) -> None:  # noqa: ANN001
    """In the "unlabelled" view each key acts on the image on screen: G moves to the
    very next image (none skipped), D stays so type, severity and brush follow."""
    page = label_page
    page.state_filter.setCurrentText("unlabelled")
    order = [i.id for i in page.model.images]
    page.select_row(0)
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)
    assert page.current.id == order[1]
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)
    assert page.current.id == order[2]
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    assert page.current.id == order[2]  # still here for the details
    qtbot.keyClick(page.gallery, Qt.Key.Key_3)
    qtbot.keyClick(page.gallery, Qt.Key.Key_S)
    assert page.current.id == order[2]
    last = _history(project, order[2])[-1]
    assert (last.verdict, last.severity, last.defect_type) == ("defective", "critical",
                                                                 "scratch")
    assert [_history(project, i)[-1].verdict for i in order[:2]] == ["good", "good"]
    assert _history(project, order[3]) == []  # nothing landed on a neighbour
    page.reload_images()  # a fresh query: the labelled images leave the view
    assert order[2] not in [i.id for i in page.model.images]
    assert page.current.id == order[3]  # the place in the list is kept


def test_clicking_another_image_after_painting_keeps_the_gallery_in_step(
    label_page, project, qtbot
) -> None:  # noqa: ANN001
    page = label_page
    first = page.current.id
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    page.view.set_brush_enabled(True)
    page.view.begin_stroke()
    page.view.paint_line(QPointF(5, 5), QPointF(20, 5))
    target = page.model.index(3)
    page.gallery.setCurrentIndex(target)  # as a click on a thumbnail does
    assert labeling.load_mask(project, first) is not None  # the stroke was saved
    assert page.current.id == page.model.images[3].id
    assert page.gallery.currentIndex().row() == 3
    qtbot.keyClick(page.gallery, Qt.Key.Key_Right)
    assert page.current.id == page.model.images[4].id


def test_undo_list_is_not_handed_to_the_next_operator(label_page, window, project, qtbot,
                                                      actor) -> None:  # noqa: ANN001
    page = label_page
    image_id = page.current.id
    page.label("good", advance=False)
    page.label("defective", advance=False)
    sign_in_as(window, "op")
    window.show_page("label")
    page.undo()
    assert [lbl.verdict for lbl in _history(project, image_id)] == ["good", "defective"]


def test_reserved_keys_are_not_shown_for_old_defect_types(label_page, project) -> None:  # noqa: ANN001
    """A type saved with a key the page uses itself (before keys were checked) is listed
    without it, so the list never advertises a key that does something else."""
    from inspector.store.models import DefectType

    with project.db.session() as s:
        s.add(DefectType(name="dent", shortcut="g"))
    page = label_page
    page.reload_types()
    texts = [page.types.list.item(r).text() for r in range(page.types.list.count())]
    assert "dent" in texts and "scratch  [S]" in texts
    assert "G" not in page.types.shortcuts()

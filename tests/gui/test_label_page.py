"""Label page end to end: keys label through the services, brush masks, undo, filters."""

from __future__ import annotations

import time

import pytest
from gui_helpers import picture_grey, picture_seen, sign_in_as, slow_pictures
from PySide6.QtCore import QPointF, QRect, Qt, QTimer

from inspector.services import labeling
from inspector.services.importing import import_paths
from ui.widgets.thumbnails import ITEM_WIDTH

pytestmark = pytest.mark.gui
SLOW = 0.6  # s per decode with slow_pictures: far longer than a key press


def _history(project, image_id):  # noqa: ANN001, ANN202
    return labeling.label_history(project, image_id)


def _mark_defective_and_paint(page, qtbot) -> None:  # noqa: ANN001
    """D on the image shown, then one brush stroke along row 5 (not saved yet)."""
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    page.view.set_brush_enabled(True)
    page.view.begin_stroke()
    page.view.paint_line(QPointF(5, 5), QPointF(20, 5))


def test_keys_label_and_advance(label_page, project, qtbot) -> None:  # noqa: ANN001
    page = label_page
    first = page.current.id
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)
    assert [lbl.verdict for lbl in _history(project, first)] == ["good"]
    assert page.current.id != first  # good moves on
    second = page.current.id
    picture_seen(page, qtbot)
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    qtbot.keyClick(page.gallery, Qt.Key.Key_2)
    qtbot.keyClick(page.gallery, Qt.Key.Key_S)
    last = _history(project, second)[-1]
    assert (last.verdict, last.severity, last.defect_type) == ("defective", "major", "scratch")
    counts = labeling.label_counts(project)
    assert counts["good"] == 1 and counts["defective"] == 1
    qtbot.waitUntil(lambda: "1 good · 1 defective" in page.counts.text())  # counted in
    # the background: a label key does not wait for the counts
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


def test_undo_keeps_a_bounded_list_and_no_pixels(label_page, project, qtbot,
                                                 monkeypatch) -> None:  # noqa: ANN001
    """A shift without signing out: the undo list must not grow for ever, nor hold each
    painted region (12 MB a step with a 12 MP camera), nor decode it before the label key
    acts. It keeps the label row that holds the region; undo brings the region back."""
    from ui.pages import label_page as module

    page = label_page
    assert page.undo_stack.maxlen == module.UNDO_DEPTH
    for i in range(module.UNDO_DEPTH + 5):
        page.label("good" if i % 2 else "defective", advance=False)
    assert len(page.undo_stack) == module.UNDO_DEPTH
    image_id = page.current.id
    _mark_defective_and_paint(page, qtbot)
    page.save_pending_mask()
    painted = labeling.load_mask(project, image_id)
    assert painted is not None and painted.any()
    page.show_image(page.current)  # shown afresh: no strokes left for Ctrl+Z to take first
    picture_seen(page, qtbot)
    decoded: list[int] = []
    real_load = labeling.load_mask
    monkeypatch.setattr(labeling, "load_mask", lambda *a: decoded.append(1) or real_load(*a))
    page.label("good", advance=False)  # relabel: the region's label row goes on the list
    assert decoded == [] and isinstance(page.undo_stack[-1].mask_label_id, int)
    page.undo()
    restored = labeling.load_mask(project, image_id)
    assert restored is not None and (restored == painted).all()
    assert _history(project, image_id)[-1].verdict == "defective"


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
    picture_seen(page, qtbot)
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)
    assert page.current.id == order[1]
    picture_seen(page, qtbot)
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)
    assert page.current.id == order[2]
    picture_seen(page, qtbot)
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
    _mark_defective_and_paint(page, qtbot)
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


def test_a_notice_from_elsewhere_keeps_the_image_on_screen(label_page, project, qtbot) -> None:  # noqa: ANN001
    """A hot-folder file arrives after D: S must still land on the image being looked at."""
    page = label_page
    page.state_filter.setCurrentText("unlabelled")
    order = [i.id for i in page.model.images]
    page.select_row(0)
    picture_seen(page, qtbot)
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    page.state.notify("images")  # another part of the window imported something
    assert page.current.id == order[0]
    qtbot.keyClick(page.gallery, Qt.Key.Key_2)
    qtbot.keyClick(page.gallery, Qt.Key.Key_S)
    last = _history(project, order[0])[-1]
    assert (last.verdict, last.severity, last.defect_type) == ("defective", "major", "scratch")
    assert _history(project, order[1]) == []


def test_removing_a_type_labels_nothing_and_labels_keep_its_name(
        label_page, project, qtbot, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QInputDialog

    page = label_page
    first = page.current.id
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    qtbot.keyClick(page.gallery, Qt.Key.Key_S)
    page.step(1)
    second = page.current.id
    picture_seen(page, qtbot)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("scratch", True))
    assert page.types.remove_type() == "scratch"  # chosen in a dialog, confirmed
    page.reload_types()
    assert _history(project, second) == []  # the image on screen was not labelled
    page.select_row(page.model.row_of(first))
    assert page.current.id == first and page.current.defect_type == "scratch"
    picture_seen(page, qtbot)
    qtbot.keyClick(page.gallery, Qt.Key.Key_3)  # a new severity for the old label
    last = _history(project, first)[-1]
    assert (last.defect_type, last.severity) == ("scratch", "critical")


def test_brush_grows_again_from_its_smallest(label_page) -> None:  # noqa: ANN001
    page = label_page
    for _ in range(30):
        page.brush.resize_brush(1 / 1.25)
    from ui.widgets.image_view import MIN_BRUSH

    assert page.view.brush_size == MIN_BRUSH
    sizes = []
    for _ in range(4):
        page.brush.resize_brush(1.25)
        sizes.append(page.view.brush_size)
    assert sizes == sorted(sizes) and len(set(sizes)) == 4


def test_a_painted_mask_is_saved_under_its_painter_at_sign_out(label_page, window, project,
                                                               qtbot, actor) -> None:  # noqa: ANN001
    page = label_page
    image_id = page.current.id
    _mark_defective_and_paint(page, qtbot)
    window.state.set_actor(None)  # idle sign-out, or the next shift signs in
    last = _history(project, image_id)[-1]
    assert last.has_mask and labeling.load_mask(project, image_id)[5, 10]
    assert labeling.get_image(project, image_id).labelled_by == "admin"
    assert not page.view.undo_stroke()  # nothing left for the next operator


def test_g_after_inspection_asks_before_replacing_a_defective_label(window, project, admin,
                                                                   image_dir, monkeypatch) -> None:  # noqa: ANN001
    """The machine passed a part a person had labelled defective: G must ask first."""
    import datetime as dt

    from PySide6.QtWidgets import QMessageBox

    from inspector.services.results import InspectionInfo
    from ui.label_actions import label_inspected_good

    labeling.add_defect_type(project, admin, "crack")
    image_id = import_paths(project, admin, [image_dir / "good" / "g0.png"]).stored[0].id
    labeling.label_image(project, admin, image_id, "defective", defect_type="crack")
    sign_in_as(window, "admin")
    missed = InspectionInfo(1, image_id, "g0.png", 1, 1.0, 5.0, "ok", "ok", None, None, None,
                            None, "admin", None, None, dt.datetime.now(dt.UTC), 20.0)
    asked = []

    def answer(reply):  # noqa: ANN001, ANN202
        def box(_parent, _title, text, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            asked.append(text)
            return reply
        return box

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    assert not label_inspected_good(window, window.state, missed)
    assert "labelled defective (crack" in asked[0]
    assert labeling.get_image(project, image_id).state == "defective"
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    assert label_inspected_good(window, window.state, missed)
    assert labeling.get_image(project, image_id).state == "good"


def test_names_are_shown_as_text_not_markup(label_page, project, admin, make_image) -> None:  # noqa: ANN001
    page = label_page
    image_id = import_paths(project, admin, [make_image("part_0042<!--.png", seed=40)]
                            ).stored[0].id
    page.reload_images()
    page.select_row(page.model.row_of(image_id))
    text = page.info.text()
    assert "part_0042&lt;!--.png" in text and "Label: <b>unlabelled</b>" in text


def test_g_on_a_good_image_adds_no_second_label(label_page, project, qtbot) -> None:  # noqa: ANN001
    page = label_page
    page.select_row(page.model.rowCount() - 1)  # the end of the list
    image_id = page.current.id
    picture_seen(page, qtbot)
    for _ in range(3):
        qtbot.keyClick(page.gallery, Qt.Key.Key_G)
    assert [lbl.verdict for lbl in _history(project, image_id)] == ["good"]
    assert page.current.id == image_id


def test_eraser_takes_paint_away_and_is_saved(label_page, project, qtbot) -> None:  # noqa: ANN001
    """Shift+B turns the eraser (and with it the brush) on; an erased part of a stroke
    is not in the saved mask, the rest is."""
    page = label_page
    image_id = page.current.id
    _mark_defective_and_paint(page, qtbot)
    page.view.begin_stroke()
    page.view.paint_line(QPointF(5, 15), QPointF(20, 15))
    qtbot.keyClick(page.gallery, Qt.Key.Key_B, Qt.KeyboardModifier.ShiftModifier)
    assert page.erase_button.isChecked() and page.view.erasing and page.view.brush_enabled
    page.view.begin_stroke()
    page.view.paint_line(QPointF(5, 15), QPointF(20, 15))
    mask = page.view.mask()
    assert mask is not None and mask[5, 10] and not mask[15, 10]
    page.save_pending_mask()
    stored = labeling.load_mask(project, image_id)
    assert stored is not None and stored[5, 10] and not stored[15, 10]
    qtbot.keyClick(page.gallery, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.view.mask()[15, 10]  # the erasing stroke is undone like any other


def test_right_drag_erases_while_the_brush_is_on(label_page, qtbot) -> None:  # noqa: ANN001
    page = label_page
    view = page.view
    view.set_brush_enabled(True)
    view.set_brush_size(view.zoom_factor * 8)  # 8 image pixels across
    view.begin_stroke()
    view.paint_line(QPointF(0, 10), QPointF(31, 10))
    left_end = view.mapFromScene(QPointF(4, 10))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.RightButton, pos=left_end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.RightButton, pos=left_end)
    mask = view.mask()
    assert mask is not None and not mask[10, 4] and mask[10, 28]
    assert not view.erasing  # the right button erases without switching the eraser on
    dot = view.mapFromScene(QPointF(16, 25))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=dot)
    assert view.mask()[25, 16]  # a left click without a drag paints a dot


def test_clear_region_is_saved_as_no_mask_and_can_be_undone(label_page, project,
                                                            qtbot) -> None:  # noqa: ANN001
    page = label_page
    image_id = page.current.id
    _mark_defective_and_paint(page, qtbot)
    page.save_pending_mask()
    assert labeling.load_mask(project, image_id) is not None
    page.clear_button.click()
    assert page.view.mask() is None
    page.save_pending_mask()
    assert labeling.load_mask(project, image_id) is None
    assert labeling.label_history(project, image_id)[-1].verdict == "defective"
    qtbot.keyClick(page.gallery, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.view.mask() is not None and page.view.mask()[5, 10]


def test_brush_size_is_in_screen_pixels(label_page) -> None:  # noqa: ANN001
    """The same brush covers a fixed share of the screen: zooming in makes it cover
    fewer image pixels."""
    view = label_page.view
    view.set_brush_size(40)
    fitted = view.pen_width()
    assert abs(fitted - 40 / view.zoom_factor) < 1e-6
    view.zoom(2.0)
    assert abs(view.pen_width() - fitted / 2) < 1e-6 or view.pen_width() == 1.0


def test_page_fits_960_wide_without_sideways_scrolling(label_page, window, qtbot) -> None:  # noqa: ANN001
    """A 1080p monitor at 200 % gives 960x540 logical pixels: the right-hand buttons
    used to run off the edge behind a horizontal scroll bar."""
    from PySide6.QtWidgets import QScrollArea

    window.resize(960, 540)
    qtbot.wait(50)
    holder = label_page.parentWidget()
    while not isinstance(holder, QScrollArea):
        holder = holder.parentWidget()
    assert holder.horizontalScrollBar().maximum() == 0


def test_brush_off_ends_the_eraser_and_the_outline_goes_with_the_image(label_page,
                                                                      qtbot) -> None:  # noqa: ANN001
    page = label_page
    qtbot.keyClick(page.gallery, Qt.Key.Key_B, Qt.KeyboardModifier.ShiftModifier)
    assert page.view.erasing and page.brush_button.isChecked()
    qtbot.keyClick(page.gallery, Qt.Key.Key_B)  # brush off
    assert not page.erase_button.isChecked() and not page.view.erasing
    qtbot.keyClick(page.gallery, Qt.Key.Key_B)  # brush on again: it paints
    assert page.view.brush_enabled and not page.view.erasing
    view = page.view
    qtbot.mouseMove(view.viewport(), view.mapFromScene(QPointF(10, 10)))
    view._outline.setVisible(True)  # as a pointer over the image leaves it
    view.set_image(None)
    assert not view._outline.isVisible()


# A painted region is never dropped unsaved; Del clears it; the buttons fit 1024x600.
def _paint(page) -> None:  # noqa: ANN001
    page.view.set_brush_enabled(True)
    page.view.begin_stroke()
    page.view.paint_line(QPointF(5, 5), QPointF(20, 5))


def test_region_painted_on_an_unlabelled_image_is_kept(label_page, project, qtbot,
                                                       window) -> None:  # noqa: ANN001
    """Painting before pressing D, then moving on, lost the strokes without a word."""
    page = label_page
    image_id = page.current.id
    _paint(page)
    qtbot.keyClick(page.gallery, Qt.Key.Key_Right)
    assert page.current.id != image_id
    assert labeling.label_history(project, image_id)[-1].verdict == "defective"
    mask = labeling.load_mask(project, image_id)
    assert mask is not None and mask[5, 10]
    assert "labelled defective" in window.statusBar().currentMessage()


def test_region_painted_on_a_good_image_is_kept_and_undoable(label_page, project,
                                                             qtbot) -> None:  # noqa: ANN001
    page = label_page
    image_id = page.current.id
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)  # good moves on: come back
    qtbot.keyClick(page.gallery, Qt.Key.Key_Left)
    assert page.current.id == image_id
    picture_seen(page, qtbot)
    _paint(page)
    qtbot.keyClick(page.gallery, Qt.Key.Key_Right)
    assert labeling.label_history(project, image_id)[-1].verdict == "defective"
    while page.view.undo_stroke():  # the next image has no strokes: Ctrl+Z undoes labels
        pass
    qtbot.keyClick(page.gallery, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert labeling.label_history(project, image_id)[-1].verdict == "good"


def test_delete_key_clears_the_region(label_page, qtbot) -> None:  # noqa: ANN001
    page = label_page
    _paint(page)
    qtbot.keyClick(page.gallery, Qt.Key.Key_Delete)
    assert page.view.mask() is None
    assert "Del" in page.clear_button.toolTip()


def test_buttons_show_unscrolled_at_1024x600(label_page, window, qtbot) -> None:  # noqa: ANN001
    page = label_page
    window.resize(1024, 600)
    scroll = window.containers["label"]
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() == 0)  # else: fails here
    viewport = scroll.viewport()
    buttons = [page.good_button, page.bad_button, page.brush_button, page.erase_button,
               page.clear_button, page.undo_button, *page.severity_buttons]
    for button in buttons:
        top_left = button.mapTo(viewport, button.rect().topLeft())
        assert viewport.rect().contains(QRect(top_left, button.size())), button.text()


def test_the_picture_gets_the_width_at_1024x600(label_page, window, qtbot) -> None:  # noqa: ANN001
    """The filters sat two by two beside the gallery and left the picture 211 px wide on
    a 1024 px screen, too small to brush a region with a gloved finger. They run four
    across above gallery and picture now; the gallery keeps one column of thumbnails."""
    page = label_page
    window.resize(1024, 600)
    qtbot.waitUntil(lambda: page.view.width() >= 260)
    assert page.gallery.width() >= ITEM_WIDTH  # a whole thumbnail
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: page.view.width() >= 450)


def test_a_stored_region_comes_back_with_its_picture(label_page, project, qtbot) -> None:  # noqa: ANN001
    """The mask is loaded in the background with the picture: back on the image, the
    painted region is on the view again (and D keeps it, not an empty one)."""
    page = label_page
    image_id = page.current.id
    _mark_defective_and_paint(page, qtbot)
    qtbot.keyClick(page.gallery, Qt.Key.Key_Right)
    picture_seen(page, qtbot)
    assert page.view.mask() is None  # the next image has no region
    qtbot.keyClick(page.gallery, Qt.Key.Key_Left)
    assert page.current.id == image_id
    picture_seen(page, qtbot)
    mask = page.view.mask()
    assert mask is not None and mask[5, 10] and not mask[25, 10]
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    assert labeling.load_mask(project, image_id)[5, 10]


# Pictures load off the GUI thread: a slow decode never freezes the window, fast stepping
# queues no work and shows only the newest picture, and label keys never land on an
# image whose picture the operator has not seen.
@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    return slow_pictures(monkeypatch, SLOW)


def test_a_slow_decode_does_not_freeze_the_window(label_page, decodes, qtbot) -> None:  # noqa: ANN001
    page = label_page
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    before = page.current.id
    started = time.perf_counter()
    qtbot.keyClick(page.gallery, Qt.Key.Key_Right)
    assert time.perf_counter() - started < SLOW / 2  # the key returned at once
    assert page.current.id != before and page.picture_pending()
    assert f"#{page.current.id}" in page.info.text()  # its name shows while it loads
    assert not page.view.has_image()  # ...and the previous picture is gone
    qtbot.waitUntil(lambda: not page.picture_pending(), timeout=5000)
    timer.stop()
    assert picture_grey(page.view) == page.current.id
    during = [t for t in ticks if started < t < started + SLOW]
    assert len(during) >= 5  # the event loop kept running through the decode


def test_fast_stepping_decodes_only_the_newest_and_shows_only_it(label_page, decodes,
                                                                 qtbot) -> None:  # noqa: ANN001
    page = label_page
    shown: list[int] = []
    original = page.view.show_picture

    def record(picture) -> None:  # noqa: ANN001
        original(picture)
        if picture is not None:
            shown.append(picture.image.pixelColor(5, 5).red())

    page.view.show_picture = record
    ids = [i.id for i in page.model.images]
    for _ in range(4):  # faster than a picture loads
        qtbot.keyClick(page.gallery, Qt.Key.Key_Right)
    assert page.current.id == ids[4]
    qtbot.waitUntil(lambda: not page.picture_pending(), timeout=5000)
    qtbot.wait(int(SLOW * 1000))  # a stale result would arrive by now
    # No queue: at most the first (if its thread took it before it was overtaken; else it
    # is cancelled unstarted), then the newest; the two in between never decode.
    assert decodes in ([ids[1], ids[4]], [ids[4]])
    assert shown == [ids[4]]  # the overtaken picture was never shown
    assert picture_grey(page.view) == ids[4]


def test_label_keys_wait_for_the_picture_of_the_image_named(label_page, decodes, project,
                                                            qtbot, window) -> None:  # noqa: ANN001
    page = label_page
    ids = [i.id for i in page.model.images]
    qtbot.keyClick(page.gallery, Qt.Key.Key_Right)  # ids[1] loading...
    qtbot.keyClick(page.gallery, Qt.Key.Key_Right)  # ...overtaken by ids[2]
    for key in (Qt.Key.Key_G, Qt.Key.Key_D, Qt.Key.Key_2, Qt.Key.Key_S):
        qtbot.keyClick(page.gallery, key)  # pressed before anything was seen
    assert all(labeling.label_history(project, i) == [] for i in ids[:4])
    assert page.current.id == ids[2]
    assert "still loading" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not page.picture_pending(), timeout=5000)
    assert picture_grey(page.view) == ids[2]
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    assert labeling.label_history(project, ids[2])[-1].verdict == "defective"
    assert all(labeling.label_history(project, i) == [] for i in (ids[1], ids[3]))

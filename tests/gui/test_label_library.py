"""The Label page over a line's library: the newest page of a big one, and the 16-bit
pictures of a 12-bit camera."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gui_helpers import picture_grey, sign_in_as
from PySide6.QtCore import Qt

from inspector.services import labeling
from inspector.services.importing import import_paths

pytestmark = pytest.mark.gui


def test_a_big_library_lists_its_newest_images_and_older_ones_on_request(
        label_page, project, qtbot, monkeypatch) -> None:  # noqa: ANN001
    """Every inspected part is stored: a line's library reaches 100,000 images, and
    listing them all held the window for seconds at every change. The newest page is
    listed (oldest first within it), with a button for older ones."""
    from ui.pages import label_page as module

    page = label_page
    monkeypatch.setattr(module, "PAGE", 3)
    everything = [i.id for i in labeling.list_images(project)]
    assert len(everything) == 7
    page.state_filter.setCurrentText("good")  # a new filter: the first page again
    page.state_filter.setCurrentText(module.ANY)
    assert page.model.images and [i.id for i in page.model.images] == everything[-3:]
    assert page.older_button.isVisibleTo(page)
    assert page.older_label.text() == "Newest 3 of 7"
    page.select_row(1)
    shown = page.current.id
    page.older_button.click()  # read in the background: 1-2 s with 20,000 listed
    assert not page.older_button.isEnabled()
    qtbot.waitUntil(lambda: [i.id for i in page.model.images] == everything[-6:])
    assert page.current.id == shown and page.older_button.isEnabled()  # place kept
    page.older_button.click()
    qtbot.waitUntil(lambda: [i.id for i in page.model.images] == everything)
    assert not page.older_button.isVisibleTo(page)
    page.state_filter.setCurrentText("unlabelled")
    assert len(page.model.images) == 3 and page.older_label.text() == "Newest 3 of 7"


def test_a_12_bit_picture_shows_as_the_setting_reads_it(window, project, admin, tmp_path,
                                                        qtbot) -> None:  # noqa: ANN001
    """Qt's reader takes every 16-bit file as 16 bits: a 12-bit camera's pictures were
    almost black in the gallery even once the project's sensor_bits said 12."""
    import cv2

    ramp = np.linspace(0, 4095, 96 * 96).reshape(96, 96).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "deep.png"), ramp)
    import_paths(project, admin, [tmp_path / "deep.png"])
    project.set_setting(admin, "sensor_bits", 12)
    sign_in_as(window, "admin")
    assert window.show_page("label")
    page = window.pages["label"]
    qtbot.waitUntil(lambda: bool(page.model.images))  # listed in the background
    qtbot.waitUntil(lambda: not page.picture_pending())
    info = page.model.images[0]
    page.model.data(page.model.index(0), Qt.ItemDataRole.DecorationRole)  # asks for it
    qtbot.waitUntil(lambda: page.model._key(info) in page.model._cache)
    thumb = page.model._cache[page.model._key(info)]
    greys = [thumb.pixelColor(thumb.width() // 2, y).red() for y in range(thumb.height())]
    assert max(greys) > 200 and 90 < sum(greys) / len(greys) < 165
    assert 8 < picture_grey(page.view) < 20  # row 5 of 96: 13 at 12 bits, 1 at 16


def test_changes_from_elsewhere_are_listed_in_the_background(label_page, project, admin,
                                                             make_image, qtbot,
                                                             monkeypatch) -> None:  # noqa: ANN001
    """The hot folder stores a part every few seconds; at 100,000 images each listing took
    half a second, on the GUI thread, under the operator's hands. Now a notice is listed
    in the background, notices that come meanwhile make one more run (not one each), and
    a listing the operator has overtaken with a new filter is dropped."""
    import threading
    import time

    from ui.label_listing import query_listing
    from ui.pages import label_page as module

    runs: list[str] = []

    def counted(*args, counts: bool = True):  # noqa: ANN002, ANN202
        in_background = threading.current_thread() is not threading.main_thread()
        runs.append("background" if in_background else "gui")
        if in_background:
            time.sleep(0.3)  # a big library
        return query_listing(*args, counts=counts)

    monkeypatch.setattr(module, "query_listing", counted)
    page = label_page
    shown = page.current.id
    before = page.model.rowCount()
    new = make_image("arrived/part_new.png", seed=77)
    import_paths(project, admin, [new])
    for _ in range(5):  # five parts from the hot folder while one listing runs
        page.state.notify("images")
    assert page.model.rowCount() == before and "gui" not in runs  # nothing waited for it
    assert page.background.job is not None and page.background.again
    qtbot.waitUntil(lambda: page.model.rowCount() == before + 1, timeout=5000)
    assert page.current.id == shown  # the operator's image stays
    qtbot.waitUntil(lambda: page.background.job is None, timeout=5000)
    assert runs == ["background", "background"]  # the five notices made one more run

    page.state.notify("labels")  # a listing under way...
    page.state_filter.setCurrentText("good")  # ...overtaken by the operator's filter
    good = [i.id for i in page.model.images]
    assert all(i.state == "good" for i in page.model.images)
    qtbot.waitUntil(lambda: page.background.job is None, timeout=5000)
    assert [i.id for i in page.model.images] == good  # the older listing was dropped


@pytest.mark.parametrize("shown", ["good", "unlabelled"])
def test_a_filter_that_leaves_the_painted_image_out_saves_its_region(label_page, project,
                                                                     qtbot, shown) -> None:  # noqa: ANN001
    """A region painted after D was dropped unsaved when a filter left its image out of
    the list (empty, or other images only)."""
    from PySide6.QtCore import QPointF


    page = label_page
    image_id = page.current.id
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    page.view.set_brush_enabled(True)
    page.view.begin_stroke()
    page.view.paint_line(QPointF(5, 5), QPointF(20, 5))
    page.state_filter.setCurrentText(shown)
    assert page.current is None or page.current.id != image_id
    mask = labeling.load_mask(project, image_id)
    assert mask is not None and mask[5, 10]


def test_a_picture_that_cannot_be_shown_is_not_labelled_blind(label_page, project,
                                                              qtbot) -> None:  # noqa: ANN001
    """A key on an image whose picture failed to load relabelled it unseen (and a
    severity key dropped its stored region)."""
    page = label_page
    page.step(1)
    target = page.current
    qtbot.waitUntil(lambda: not page.picture_pending())
    page.show_image(None)
    bad = Path(labeling.get_image(project, target.id).path)
    saved = bad.read_bytes()
    try:
        bad.write_bytes(b"\x89PNG damaged")
        page.show_image(target)
        qtbot.waitUntil(lambda: not page.picture_pending())
        assert not page.view.has_image()
        qtbot.keyClick(page.gallery, Qt.Key.Key_D)
        assert labeling.get_image(project, target.id).state == "unlabelled"
    finally:
        bad.write_bytes(saved)


def test_undo_leaves_a_label_another_station_set_since(label_page, project, admin, qtbot,
                                                       dialogs) -> None:  # noqa: ANN001
    """Ctrl+Z re-applied the older label over one another station had set meanwhile;
    two changes of one image still undo in turn."""
    page = label_page
    image_id = page.current.id
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)  # defective
    page.set_severity("major")
    page.set_severity("minor")  # a third change of the same image
    page.undo()
    assert labeling.get_image(project, image_id).severity == "major"  # one step back
    labeling.label_image(project, admin, image_id, "good")  # another station
    page.undo()
    assert labeling.get_image(project, image_id).state == "good"
    assert any("relabelled since" in text for _kind, text in dialogs)

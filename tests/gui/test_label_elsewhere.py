"""The Label page beside other stations: a label changed elsewhere is shown before a key
acts on it, a painted region never overwrites it unseen, and label keys held down act
once."""

from __future__ import annotations

import pytest
from gui_helpers import picture_seen
from PySide6.QtCore import QPointF, Qt

from inspector.services import labeling

pytestmark = pytest.mark.gui


def _history(project, image_id):  # noqa: ANN001, ANN202
    return labeling.label_history(project, image_id)


def test_a_label_changed_at_another_station_is_shown_and_acted_on(label_page, project,
                                                                   admin, qtbot) -> None:  # noqa: ANN001
    """The page kept showing "good" after another station labelled the image defective,
    and G then moved on as "already good" without saving anything."""
    page = label_page
    page.select_row(page.model.rowCount() - 1)
    image_id = page.current.id
    picture_seen(page, qtbot)
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)
    assert page.current.state == "good"
    labeling.label_image(project, admin, image_id, "defective", defect_type="scratch")
    page.reload_images()  # the page opened again: same image, its label changed elsewhere
    assert page.current.id == image_id and page.current.state == "defective"
    assert "defective" in page.info.text() and "scratch" in page.info.text()
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)  # good again, as shown: saved
    assert _history(project, image_id)[-1].verdict == "good"
    page.select_row(page.model.rowCount() - 1)
    labeling.label_image(project, admin, image_id, "defective", defect_type="scratch")
    before = len(_history(project, image_id))  # the page has not listed again yet:
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)  # G reads the stored label, shows it
    assert page.current.state == "defective" and len(_history(project, image_id)) == before
    qtbot.keyClick(page.gallery, Qt.Key.Key_G)  # and the next G, on what is shown, saves
    assert len(_history(project, image_id)) == before + 1
    assert _history(project, image_id)[-1].verdict == "good"


def test_a_held_label_key_labels_one_image(label_page, project, qtbot) -> None:  # noqa: ANN001
    """Held down, G repeated: 20 parts labelled good in a second, each seen for a few
    tens of milliseconds."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    page = label_page
    page.state_filter.setCurrentText("unlabelled")
    qtbot.waitUntil(lambda: page.current is not None)
    picture_seen(page, qtbot)
    before = sum(bool(_history(project, i.id)) for i in page.model.images)
    for repeat in (False, True, True, True, True):
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(page.gallery, QKeyEvent(
                kind, Qt.Key.Key_G, Qt.KeyboardModifier.NoModifier, "g", repeat))
        qtbot.wait(300)  # each next picture is shown: only the repeat flag refuses them
    after = sum(bool(_history(project, i.id)) for i in page.model.images)
    assert after - before == 1


def test_d_on_an_image_labelled_elsewhere_meanwhile_shows_it_first(label_page, project,
                                                                   admin, qtbot) -> None:  # noqa: ANN001
    """Two stations through one "unlabelled" list: every D at one landed on an image the
    other had labelled good seconds earlier, unseen. The first key now shows the change;
    the next one (on what is shown) saves."""
    page = label_page
    page.state_filter.setCurrentText("unlabelled")
    qtbot.waitUntil(lambda: page.current is not None)
    picture_seen(page, qtbot)
    image_id = page.current.id
    labeling.label_image(project, admin, image_id, "good")  # at the other station
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    assert [lbl.verdict for lbl in _history(project, image_id)] == ["good"]
    assert page.current.id == image_id and page.current.state == "good"
    assert "good" in page.info.text()
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    assert [lbl.verdict for lbl in _history(project, image_id)] == ["good", "defective"]


def test_a_region_waits_when_the_label_changed_elsewhere_and_a_region_from_there_shows(
        label_page, project, admin, qtbot) -> None:  # noqa: ANN001
    """A painted region saved on Right overwrote another station's label in the same key
    press; a region another station stored was not shown, and the next D dropped it."""
    import numpy as np

    page = label_page
    page.state_filter.setCurrentText("unlabelled")
    qtbot.waitUntil(lambda: page.current is not None)
    picture_seen(page, qtbot)
    image_id = page.current.id
    page.view.set_brush_enabled(True)
    page.view.begin_stroke()
    page.view.paint_line(QPointF(5, 5), QPointF(20, 5))
    labeling.label_image(project, admin, image_id, "good")  # at the other station
    qtbot.keyClick(page.gallery, Qt.Key.Key_Right)
    assert [lbl.verdict for lbl in _history(project, image_id)] == ["good"]
    assert page.current.id == image_id  # stayed, the strokes with it
    qtbot.keyClick(page.gallery, Qt.Key.Key_Right)  # now on what is shown: saved
    assert [(lbl.verdict, lbl.has_mask) for lbl in _history(project, image_id)] == [
        ("good", False), ("defective", True)]
    other = page.current.id
    assert other != image_id
    picture_seen(page, qtbot)
    mask = np.zeros((page.current.height, page.current.width), bool)
    mask[2:9, 2:9] = True
    labeling.label_image(project, admin, other, "defective", mask=mask)  # elsewhere
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)  # shows the change, its region too
    qtbot.waitUntil(lambda: page.view.mask() is not None, timeout=5000)
    qtbot.keyClick(page.gallery, Qt.Key.Key_D)
    assert all(lbl.has_mask for lbl in _history(project, other))  # the region kept

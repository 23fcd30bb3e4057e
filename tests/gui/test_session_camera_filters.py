"""Capabilities of the operator GUI that no other test drove: the Sign out button, the
window's size remembered on this PC, the camera set-up (IP-camera URL, resolution), the
Label filters by type, product and date, and a QA lead adding a defect type with its key."""

from __future__ import annotations

import datetime as dt

import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QInputDialog

from inspector.imaging.camera import OpenCVCamera
from inspector.services import labeling, products
from inspector.services.importing import import_paths
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_sign_out_button_locks_every_page(window, admin) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    page = window.pages["signin"]
    window.show_page("signin")
    assert page.sign_out_button.isEnabled()
    page.sign_out_button.click()
    assert window.state.actor is None
    assert window.current_key() == "signin"
    assert not window.show_page("label")  # every other page is locked again
    assert not page.sign_out_button.isEnabled()


def test_window_size_and_place_are_remembered(window, state, qtbot) -> None:  # noqa: ANN001
    window.resize(700, 500)  # within the test screen: a larger one would be fitted to it
    qtbot.waitUntil(lambda: window.width() == 700)
    window.close()
    again = MainWindow(state)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 500)


def test_camera_url_and_resolution_choose_the_source(window, actor) -> None:  # noqa: ANN001
    sign_in_as(window, "op")
    camera = window.pages["capture"].camera
    camera.toggle()  # nothing chosen yet: a message, no camera thread
    assert not camera.running and "press Find cameras or enter a URL" in camera.status.text()
    camera.url_edit.setText("rtsp://192.168.1.20/stream")
    camera.resolution.setCurrentText("1280 × 720")
    source = camera.selected_source()
    assert isinstance(source, OpenCVCamera)
    assert (source.source, source.width, source.height) == (
        "rtsp://192.168.1.20/stream", 1280, 720)
    camera.url_edit.clear()
    camera._cameras_found([0, 2])  # as Find cameras reports USB indices
    camera.camera_box.setCurrentIndex(1)
    camera.resolution.setCurrentText("camera default")
    source = camera.selected_source()
    assert (source.source, source.width, source.height) == (2, None, None)


@pytest.fixture
def two_product_label_page(window, project, admin, image_dir, qtbot):  # noqa: ANN001, ANN201
    products.add_product(project, admin, "bottle")
    products.add_product(project, admin, "cap")
    for name in ("scratch", "dent"):
        labeling.add_defect_type(project, admin, name)
    import_paths(project, admin, [image_dir / "good", image_dir / "scratch"],
                 product="bottle")
    import_paths(project, admin, [image_dir / "dent"], product="cap")
    for image in labeling.list_images(project):
        folder = image.original_name[0]  # g0.png from good/, s0.png scratch/, d0.jpg dent/
        if folder == "g":
            labeling.label_image(project, admin, image.id, "good")
        else:
            labeling.label_image(project, admin, image.id, "defective",
                                 defect_type="scratch" if folder == "s" else "dent")
    sign_in_as(window, "admin")
    window.state.set_product(None)
    assert window.show_page("label")
    page = window.pages["label"]
    qtbot.waitUntil(lambda: page.current is not None)
    return page


def test_label_filters_by_type_product_and_date(two_product_label_page) -> None:  # noqa: ANN001
    page = two_product_label_page
    assert len(page.model.images) == 8
    page.type_filter.setCurrentText("scratch")
    assert {(i.defect_type, i.product) for i in page.model.images} == {("scratch", "bottle")}
    assert len(page.model.images) == 2
    page.type_filter.setCurrentText("(any)")
    page.product_filter.setCurrentText("cap")
    assert [(i.defect_type, i.product) for i in page.model.images] == [("dent", "cap")]
    page.product_filter.setCurrentText("(any)")
    page.state_filter.setCurrentText("defective")
    assert len(page.model.images) == 3
    page.state_filter.setCurrentText("(any)")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    page.since.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    assert page.model.images == [] and page.current is None
    assert "No image matches the filters" in page.next_step.text.text()
    page.since.clear_filter()
    assert len(page.model.images) == 8


def test_a_removed_type_still_finds_the_parts_labelled_with_it(two_product_label_page,  # noqa: ANN001
                                                                project, admin) -> None:
    """A defect type taken off the list vanished from the Type filter, so the parts still
    labelled with it could not be found to relabel them."""
    page = two_product_label_page
    page.type_filter.setCurrentText("scratch")
    labeling.remove_defect_type(project, admin, "scratch")
    page.reload_types()
    names = [page.type_filter.itemText(i) for i in range(page.type_filter.count())]
    assert names == ["(any)", "dent", "scratch (removed)"]
    assert page.type_filter.currentText() == "scratch (removed)"  # the filter stays
    assert {i.defect_type for i in page.model.images} == {"scratch"}
    page.type_filter.setCurrentText("(any)")
    page.type_filter.setCurrentText("scratch (removed)")
    assert len(page.model.images) == 2
    labeling.add_defect_type(project, admin, "scratch")  # back on the list: one entry
    page.reload_types()
    assert page.type_filter.findText("scratch (removed)") == -1
    assert page.type_filter.currentText() == "scratch" and len(page.model.images) == 2


def test_qa_lead_adds_a_defect_type_and_its_key_labels(two_product_label_page, project, qtbot,  # noqa: ANN001
                                                       monkeypatch) -> None:
    answers = iter([("crack", True), ("k", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: next(answers))
    page = two_product_label_page
    assert page.types.add_button.isVisible()
    page.types.add_button.click()
    assert "crack" in labeling.list_defect_types(project)
    assert "[K]" in page.types.list.findItems("crack", Qt.MatchFlag.MatchStartsWith)[0].text()
    page.gallery.setFocus()
    shown = page.current.id
    qtbot.keyClick(page.gallery, Qt.Key.Key_K)
    last = labeling.label_history(project, shown)[-1]
    assert (last.verdict, last.defect_type) == ("defective", "crack")


def test_label_counts_follow_the_product_filter(two_product_label_page, qtbot) -> None:  # noqa: ANN001
    """The header counted (and named) the signed-in product while the gallery listed the
    one chosen in its Product filter."""
    page = two_product_label_page
    page.state.set_product("bottle")
    page.product_filter.setCurrentText("cap")
    qtbot.waitUntil(lambda: page.counts.text() == "cap: 0 good · 1 defective · 0 unlabelled")
    page.product_filter.setCurrentText("(any)")
    qtbot.waitUntil(lambda: page.counts.text().startswith("All products:")
                    and "counting" not in page.counts.text())


def test_a_refused_key_asks_again_with_the_name_kept(two_product_label_page, project,  # noqa: ANN001
                                                     monkeypatch, dialogs) -> None:
    """The key "g" is Good's: the error came, and the typed name was gone with it."""
    asked: list[str] = []
    answers = iter([("broken", True), ("g", True), ("broken", True), ("", True)])

    def get_text(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        asked.append(kwargs.get("text", ""))
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    two_product_label_page.types.add_button.click()
    assert asked == ["", "", "broken", "g"]  # asked again, with what was typed
    assert len(dialogs) == 1 and "g" in dialogs[0][1].lower()
    assert "broken" in labeling.list_defect_types(project)

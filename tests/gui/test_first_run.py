"""A brand-new project (no images, labels or model): every page says what to do next and
opens the page where it is done, instead of buttons that fail with an error dialog."""

from __future__ import annotations

import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier


def test_inspect_without_a_model_says_how_to_get_one(window, qtbot, admin, dialogs) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    window.show_page("inspect")
    page = window.pages["inspect"]
    assert page.next_step.isVisibleTo(page)
    assert "No model yet" in page.next_step.text.text() and "Label" in page.next_step.text.text()
    for button in (page.file_button, page.folder_button, page.inspect_now):
        assert not button.isEnabled() and "No model yet" in button.toolTip()
    qtbot.keyClick(page.view, Qt.Key.Key_O, CTRL)  # the key of a disabled button: nothing
    assert dialogs == [] and page.job is None
    page.next_step.buttons[0].click()
    assert window.current_key() == "label"


def test_space_and_the_timer_do_not_inspect_without_a_model(window, qtbot, admin, dialogs) -> None:  # noqa: ANN001
    """Space is the frame button's key and "every" its timer: with the button off (no
    model) neither may start an inspection that fails with an error dialog."""
    from inspector.imaging.camera import FakeCamera, synthetic_frame

    sign_in_as(window, "admin")
    window.show_page("inspect")
    page = window.pages["inspect"]
    page.camera_button.setChecked(True)
    page.camera.start(FakeCamera(synthetic_frame))
    qtbot.waitUntil(lambda: page.camera.last_frame is not None, timeout=5000)
    assert not page.continuous.isEnabled() and "No model yet" in page.continuous.toolTip()
    qtbot.keyClick(page.view, Qt.Key.Key_Space)
    assert dialogs == [] and page.job is None
    page.camera.stop()


def test_train_with_no_images_points_to_capture(window, qtbot, admin, image_dir, dialogs) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    window.show_page("train")
    page = window.pages["train"]
    assert not page.train_button.isEnabled()
    assert "import photos" in page.train_button.toolTip()
    assert not page.examples_button.isEnabled() and "good image" in page.examples_button.toolTip()
    qtbot.keyClick(page, Qt.Key.Key_T, CTRL)
    assert dialogs == [] and page.job is None
    assert [b.text() for b in page.next_step.buttons] == ["Open Capture", "Open Label"]
    page.next_step.buttons[0].click()
    assert window.current_key() == "capture"

    from inspector.services.importing import import_paths

    import_paths(window.state.project, admin, [image_dir / "good"], labels_from_folders=True)
    window.show_page("train")
    assert page.train_button.isEnabled() and page.examples_button.isEnabled()
    assert not page.next_step.isVisibleTo(page)


def test_empty_label_page_opens_capture(window, admin, qtbot) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    window.show_page("label")
    page = window.pages["label"]
    qtbot.waitUntil(lambda: page.next_step.isVisibleTo(page))  # listed in the background
    assert "Capture" in page.next_step.text.text()
    assert page.next_step.text.text().startswith("No images yet")  # no filter is to blame
    page.next_step.buttons[0].click()
    assert window.current_key() == "capture"


def test_a_filter_that_hides_every_image_is_named_as_the_reason(
        window, admin, image_dir) -> None:  # noqa: ANN001
    from inspector.services.importing import import_paths

    import_paths(window.state.project, admin, [image_dir / "good"], labels_from_folders=True)
    sign_in_as(window, "admin")
    window.show_page("label")
    page = window.pages["label"]
    page.state_filter.setCurrentText("defective")  # all imported images are good
    assert page.model.rowCount() == 0
    assert page.next_step.text.text().startswith("No image matches the filters")


def test_train_follows_images_imported_while_it_is_on_screen(window, admin, image_dir,
                                                             qtbot) -> None:  # noqa: ANN001
    """The hot folder (or another page's job) imports while Train is showing: its counts
    and Start training followed only when the page was opened again. They are read in the
    background (at 100,000 labels the counts take 0.2 s)."""
    from inspector.services.importing import import_paths

    sign_in_as(window, "admin")
    window.show_page("train")
    page = window.pages["train"]
    assert not page.train_button.isEnabled()
    import_paths(window.state.project, admin, [image_dir / "good"], labels_from_folders=True)
    window.state.notify("images")  # what every importer in the GUI says when done
    assert page.summary_refresh.job is not None  # read off the GUI thread
    qtbot.waitUntil(page.train_button.isEnabled, timeout=5000)
    assert not page.next_step.isVisibleTo(page)


def test_a_product_added_after_importing_points_at_its_stranded_images(
        window, qtbot, admin, image_dir) -> None:  # noqa: ANN001
    """Pictures imported before the first product was added stay under "no product":
    once the product was chosen, Train and Inspect said "label 5 good images (0 so far)"
    as if they were gone. Now they say where they are and how they join."""
    from inspector.services.importing import import_paths
    from inspector.services.products import add_product
    from inspector.services.training import training_summary

    project = window.state.project
    import_paths(project, admin, [image_dir / "good"], labels_from_folders=True)
    add_product(project, admin, "bottle")
    assert training_summary(project, "bottle").without_product == 5
    assert any("imported without a product" in w
               for w in training_summary(project, "bottle").warnings)
    window.state.set_product("bottle")
    sign_in_as(window, "admin")
    for key in ("train", "inspect"):
        window.show_page(key)
        step = window.pages[key].next_step
        assert "5 image(s) were imported without a product" in step.text.text()
        assert [b.text() for b in step.buttons] == ["Open Capture"]
    import_paths(project, admin, [image_dir / "good"], product="bottle")
    assert training_summary(project, "bottle").good == 5
    window.show_page("train")
    assert window.pages["train"].train_button.isEnabled()

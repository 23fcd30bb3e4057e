"""A new user's path from an empty project to a first verdict: a button that cannot act
now is off and its tooltip says why, instead of an error dialog or a click that does
nothing."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import sign_in_as

from inspector.services import products
from inspector.services.importing import import_array, import_paths
from inspector.store.models import Inspection

pytestmark = pytest.mark.gui


def test_region_needs_a_good_image_of_the_product(
    window, project, admin, image_dir, dialogs
) -> None:  # noqa: ANN001
    """Region… on a product with no images ended in an error dialog."""
    products.add_product(project, admin, "bottle")
    sign_in_as(window, "admin")
    window.state.set_product("bottle")
    window.show_page("train")
    page = window.pages["train"]
    assert not page.region_button.isEnabled()
    assert "good image" in page.region_button.toolTip()
    page.region_button.click()
    assert dialogs == []

    import_paths(project, admin, [image_dir / "good"], product="bottle", labels_from_folders=True)
    page.on_shown()
    assert page.region_button.isEnabled()
    assert page.region_button.toolTip() == "The part of each image the model looks at"


def test_region_without_a_product_says_to_choose_one(window, admin) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    window.state.set_product(None)
    window.show_page("train")
    button = window.pages["train"].region_button
    assert not button.isEnabled() and "Choose a product" in button.toolTip()


def test_model_buttons_say_why_they_are_off(window, project, admin, image_dir) -> None:  # noqa: ANN001
    """Activate and Apply threshold were grey with no reason."""
    sign_in_as(window, "admin")
    window.show_page("train")
    panel = window.pages["train"].models
    for button in (panel.activate_button, panel.apply_button):
        assert not button.isEnabled() and "train one first" in button.toolTip()

    from inspector.services import training

    import_paths(project, admin, [image_dir / "good"], labels_from_folders=True)
    training.train(project, admin, preset="fast")
    panel.reload()
    assert panel.selected().active
    assert not panel.activate_button.isEnabled()
    assert "already the live model" in panel.activate_button.toolTip()
    assert panel.apply_button.isEnabled() and "slider" in panel.apply_button.toolTip()
    panel.table.clearSelection()
    assert not panel.activate_button.isEnabled() and not panel.apply_button.isEnabled()
    assert "Select a version" in panel.apply_button.toolTip()


def test_history_actions_need_a_selected_inspection(window, project, admin) -> None:  # noqa: ANN001
    """Override… and the label buttons stayed on with nothing selected (and did nothing)."""
    sign_in_as(window, "admin")
    window.show_page("history")
    page = window.pages["history"]
    buttons = (page.override_button, page.label_good_button, page.label_defective_button)
    for button in buttons:  # an empty history
        assert not button.isEnabled() and "Select an inspection" in button.toolTip()

    img = import_array(
        project, admin, np.full((16, 16, 3), 99, np.uint8), source="file", name="part.png"
    )
    with project.db.session() as s:
        s.add(Inspection(image_id=img.id, score=2.0, threshold=1.0, verdict="ng"))
    page.reload()
    assert all(b.isEnabled() for b in buttons)
    page.table.clearSelection()
    assert not any(b.isEnabled() for b in buttons)
    assert page.override() is None and not page.label_good() and not page.label_defective()


def test_import_labels_from_folder_names(window, project, admin, image_dir, qtbot) -> None:  # noqa: ANN001
    """Sorted photos (good/, scratch/, dent/) came in unlabelled from Capture, the folder
    names lost, while the CLI and the demo label them from the folders."""
    sign_in_as(window, "admin")
    window.show_page("capture")
    page = window.pages["capture"]
    assert page.folder_labels.isEnabled() and not page.folder_labels.isChecked()
    page.folder_labels.setChecked(True)
    page.import_paths([str(image_dir)])
    qtbot.waitUntil(lambda: page.import_job is None, timeout=20000)
    assert "8 labelled from their folder names" in page.summary.text()
    window.show_page("label")
    qtbot.waitUntil(lambda: "5 good · 3 defective · 0 unlabelled"
                    in window.pages["label"].counts.text())  # counted in the background


def test_folder_labels_need_someone_who_may_label(window, admin) -> None:  # noqa: ANN001
    box = window.pages["capture"].folder_labels
    assert not box.isEnabled()  # nobody signed in
    sign_in_as(window, "admin")
    assert box.isEnabled()

"""Train page before any model: counts, the fewer-than-5-good warning, synthetic examples."""

from __future__ import annotations

import pytest
from engine_fixtures import write_parts
from gui_helpers import sign_in_as, wait_for_job

from inspector.services.importing import import_paths

pytestmark = pytest.mark.gui


def test_warns_below_five_good_and_shows_synthetic_examples(window, project, admin, tmp_path,
                                                            qtbot, dialogs) -> None:  # noqa: ANN001
    write_parts(tmp_path / "data" / "good", 3, 0, size=64)
    import_paths(project, admin, [tmp_path / "data"], labels_from_folders=True)
    sign_in_as(window, "admin")
    assert window.show_page("train")
    page = window.pages["train"]
    assert "3</b> good" in page.summary.text()
    assert "at least 5" in page.warnings.text()
    assert "No model yet" in page.models.metrics.text()
    job = page.load_examples()
    wait_for_job(qtbot, job, 30_000)
    assert dialogs == []
    assert page.examples_row.count() == 6


def test_qa_sets_false_reject_targets_operators_only_see_them(window, project, admin,
                                                              qtbot) -> None:  # noqa: ANN001
    from inspector.services.operators import add_operator

    add_operator(project, admin, "olga", role="operator")
    sign_in_as(window, "admin")
    assert window.show_page("train")
    cal = window.pages["train"].calibration
    assert cal.target.isEnabled() and cal.target.value() == 1.0
    assert cal.band.text() == "off"
    cal.target.setValue(2.5)
    cal.target.editingFinished.emit()
    cal.band.setValue(6.0)
    cal.band.editingFinished.emit()
    assert project.get_setting("target_false_reject_rate") == 0.025
    assert project.get_setting("uncertain_false_reject_rate") == 0.06
    cal.band.setValue(0.0)  # back to "off"
    cal.band.editingFinished.emit()
    assert project.get_setting("uncertain_false_reject_rate") is None
    cal.target.setValue(0.7)
    cal.target.editingFinished.emit()
    assert project.get_setting("target_false_reject_rate") == 0.007  # a clean number
    project.set_setting(window.state.actor, "target_false_reject_rate", 0.0125)  # the CLI
    project.set_setting(window.state.actor, "uncertain_false_reject_rate", 0.0404)
    cal.reload()
    for box in (cal.target, cal.band):  # focus passes through: nothing is rewritten
        box.editingFinished.emit()
    assert project.get_setting("target_false_reject_rate") == 0.0125
    assert project.get_setting("uncertain_false_reject_rate") == 0.0404
    cal.band.setValue(1.0)  # a band inside the target: refused at once, not at training
    cal.band.editingFinished.emit()
    assert project.get_setting("uncertain_false_reject_rate") == 0.0404
    project.set_setting(window.state.actor, "uncertain_false_reject_rate", None)
    project.set_setting(window.state.actor, "target_false_reject_rate", 0.025)

    sign_in_as(window, "olga")
    assert window.show_page("train")
    assert not cal.target.isEnabled() and not cal.band.isEnabled()
    assert cal.target.value() == 2.5


def test_labels_after_the_active_model_ask_for_a_retrain(window, project, admin, tmp_path,
                                                         qtbot) -> None:  # noqa: ANN001
    from store_helpers import add_active_model, newest_label_id

    from inspector.services import labeling
    from inspector.services.products import add_product

    add_product(project, admin, "disc")
    write_parts(tmp_path / "data" / "good", 6, 0, size=64)
    import_paths(project, admin, [tmp_path / "data"], product="disc", labels_from_folders=True)
    add_active_model(project, "disc", {"good": 6, "defective": 0, "defect_types": {},
                                       "last_label_id": newest_label_id(project)})
    window.state.set_product("disc")
    sign_in_as(window, "admin")
    assert window.show_page("train")
    page = window.pages["train"]
    assert not page.since.isVisibleTo(page)  # the model knows every label

    fresh = write_parts(tmp_path / "new", 1, 900, defect=True, size=64)
    image_id = import_paths(project, admin, fresh, product="disc").stored[0].id
    labeling.add_defect_type(project, admin, "crack")
    labeling.label_image(project, admin, image_id, "defective", "crack")
    window.state.notify("labels")  # as the Label page and other stations' labels do
    qtbot.waitUntil(lambda: page.since.isVisibleTo(page), timeout=5000)
    text = page.since.text()
    assert "Since model v1 was trained: 1 new defective image, 1 defect type" in text
    assert "it has not seen (crack)" in text and "Retrain" in text


def test_a_refresh_from_elsewhere_keeps_a_value_being_typed(window, qtbot) -> None:  # noqa: ANN001
    """Each part another station labelled reloaded the calibration boxes (and the
    threshold slider) and undid what the QA lead was typing or dragging."""
    sign_in_as(window, "admin")
    assert window.show_page("train")
    page = window.pages["train"]
    box = page.calibration.target
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "7")  # 7 %, not yet confirmed
    typed = box.value()
    window.state.notify("labels")  # another station labelled an image
    assert page.summary_refresh.job is not None
    qtbot.waitUntil(lambda: page.summary_refresh.job is None)
    assert box.value() == typed != 1.0


def test_examples_of_the_previous_product_are_not_shown(window, project, admin, qtbot,
                                                        monkeypatch) -> None:  # noqa: ANN001
    """Examples drawn on product A's goods stayed (or arrived) after B was chosen."""
    import time

    import numpy as np

    import ui.pages.train_page as train_page
    from inspector.services.products import add_product

    add_product(project, admin, "A")
    add_product(project, admin, "B")

    def slow_examples(_project, _product):  # noqa: ANN001, ANN202
        time.sleep(0.3)
        return [(np.full((32, 32, 3), 200, np.uint8), None)] * 6

    monkeypatch.setattr(train_page, "_examples_with_masks", slow_examples)
    sign_in_as(window, "admin")
    window.state.set_product("A")
    window.show_page("train")
    page = window.pages["train"]
    page.summary_good = 1
    wait_for_job(qtbot, page.load_examples(), 5000)
    assert page.examples_row.count() == 6
    job = page.load_examples()
    window.state.set_product("B")  # chosen while the next examples load
    assert page.examples_row.count() == 0
    wait_for_job(qtbot, job, 5000)
    assert page.examples_row.count() == 0

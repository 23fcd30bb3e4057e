"""Train, inspect, override and history pages end to end on one small trained project."""

from __future__ import annotations

import pytest
from gui_helpers import sign_in_as, wait_for_job
from PySide6.QtCore import QDate, Qt
from trained_disc import trained_disc

from inspector.imaging.camera import FakeCamera
from inspector.services import inspection, models
from inspector.store import roles

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def trained(tmp_path_factory):  # noqa: ANN001, ANN201
    """Project with product 'disc': 6 good + 1 defective labelled, model v1 (fast) active."""
    made = trained_disc(tmp_path_factory)
    yield made.project, made.good, made.bad
    made.project.close()


@pytest.fixture
def project(trained):  # noqa: ANN001, ANN201 - overrides the empty project of tests/conftest
    return trained[0]


@pytest.fixture
def disc(window):  # noqa: ANN001, ANN201
    window.state.set_product("disc")
    return window


def inspect_on_page(window, qtbot, paths, who: str = "op"):  # noqa: ANN001, ANN201
    """Sign in as ``who``, open Inspect, inspect ``paths`` and wait; returns the page."""
    sign_in_as(window, who)
    window.show_page("inspect")
    page = window.pages["inspect"]
    wait_for_inspection(page, qtbot, paths)
    return page


def wait_for_inspection(page, qtbot, paths) -> None:  # noqa: ANN001
    job = page.inspect_paths(paths)
    wait_for_job(qtbot, job, 60_000)


def camera_on_page(window, image_path):  # noqa: ANN001, ANN201
    """The operator on Inspect with the live camera showing a fake camera's frame."""
    import cv2

    frame = cv2.cvtColor(cv2.imread(str(image_path)), cv2.COLOR_BGR2RGB)
    sign_in_as(window, "op")
    window.show_page("inspect")
    page = window.pages["inspect"]
    page.camera_button.setChecked(True)
    page.camera.start(FakeCamera([frame]))
    return page


def test_gui_training_adds_a_version(disc, project, qtbot, dialogs) -> None:  # noqa: ANN001
    sign_in_as(disc, "lead")
    assert disc.show_page("train")
    page = disc.pages["train"]
    assert "6</b> good" in page.summary.text()
    page.preset.setCurrentText("fast")
    before = {m.version for m in models.list_models(project, "disc")}
    assert page.train_button.isEnabled()
    job = page.start_training()
    assert page.progress.isVisible()
    wait_for_job(qtbot, job, 180_000)
    assert dialogs == []
    after = {m.version for m in models.list_models(project, "disc")}
    assert len(after - before) == 1
    assert "trained" in page.result.text()
    assert page.models.table.rowCount() == len(after)
    assert "local density: o" in page.models.metrics.text()  # training's choice, shown
    assert "synthetic defect patches:" in page.models.metrics.text()
    page.start_training().cancel()  # a second run, cancelled: the line must say so and stay
    qtbot.waitUntil(lambda: page.job is None, timeout=180_000)
    assert page.result.text() == "Training cancelled; nothing changed."
    assert {m.version for m in models.list_models(project, "disc")} == after


def test_threshold_slider_and_rollback(disc, project, dialogs, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    sign_in_as(disc, "lead")
    disc.show_page("train")
    panel = disc.pages["train"].models
    assert panel.threshold_box.isVisible() and panel.activate_button.isVisible()
    panel.table.selectRow(panel.table.rowCount() - 1)  # the oldest version
    oldest = panel.selected()
    panel.slider.setValue(panel.slider.value() // 2)
    assert "false rejects" in panel.rates.text()
    wanted = panel.slider_threshold()
    with monkeypatch.context() as m:  # the QA lead says No: nothing changes
        m.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
        panel.apply_threshold()
    assert models.get_model(project, oldest.version).threshold == pytest.approx(
        oldest.threshold)
    panel.apply_threshold()
    asked = [text for kind, text in dialogs if kind == "question"]
    assert asked and "false rejects" in asked[-1] and f"{wanted:.4g}" in asked[-1]
    assert models.get_model(project, oldest.version).threshold == pytest.approx(wanted)
    stored = models.get_model(project, oldest.version).threshold
    panel.apply_threshold()  # an untouched slider changes nothing (it used to creep)
    assert models.get_model(project, oldest.version).threshold == stored
    panel.slider.setValue(panel.slider.maximum() * 3 // 4)
    shown = panel.slider_threshold()  # what the rates line and the question show...
    assert f"Threshold {shown:.4g}" in panel.rates.text()
    panel.apply_threshold()
    assert models.get_model(project, oldest.version).threshold == pytest.approx(shown)  # ...is kept
    models.set_threshold(project, disc.state.actor, oldest.version, wanted)
    if not oldest.active:
        panel.table.selectRow(next(r for r, m in enumerate(panel.models)
                                   if m.version == oldest.version))
        panel.activate_button.click()
        assert models.get_model(project, oldest.version).active


def test_operator_sees_no_threshold_activate_or_override(disc) -> None:  # noqa: ANN001
    sign_in_as(disc, "op")
    disc.show_page("train")
    page = disc.pages["train"]
    assert page.train_button.isEnabled() == roles.allowed("operator", roles.TRAIN)
    assert page.models.threshold_box.isHidden()
    assert page.models.activate_button.isHidden()
    disc.show_page("inspect")
    assert disc.pages["inspect"].override_button.isHidden()


def test_inspect_file_shows_banner_and_stores_result(disc, project, trained, qtbot) -> None:  # noqa: ANN001
    page = inspect_on_page(disc, qtbot, [trained[2][0]], "op")
    stored = inspection.list_inspections(project, limit=1)[0]
    assert page.current is not None and page.current.id == stored.id
    assert stored.operator == "op"
    assert page.banner.verdict == stored.final_verdict
    assert page.banner.word.text() in ("OK", "NG", "UNCERTAIN")
    assert "threshold" in page.banner.detail.text()
    qtbot.waitUntil(lambda: not page.picture_pending())  # made ready in the background
    assert page.view.overlay_visible()
    qtbot.keyClick(page.view, Qt.Key.Key_H)
    assert not page.heatmap_box.isChecked()
    assert page.recent.count() == 1


def test_unfamiliar_image_shows_the_setup_warning(disc, trained, tmp_path, qtbot,
                                                  dialogs) -> None:  # noqa: ANN001
    import cv2
    import numpy as np

    stripes = np.zeros((96, 96, 3), np.uint8)
    stripes[:, ::12] = 220  # another product on the fixture
    odd = tmp_path / "stripes.png"
    cv2.imwrite(str(odd), stripes)
    sign_in_as(disc, "op")
    disc.show_page("inspect")
    page = disc.pages["inspect"]
    for path, expected in ((odd, True), (trained[1][0], False)):
        wait_for_inspection(page, qtbot, [path])
        assert page.current.unfamiliar is expected
        assert page.setup_warning.isHidden() is not expected
        if expected:  # an operator teaches the next training with one key
            page.view.setFocus()
            qtbot.keyClick(page.view, Qt.Key.Key_G)
            from inspector.services import labeling

            assert labeling.get_image(disc.state.project, page.current.image_id).state == "good"
            asked = [t for kind, t in dialogs if kind == "question"]
            assert bool(asked) is (page.current.final_verdict == "ng")  # NG parts: ask first
    assert "a large defect, or a changed camera, lighting or product" in page.setup_warning.text()
    from ui.widgets.verdict_banner import unfamiliar_text

    assert "label it good" not in unfamiliar_text("ng")  # never nudge towards a bad label
    assert "label it good" in unfamiliar_text("ok") and "label it good" in unfamiliar_text(
        "uncertain")
    assert disc.show_page("history")
    history = disc.pages["history"]
    flagged = next(r for r, info in enumerate(history.results) if info.unfamiliar)
    assert history.table.text(flagged, 2).endswith("⚠")
    history.table.selectRow(flagged)
    assert "Unlike the training images" in history.detail.text()
    from inspector.services import labeling as lab

    state_before = lab.get_image(disc.state.project, history.results[flagged].image_id).state
    assert state_before == "good"  # labelled on the Inspect page above
    ok_row = next(r for r, info in enumerate(history.results)
                  if info.final_verdict == "ok" and not info.unfamiliar)
    history.table.selectRow(ok_row)
    history.table.setFocus()
    qtbot.keyClick(history.table, Qt.Key.Key_G)  # the History page's shortcut
    assert lab.get_image(disc.state.project, history.results[ok_row].image_id).state == "good"


def test_inspect_live_camera_on_space(disc, project, trained, qtbot) -> None:  # noqa: ANN001
    page = camera_on_page(disc, trained[1][0])
    qtbot.waitUntil(lambda: page.camera.last_frame is not None, timeout=5000)
    before = len(inspection.list_inspections(project))
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(inspection.list_inspections(project)) == before + 1,
                    timeout=60_000)
    qtbot.waitUntil(lambda: page.job is None, timeout=10_000)
    page.shutdown()


def test_continuous_inspection_ends_when_the_camera_stops(disc, project, trained, qtbot) -> None:  # noqa: ANN001
    """A stopped or unplugged camera must not have its last picture recorded again and
    again; a stalled camera (no new frame) is not inspected twice either."""
    page = camera_on_page(disc, trained[1][0])
    qtbot.waitUntil(lambda: page.camera.last_frame is not None, timeout=5000)
    before = len(inspection.list_inspections(project))
    page.rate.setValue(0.2)
    page.continuous.setChecked(True)
    qtbot.waitUntil(lambda: len(inspection.list_inspections(project)) > before, timeout=60_000)
    qtbot.waitUntil(lambda: page.job is None, timeout=30_000)
    assert page.timer.isActive()
    page.camera.camera_thread.frame.disconnect()  # the camera stalls: no new frame arrives
    page._inspected_serial = page.camera.frame_serial
    assert page.inspect_camera_frame() is None
    page.camera.stop()
    assert not page.continuous.isChecked() and not page.timer.isActive()
    assert page.automatic_work() is None  # idle sign-out is no longer held back
    qtbot.waitUntil(lambda: page.job is None, timeout=30_000)
    count = len(inspection.list_inspections(project))
    qtbot.wait(700)
    assert len(inspection.list_inspections(project)) == count
    page.setFocus()
    assert page.inspect_camera_frame() is None  # Space after Stop: nothing stale stored
    page.shutdown()


def test_qa_lead_override_and_history(disc, project, trained, qtbot) -> None:  # noqa: ANN001
    page = inspect_on_page(disc, qtbot, [trained[1][0]], "lead")
    machine = page.current.verdict
    new = "ng" if machine != "ng" else "ok"
    info = page.apply_override(new, "seen under the microscope")
    assert info is not None and info.final_verdict == new and info.verdict == machine
    assert page.banner.verdict == new
    from ui.widgets.verdict_banner import WORDS

    assert page.recent.verdicts()[0] == WORDS[new]  # the strip follows the override
    page.recent.chosen.emit(page.recent.item(0).data(Qt.ItemDataRole.UserRole))
    assert page.banner.verdict == new  # and a click on it shows the new verdict
    stored = inspection.list_inspections(project, limit=1)[0]
    assert stored.override_reason == "seen under the microscope"
    assert disc.show_page("history")
    history = disc.pages["history"]
    assert history.table.rowCount() >= 1
    assert history.results[0].id == stored.id
    history.since.setDate(QDate.currentDate().addDays(1))  # reloads: nothing from tomorrow
    assert history.table.rowCount() == 0
    history.since.setDate(QDate.currentDate())  # local midnight today: the new inspection
    assert history.results and history.results[0].id == stored.id
    history.since.clear_filter()
    history.search.setText("no-such-file-xyz")
    history.reload()
    assert history.table.rowCount() == 0


def test_pages_with_data_fit_1366x768(disc) -> None:  # noqa: ANN001
    sign_in_as(disc, "lead")
    for key in disc.pages:
        assert disc.show_page(key)
        hint = disc.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 740, (key, hint)


def test_labelling_a_rejected_part_good_needs_a_yes(disc, trained, qtbot, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    from inspector.services import labeling

    sign_in_as(disc, "op")
    disc.show_page("inspect")
    page = disc.pages["inspect"]
    job = page.inspect_paths([trained[2][0]])  # the defective part
    wait_for_job(qtbot, job, 60_000)
    assert page.current.final_verdict == "ng"
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.No)
    assert page.label_good() is False
    assert labeling.get_image(disc.state.project, page.current.image_id).state != "good"


def test_unreadable_file_never_leaves_the_last_verdict_up(disc, trained, tmp_path,
                                                         qtbot, dialogs) -> None:  # noqa: ANN001
    """The banner belongs to the part in hand: a file that cannot be inspected clears it,
    and a batch says which files were not inspected, beside the counts."""
    page = inspect_on_page(disc, qtbot, [trained[1][0]], "op")
    assert page.banner.verdict in ("ok", "ng", "uncertain")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    job = page.inspect_paths([broken])
    assert page.banner.verdict == "none"  # cleared as soon as the new part is started
    wait_for_job(qtbot, job, 60_000)
    assert page.banner.verdict == "none" and page.current is None
    assert page.banner.detail.text() == "NOT INSPECTED"
    assert "1 file(s) NOT inspected: broken.png" in page.batch_note.text()
    folder = tmp_path / "batch"
    folder.mkdir()
    for src in (trained[1][0], trained[2][0]):
        (folder / src.name).write_bytes(src.read_bytes())
    (folder / "zero.png").write_bytes(b"")
    wait_for_inspection(page, qtbot, [folder])
    note = page.batch_note.text()
    assert note.startswith("2 inspected:") and "zero.png" in note
    assert page.batch_note.isVisible()
    assert dialogs == []


def test_escape_cancels_a_batch_and_the_page_says_so(disc, qtbot, monkeypatch) -> None:  # noqa: ANN001
    import time

    def slow_batch(project, actor, paths, product, progress=None, cancel=None):  # noqa: ANN001, ANN202
        while True:
            cancel.check()
            time.sleep(0.01)

    monkeypatch.setattr("ui.pages.inspect_page.inspect_files", slow_batch)
    sign_in_as(disc, "op")
    disc.show_page("inspect")
    page = disc.pages["inspect"]
    page.inspect_paths(["somewhere"])
    assert page.progress.busy
    qtbot.keyClick(disc, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.job is None, timeout=10_000)
    assert page.banner.verdict == "none" and page.banner.detail.text() == "Cancelled"
    assert page.batch_note.text().startswith("Inspection cancelled after 0 part(s): 0 NG")
    assert not disc.cancel_visible_job()  # nothing left to cancel


def test_continuous_inspection_goes_on_through_an_idle_sign_out(disc, project, trained,
                                                                 qtbot) -> None:  # noqa: ANN001
    """It kept the station signed in, with the starter's rights open at an unattended
    keyboard; now the person is signed out and the camera goes on under their name."""
    page = camera_on_page(disc, trained[1][0])
    starter = disc.state.actor.name
    page.rate.setValue(0.5)
    page.continuous.setChecked(True)
    assert page.automatic_work()
    disc.idle.idle.emit()  # the idle timer fires
    assert disc.state.actor is None and page.timer.isActive() and page.camera.running
    assert "goes on under" in disc.pages["signin"].status.text()
    count = len(inspection.list_inspections(project))
    qtbot.waitUntil(lambda: len(inspection.list_inspections(project)) > count, timeout=30_000)
    assert inspection.list_inspections(project, limit=1)[0].operator == starter
    page.continuous.setChecked(False)
    qtbot.waitUntil(lambda: page.job is None, timeout=30_000)
    page.shutdown()


def test_a_batch_of_12_bit_files_says_how_to_read_them(disc, trained, tmp_path, qtbot) -> None:  # noqa: ANN001
    import cv2
    import numpy as np

    deep = tmp_path / "deep.tif"
    cv2.imwrite(str(deep), np.full((64, 64), 1500, np.uint16))
    page = inspect_on_page(disc, qtbot, [deep], "op")
    assert page.current is not None  # judged, as the model was trained at this setting
    assert "⚠ 1 16-bit picture(s) use only 11 bits" in page.batch_note.text()


def test_a_qa_lead_compares_a_version_on_recent_parts(disc, trained, qtbot, dialogs) -> None:  # noqa: ANN001
    inspect_on_page(disc, qtbot, [trained[1][0], trained[2][0]], "lead")
    disc.show_page("train")
    page = disc.pages["train"]
    panel = page.models
    assert panel.compare_button.isVisible() and panel.compare_button.isEnabled()
    assert not panel.comparison.isVisible()
    version = panel.selected().version
    panel.compare_button.click()
    job = page.job
    assert job is not None and not panel.compare_button.isEnabled()  # one job at a time
    assert not page.train_button.isEnabled() and page.progress.isVisible()
    wait_for_job(qtbot, job, 60_000)
    assert dialogs == []
    assert panel.comparison.isVisible()
    assert panel.comparison.text().startswith(f"v{version} on the last ")
    assert panel.compare_button.isEnabled() and page.train_button.isEnabled()
    other = next((r for r, m in enumerate(panel.models) if m.version != version), None)
    if other is not None:  # the finding belongs to the version it was made for
        panel.table.selectRow(other)
        assert not panel.comparison.isVisible()
    sign_in_as(disc, "op")
    disc.show_page("train")
    assert panel.compare_button.isHidden()


def test_an_idle_sign_out_during_a_folder_batch_closes_a_camera_left_open(disc, trained,
                                                                          qtbot) -> None:  # noqa: ANN001
    """The batch goes on under its starter; the live camera beside it (not inspecting
    on its own) stayed open for nobody."""
    page = camera_on_page(disc, trained[1][0])
    qtbot.waitUntil(lambda: page.camera.running, timeout=5000)
    page.job = object()  # a folder batch under way (its own worker keeps its actor)
    try:
        assert page.automatic_work() == "a file or folder inspection"
        disc.idle.idle.emit()
        assert disc.state.actor is None
        qtbot.waitUntil(lambda: not page.camera.running, timeout=10_000)
    finally:
        page.job = None
        page.shutdown()

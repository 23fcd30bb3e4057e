"""The Inspect page at its edges, as found by walking through a shift: a batch cancelled
after somebody else signed in, an override made on History, a model trained at another
station, the O key of an operator, an empty folder, inspections while the job threads are
busy; and the History and Label keys right after opening a page or picking a date."""

from __future__ import annotations

import threading

import pytest
from engine_fixtures import write_parts
from gui_helpers import answer_question, sign_in_as, wait_for_job
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from trained_disc import trained_disc

from inspector.services import inspection, labeling, training
from inspector.services.importing import import_paths
from inspector.services.products import add_product
from inspector.services.session import sign_in

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def trained(tmp_path_factory):  # noqa: ANN001, ANN201
    """Product 'disc' with model v1 (fast) active; three good and one defective test part."""
    made = trained_disc(tmp_path_factory, goods=5, defects=0, test_goods=3)
    yield made.project, made.good, made.bad, made.data
    made.project.close()


@pytest.fixture
def project(trained):  # noqa: ANN001, ANN201 - overrides the empty project of tests/conftest
    return trained[0]


@pytest.fixture
def disc(window):  # noqa: ANN001, ANN201
    window.state.set_product("disc")
    return window


def _inspect(window, qtbot, paths, who: str):  # noqa: ANN001, ANN201
    sign_in_as(window, who)
    window.show_page("inspect")
    page = window.pages["inspect"]
    job = page.inspect_paths(paths)
    wait_for_job(qtbot, job, 60_000)
    return page


def test_a_batch_cancelled_by_the_next_operator_counts_its_own_parts(
        disc, trained, qtbot, monkeypatch) -> None:  # noqa: ANN001
    """The operator who started a batch signed out, the next one pressed Esc: the note
    said "0 part(s)" although the batch had stored its parts (under the first)."""
    stored = threading.Event()

    def two_then_wait(project, actor, paths, product, progress=None, cancel=None):  # noqa: ANN001, ANN202
        inspection.inspect_paths(project, actor, trained[1][:2], product=product)
        stored.set()
        while True:
            cancel.check()
            stored.wait(0.01)

    monkeypatch.setattr("ui.pages.inspect_page.inspect_files", two_then_wait)
    sign_in_as(disc, "op")
    disc.show_page("inspect")
    page = disc.pages["inspect"]
    page.inspect_paths(["a folder"])
    assert stored.wait(60)
    assert disc.pages["inspect"].automatic_work()  # the idle sign-out waits for it
    asked: list[str] = []
    answer_question("Keep it running", asked)
    sign_in_as(disc, "lead")
    assert asked and "Inspecting (" in asked[0]
    disc.show_page("inspect")
    assert disc.cancel_visible_job()
    qtbot.waitUntil(lambda: page.job is None, timeout=10_000)
    assert page.batch_note.text().startswith("Inspection cancelled after 2 part(s): 0 NG")


def test_an_override_on_history_shows_when_inspect_is_opened_again(disc, trained,
                                                                    qtbot) -> None:  # noqa: ANN001
    page = _inspect(disc, qtbot, [trained[2][0]], "lead")
    judged = page.current
    assert judged is not None and judged.final_verdict == "ng"
    inspection.override_verdict(disc.state.project, disc.state.actor, judged.id, "ok",
                                "dust, wiped off")  # as History does
    disc.show_page("history")
    disc.show_page("inspect")
    assert page.current.final_verdict == "ok" and page.banner.verdict == "ok"
    assert page.current.heatmap is not None  # the part on screen keeps its live heat map
    assert page.recent.verdicts()[0] == "OK"
    assert page.recent.payloads()[0].override_reason == "dust, wiped off"


def test_a_model_trained_at_another_station_is_found(disc, trained, qtbot) -> None:  # noqa: ANN001
    """Inspect stayed on "No model yet" until the page was left and opened again."""
    project, data = trained[0], trained[3]
    admin = sign_in(project, "admin")
    add_product(project, admin, "washer")
    write_parts(data / "washer", 3, 700, size=64)
    import_paths(project, admin, [data / "washer"], product="washer")
    for image in labeling.list_images(project, product="washer"):
        labeling.label_image(project, admin, image.id, "good")
    sign_in_as(disc, "op")
    disc.state.set_product("washer")
    disc.show_page("inspect")
    page = disc.pages["inspect"]
    assert not page.file_button.isEnabled() and page.model_watch.isActive()
    page.model_watch.setInterval(50)
    training.train(project, admin, product="washer", preset="fast")  # "another station"
    qtbot.waitUntil(page.file_button.isEnabled, timeout=10_000)
    assert not page.model_watch.isActive()


def test_the_o_key_of_an_operator_opens_no_override_dialog(disc, trained, qtbot,
                                                           monkeypatch) -> None:  # noqa: ANN001
    asked: list[object] = []
    monkeypatch.setattr("ui.pages.inspect_page.ask_override",
                        lambda *args: asked.append(args))
    page = _inspect(disc, qtbot, [trained[1][0]], "op")
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_O)
    assert asked == []
    sign_in_as(disc, "lead")
    disc.show_page("inspect")
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_O)
    assert len(asked) == 1


def test_an_empty_folder_is_one_message(disc, tmp_path, qtbot, dialogs) -> None:  # noqa: ANN001
    (tmp_path / "empty").mkdir()
    page = _inspect(disc, qtbot, [tmp_path / "empty"], "op")
    assert len(dialogs) == 1 and "No image files" in dialogs[0][1]
    assert not page.batch_note.isVisible()  # no "stopped after 0 part(s)… stored"


def test_a_part_is_judged_while_both_job_threads_are_busy(disc, trained, qtbot) -> None:  # noqa: ANN001
    """A training and an import held the two job threads: a part waited 6 s, not 0.3 s."""
    from ui.worker import Job

    release = threading.Event()
    blockers = [Job(release.wait, 120).start() for _ in range(2)]  # longer than _inspect waits
    try:
        page = _inspect(disc, qtbot, [trained[1][1]], "op")
        assert page.current is not None and all(job.running for job in blockers)
    finally:
        release.set()
        for job in blockers:
            qtbot.waitUntil(lambda j=job: not j.running, timeout=10_000)


def test_history_opens_with_the_keyboard_on_the_table(disc, trained, qtbot) -> None:  # noqa: ANN001
    """G on History went into the search box as a letter; the part stayed unlabelled."""
    _inspect(disc, qtbot, [trained[1][2]], "lead")
    disc.show_page("history")
    history = disc.pages["history"]
    qtbot.waitUntil(lambda: history.selected_info() is not None)
    chosen = history.selected_info()
    focus = QApplication.focusWidget()
    assert focus is history.table
    qtbot.keyClick(focus, Qt.Key.Key_G)
    assert history.search.text() == ""
    assert labeling.label_history(disc.state.project, chosen.image_id)[-1].verdict == "good"
    qtbot.keyClick(focus, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is history.search
    history.since.setFocus()
    qtbot.keyClick(history.since, Qt.Key.Key_Return)  # a date chosen: back to the table
    assert QApplication.focusWidget() is history.table


def test_the_line_under_the_picture_keeps_the_model_on_a_small_screen(disc, trained,
                                                                      qtbot) -> None:  # noqa: ANN001
    """Cut in the middle, "model v1" read "m… v1" at 1366 px and was gone at 1024."""
    page = _inspect(disc, qtbot, [trained[1][0]], "op")
    disc.resize(1024, 600)
    qtbot.wait(50)
    assert page.detail.is_elided()
    shown = page.detail.shown_text()
    assert shown.startswith(f"{trained[1][0].name} · model v1"), shown


def test_a_lost_camera_is_opened_again_and_continuous_inspection_goes_on(
        disc, trained, qtbot) -> None:  # noqa: ANN001
    """An unplugged camera ended continuous inspection for good: a station left alone
    recorded nothing for the rest of the shift. Now the camera is opened again every few
    seconds, and continuous inspection waits for it and goes on; Stop gives up."""
    import cv2

    from inspector.imaging.camera import CameraError, FakeCamera

    frame = cv2.cvtColor(cv2.imread(str(trained[1][0])), cv2.COLOR_BGR2RGB)
    plugged = {"in": False}

    def reopen():  # noqa: ANN202 - the camera as the page makes it again
        if not plugged["in"]:
            raise CameraError("USB camera 0 cannot be opened")
        return FakeCamera([frame])

    sign_in_as(disc, "op")
    disc.show_page("inspect")
    page = disc.pages["inspect"]
    page.camera_button.setChecked(True)
    page.camera.reopen_timer.setInterval(100)
    page.camera.start(FakeCamera([frame], fail_after=3), reopen=reopen)
    qtbot.waitUntil(lambda: page.camera.last_frame is not None, timeout=5000)
    page.continuous.setChecked(True)
    qtbot.waitUntil(lambda: page.camera.reopening, timeout=10_000)  # unplugged
    assert not page.continuous.isChecked() and page.automatic_work()
    qtbot.waitUntil(lambda: "Trying again" in page.camera.status.text(), timeout=5000)
    plugged["in"] = True
    qtbot.waitUntil(page.continuous.isChecked, timeout=10_000)  # back, and inspecting
    assert page.camera.running
    page.camera.stop()  # a person gives up: nothing reopens
    assert not page.camera.reopening and not page.continuous.isChecked()
    qtbot.wait(300)
    qtbot.waitUntil(lambda: page.job is None, timeout=30_000)
    assert not page.camera.running and page.automatic_work() is None
    plugged["in"] = False  # lost again, and this time Stop is pressed while it is away
    page.camera.start(FakeCamera([frame], fail_after=3), reopen=reopen)
    page.continuous.setChecked(True)
    qtbot.waitUntil(lambda: page.camera.reopening, timeout=10_000)
    assert page.automatic_work()
    page.camera.stop()
    qtbot.waitUntil(lambda: page.job is None, timeout=30_000)
    assert page.automatic_work() is None  # nothing waits for a camera given up
    page.shutdown()


def test_a_failed_frame_pauses_continuous_inspection_and_it_goes_on(
        disc, trained, qtbot, dialogs, monkeypatch) -> None:  # noqa: ANN001
    """A database busy for one frame showed a modal dialog and unticked Auto: an
    unattended station inspected nothing more for the rest of the shift."""
    import cv2

    import ui.widgets.auto_inspect as auto_inspect
    from inspector.errors import UserError
    from inspector.imaging.camera import FakeCamera

    frame = cv2.cvtColor(cv2.imread(str(trained[1][0])), cv2.COLOR_BGR2RGB)
    calls = {"n": 0}
    real = inspection.inspect_array

    def flaky(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls["n"] += 1
        if calls["n"] == 2:
            raise UserError("The database is busy (another program is writing).") from \
                OSError(11, "busy")
        if calls["n"] == 5:
            raise UserError("No active model.")  # no passing problem: said, and it ends
        return real(*args, **kwargs)

    monkeypatch.setattr(inspection, "inspect_array", flaky)
    monkeypatch.setattr(auto_inspect, "PAUSE_AFTER_S", (1,), raising=False)
    said: list[str] = []
    disc.state.status_message.connect(said.append)
    sign_in_as(disc, "op")
    disc.show_page("inspect")
    page = disc.pages["inspect"]
    page.camera_button.setChecked(True)
    page.rate.setValue(0.2)
    page.camera.start(FakeCamera(lambda i: frame.copy()))
    qtbot.waitUntil(lambda: page.camera.last_frame is not None, timeout=5000)
    page.continuous.setChecked(True)
    qtbot.waitUntil(lambda: calls["n"] >= 3, timeout=30_000)  # paused, then on again
    assert page.continuous.isChecked() and dialogs == []
    assert any("not inspected (The database is busy" in s and "again in 1 s" in s
               for s in said)
    assert page.automatic_work() == "continuous camera inspection"
    qtbot.waitUntil(lambda: not page.continuous.isChecked(), timeout=30_000)
    assert calls["n"] == 5 and [kind for kind, _ in dialogs] == ["warning"]
    page.camera.stop()
    qtbot.waitUntil(lambda: page.job is None, timeout=30_000)

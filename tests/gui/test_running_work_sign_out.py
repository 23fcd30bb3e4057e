"""Ending a session by hand while long work runs asks: keep it, cancel it, or go back.
Before, a training kept running after its starter signed out and its model went live
under their rights without a word."""

from __future__ import annotations

import time

import pytest
from gui_helpers import answer_question, sign_in_as, wait_for_job

from ui.worker import Job

pytestmark = pytest.mark.gui


def _until_cancelled(cancel=None) -> None:  # noqa: ANN001
    while True:
        cancel.check()
        time.sleep(0.01)


@pytest.fixture
def running(window, actor, qtbot):  # noqa: ANN001, ANN201
    """Signed in as 'op'; a job runs on the Train page's progress panel until cancelled."""
    sign_in_as(window, "op")
    panel = window.pages["train"].progress
    job = Job(_until_cancelled)
    panel.attach(job, "Training…")
    job.start()
    qtbot.waitUntil(lambda: job.running)
    return job


def _stop(job, qtbot) -> None:  # noqa: ANN001
    """In the test: pytest-qt closes the window before fixtures are torn down."""
    job.cancel()
    wait_for_job(qtbot, job, 5000)


@pytest.mark.parametrize(("answer", "signed_out", "still_running"), [
    ("Go back", False, True), ("Keep it running", True, True), ("Cancel it", True, False)])
def test_sign_out_asks_about_a_running_training(window, running, qtbot, answer, signed_out,  # noqa: ANN001
                                                still_running) -> None:
    seen: list[str] = []
    answer_question(answer, seen)
    window.pages["signin"].sign_out_button.click()
    assert seen and "Training (" in seen[0]
    assert (window.state.actor is None) == signed_out
    if still_running:
        qtbot.wait(100)
        assert running.running
    else:
        wait_for_job(qtbot, running, 5000)
        assert not window.pages["train"].progress.busy
    _stop(running, qtbot)


def test_signing_in_over_someone_asks_too(window, running, admin, qtbot) -> None:  # noqa: ANN001
    seen: list[str] = []
    answer_question("Go back", seen)
    page = window.pages["signin"]
    page.operator_box.setCurrentText("admin")
    page.sign_in_button.click()
    assert seen and window.state.actor.name == "op"
    _stop(running, qtbot)


def test_nothing_running_signs_out_without_a_question(window, actor, qtbot) -> None:  # noqa: ANN001
    sign_in_as(window, "op")
    seen: list[str] = []
    answer_question("Go back", seen, tries=10)  # a question would be answered "Go back"
    window.pages["signin"].sign_out_button.click()
    assert window.state.actor is None and not seen
    qtbot.wait(300)



def test_a_refused_hand_over_asks_nothing_and_cancels_nothing(window, running, project,  # noqa: ANN001
                                                              admin, qtbot) -> None:
    """The question came before the PIN was checked: "Cancel it", then a wrong PIN, and
    the training was gone while the first person stayed signed in."""
    from inspector.services.operators import set_pin

    set_pin(project, admin, "admin", "4711")
    seen: list[str] = []
    answer_question("Cancel it", seen, tries=10)
    page = window.pages["signin"]
    page.operator_box.setCurrentText("admin")
    page.pin_edit.setText("0000")
    page.sign_in_button.click()
    qtbot.wait(300)
    assert not seen and window.state.actor.name == "op" and running.running
    _stop(running, qtbot)

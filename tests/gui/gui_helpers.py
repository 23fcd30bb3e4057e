"""Helpers shared by the GUI tests (importable; conftest is not)."""

from __future__ import annotations


def sign_in_as(window, name: str, pin: str | None = None) -> None:  # noqa: ANN001
    """Drive the sign-in page like a person would."""
    page = window.pages["signin"]
    window.show_page("signin")
    if page.operator_box.findText(name) < 0:
        page.refresh()
    page.operator_box.setCurrentText(name)
    if pin:
        page.pin_edit.setText(pin)
    page.sign_in_button.click()
    assert window.state.actor is not None and window.state.actor.name == name


def slow_pictures(monkeypatch, delay: float) -> list[int]:  # noqa: ANN001
    """Stored images 'decode' slowly (in the picture worker) into a flat picture whose
    grey level is the image id, so the view tells which image it came from. Returns the
    ids whose decode started, in order."""
    import threading
    import time

    import numpy as np

    from inspector.services import labeling

    started: list[int] = []
    lock = threading.Lock()

    def slow_load(_project, image_id, **_kwargs):  # noqa: ANN001, ANN003, ANN202
        with lock:
            started.append(image_id)
        time.sleep(delay)
        return np.full((40, 40, 3), image_id, np.uint8)

    monkeypatch.setattr(labeling, "load_image", slow_load)
    return started


def picture_grey(view) -> int:  # noqa: ANN001
    """The grey level of the picture on an ImageView (with slow_pictures: its image id)."""
    pix = view._image_item.pixmap()
    assert not pix.isNull()
    return pix.toImage().pixelColor(5, 5).red()


def picture_seen(page, qtbot) -> None:  # noqa: ANN001
    """Wait for the picture of the image named on the Label page: pictures load in the
    background and label keys wait for them."""
    qtbot.waitUntil(lambda: not page.picture_pending())


def wait_for_job(qtbot, job, timeout: int) -> None:  # noqa: ANN001
    """Wait until a started ui.worker Job has ended. Not waitSignal(job.done): a job that
    ends before the wait begins emits "done" to nobody (the signal crosses threads, so
    only slots connected when it is emitted get it), and the test timed out under load."""
    qtbot.waitUntil(lambda: not job.running, timeout=timeout)


def answer_question(text: str, seen: list[str], tries: int = 100) -> None:
    """Press the button ``text`` of the question once it is up (it runs its own loop);
    looks for it for ``tries`` x 20 ms. Call it before the action that asks."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def press(left: int = tries) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if left:
                QTimer.singleShot(20, lambda: press(left - 1))
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == text).click()
    QTimer.singleShot(20, press)


def hold(monkeypatch, module, name: str):  # noqa: ANN001, ANN201
    """Make ``module.name`` wait (in its worker) until the returned event is set, then do
    its work: the page is caught while the work runs."""
    import threading

    release = threading.Event()
    real = getattr(module, name)

    def held(*args):  # noqa: ANN002, ANN202 - positional: ui.worker.Job passes progress
        release.wait(10)  # and cancel to a function that takes keywords
        return real(*args)

    monkeypatch.setattr(module, name, held)
    return release

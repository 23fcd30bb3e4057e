"""Signing out, by hand or after inactivity, leaves nothing behind for the next person:
no camera streaming for nobody, no admin's offer on the screen, no dialog that would act
in the signed-out person's name; and Enter in the idle-minutes box saves it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from inspector.imaging.camera import FakeCamera
from inspector.services.importing import import_array
from inspector.store.models import Inspection

pytestmark = pytest.mark.gui


def test_the_cameras_stop_when_the_operator_signs_out(window, qtbot) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    for key in ("inspect", "capture"):
        window.show_page(key)
        camera = window.pages[key].camera
        camera.start(FakeCamera([np.full((48, 64, 3), 90, np.uint8)]))
        qtbot.waitUntil(lambda camera=camera: camera.running)
    window.state.set_actor(None)
    for key in ("inspect", "capture"):
        camera = window.pages[key].camera
        qtbot.waitUntil(lambda camera=camera: not camera.running)


def test_the_admins_sensor_bits_offer_goes_with_the_admin(window, actor, qtbot) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    window.show_page("capture")
    page = window.pages["capture"]
    page._offer_bits(12)  # an import of 12-bit pictures proposed the setting
    assert page.bits_button.isVisibleTo(page)
    sign_in_as(window, "op")
    assert not page.bits_button.isVisibleTo(page)


def test_idle_sign_out_closes_a_dialog_left_open(window, project, admin, qtbot) -> None:  # noqa: ANN001
    """A QA lead called away mid-reason: the dialog stayed up over the sign-in page and
    its OK failed, or could be finished by anybody in the lead's name."""
    img = import_array(project, admin, np.full((16, 16, 3), 99, np.uint8), source="file")
    with project.db.session() as s:
        s.add(Inspection(image_id=img.id, score=2.0, threshold=1.0, verdict="ng",
                         inspected_at=dt.datetime.now(dt.UTC)))
    sign_in_as(window, "admin")
    window.show_page("history")
    seen = {}

    def called_away() -> None:
        seen["dialog"] = QApplication.activeModalWidget()
        window.idle.timer.timeout.emit()  # 10 minutes without input
        seen["still open"] = seen["dialog"].isVisible()

    def safety_net() -> None:  # a failing run must end, not wait for a person
        if (left := QApplication.activeModalWidget()) is not None:
            left.reject()

    QTimer.singleShot(100, called_away)
    QTimer.singleShot(3000, safety_net)
    assert window.pages["history"].override() is None
    assert seen["dialog"] is not None and not seen["still open"]
    assert window.state.actor is None
    with project.db.session() as s:
        assert s.query(Inspection).one().override_verdict is None


def test_enter_in_the_idle_minutes_box_saves_it(window, qtbot) -> None:  # noqa: ANN001
    """Enter is the page's sign-in key: in the idle box it signed in again, left the
    page and put the stored value back."""
    sign_in_as(window, "admin")
    window.show_page("signin")
    page = window.pages["signin"]
    changes = []
    window.state.actor_changed.connect(changes.append)
    page.idle_spin.setFocus()
    page.idle_spin.lineEdit().selectAll()
    qtbot.keyClicks(page.idle_spin, "30")
    qtbot.keyClick(page.idle_spin, Qt.Key.Key_Return)
    assert not changes and window.current_key() == "signin"
    assert page.idle_minutes() == 30

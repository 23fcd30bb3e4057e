"""The override dialog from the keyboard: Enter writes a new line of the reason, Ctrl+Enter
confirms (and the button says so), Esc cancels, an empty reason is refused."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from ui.widgets.override_dialog import OverrideDialog

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def dialog(qtbot):  # noqa: ANN001, ANN201
    box = OverrideDialog("ng")
    qtbot.addWidget(box)
    box.show()
    box.activateWindow()
    qtbot.waitActive(box)
    return box


def test_ctrl_enter_confirms_from_the_reason_box(dialog, qtbot) -> None:  # noqa: ANN001
    assert dialog.focusWidget() is dialog.reason_edit  # the verdict is preset: type
    qtbot.keyClicks(dialog.reason_edit, "dust, not a scratch")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)  # a second line, still open
    qtbot.keyClicks(dialog.reason_edit, "wiped off")
    assert dialog.isVisible() and dialog.reason() == "dust, not a scratch\nwiped off"
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return, CTRL)
    assert dialog.result() == OverrideDialog.DialogCode.Accepted and not dialog.isVisible()
    assert dialog.verdict() == "ok"
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert "Ctrl+Enter" in ok.text()


def test_ctrl_enter_without_a_reason_asks_for_one(dialog, qtbot) -> None:  # noqa: ANN001
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Enter, CTRL)  # the keypad's Enter
    assert dialog.isVisible() and "reason" in dialog.error.text()


def test_escape_cancels(dialog, qtbot) -> None:  # noqa: ANN001
    qtbot.keyClicks(dialog.reason_edit, "half a thought")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Escape)
    assert dialog.result() == OverrideDialog.DialogCode.Rejected and not dialog.isVisible()


def test_the_dialog_offers_a_decision_and_refuses_no_change(qtbot) -> None:  # noqa: ANN001
    """UNCERTAIN was offered as a person's verdict; choosing the verdict the part already
    has closed the dialog and marked the part "overridden" for nothing."""
    dialog = OverrideDialog("ng", current="ok")  # overridden to OK before
    qtbot.addWidget(dialog)
    assert [dialog.verdict_box.itemText(i) for i in range(dialog.verdict_box.count())] == [
        "OK", "NG"]
    assert dialog.verdict() == "ng"  # preset to the other verdict
    dialog.verdict_box.setCurrentText("OK")
    dialog.reason_edit.setPlainText("still fine")
    dialog._accept()
    assert "already" in dialog.error.text() and dialog.result() == 0
    dialog.verdict_box.setCurrentText("NG")
    dialog._accept()
    assert dialog.result() == 1

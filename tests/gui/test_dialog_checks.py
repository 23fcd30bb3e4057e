"""Dialogs check what the service would refuse before they close: refused afterwards,
what the person had typed and chosen was lost."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

pytestmark = pytest.mark.gui


def _ok(dialog) -> None:  # noqa: ANN001
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


@pytest.mark.parametrize("name", ["Good", "unlabelled", "x" * 101])
def test_a_new_defect_type_the_service_refuses_keeps_the_dialog_open(qtbot, name) -> None:  # noqa: ANN001
    from ui.widgets.defect_label_dialog import DefectLabelDialog

    dialog = DefectLabelDialog(["scratch"], None, "major", allow_new=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.new_type.setText(name)
    _ok(dialog)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.note.isVisible() and dialog.note.text()
    dialog.new_type.setText("burr")
    _ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.choice() == ("burr", "major")


def test_an_override_reason_too_long_keeps_the_dialog_open(qtbot) -> None:  # noqa: ANN001
    from inspector.services.inspection import MAX_REASON
    from ui.widgets.override_dialog import OverrideDialog

    dialog = OverrideDialog("ng")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reason_edit.setPlainText("x" * (MAX_REASON + 1))
    _ok(dialog)
    assert dialog.isVisible() and "Keep the reason under" in dialog.error.text()
    dialog.reason_edit.setPlainText("dust on the lens, wiped")
    _ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted

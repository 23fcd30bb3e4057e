"""Operators from the GUI: a QA lead adds a new hire and resets a PIN; only an admin gives
the QA lead role; the last admin stays; plain operators do not see the button."""

from __future__ import annotations

import pytest
from gui_helpers import sign_in_as
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox

from inspector.services import operators
from inspector.services.session import sign_in
from ui.widgets.operators_dialog import NewOperatorDialog

pytestmark = pytest.mark.gui


def _people(project) -> dict[str, tuple[str, bool, bool]]:  # noqa: ANN001
    return {o.name: (o.role, o.has_pin, o.active) for o in operators.list_operators(project)}


def _select(dialog, name: str) -> None:  # noqa: ANN001
    dialog.table.selectRow([p.name for p in dialog.people].index(name))


def test_a_qa_lead_adds_an_operator_sets_a_pin_and_stops_a_sign_in(
        window, project, qa_lead, actor, monkeypatch, dialogs) -> None:  # noqa: ANN001
    sign_in_as(window, "lead")
    page = window.pages["signin"]
    assert page.operators_button.isVisibleTo(page)
    dialog = page.operators_dialog()

    def fill_new(new: NewOperatorDialog) -> QDialog.DialogCode:
        assert [new.role_box.itemData(i) for i in range(new.role_box.count())] == ["operator"]
        new.name_edit.setText("carol")
        new.pin_edit.setText("4711")
        new.again_edit.setText("4711")
        new._accept()
        return new.result()

    monkeypatch.setattr(NewOperatorDialog, "exec", fill_new)
    dialog.add()
    assert _people(project)["carol"] == ("operator", True, True)
    assert dialog.selected().name == "carol" and dialog.changed
    sign_in(project, "carol", pin="4711")  # the PIN works

    answers = iter([("9876", True), ("9876", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: next(answers))
    dialog.set_pin()
    sign_in(project, "carol", pin="9876")

    _select(dialog, "op")
    dialog.toggle_active()
    assert _people(project)["op"][2] is False
    assert dialog.active_button.text() == "Allow sign-in"

    # a QA lead gives no role and may not take over an admin's sign-in by its PIN
    assert not dialog.role_button.isEnabled()
    _select(dialog, "admin")
    answers = iter([("1234", True), ("1234", True)])
    dialog.set_pin()
    assert _people(project)["admin"][1] is False and dialogs
    dialog.accept()


def test_an_admin_gives_the_qa_lead_role_but_the_last_admin_stays(
        window, project, actor, monkeypatch, dialogs) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    dialog = window.pages["signin"].operators_dialog()
    monkeypatch.setattr(QInputDialog, "getItem", lambda *_a, **_k: ("qa lead", True))
    _select(dialog, "op")
    dialog.change_role()
    assert _people(project)["op"][0] == "qa_lead"
    _select(dialog, "admin")
    dialog.toggle_active()  # the only admin: refused, with the reason in a dialog
    assert _people(project)["admin"][2] is True
    assert any("last admin" in text for _kind, text in dialogs)
    dialog.accept()


def test_operators_do_not_see_the_operators_button(window, actor) -> None:  # noqa: ANN001
    sign_in_as(window, "op")
    page = window.pages["signin"]
    assert not page.operators_button.isVisibleTo(page)


def test_an_admin_who_makes_themselves_an_operator_is_told_and_the_dialog_closes(
        window, project, admin, monkeypatch, dialogs) -> None:  # noqa: ANN001
    """The change was saved, then listing the operators again was refused: the app's
    crash dialog ("This is a bug") showed and the table was left stale."""
    operators.add_operator(project, admin, "boss", role="admin")
    sign_in_as(window, "admin")
    page = window.pages["signin"]
    dialog = page.operators_dialog()
    monkeypatch.setattr(QInputDialog, "getItem", lambda *_a, **_k: ("operator", True))
    _select(dialog, "admin")
    dialog.change_role()
    assert _people(project)["admin"][0] == "operator"
    assert dialog.result() == QDialog.DialogCode.Rejected and dialogs  # said, and closed
    monkeypatch.setattr(QDialog, "exec", lambda _d: pytest.fail("opened without the right"))
    page.manage_operators()  # refused with a message, not opened
    assert len(dialogs) == 2
    from ui.widgets.operators_dialog import OperatorsDialog

    left = [d for d in page.findChildren(OperatorsDialog) if d is not dialog]
    assert left == []  # the refused one left no hidden dialog behind


def test_an_operator_sets_their_own_pin_on_the_sign_in_page(window, actor, project,
                                                            monkeypatch) -> None:  # noqa: ANN001
    """Only the person then knows it: a lead who set it could act under their name."""
    page = window.pages["signin"]
    assert page.my_pin_button.isHidden()  # nobody signed in: nothing to change
    sign_in_as(window, "op")
    assert not page.my_pin_button.isHidden()
    answers = iter([("2580", True), ("2581", True), ("2580", True), ("2580", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: next(answers))
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **_k: errors.append(a[2]) or 0)
    page.my_pin_button.click()  # typed differently twice: unchanged, said
    assert errors and "differ" in errors[0]
    page.my_pin_button.click()
    assert sign_in(project, "op", "2580").name == "op"

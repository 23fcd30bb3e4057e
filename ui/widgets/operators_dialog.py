"""Operators: who may sign in, with which role and PIN (QA leads and admins).

Until now only the CLI could add a new operator or reset a forgotten PIN, so a station
without a terminal needed IT for a new hire on the line. The rules stay in
``inspector.services.operators`` (a QA lead edits plain operators only; the last admin
stays); this dialog only asks and shows what the service says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import UserError
from inspector.services import operators
from inspector.services.dto import OperatorInfo
from inspector.store.models import ROLES
from ui.dialogs import show_error
from ui.screen_fit import fit_to_screen
from ui.style import table_for_gloves

COLUMNS = ("Name", "Role", "PIN", "Can sign in")


def ask_new_pin(parent: QWidget, name: str) -> str | None:
    """A new PIN for ``name``, typed twice without echo; None when cancelled or the two
    differ (said)."""
    password = QLineEdit.EchoMode.Password
    pin, ok = QInputDialog.getText(parent, "Set PIN", f"New PIN for {name}:", password)
    if not ok:
        return None
    again, ok = QInputDialog.getText(parent, "Set PIN", "The same PIN again:", password)
    if not ok:
        return None
    if not pin or pin != again:
        show_error(parent, UserError("The two PINs differ, or are empty: the PIN is "
                                     "unchanged."))
        return None
    return pin


def role_text(role: str) -> str:
    return role.replace("_", " ")


class NewOperatorDialog(QDialog):
    """Name, role and an optional PIN (typed twice) for a new operator."""

    def __init__(self, roles_offered: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add operator")
        self.name_edit = QLineEdit()
        self.role_box = QComboBox()
        for role in roles_offered:
            self.role_box.addItem(role_text(role), role)
        self.pin_edit, self.again_edit = QLineEdit(), QLineEdit()
        for edit in (self.pin_edit, self.again_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setPlaceholderText("optional")
        self.error = QLabel()
        self.error.setProperty("role", "warning")
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Role", self.role_box)
        form.addRow("PIN", self.pin_edit)
        form.addRow("PIN again", self.again_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if not self.name_edit.text().strip():
            self.error.setText("Type the operator's name.")
        elif self.pin_edit.text() != self.again_edit.text():
            self.error.setText("The two PINs differ.")
        else:
            self.accept()

    def values(self) -> tuple[str, str, str | None]:
        """(name, role, PIN or None)."""
        return (self.name_edit.text(), self.role_box.currentData(),
                self.pin_edit.text() or None)


class OperatorsDialog(QDialog):
    """The operators in a table, with add / role / PIN / sign-in buttons for the selected
    one. ``actor`` is who edits; every change is checked and audited by the service."""

    def __init__(self, project: Any, actor: Any, may_manage_leads: bool,
                 parent: QWidget | None = None) -> None:
        # refused before any widget is made: a refusal after it left a hidden dialog
        # behind on the page at every click
        operators.list_operators(project, actor)
        super().__init__(parent)
        self.project, self.actor = project, actor
        self.roles_offered = ROLES if may_manage_leads else ("operator",)
        self.changed = False  # the caller refreshes its operator list after a change
        self.setWindowTitle("Operators")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table_for_gloves(self.table)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.add_button = QPushButton("Add…")
        self.role_button = QPushButton("Change role…")
        self.pin_button = QPushButton("Set PIN…")
        self.clear_pin_button = QPushButton("Remove PIN")
        self.active_button = QPushButton("Stop sign-in")
        close = QPushButton("Close  [Esc]")
        for button, slot in ((self.add_button, self.add), (self.role_button, self.change_role),
                             (self.pin_button, self.set_pin),
                             (self.clear_pin_button, self.clear_pin),
                             (self.active_button, self.toggle_active), (close, self.accept)):
            button.clicked.connect(slot)
        row = QHBoxLayout()
        for button in (self.add_button, self.role_button, self.pin_button,
                       self.clear_pin_button, self.active_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        hint = QLabel("A QA lead edits operators; only an admin gives or edits the QA lead "
                      "and admin roles. Someone who left stops signing in; their records "
                      "stay.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        layout.addLayout(row)
        fit_to_screen(self, 900, 520)
        self.reload()

    # -- reading ------------------------------------------------------------------------
    def reload(self, keep: str | None = None) -> None:
        """List the operators again; ``keep``: the name to select (else the first)."""
        self.people: list[OperatorInfo] = operators.list_operators(self.project, self.actor)
        self.table.setRowCount(len(self.people))
        for r, person in enumerate(self.people):
            texts = (person.name, role_text(person.role), "set" if person.has_pin else "—",
                     "yes" if person.active else "no (stopped)")
            for c, text in enumerate(texts):
                self.table.setItem(r, c, QTableWidgetItem(text))
        names = [p.name for p in self.people]
        self.table.selectRow(names.index(keep) if keep in names else 0)
        self._selection_changed()

    def selected(self) -> OperatorInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.people[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        person = self.selected()
        for button in (self.pin_button, self.active_button):
            button.setEnabled(person is not None)
        # a QA lead gives no role but "operator": nothing to change
        self.role_button.setEnabled(person is not None and len(self.roles_offered) > 1)
        self.clear_pin_button.setEnabled(person is not None and person.has_pin)
        self.active_button.setText("Stop sign-in" if person is None or person.active
                                   else "Allow sign-in")

    # -- changes ------------------------------------------------------------------------
    def _apply(self, change: Callable[[], OperatorInfo]) -> None:
        """Run one service call; its refusal (rights, last admin) is said in a dialog."""
        try:
            done = change()
        except UserError as exc:
            show_error(self, exc)
            return
        self.changed = True
        try:
            self.reload(keep=done.name)
        except UserError as exc:  # an admin who made themselves an operator: no more list
            show_error(self, exc)
            self.reject()

    def add(self) -> None:
        dialog = NewOperatorDialog(self.roles_offered, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        name, role, pin = dialog.values()
        self._apply(lambda: operators.add_operator(self.project, self.actor, name, role, pin))

    def change_role(self) -> None:
        person = self.selected()
        if person is None:
            return
        offered = [role_text(r) for r in self.roles_offered]
        current = (self.roles_offered.index(person.role) if person.role in self.roles_offered
                   else 0)
        text, ok = QInputDialog.getItem(self, "Change role", f"Role of {person.name}:",
                                        offered, current, False)
        if ok:
            role = self.roles_offered[offered.index(text)]
            self._apply(lambda: operators.set_role(self.project, self.actor, person.name, role))

    def set_pin(self) -> None:
        person = self.selected()
        pin = ask_new_pin(self, person.name) if person is not None else None
        if pin is not None:
            self._apply(lambda: operators.set_pin(self.project, self.actor, person.name, pin))

    def clear_pin(self) -> None:
        person = self.selected()
        if person is not None:
            self._apply(lambda: operators.set_pin(self.project, self.actor, person.name, None))

    def toggle_active(self) -> None:
        person = self.selected()
        if person is not None:
            self._apply(lambda: operators.set_active(self.project, self.actor, person.name,
                                                     not person.active))

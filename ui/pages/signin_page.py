"""Sign in: pick the operator (PIN where set), the station and the product.

Station and product are remembered on this PC (QSettings) so a shift only picks its name.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import UserError
from inspector.services import operators, products, session
from inspector.store import roles
from ui.dialogs import show_error, succeeded
from ui.state import AppState
from ui.widgets.operators_dialog import OperatorsDialog, ask_new_pin
from ui.widgets.running_work import settle_running_work

IDLE_SETTING = "gui_idle_signout_minutes"
DEFAULT_IDLE_MINUTES = 10
ALL_PRODUCTS = "(no product)"


class SignInPage(QWidget):
    """Operator, PIN, station, product; and the idle sign-out time for QA leads / admins."""

    idle_minutes_changed = Signal(int)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        title = QLabel("Sign in")
        title.setProperty("role", "title")
        self.operator_box = QComboBox()
        self.focus_target = self.operator_box
        self.operator_box.currentIndexChanged.connect(self._operator_picked)
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setPlaceholderText("PIN")
        self.station_edit = QLineEdit(state.station or "")
        self.station_edit.setPlaceholderText("e.g. Line 2 / Station A")
        self.product_box = QComboBox()
        self.product_box.currentTextChanged.connect(self._product_picked)
        self.add_product_button = QPushButton("Add product…")
        self.add_product_button.clicked.connect(self.add_product)
        product_row = QHBoxLayout()
        product_row.addWidget(self.product_box, 1)
        product_row.addWidget(self.add_product_button)
        self.signed_out_why = ""  # "Signed out after 10 min without use. ", shown once
        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(0, 480)
        self.idle_spin.setSuffix(" min (0 = never)")
        self.idle_spin.editingFinished.connect(self._save_idle_minutes)

        form = QFormLayout()
        form.addRow("Operator", self.operator_box)
        form.addRow("PIN", self.pin_edit)
        form.addRow("Station", self.station_edit)
        form.addRow("Product", product_row)
        form.addRow("Idle sign-out after", self.idle_spin)

        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.clicked.connect(self.sign_out)
        self.my_pin_button = QPushButton("My PIN…")
        self.my_pin_button.setToolTip("Set a new PIN for yourself (only you then know it)")
        self.my_pin_button.clicked.connect(self.change_my_pin)
        self.operators_button = QPushButton("Operators…")
        self.operators_button.setToolTip("Add operators, change roles and PINs, stop the "
                                         "sign-in of someone who left (QA lead, admin)")
        self.operators_button.clicked.connect(self.manage_operators)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.sign_out_button)
        buttons.addWidget(self.my_pin_button)
        buttons.addStretch(1)
        buttons.addWidget(self.operators_button)
        self.status = QLabel()
        self.status.setWordWrap(True)

        box = QWidget()
        box.setMaximumWidth(720)
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addLayout(form)
        inner.addLayout(buttons)
        inner.addWidget(self.status)
        inner.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # anywhere on the page
            enter = QShortcut(QKeySequence(key), self)
            enter.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            enter.activated.connect(self._enter)
        state.actor_changed.connect(lambda _a: self.refresh())
        state.product_changed.connect(lambda _p: self.refresh())
        self.refresh()

    def _enter(self) -> None:
        """Enter signs in, except in the idle-minutes box: there it saves the value (it
        signed in again, left the page and put the stored value back); and on another
        button reached with Tab (Sign out, Operators…) it presses that button: it signed in
        again, audited, and left the page."""
        focused = self.focusWidget()
        if (isinstance(focused, QPushButton) and focused is not self.sign_in_button
                and self.isAncestorOf(focused)):
            focused.animateClick()
            return
        if self.idle_spin.hasFocus():
            self.idle_spin.interpretText()
            self._save_idle_minutes()
            return
        self.sign_in()

    # -- data ---------------------------------------------------------------------------
    def idle_minutes(self) -> int:
        value = self.state.project.get_setting(IDLE_SETTING, DEFAULT_IDLE_MINUTES)
        try:
            return max(0, int(value))
        except (TypeError, ValueError):
            return DEFAULT_IDLE_MINUTES

    def refresh(self) -> None:
        """Reload operators and products; enable what the current role allows."""
        project = self.state.project
        current = self.operator_box.currentText()
        self.operator_box.blockSignals(True)
        self.operator_box.clear()
        self._operators = {o.name: o for o in operators.list_operators(project) if o.active}
        self.operator_box.addItems(list(self._operators))
        if current in self._operators:
            self.operator_box.setCurrentText(current)
        self.operator_box.blockSignals(False)
        self._operator_picked()
        self.product_box.blockSignals(True)
        self.product_box.clear()
        self.product_box.addItem(ALL_PRODUCTS)
        names = [p.name for p in products.list_products(project)]
        self.product_box.addItems(names)
        if self.state.product:
            self.product_box.setCurrentText(self.state.product)
        elif len(names) == 1:  # a one-product line: nothing to choose
            self.product_box.setCurrentText(names[0])
        self.product_box.blockSignals(False)
        actor = self.state.actor
        signed_in = actor is not None
        self.sign_out_button.setEnabled(signed_in)
        self.my_pin_button.setVisible(signed_in)
        self.add_product_button.setEnabled(self.state.may(roles.MANAGE_PRODUCTS))
        self.operators_button.setVisible(self.state.may(roles.MANAGE_OPERATORS))
        self.idle_spin.setEnabled(self.state.may(roles.EDIT_SETTINGS))
        self.idle_spin.setValue(self.idle_minutes())
        if signed_in:
            self.status.setText(
                f"Signed in as <b>{actor.name}</b> ({actor.role.replace('_', ' ')}) at "
                f"station <b>{actor.station or '—'}</b>, "
                f"product <b>{self.state.product or '—'}</b>."
            )
        else:
            self.status.setText(self.signed_out_why
                                + "Nobody is signed in. Pick your name and press Enter.")
        self.signed_out_why = ""  # said once, on the page the station is left on

    def _operator_picked(self) -> None:
        info = self._operators.get(self.operator_box.currentText()) if hasattr(
            self, "_operators"
        ) else None
        needs_pin = bool(info and info.has_pin)
        self.pin_edit.setEnabled(needs_pin)
        if not needs_pin:
            self.pin_edit.clear()

    def _product_picked(self, text: str) -> None:
        if self.state.actor is not None:
            self.state.set_product(None if text == ALL_PRODUCTS else text)
            self.refresh()

    # -- actions ------------------------------------------------------------------------
    def sign_in(self) -> None:
        name = self.operator_box.currentText()
        station = self.station_edit.text().strip() or None
        product = self.product_box.currentText()
        info = self._operators.get(name)
        if info is not None and info.has_pin and not self.pin_edit.text():
            # Asked here: the service's "PIN missing" names CLI options, and is audited
            # as a refused sign-in though nobody typed a wrong PIN.
            self._refused(f"enter the PIN of {name}, then press Enter.")
            return
        try:
            if not name:
                raise UserError("There is no operator yet: ask an admin to add you.")
            actor = session.sign_in(  # name and PIN checked (a refusal audited) first:
                self.state.project, name, pin=self.pin_edit.text() or None, station=station
            )  # a refused hand-over must not have cancelled the work that runs
            current = self.state.actor
            if current is not None and actor.operator_id != current.operator_id and not (
                    settle_running_work(self, self.state.running_work(),
                                        f"hand over to {actor.name}")):
                return
            session.record_session_start(self.state.project, actor)
        except UserError as exc:
            self._refused(str(exc))
            return
        self.pin_edit.clear()
        self.state.set_station(station)
        self.state.set_product(None if product == ALL_PRODUCTS else product)
        self.state.set_actor(actor)
        self.state.say(f"Signed in as {actor.name}")

    def _refused(self, why: str) -> None:
        """Say why (names are people's: text, never markup) and put the cursor in the PIN
        field, its old text selected, so the next try is typed at once."""
        self.status.setText(f"<b>Not signed in:</b> {html.escape(why)}")
        if self.pin_edit.isEnabled():
            self.pin_edit.setFocus()
            self.pin_edit.selectAll()

    def sign_out(self) -> None:
        if self.state.actor is not None:
            if not settle_running_work(self, self.state.running_work(), "sign out"):
                return
            self.state.say(f"{self.state.actor.name} signed out")
        self.state.set_actor(None)

    def change_my_pin(self) -> None:
        """The signed-in person's own PIN (a lead who set it for them knew it)."""
        actor = self.state.actor
        pin = ask_new_pin(self, actor.name) if actor is not None else None
        if pin is not None and succeeded(self, operators.set_pin, self.state.project, actor,
                                         actor.name, pin):
            self.state.say(f"New PIN of {actor.name} saved")
            self.refresh()

    def operators_dialog(self) -> OperatorsDialog:
        return OperatorsDialog(self.state.project, self.state.actor,
                               self.state.may(roles.MANAGE_LEADS), self)

    def manage_operators(self) -> None:
        if not self.state.may(roles.MANAGE_OPERATORS):
            return
        try:  # the role as stored now: one taken away at another station no longer counts
            dialog = self.operators_dialog()
        except UserError as exc:
            show_error(self, exc)
            return
        dialog.exec()
        if dialog.changed:
            self.refresh()  # a new name to pick, someone who left gone from the list
        dialog.deleteLater()

    def add_product(self) -> None:
        name, ok = QInputDialog.getText(self, "Add product", "Product name:")
        if not ok:
            return
        if not name.strip():  # OK on an empty box closed without a word
            self.state.say("No product added: it needs a name")
            return
        try:
            info = products.add_product(
                self.state.project, self.state.actor, name.strip(), station=self.state.station
            )
        except UserError as exc:
            show_error(self, exc)
            return
        self.state.set_product(info.name)
        self.refresh()

    def _save_idle_minutes(self) -> None:
        value = self.idle_spin.value()
        if value == self.idle_minutes() or not self.state.may(roles.EDIT_SETTINGS):
            return
        if not succeeded(self, self.state.project.set_setting, self.state.actor,
                         IDLE_SETTING, value):
            return
        self.idle_minutes_changed.emit(value)
        self.state.say("Idle sign-out: " + (f"after {value} min without use" if value
                                            else "never"))

"""QA lead's verdict override: the new verdict and a reason (required, audited)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

VERDICTS = ("ok", "ng")  # a person decides (services.inspection.OVERRIDE_VERDICTS)
# Enter in a several-line reason starts a new line (as in every text editor); Ctrl+Enter
# confirms, as it sends a comment or a message in the usual tools. Said on the button.
CONFIRM_KEYS = ("Ctrl+Return", "Ctrl+Enter")


class OverrideDialog(QDialog):
    """``verdict()`` and ``reason()`` after ``exec()`` returns Accepted."""

    def __init__(self, machine: str, parent: QWidget | None = None,
                 current: str | None = None) -> None:
        super().__init__(parent)
        current = current or machine
        self.setWindowTitle("Override verdict")
        self.current = current
        self.verdict_box = QComboBox()
        self.verdict_box.addItems([v.upper() for v in VERDICTS])
        others = [v for v in VERDICTS if v != current]
        self.verdict_box.setCurrentText((others[0] if others else VERDICTS[0]).upper())
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText(
            "Why is the machine verdict wrong? (required)\nCtrl+Enter confirms, Esc cancels.")
        self.reason_edit.setTabChangesFocus(True)  # Tab moves on; it is not a reason
        self.reason_edit.setMinimumHeight(90)
        self.error = QLabel()
        self.error.setProperty("role", "warning")
        form = QFormLayout()
        form.addRow("Machine verdict", QLabel(machine.upper()))
        if current != machine:
            form.addRow("Now (overridden)", QLabel(current.upper()))
        form.addRow("New verdict", self.verdict_box)
        form.addRow("Reason", self.reason_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Override  [Ctrl+Enter]")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Cancel  [Esc]")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        for keys in CONFIRM_KEYS:  # also while the reason box has the focus
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.reason_edit.setFocus()  # the verdict is preset; the reason is what is typed

    def verdict(self) -> str:
        return self.verdict_box.currentText().lower()

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def _accept(self) -> None:
        """Checked here as the service checks it: a refusal after the dialog closed lost
        the typed reason."""
        from inspector.services.names import MAX_REASON, reason_problem

        same = self.verdict() == self.current  # it changed nothing, marked "overridden"
        problem = (f"It is {self.current.upper()} already: choose the other verdict." if same
                   else reason_problem(self.reason(), MAX_REASON))
        if problem is not None:
            self.error.setText(problem)
            (self.verdict_box if same else self.reason_edit).setFocus()
            return
        self.accept()

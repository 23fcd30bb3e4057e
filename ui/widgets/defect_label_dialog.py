"""Label an inspected part defective: which defect type, how severe.

Opened from Inspect and History (key D) so that a real defect caught on the line becomes a
training label at once, without hunting for the picture on the Label page. The machine's
guesses (its predicted type and severity) are preselected: Enter confirms them.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.services.labeling import SEVERITIES

NO_TYPE = "(no type)"
NO_SEVERITY = "(not set)"


class DefectLabelDialog(QDialog):
    """``choice()`` gives (defect type or None, severity or None) after Accepted."""

    def __init__(self, types: list[str], suggested_type: str | None, severity: str | None,
                 note: str | None = None, parent: QWidget | None = None,
                 allow_new: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Label this part defective")
        self.setMinimumWidth(460)
        self.types = QListWidget()
        self.types.setObjectName("defectTypes")  # the style's tall, touch-sized rows
        self.types.ensurePolished()  # ...known before the rows are laid out
        self.types.addItems([NO_TYPE, *types])
        wanted = suggested_type if suggested_type in types else NO_TYPE
        self.types.setCurrentRow([NO_TYPE, *types].index(wanted))
        self.types.setMinimumHeight(min(6, len(types) + 1) * 46)
        self.types.itemActivated.connect(lambda _item: self.accept())  # Enter, double tap
        self.severity = QComboBox()
        self.severity.addItems([NO_SEVERITY, *SEVERITIES])
        self.severity.setCurrentText(severity if severity in SEVERITIES else NO_SEVERITY)
        self.note = QLabel(note or "")
        self.note.setProperty("role", "warning")
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        # A QA lead names a kind nobody has labelled yet here, without leaving the part.
        self.allow_new = allow_new
        self.new_type = QLineEdit()
        self.new_type.setPlaceholderText("a new defect type (optional)")
        self.new_type.setVisible(allow_new)
        hint = QLabel("" if types or allow_new else "No defect types yet: a QA lead adds "
                      "them on the Label page.")
        hint.setProperty("role", "hint")
        hint.setVisible(not types and not allow_new)
        form = QFormLayout()
        form.addRow("Defect type", self.types)
        form.addRow("", self.new_type)
        form.addRow("", hint)
        form.addRow("Severity", self.severity)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            "Label defective  [Enter]")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Cancel  [Esc]")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.types.setFocus()

    def accept(self) -> None:
        """A new type name the service would refuse ("Good", too long) is said here, with
        the dialog still open: refused after it closed, the whole label was lost."""
        from inspector.errors import UserError
        from inspector.services.labeling import clean_defect_type

        if self.allow_new and self.new_type.text().strip():
            try:
                clean_defect_type(self.new_type.text())
            except UserError as exc:
                self.note.setText(str(exc))
                self.note.setVisible(True)
                self.new_type.setFocus()
                return
        super().accept()

    def choice(self) -> tuple[str | None, str | None]:
        """(defect type, severity); a new type typed in wins over the list."""
        item = self.types.currentItem()
        defect_type = None if item is None or item.text() == NO_TYPE else item.text()
        if self.allow_new and self.new_type.text().strip():  # (asked after the dialog closed)
            defect_type = self.new_type.text().strip()
        severity = self.severity.currentText()
        return defect_type, None if severity == NO_SEVERITY else severity

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
                 note: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Label this part defective")
        self.types = QListWidget()
        self.types.setObjectName("defectTypes")  # the style's tall, touch-sized rows
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
        hint = QLabel("" if types else "No defect types yet: a QA lead adds them on the "
                      "Label page.")
        hint.setProperty("role", "hint")
        hint.setVisible(not types)
        form = QFormLayout()
        form.addRow("Defect type", self.types)
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

    def choice(self) -> tuple[str | None, str | None]:
        item = self.types.currentItem()
        defect_type = None if item is None or item.text() == NO_TYPE else item.text()
        severity = self.severity.currentText()
        return defect_type, None if severity == NO_SEVERITY else severity

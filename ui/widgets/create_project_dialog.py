"""First start: create the project folder with its first admin."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import UserError
from inspector.services.project import Project, init_project


class CreateProjectDialog(QDialog):
    """Asks for the first admin's name and optional PIN, then calls ``init_project``."""

    def __init__(self, root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.root = Path(root)
        self.project: Project | None = None
        self.setWindowTitle("Create project")
        intro = QLabel(f"There is no Inspector project in\n{self.root}\n\nCreate it now?")
        intro.setWordWrap(True)
        self.name_edit = QLineEdit("admin")
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setPlaceholderText("optional")
        self.error = QLabel()
        self.error.setProperty("role", "warning")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("First admin", self.name_edit)
        form.addRow("Admin PIN", self.pin_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create project")
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def create(self) -> None:
        try:
            self.project = init_project(
                self.root, self.name_edit.text(), self.pin_edit.text() or None
            )
        except UserError as exc:
            self.show_error(str(exc))
            return
        self.accept()

    def show_error(self, text: str) -> None:
        """Show why the project cannot be created, and grow for it: a window does not grow
        by itself for new lines of wrapped text, its layout squeezes them in instead and
        cuts the intro at its top and bottom."""
        self.error.setText(text)
        if not self.isVisible():
            return  # opening sizes the dialog for its text
        height = self.heightForWidth(self.width())  # the wrapped lines at this width
        if height < 0:
            height = self.sizeHint().height()
        screen = self.screen()
        if screen is not None:
            height = min(height, screen.availableGeometry().height())
        if height > self.height():
            self.resize(self.width(), height)

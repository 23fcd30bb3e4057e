"""The defect-type list with its labelling keys; QA leads add and remove types here."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import UserError
from inspector.services import labeling
from inspector.services.dto import DefectTypeInfo
from ui.dialogs import show_error
from ui.state import AppState
from ui.style import MIN_BUTTON_HEIGHT

RESERVED_KEYS = {key.upper() for key in labeling.RESERVED_SHORTCUTS}


class DefectTypePanel(QWidget):
    """Lists active defect types; ``picked(name)`` fires when one is chosen."""

    picked = Signal(str)
    types_changed = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.list = QListWidget()
        self.list.setObjectName("defectTypes")  # rows as tall as a gloved fingertip
        self.list.setMaximumHeight(4 * MIN_BUTTON_HEIGHT + 8)
        # A click picks and leaves the keyboard where it was: kept by the list, an arrow
        # key moved the highlight, and the next severity key saved that type. Tab still
        # reaches it (arrows, then Enter): a type without a key must be pickable too.
        self.list.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.list.setAccessibleName("Defect types")
        self.list.setAccessibleDescription("Arrow keys and Enter label the picture defective "
                                           "with the highlighted type")
        self.list.itemActivated.connect(self._emit_pick)
        self.list.itemClicked.connect(self._emit_pick)
        self.add_button = QPushButton("Add type…")
        self.add_button.clicked.connect(self.add_type)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_type)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.types: list[DefectTypeInfo] = []

    def reload(self, editable: bool) -> None:
        current = self.current()
        self.types = labeling.list_defect_type_infos(self.state.project)
        self.list.clear()
        for info in self.types:
            usable = info.shortcut and info.shortcut.upper() not in RESERVED_KEYS
            key = f"  [{info.shortcut.upper()}]" if usable else ""
            item = QListWidgetItem(f"{info.name}{key}")
            item.setData(Qt.ItemDataRole.UserRole, info.name)
            self.list.addItem(item)
            if info.name == current:
                self.list.setCurrentItem(item)
        self.add_button.setVisible(editable)
        self.remove_button.setVisible(editable)

    def _emit_pick(self, item: QListWidgetItem) -> None:
        self.picked.emit(item.data(Qt.ItemDataRole.UserRole))

    def current(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def select(self, name: str | None) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentItem(item)
                return
        self.list.clearSelection()
        self.list.setCurrentItem(None)

    def shortcuts(self) -> dict[str, str]:
        """Upper-case key -> type name, without keys that labelling already uses."""
        return {
            t.shortcut.upper(): t.name
            for t in self.types
            if t.shortcut and t.shortcut.upper() not in RESERVED_KEYS
        }

    def add_type(self) -> None:
        """Ask for a name and a key; a refused one (a key already taken) asks again with
        what was typed, instead of throwing the name away."""
        name = key = ""
        while True:
            name, ok = QInputDialog.getText(self, "Add defect type", "Name (e.g. scratch):",
                                            text=name)
            if not ok or not name.strip():
                return
            key, ok = QInputDialog.getText(self, "Add defect type",
                                           "Shortcut key (optional):", text=key)
            if not ok:
                return
            try:
                labeling.add_defect_type(
                    self.state.project, self.state.actor, name.strip(), key.strip() or None
                )
                break
            except UserError as exc:
                show_error(self, exc)
        self.types_changed.emit()

    def remove_type(self) -> str | None:
        """Ask which type to remove (a click on the list would label the image shown), then
        confirm; labels that use it keep its name."""
        names = [t.name for t in self.types]
        if not names:
            return None
        current = self.current()
        name, ok = QInputDialog.getItem(
            self, "Remove defect type", "Type to remove (labels that use it keep its name):",
            names, names.index(current) if current in names else 0, False)
        if not ok or not name:
            return None
        answer = QMessageBox.question(
            self, "Remove defect type", f"Remove the defect type '{name}'? It can no longer "
            "be chosen; images labelled with it keep the name.")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        try:
            labeling.remove_defect_type(self.state.project, self.state.actor, name)
        except UserError as exc:
            show_error(self, exc)
            return None
        self.types_changed.emit()
        return name

"""A framed note telling a new user what to do next, with buttons to the pages where it is
done ("No model yet: label ... on Label, then train on Train" [Label] [Train]).

An empty page (no images, no model) must never leave someone staring at a grey area or at
buttons that fail: it says what is missing and opens the page that fixes it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.state import AppState


class NextStep(QFrame):
    """Hidden until ``show_step``; each button asks the window for a page (``AppState.go_to``)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("nextStep")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.buttons: list[QPushButton] = []
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(self._row)
        self.setVisible(False)

    def show_step(self, text: str, links: list[tuple[str, str]]) -> None:
        """Show ``text`` and one button per (button text, page key)."""
        while self._row.count():
            item = self._row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.buttons = []
        for title, key in links:
            button = QPushButton(title)
            button.clicked.connect(lambda _c=False, k=key: self.state.go_to(k))
            self._row.addWidget(button)
            self.buttons.append(button)
        self._row.addStretch(1)
        self.text.setText(text)
        self.setVisible(True)

    def clear(self) -> None:
        self.setVisible(False)

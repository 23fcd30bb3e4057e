"""Placeholder while the page is written."""

from PySide6.QtWidgets import QWidget


class CapturePage(QWidget):
    def __init__(self, state, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.state = state

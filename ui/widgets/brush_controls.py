"""The Label page's brush: Brush / Erase / Clear buttons and the brush size line.

They act on an ImageView's mask layer; the page binds their keys (B, Shift+B, [ ], Del).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.widgets.image_view import ImageView


class BrushControls(QWidget):
    """Buttons for painting a defect region on ``view``; ``say`` puts a line in the
    status bar."""

    def __init__(self, view: ImageView, say: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view, self.say = view, say
        self.brush_button = QPushButton("Brush [B]")
        self.brush_button.setCheckable(True)
        self.brush_button.toggled.connect(self._set_brush)
        self.erase_button = QPushButton("Erase [⇧B]")
        self.erase_button.setCheckable(True)
        self.erase_button.setToolTip("Shift+B: drags take paint away (a right-button drag "
                                     "always erases while the brush is on)")
        self.erase_button.toggled.connect(self._set_erasing)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Del: remove the whole painted region "
                                     "(Ctrl+Z brings it back)")
        self.clear_button.clicked.connect(self.clear_region)
        self.brush_label = QLabel()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.brush_button, self.erase_button, self.clear_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.brush_label)
        self.update_label()

    def resize_brush(self, factor: float) -> None:
        """At least one pixel each way, so ] always grows a small brush again."""
        size = self.view.brush_size
        new = round(size * factor)
        new = max(new, size + 1) if factor > 1 else min(new, size - 1)
        self.view.set_brush_size(max(1, new))
        self.update_label()

    def _set_brush(self, enabled: bool) -> None:
        """Brush off ends the eraser too: the next B must paint, not silently erase."""
        self.view.set_brush_enabled(enabled)
        if not enabled and self.erase_button.isChecked():
            self.erase_button.setChecked(False)

    def _set_erasing(self, erasing: bool) -> None:
        """The eraser works through the brush, so turning it on turns the brush on."""
        self.view.set_erasing(erasing)
        if erasing and not self.brush_button.isChecked():
            self.brush_button.setChecked(True)

    def clear_region(self) -> None:
        """Remove the painted region in one undoable step; saved like any stroke."""
        if self.view.mask() is None:
            self.say("No painted region to clear")
            return
        self.view.clear_mask()
        self.say("Painted region cleared (Ctrl+Z brings it back)")

    def update_label(self) -> None:
        self.brush_label.setText(f"Brush size {self.view.brush_size} px on screen  [ ]")

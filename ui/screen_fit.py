"""Open dialogs at a comfortable size that still fits the screen they appear on.

A fixed ``resize(900, 680)`` put the Save button below the screen on a 1080p monitor at
200 % scaling (960x540 logical pixels) once the title bar and the taskbar were counted.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

SCREEN_SHARE = 0.9  # leave room for the title bar and a taskbar


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width`` x ``height``, or less where its screen is smaller."""
    screen = widget.screen() or QApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width = min(width, int(room.width() * SCREEN_SHARE))
        height = min(height, int(room.height() * SCREEN_SHARE))
    widget.resize(width, height)

"""Idle sign-out: a timer restarted by an application-wide event filter on user input."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Emits ``idle`` after ``minutes`` without keyboard, mouse or touch input."""

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_timeout(minutes)

    def set_timeout(self, minutes: float) -> None:
        """0 or less switches idle sign-out off."""
        self.minutes = float(minutes)
        self.timer.setInterval(max(1, int(self.minutes * 60_000)))
        self.reset()

    def reset(self) -> None:
        if self.minutes > 0:
            self.timer.start()
        else:
            self.timer.stop()

    def stop(self) -> None:
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _INPUT_EVENTS and self.timer.isActive():
            self.timer.start()
        return False

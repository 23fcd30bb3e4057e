"""What a page sees of the screen: the height of the scroll area's viewport it sits in.

Every page scrolls in the main window. A page taller than the screen is as tall as its
content needs, so its own height never tells it to make room (the Inspect page shrinking
its verdict word, the Capture page sizing its camera picture): this does.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractScrollArea, QWidget


def scroll_viewport(widget: QWidget) -> QWidget | None:
    """The viewport of the nearest scroll area around ``widget``, if any."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent.viewport()
        parent = parent.parentWidget()
    return None


def visible_height(widget: QWidget) -> int:
    """The viewport's height, or the widget's own outside a scroll area."""
    viewport = scroll_viewport(widget)
    return viewport.height() if viewport is not None else widget.height()


class VisibleHeightWatch(QObject):
    """Calls ``changed()`` after ``widget`` or its viewport was resized, once the layouts
    have settled (the next turn of the event loop, so sizes read there are the new ones).
    The viewport is found on the first resize: a page is put in its scroll area after it
    is built."""

    def __init__(self, widget: QWidget, changed: Callable[[], None]) -> None:
        super().__init__(widget)
        self.widget = widget
        self._viewport: QWidget | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(changed)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize and watched in (self.widget, self._viewport):
            viewport = scroll_viewport(self.widget)
            if viewport is not None and viewport is not self._viewport:
                viewport.installEventFilter(self)
                self._viewport = viewport
            self._timer.start()
        return False

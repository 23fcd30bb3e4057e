"""A splitter that puts its panes side by side when they fit, and stacks them when not.

A 1024 px panel PC leaves about 830 px for a page; two panes whose controls need more
than that would make the whole page scroll sideways, which gloved hands cannot manage.
Stacked, the page scrolls up and down like every other long page.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget


class AdaptiveSplitter(QSplitter):
    """Horizontal while the panes' minimum widths fit, vertical below that;
    ``orientation_changed`` when it switches (a pane may size itself differently)."""

    orientation_changed = Signal(Qt.Orientation)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setChildrenCollapsible(False)

    def _panes(self) -> list[QWidget]:
        return [self.widget(i) for i in range(self.count()) if not self.widget(i).isHidden()]

    @staticmethod
    def _min_width(pane: QWidget) -> int:
        return max(pane.minimumWidth(), pane.minimumSizeHint().width())

    def side_by_side_width(self) -> int:
        """The narrowest width at which the panes fit next to each other."""
        panes = self._panes()
        handles = self.handleWidth() * max(0, len(panes) - 1)
        return sum(self._min_width(p) for p in panes) + handles

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """As narrow as the widest pane: below the side-by-side width it stacks them."""
        hint = super().minimumSizeHint()
        if self.orientation() == Qt.Orientation.Horizontal:
            widest = max((self._min_width(p) for p in self._panes()), default=0)
            hint.setWidth(widest)
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        wanted = (Qt.Orientation.Horizontal
                  if event.size().width() >= self.side_by_side_width()
                  else Qt.Orientation.Vertical)
        if wanted != self.orientation():
            self.setOrientation(wanted)
            self.updateGeometry()  # the minimum height changes with the orientation
            self.orientation_changed.emit(wanted)
        super().resizeEvent(event)

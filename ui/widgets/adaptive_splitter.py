"""A splitter that puts its panes side by side when they fit, and stacks them when not.

A 1024 px panel PC leaves about 830 px for a page; two panes whose controls need more
than that would make the whole page scroll sideways, which gloved hands cannot manage.
Stacked, the page scrolls up and down like every other long page.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget


class AdaptiveSplitter(QSplitter):
    """Horizontal while the panes' minimum widths fit, vertical below that;
    ``orientation_changed`` when it switches (a pane may size itself differently)."""

    orientation_changed = Signal(Qt.Orientation)

    def __init__(self, parent: QWidget | None = None, keep_heights: bool = False) -> None:
        """``keep_heights``: stacked, each pane keeps the height its content needs at the
        splitter's width (the page scrolls instead). A splitter squeezes panes to their
        minimum size hint, which wrapped text does not count: on a 1024x600 screen the
        Train page's settings and examples were cut off under the model versions."""
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setChildrenCollapsible(False)
        self.keep_heights = keep_heights

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

    def event(self, event: QEvent) -> bool:
        if self.keep_heights and event.type() == QEvent.Type.LayoutRequest:
            self._keep_heights(self.width())  # a pane's content changed (a longer text)
        return super().event(event)

    def _keep_heights(self, width: int) -> None:
        stacked = self.orientation() == Qt.Orientation.Vertical
        for pane in self._panes():
            need = 0
            if stacked:
                layout = pane.layout()
                need = (layout.totalHeightForWidth(width)
                        if layout is not None and layout.hasHeightForWidth()
                        else pane.sizeHint().height())
            if pane.minimumHeight() != need:
                pane.setMinimumHeight(need)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        wanted = (Qt.Orientation.Horizontal
                  if event.size().width() >= self.side_by_side_width()
                  else Qt.Orientation.Vertical)
        if wanted != self.orientation():
            self.setOrientation(wanted)
            self.updateGeometry()  # the minimum height changes with the orientation
            self.orientation_changed.emit(wanted)
        if self.keep_heights:
            self._keep_heights(event.size().width())
        super().resizeEvent(event)

"""A 'since' / 'until' date filter shared by the gallery and history pages."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateEdit, QWidget

from inspector.reports.filters import local_instant


class SinceDateEdit(QDateEdit):
    """Date picker whose lowest date reads "any date" (no filter).

    ``since()`` is local midnight of the picked day, time-zone aware: operators think in
    shop-floor days, and the store converts aware times to UTC itself.

    ``picked`` says a date was chosen (a click in the calendar, or Enter): the page then
    gives the keyboard back to its list. Left here, the page's letter and digit keys
    (G, 1-3) went into the date box and did nothing, without a word.
    """

    picked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setSpecialValueText("any date")
        self.setMinimumDate(QDate(2000, 1, 1))
        self.clear_filter()
        # after the popup has closed and given the focus back to this box
        self.calendarWidget().clicked.connect(lambda _d: QTimer.singleShot(0, self.picked.emit))
        self.calendarWidget().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """"Any date" is 1 January 2000: the calendar opened there, some 320 taps from
        this month. It opens on this month instead."""
        if (event.type() == QEvent.Type.Show and watched is self.calendarWidget()
                and self.date() == self.minimumDate()):
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 - Qt override
        """Tab leaves the box, as in every other field: a date box moves between its day,
        month and year with Tab, and on "any date" Tab never got out."""
        return QWidget.focusNextPrevChild(self, next)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.picked.emit()

    def clear_filter(self) -> None:
        self.setDate(self.minimumDate())

    def since(self) -> dt.datetime | None:
        if self.date() == self.minimumDate():
            return None
        d = self.date()
        return local_instant(dt.date(d.year(), d.month(), d.day()))

    def until(self) -> dt.datetime | None:
        """The end of the picked day (next local midnight), for an 'until' filter."""
        start = self.since()
        if start is None:
            return None
        d = self.date().addDays(1)
        return local_instant(dt.date(d.year(), d.month(), d.day()))

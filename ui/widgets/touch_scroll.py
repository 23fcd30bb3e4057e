"""Kinetic scrolling with a finger on lists, tables and scrolling pages.

On a touch panel Qt turns a finger into mouse presses: a drag over the gallery, the
History table or a type list moved the selection along (the Label page loading each
image passed) and scrolled nothing, and gloved operators cannot hit the thin scroll bars.
Here a drag scrolls (QScroller), a tap still selects. Qt's scroller alone still pressed
the rows passed and clicked the one the finger was lifted on (a click on a defect type
labels the picture), so lists take the touch and are clicked only for a tap. Only touch
does this: QScroller's TouchGesture, never the left mouse button, so a desktop mouse
works as before. The pictures (ui.widgets.image_view) pan and pinch by themselves and
are left alone, as are text fields and drop-down lists.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QEventPoint, QInputDevice, QMouseEvent, QPointingDevice, QTouchEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QFileDialog,
    QGraphicsView,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QScroller,
    QScrollerProperties,
    QSplitterHandle,
    QTableView,
    QTextEdit,
    QWidget,
)
from shiboken6 import isValid

# A finger moves this far (metres) before it scrolls; less is a tap. A gloved fingertip
# wobbles more than Qt's 5 mm allows for when it presses and lifts.
DRAG_START_DISTANCE = 0.006
FAR_AWAY = QPointF(-(1 << 24), -(1 << 24))  # a release here clicks nothing
TOUCH_EVENTS = (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
                QEvent.Type.TouchCancel)
# Where a finger drags something itself: the page around it must not scroll as well.
DRAGS_ITSELF = (QAbstractSlider, QSplitterHandle, QLineEdit, QAbstractSpinBox, QComboBox,
                QGraphicsView, QTextEdit, QPlainTextEdit)
NOT_HERE = (QComboBox, QCalendarWidget, QFileDialog)  # their views keep Qt's own ways


def touch_scrolling(root: QWidget) -> None:
    """Touch scrolling on every list, table and scroll area under ``root`` (and root), now
    and in each dialog of root's when it first takes the focus: dialogs make their lists
    when they open, long after the window was built."""
    for area in [root, *root.findChildren(QAbstractScrollArea)]:
        if isinstance(area, QAbstractScrollArea) and wants_touch_scrolling(area):
            enable(area)
    if root.findChild(_DialogWatch) is None:
        _DialogWatch(root)


def wants_touch_scrolling(area: QAbstractScrollArea) -> bool:
    """Lists, tables and scroll areas; not pictures, text fields, headers (a drag sizes a
    column) nor the lists of drop-downs, calendars and file dialogs."""
    if isinstance(area, QHeaderView) or not isinstance(area, QAbstractItemView | QScrollArea):
        return False
    if area.window().windowType() in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
        return False
    widget: QWidget | None = area
    while widget is not None:
        if isinstance(widget, NOT_HERE):
            return False
        widget = widget.parentWidget()
    return True


def enable(area: QAbstractScrollArea) -> None:
    """A touch scroller on ``area``'s viewport, once."""
    port = area.viewport()
    if _own_filter(port, _TouchFilter) is not None:
        return
    if isinstance(area, QAbstractItemView):
        per_pixel(area)
    QScroller.grabGesture(port, QScroller.ScrollerGestureType.TouchGesture)
    scroller = QScroller.scroller(port)
    scroller.setScrollerProperties(scroller_properties())
    port.installEventFilter((_TapFilter if isinstance(area, QAbstractItemView)
                             else _AreaFilter)(port, scroller))


def per_pixel(view: QAbstractItemView) -> None:
    """The scroller moves the bars by the finger's pixels: scrolled by the row, a 60 px
    drag went 60 rows. A table's wheel notch still scrolls three rows: Qt's step for
    pixels is a bit less than a row, which left a row cut at the top after each notch."""
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    if isinstance(view, QTableView):  # rows of one height (style.table_for_gloves)
        view.verticalScrollBar().setSingleStep(view.verticalHeader().defaultSectionSize())


def scroller_properties() -> QScrollerProperties:
    """Lists and pages stop at their ends instead of bouncing past them, and a drag
    starts only beyond what a gloved tap wobbles."""
    props = QScrollerProperties()
    metric, off = QScrollerProperties.ScrollMetric, QScrollerProperties.OvershootPolicy
    props.setScrollMetric(metric.VerticalOvershootPolicy, off.OvershootAlwaysOff)
    props.setScrollMetric(metric.HorizontalOvershootPolicy, off.OvershootAlwaysOff)
    props.setScrollMetric(metric.DragStartDistance, DRAG_START_DISTANCE)
    return props


def _own_filter(port: QWidget, kind: type[QObject]) -> QObject | None:
    """The filter made on this viewport (not one on a list inside it)."""
    return port.findChild(kind, "", Qt.FindChildOption.FindDirectChildrenOnly)


def can_scroll(area: QAbstractScrollArea) -> bool:
    bars = (area.verticalScrollBar(), area.horizontalScrollBar())
    return any(bar.maximum() > bar.minimum() for bar in bars)


class _TouchFilter(QObject):
    """Watches one viewport's scroller: whether the finger now down made it scroll."""

    def __init__(self, port: QWidget, scroller: QScroller) -> None:
        super().__init__(port)  # the viewport, as parent(): no reference cycle through Python
        self.scroller = scroller
        self._state = QScroller.State.Inactive
        self.scrolled = False  # this touch dragged the view, or stopped it gliding
        scroller.stateChanged.connect(self._state_changed)

    @property
    def port(self) -> QWidget:
        return self.parent()  # type: ignore[return-value] - made on a viewport

    def _state_changed(self, state: QScroller.State) -> None:
        if state == QScroller.State.Dragging or (
                state == QScroller.State.Pressed and self._state == QScroller.State.Scrolling):
            self.scrolled = True
        self._state = state


class _TapFilter(_TouchFilter):
    """On a list's or table's viewport: the view takes the touch itself, so Qt makes no
    mouse presses of it, and gets a click only for a tap (a finger lifted near where it
    went down, that neither scrolled the list nor stopped its glide); two quick taps are
    a double click. The press happens at the lift: a glove resting on a row selects
    nothing until it is lifted, and a drag never does."""

    def __init__(self, port: QWidget, scroller: QScroller) -> None:
        super().__init__(port, scroller)
        self._start: QPointF | None = None  # where the finger went down; None: no tap
        self._start_on_screen = QPointF()  # the list may move with a page the finger drags
        self._last_tap: tuple[float, QPointF] | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
        if event.type() not in TOUCH_EVENTS or not isinstance(event, QTouchEvent):
            return False
        if event.device().type() != QInputDevice.DeviceType.TouchScreen:
            return False
        points = event.points()
        kind = event.type()
        if kind == QEvent.Type.TouchBegin:
            # the scroller saw this press first: a glide it stopped is known already
            self._start = points[0].position() if len(points) == 1 else None
            self._start_on_screen = points[0].globalPosition()
        elif len(points) != 1 or kind == QEvent.Type.TouchCancel or self._moved(points[0]):
            self._start = None
        if kind in (QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
            if self._start is not None and not self.scrolled:
                self._tap(self._start, event.pointingDevice(), event.modifiers())
            self._start, self.scrolled = None, False
        event.accept()
        return True

    def _moved(self, point: QEventPoint) -> bool:
        if self._start is None:
            return True
        travel = point.globalPosition() - self._start_on_screen
        limit = DRAG_START_DISTANCE * self.scroller.pixelPerMeter().y()
        return abs(travel.x()) > limit or abs(travel.y()) > limit

    def _tap(self, pos: QPointF, device: QPointingDevice,
             modifiers: Qt.KeyboardModifier) -> None:
        """A click where the finger went down (a glove's lift wanders onto the next row)."""
        hints = QApplication.styleHints()
        now = time.monotonic()
        last = self._last_tap
        double = (last is not None and (now - last[0]) * 1000 < hints.mouseDoubleClickInterval()
                  and (pos - last[1]).manhattanLength() <= hints.touchDoubleTapDistance())
        self._last_tap = None if double else (now, pos)
        press = QEvent.Type.MouseButtonDblClick if double else QEvent.Type.MouseButtonPress
        left = Qt.MouseButton.LeftButton
        release = QEvent.Type.MouseButtonRelease
        for kind, buttons in ((press, left), (release, Qt.MouseButton.NoButton)):
            if not isValid(self):  # the press closed a dialog, deleting its list
                return
            where = self.port.mapToGlobal(pos)
            QApplication.sendEvent(self.port, QMouseEvent(
                kind, pos, self.port.window().mapFromGlobal(where), where, left, buttons,
                modifiers, device))


class _AreaFilter(_TouchFilter):
    """On a scroll area's viewport (a page, a column of notes): the finger still presses
    the buttons inside (Qt's mouse events), so the area does not scroll from where the
    finger lands on something that drags itself (a picture, a slider, a text field, a list
    that scrolls), and a button the finger went down on is let go when the page starts
    to scroll: lifting the finger over it (it moved with the page) clicked it."""

    def __init__(self, port: QWidget, scroller: QScroller) -> None:
        super().__init__(port, scroller)
        self._pressed: QWidget | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
        if event.type() == QEvent.Type.ScrollPrepare:
            hit = self.port.childAt(event.startPos().toPoint())
            area = self.port.parentWidget()
            if (not isinstance(area, QAbstractScrollArea) or not can_scroll(area)
                    or self._drags_itself(hit)):
                event.ignore()
                return True  # refused: the scroller stays still, the press is Qt's
            # a list's viewport takes the touch itself: no mouse press there to let go
            tapped = hit is not None and _own_filter(hit, _TapFilter) is not None
            self._pressed = None if tapped else hit
        return False

    def _drags_itself(self, widget: QWidget | None) -> bool:
        while widget is not None and widget is not self.port:
            if isinstance(widget, DRAGS_ITSELF) or (
                    isinstance(widget, QAbstractScrollArea) and can_scroll(widget)):
                return True
            widget = widget.parentWidget()
        return False

    def _state_changed(self, state: QScroller.State) -> None:
        super()._state_changed(state)
        pressed = self._pressed
        if state == QScroller.State.Dragging and pressed is not None and isValid(pressed):
            left = Qt.MouseButton.LeftButton
            QApplication.sendEvent(pressed, QMouseEvent(
                QEvent.Type.MouseButtonRelease, FAR_AWAY, FAR_AWAY, FAR_AWAY, left,
                Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
        if state in (QScroller.State.Dragging, QScroller.State.Inactive):
            self._pressed = None


class _DialogWatch(QObject):
    """Gives the lists of root's dialogs touch scrolling when focus first moves into one
    (the operators' table, the defect-label dialog's types); cheap: only when the focus
    changes window."""

    def __init__(self, root: QWidget) -> None:
        super().__init__(root)
        QApplication.instance().focusChanged.connect(self._focus_moved)

    def _focus_moved(self, old: QWidget | None, new: QWidget | None) -> None:
        root = self.parent()
        if new is None or not isValid(new) or not isinstance(root, QWidget):
            return
        window = new.window()
        if window is root or (old is not None and isValid(old) and old.window() is window):
            return
        owner: QWidget | None = window
        while owner is not None and owner is not root:
            owner = owner.parentWidget()
        if owner is root:
            for area in window.findChildren(QAbstractScrollArea):
                if wants_touch_scrolling(area):
                    enable(area)

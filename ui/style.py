"""Shop-floor look: large fonts, big touch targets, high-contrast verdict colours.

Kept in one place so every page looks the same and tests can check the numbers.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFocusFrame,
    QWidget,
)
from shiboken6 import isValid

from ui.widgets.focus_ring import FocusRing, wants_inner_ring

BASE_POINT_SIZE = 13
MIN_BUTTON_HEIGHT = 48
# Gloved fingers: every other control (fields, check boxes, sliders) at least this high.
MIN_CONTROL_HEIGHT = 40
FIELD_MIN_HEIGHT = MIN_CONTROL_HEIGHT - 2  # plus the field's 1 px border
TABLE_ROW_HEIGHT = MIN_CONTROL_HEIGHT  # a row is picked before G / D / O: a target too

# Verdict colours: (background, text). Text contrast is >= 4.5:1 on each background.
VERDICT_COLOURS: dict[str, tuple[str, str]] = {
    "ok": ("#1b6e35", "#ffffff"),
    "ng": ("#b71c1c", "#ffffff"),
    "uncertain": ("#ffb300", "#000000"),
    "none": ("#5f6368", "#ffffff"),
}
# Keyboard focus: Fusion's own focus marks (a 1 px tint) are hard to see from a step away.
# One frame in this colour is drawn around whichever control has the focus, outside it: no
# layout moves, and it is an outline, unlike the filled blue of a selected entry.
FOCUS_COLOUR = "#1a73e8"  # >= 3:1 on the window grey, on white and on the dark pictures
FOCUS_WIDTH = 3
# Selected rows and entries (white text on it: 8.3:1; Fusion's #308cc6 gave 3.7:1) and the
# grey of placeholder text (7:1 on white; Qt's #7f7f7f gave 4.0:1): WCAG AA asks 4.5:1.
SELECTION_COLOUR = "#1f4e8c"
PLACEHOLDER_COLOUR = "#595959"
LABEL_COLOURS: dict[str, str] = {"good": "#1b6e35", "defective": "#b71c1c", "unlabelled": "#5f6368"}

STYLESHEET = f"""
QPushButton, QToolButton {{ min-height: {MIN_BUTTON_HEIGHT}px; padding: 4px 14px; }}
QComboBox, QLineEdit, QSpinBox, QDoubleSpinBox, QDateEdit {{ min-height: {FIELD_MIN_HEIGHT}px; }}
QCheckBox, QRadioButton, QSlider {{ min-height: {MIN_CONTROL_HEIGHT}px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 22px; height: 22px; }}
QListWidget#navigation {{ font-size: 15pt; }}
QListWidget#navigation::item {{ min-height: 52px; padding: 4px 10px; }}
QListWidget#navigation::item:selected {{ background: #1f4e8c; color: white; }}
QLabel[role="title"] {{ font-size: 18pt; font-weight: bold; }}
QLabel[role="hint"] {{ color: #444444; }}
QLabel[role="warning"] {{ color: #8a4b00; font-weight: bold; }}
QProgressBar {{ min-height: 28px; min-width: 160px; }}
QFocusFrame {{ border: {FOCUS_WIDTH}px solid {FOCUS_COLOUR}; border-radius: 3px; }}
QFrame#nextStep {{ background: #e3ecf7; border: 1px solid #1f4e8c; border-radius: 4px; }}
QSlider::groove:horizontal {{ height: 8px; background: #c4c7cc; border-radius: 4px; }}
QSlider::handle:horizontal {{ width: 30px; margin: -11px 0px; border-radius: 15px;
                             background: #1f4e8c; }}
QSlider::handle:horizontal:disabled {{ background: #9aa0a6; }}
QListWidget#defectTypes::item {{ min-height: {MIN_BUTTON_HEIGHT - 4}px; padding: 0px 8px; }}
"""


class FocusMarker(QObject):
    """Moves one QFocusFrame (styled by ``QFocusFrame`` above) to the widget with the
    focus. The frame lives in that widget's parent, so it dies with a closed dialog: a
    new one is made when needed. A view that fills its parent (table, gallery, picture)
    gets a ring inside it instead, where it cannot be cut off."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.frame: QFocusFrame | None = None
        self.ring: FocusRing | None = None
        app.focusChanged.connect(self._moved)

    def _moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self.frame is None or not isValid(self.frame):
            self.frame = QFocusFrame()
        if self.ring is None or not isValid(self.ring):
            self.ring = FocusRing(FOCUS_COLOUR, FOCUS_WIDTH)
        inner = wants_inner_ring(new)
        self.frame.setWidget(None if inner else new)
        self.ring.follow(new if inner else None)


class WheelGuard(QObject):
    """A wheel turned over a spin box or a drop-down that does not have the keyboard
    scrolls the page instead of changing the value. A QA setting (the false-reject
    target) went from 1 % to 1.5 % under a stray wheel turn and was saved with it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
        if (event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget)
                and not watched.hasFocus()):
            parent = watched.parentWidget()
            if parent is not None:  # the page around it scrolls, as over a label
                QApplication.sendEvent(parent, event)
            return True
        return False


def guard_wheels(root: QWidget) -> None:
    """The wheel guard on every spin box and drop-down under ``root`` (the window's pages;
    on each one, not on the application: the idle watcher already sees every event)."""
    guard = root.findChild(WheelGuard) or WheelGuard(root)
    for box in root.findChildren(QWidget):
        if isinstance(box, QAbstractSpinBox | QComboBox):
            box.installEventFilter(guard)


def apply_style(app: QApplication) -> None:
    """Set the base font (>= 12 pt), the stylesheet and the focus frame on the whole
    application."""
    font = QFont(app.font())
    # never below the system's own text size: a PC set to large text keeps it
    font.setPointSize(max(BASE_POINT_SIZE, font.pointSize()))
    app.setFont(font)
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor(SELECTION_COLOUR))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor(PLACEHOLDER_COLOUR))
    app.setPalette(palette)
    app.setStyleSheet(STYLESHEET)
    if app.findChild(FocusMarker) is None:
        FocusMarker(app)


def table_for_gloves(table: QAbstractItemView) -> None:
    """Rows tall enough to hit with a glove; Tab leaves the table instead of walking its
    cells (a table of 200 rows kept the keyboard, and the buttons below never got it)."""
    table.setTabKeyNavigation(False)
    header = getattr(table, "verticalHeader", None)
    if header is not None:
        header().setMinimumSectionSize(TABLE_ROW_HEIGHT)
        header().setDefaultSectionSize(max(TABLE_ROW_HEIGHT, header().defaultSectionSize()))

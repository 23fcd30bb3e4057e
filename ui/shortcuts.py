"""Page keys: a shortcut that works while the focus is anywhere on its page (not on the
other pages), and that the button it presses names in its tooltip, so it can be found."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

# Keys that record something or toggle: one press, one action. Held down (a glove
# resting on the key) they repeated: 55 snapshots stored in 2 s, 20 parts labelled good.
ONE_PRESS_KEYS = frozenset({"G", "D", "1", "2", "3", "H", "O"})


def page_key(page: QWidget, key: str, target: QAbstractButton | Callable[[], object],
             repeat: bool | None = None) -> QShortcut:
    """Bind ``key`` on ``page``. A button is clicked (so a disabled one does nothing, as
    with the mouse) and its tooltip gains "(key)"; anything else is called. ``repeat``:
    whether the key held down acts again (default: unless it is one of ONE_PRESS_KEYS)."""
    shortcut = QShortcut(QKeySequence(key), page)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.setAutoRepeat(key.upper() not in ONE_PRESS_KEYS if repeat is None else repeat)
    if isinstance(target, QAbstractButton):
        shortcut.activated.connect(target.click)
        shown = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
        tip = target.toolTip()
        target.setToolTip(f"{tip}  ({shown})" if tip else shown)
    else:
        shortcut.activated.connect(target)
    return shortcut


def space_key(page: QWidget, action: Callable[[], object]) -> QShortcut:
    """Space runs the page's camera action (snapshot, inspect frame), except on a button or
    check box reached with Tab: that one is pressed, as everywhere else, so the hot folder
    and the camera can be started from the keyboard. The page's buttons take the focus
    from Tab only: a click leaves it where it was, so Space after clicking "Start camera"
    still takes the picture instead of stopping the camera."""
    for button in page.findChildren(QAbstractButton):
        if button.focusPolicy() & Qt.FocusPolicy.ClickFocus:
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def pressed() -> None:
        focus = QApplication.focusWidget()
        if (isinstance(focus, QAbstractButton) and page.isAncestorOf(focus)
                and focus.isEnabled() and focus.isVisible()):
            focus.animateClick()
            return
        action()  # on a greyed-out button Space did nothing, not even say why

    shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), page)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.setAutoRepeat(False)  # held down: one snapshot, not 55
    shortcut.activated.connect(pressed)
    return shortcut

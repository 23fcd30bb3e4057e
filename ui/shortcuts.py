"""Page keys: a shortcut that works while the focus is anywhere on its page (not on the
other pages), and that the button it presses names in its tooltip, so it can be found."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QWidget


def page_key(page: QWidget, key: str, target: QAbstractButton | Callable[[], object]) -> QShortcut:
    """Bind ``key`` on ``page``. A button is clicked (so a disabled one does nothing, as
    with the mouse) and its tooltip gains "(key)"; anything else is called."""
    shortcut = QShortcut(QKeySequence(key), page)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    if isinstance(target, QAbstractButton):
        shortcut.activated.connect(target.click)
        shown = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
        tip = target.toolTip()
        target.setToolTip(f"{tip}  ({shown})" if tip else shown)
    else:
        shortcut.activated.connect(target)
    return shortcut

"""The GUI's entry point: a splash at once, then the window.

Importing the database layer and building the pages takes seconds on a shop-floor PC
(2.6-3.5 s measured on a busy 2-core machine) with nothing on the screen: people clicked
again and started a second copy. The splash needs only Qt, so it shows first.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QSplashScreen

SPLASH_SIZE = (520, 200)


def show_splash(app: QApplication) -> QSplashScreen:
    """A plain card with the name and "starting…", painted before anything heavy loads."""
    pixmap = QPixmap(*SPLASH_SIZE)
    pixmap.fill(QColor("#1e4f8f"))
    painter = QPainter(pixmap)
    painter.setPen(QColor("white"))
    title = QFont()
    title.setPointSize(28)
    title.setBold(True)
    painter.setFont(title)
    painter.drawText(pixmap.rect().adjusted(0, 0, 0, -50), Qt.AlignmentFlag.AlignCenter,
                     "Inspector")
    note = QFont()
    note.setPointSize(12)
    painter.setFont(note)
    painter.drawText(pixmap.rect().adjusted(0, 90, 0, 0), Qt.AlignmentFlag.AlignCenter,
                     "Starting…")
    painter.end()
    splash = QSplashScreen(pixmap)
    splash.show()
    app.processEvents()
    return splash


def main(argv: Sequence[str] | None = None) -> int:
    """``inspector-gui``: as ``ui.app.main``, behind a splash."""
    if argv is None:
        argv = sys.argv[1:]
    if any(arg in ("-h", "--help") for arg in argv):
        from ui.app import main as app_main  # the help text, no window

        return app_main(argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    splash = show_splash(app)
    from ui.app import main as app_main

    return app_main(argv, splash=splash)

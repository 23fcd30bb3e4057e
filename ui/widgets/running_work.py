"""Ending a session by hand while a training, import or folder inspection still runs.

The work would go on under the person who started it, so a model it trains goes live
under their rights after they left. They are asked: keep it running (the next person sees
its progress and can cancel it), cancel it now, or go back. An idle sign-out does not
ask: nobody is there to answer, and the station keeps working.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QMessageBox, QWidget

from ui.dialogs import disposed
from ui.widgets.progress_panel import ProgressPanel


class Choice(Enum):
    KEEP = "keep"
    CANCEL = "cancel"
    GO_BACK = "go back"


def ask_about_running_work(parent: QWidget | None, panels: list[ProgressPanel],
                           ending: str) -> Choice:
    """``ending``: what the person is doing ("sign out", "hand over to Bob"). Enter keeps
    the work running (what happened before anyone asked); Esc goes back."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Work is still running")
    box.setText("Still running: " + "; ".join(p.describe() for p in panels) + ".")
    box.setInformativeText(
        f"Before you {ending}: keep it running under your name (the next person sees its "
        "progress and can cancel it), or cancel it now?")
    keep = box.addButton("Keep it running", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton("Cancel it", QMessageBox.ButtonRole.DestructiveRole)
    back = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(back)
    with disposed(box):
        box.exec()
        clicked = box.clickedButton()
    if clicked is keep:
        return Choice.KEEP
    if clicked is cancel:
        for panel in panels:
            panel.cancel()
        return Choice.CANCEL
    return Choice.GO_BACK


def settle_running_work(parent: QWidget | None, panels: list[ProgressPanel],
                        ending: str) -> bool:
    """True when the session may end now (nothing runs, or the person chose)."""
    running = [p for p in panels if p.busy]
    return not running or ask_about_running_work(parent, running, ending) is not Choice.GO_BACK

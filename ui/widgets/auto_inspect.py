"""Continuous camera inspection: a tick box "Auto", the interval, and the timer they run.

On the Inspect page beside the live camera: while ticked, ``timer`` fires every interval
and the page inspects the newest frame (dropping frames while a result is pending). A
frame whose inspection fails for a passing reason (the database busy, a full disk)
pauses it for a while that grows to five minutes, then it goes on by itself: a modal
dialog that unticked it ended inspection for the rest of an unattended shift. A pause
holds back the timer only; Space still inspects.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox
from sqlalchemy.exc import SQLAlchemyError

from ui.dialogs import error_text

log = logging.getLogger(__name__)
TIP = "Inspect a new camera picture at this interval, without anyone pressing Space"
PAUSE_AFTER_S = (5, 15, 60, 300)  # after the 1st, 2nd, 3rd, later failure in a row


class AutoInspect(QObject):
    """``box`` (ticked: on), ``rate`` (seconds between pictures) and ``timer``."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.box = QCheckBox("Auto")  # a box without words said nothing to a gloved hand
        self.box.setToolTip(TIP)
        self.box.setAccessibleName("Inspect continuously")
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.2, 30.0)
        self.rate.setDecimals(1)
        self.rate.setValue(1.0)
        self.rate.setSuffix(" s")
        self.rate.setToolTip(TIP)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.failures = 0  # failed frames in a row
        self.resume_at = 0.0  # monotonic time until which frames are skipped
        self.box.toggled.connect(self._toggled)
        self.rate.valueChanged.connect(lambda v: self.timer.setInterval(int(v * 1000)))

    def paused(self) -> bool:
        return time.monotonic() < self.resume_at

    @staticmethod
    def passing(exc: BaseException) -> bool:
        """A database or disk problem (busy, full, a share away) passes; one that does not
        (no model, no right, a damaged model file, a bug) is said in a dialog and ends
        continuous inspection: retried every 5 minutes, it went unseen."""
        return any(isinstance(e, OSError | SQLAlchemyError) for e in (exc, exc.__cause__))

    def frame_failed(self, exc: BaseException) -> str:
        """Pause after a failed frame (the timer keeps running, so it still counts as
        work under way for a sign-out); the line to show."""
        pause = PAUSE_AFTER_S[min(self.failures, len(PAUSE_AFTER_S) - 1)]
        self.failures += 1
        self.resume_at = time.monotonic() + pause
        text = error_text(exc)
        log.warning("continuous inspection: a frame failed (%s); pausing %d s", text, pause)
        return (f"Continuous inspection: a picture was not inspected ({text}). Trying again "
                f"in {pause} s.")

    def frame_done(self) -> None:
        self.failures, self.resume_at = 0, 0.0

    def _toggled(self, on: bool) -> None:
        self.frame_done()
        self.timer.setInterval(int(self.rate.value() * 1000))
        if on:
            self.timer.start()
        else:
            self.timer.stop()

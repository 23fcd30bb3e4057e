"""Continuous camera inspection: a tick box "Auto", the interval, and the timer they run.

On the Inspect page beside the live camera: while ticked, ``timer`` fires every interval
and the page inspects the newest frame (dropping frames while a result is pending).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox

TIP = "Inspect a new camera picture at this interval, without anyone pressing Space"


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
        self.box.toggled.connect(self._toggled)
        self.rate.valueChanged.connect(lambda v: self.timer.setInterval(int(v * 1000)))

    def _toggled(self, on: bool) -> None:
        self.timer.setInterval(int(self.rate.value() * 1000))
        if on:
            self.timer.start()
        else:
            self.timer.stop()

"""The Qt binding itself: a release with a reference-count bug kills a station mid-shift.

PySide6 6.12.0 on Python 3.11 gives back one reference to None too many on every Qt
method that returns nothing. The GUI calls such methods thousands of times a minute
(progress bars, labels, the camera preview), and when None's count reaches zero Python
aborts with "Fatal Python error: none_dealloc": short test runs pass, a shift does not.
"""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.gui


def test_qt_calls_leave_none_reference_count_alone(qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QLabel, QProgressBar

    label, bar = QLabel(), QProgressBar()
    qtbot.addWidget(label)
    qtbot.addWidget(bar)
    label.setText("warm-up")
    before = sys.getrefcount(None)
    for i in range(200):
        label.setText(f"part {i}")
        bar.setValue(i % 100)
        label.resize(100 + i % 7, 20)
    drift = sys.getrefcount(None) - before
    # a few references may come and go with Python's own objects; the bug loses 600
    assert abs(drift) < 50, (
        f"None lost {-drift} references over 600 Qt calls: this PySide6 release will "
        "abort a long-running GUI (see pyproject.toml)")

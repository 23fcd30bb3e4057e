"""Gloved fingers: every control an operator or admin can see is at least 40 px high.
Check boxes (Heat map, the hot folder's options) were 25 px and the threshold slider
15 px: a gloved finger could not hit them."""

from __future__ import annotations

import pytest
from gui_helpers import sign_in_as
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QSlider

from ui.style import MIN_CONTROL_HEIGHT

pytestmark = pytest.mark.gui

CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QSlider)


def test_every_visible_control_is_a_glove_target(window, qtbot, admin) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    window.resize(1366, 768)
    too_small = []
    for key, page in window.pages.items():
        assert window.show_page(key)
        qtbot.wait(20)
        for cls in CONTROLS:
            for control in page.findChildren(cls):
                if control.isVisible() and control.height() < MIN_CONTROL_HEIGHT:
                    text = getattr(control, "text", lambda: "")()
                    too_small.append((key, type(control).__name__, text, control.height()))
    assert too_small == []

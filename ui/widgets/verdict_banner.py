"""The OK / NG / UNCERTAIN banner, readable from two metres and without colour vision.

The verdict word itself is always shown in huge bold text; colour only reinforces it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.style import VERDICT_COLOURS

WORDS = {"ok": "OK", "ng": "NG", "uncertain": "UNCERTAIN", "none": "—"}
UNFAMILIAR_TEXT = ("Unlike the training images as a whole: check the camera, lighting and "
                   "product before trusting this verdict.")
# Only offered when the machine did not reject the part: nobody should be nudged into
# labelling a rejected part good.
UNFAMILIAR_GOOD_HINT = " If the part is good, label it good and retrain."


def unfamiliar_text(verdict: str) -> str:
    """The setup warning for an unfamiliar image with this (final) verdict."""
    return "⚠ " + UNFAMILIAR_TEXT + ("" if verdict == "ng" else UNFAMILIAR_GOOD_HINT)


class VerdictBanner(QWidget):
    """A coloured block with the verdict word and one line of details under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.word = QLabel(WORDS["none"])
        self.word.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.font())
        font.setPointSize(64)
        font.setBold(True)
        self.word.setFont(font)
        self.detail = QLabel("")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        detail_font = QFont(self.font())
        detail_font.setPointSize(16)
        detail_font.setBold(True)
        self.detail.setFont(detail_font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.word)
        layout.addWidget(self.detail)
        self.setMinimumHeight(170)
        self.verdict = "none"
        self.set_verdict("none")

    def set_verdict(self, verdict: str | None, detail: str = "") -> None:
        """Show ``verdict`` ("ok" / "ng" / "uncertain", None for nothing yet)."""
        key = (verdict or "none").lower()
        if key not in WORDS:
            key = "none"
        self.verdict = key
        background, text = VERDICT_COLOURS[key]
        self.word.setText(WORDS[key])
        self.detail.setText(detail)
        self.setStyleSheet(
            f"#verdictBanner {{ background: {background}; border-radius: 8px; }}"
            f"#verdictBanner QLabel {{ color: {text}; }}"
        )
        self.setAccessibleName(f"Verdict {WORDS[key]}")

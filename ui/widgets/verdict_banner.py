"""The OK / NG / UNCERTAIN banner, readable from two metres and without colour vision.

The verdict word itself is always shown in huge bold text; colour only reinforces it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.style import VERDICT_COLOURS

WORDS = {"ok": "OK", "ng": "NG", "uncertain": "UNCERTAIN", "none": "—"}
# Measured: a changed setup (camera, light, focus, another product) sets it off, and so
# does a real defect over a quarter to half of the part: the text names both.
UNFAMILIAR_TEXT = ("Unlike the training images as a whole: a large defect, or a changed "
                   "camera, lighting or product. Check before trusting this verdict.")
# Only offered when the machine did not reject the part: nobody should be nudged into
# labelling a rejected part good.
UNFAMILIAR_GOOD_HINT = " If the part is good, label it good and retrain."
# The verdict word's size: as large as fits, up to WORD_POINTS (COMPACT_WORD_POINTS on a
# short screen, where the heat map and the recent parts need the height); never under
# MIN_WORD_POINTS, still legible across the station.
WORD_POINTS, COMPACT_WORD_POINTS, MIN_WORD_POINTS = 64, 48, 20
FULL_MIN_HEIGHT = 170


def unfamiliar_text(verdict: str) -> str:
    """The setup warning for an unfamiliar image with this (final) verdict."""
    return "⚠ " + UNFAMILIAR_TEXT + ("" if verdict == "ng" else UNFAMILIAR_GOOD_HINT)


class VerdictWord(QLabel):
    """The verdict word, whole at any width: "UNCERTAIN" at 64 pt is wider than the result
    column (it showed as "NCERTAI"), so the font shrinks to the width it is given."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.max_points = WORD_POINTS
        self._fit()

    def set_max_points(self, points: int) -> None:
        self.max_points = points
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        super().setText(text)
        self._fit()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """As narrow as the layout needs: the font follows the width, not the reverse."""
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit()

    def _fit(self) -> None:
        font = QFont(self.font())
        font.setBold(True)
        room = self.contentsRect().width()
        points = self.max_points
        while points > MIN_WORD_POINTS and room > 0:
            font.setPointSize(points)
            if QFontMetrics(font).horizontalAdvance(self.text()) <= room:
                break
            points -= 2
        font.setPointSize(points)
        if font != self.font():
            self.setFont(font)
        tallest = QFont(font)
        tallest.setPointSize(self.max_points)  # the banner keeps its height for every word
        self.setMinimumHeight(QFontMetrics(tallest).height())


class VerdictBanner(QWidget):
    """A coloured block with the verdict word and one line of details under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.word = VerdictWord(WORDS["none"])
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
        self.setMinimumHeight(FULL_MIN_HEIGHT)
        self.verdict = "none"
        self.set_verdict("none")

    def set_compact(self, compact: bool) -> None:
        """A smaller word on a short screen (a 1024x600 panel PC), so the heat map and the
        recent parts fit beside and under it without scrolling."""
        self.word.set_max_points(COMPACT_WORD_POINTS if compact else WORD_POINTS)
        self.setMinimumHeight(0 if compact else FULL_MIN_HEIGHT)

    def set_verdict(self, verdict: str | None, detail: str = "", word: str | None = None) -> None:
        """Show ``verdict`` ("ok" / "ng" / "uncertain", None for nothing yet) in its colour;
        ``word`` replaces the verdict word (a batch's "6 NG")."""
        key = (verdict or "none").lower()
        if key not in WORDS:
            key = "none"
        self.verdict = key
        background, text = VERDICT_COLOURS[key]
        self.word.setText(word or WORDS[key])
        self.detail.setText(detail)
        self.setStyleSheet(
            f"#verdictBanner {{ background: {background}; border-radius: 8px; }}"
            f"#verdictBanner QLabel {{ color: {text}; }}"
        )
        # What a screen reader says is what the banner shows: "Verdict NG" for a batch's
        # "1 NG" hid the count, and the score, threshold and counts went unsaid.
        shown = self.word.text()
        self.setAccessibleName("No verdict" if shown == WORDS["none"] else shown)
        self.setAccessibleDescription(detail)

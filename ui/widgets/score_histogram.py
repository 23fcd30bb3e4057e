"""Histogram of good vs defective scores with the threshold line (plain QPainter).

Good scores are green, labelled defects red, synthetic defects orange outlines; the
threshold is a thick black line and the uncertain band a hatched amber strip.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SERIES = (
    ("good", QColor("#1b6e35"), True),
    ("defective", QColor("#b71c1c"), True),
    ("synthetic", QColor("#e65100"), False),
)
MARGIN, SWATCH, GAP = 12.0, 16.0, 14.0  # px: sides, legend colour square, between entries


class ScoreHistogram(QWidget):
    """Set data with ``set_scores``; move the line with ``set_threshold``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(360, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.scores: dict[str, np.ndarray] = {}
        self.threshold: float | None = None
        self.uncertain_low: float | None = None
        self.bins = 24

    def set_scores(self, good: list[float], defective: list[float], synthetic: list[float],
                   threshold: float | None, uncertain_low: float | None = None) -> None:
        self.scores = {
            "good": np.asarray(good, float),
            "defective": np.asarray(defective, float),
            "synthetic": np.asarray(synthetic, float),
        }
        self.threshold, self.uncertain_low = threshold, uncertain_low
        self._range = self._data_range()  # fixed while the slider moves the line
        self.update()

    def set_threshold(self, threshold: float) -> None:
        self.threshold = threshold
        self.update()

    def value_range(self) -> tuple[float, float]:
        """The score axis, set with the data: moving the threshold line does not rescale it
        (a slider mapped through a moving scale saved another value than it showed)."""
        return getattr(self, "_range", None) or self._data_range()

    def _data_range(self) -> tuple[float, float]:
        values = [v for v in self.scores.values() if v.size]
        if self.threshold is not None:
            values.append(np.asarray([self.threshold]))
        if not values:
            return 0.0, 1.0
        allv = np.concatenate(values)
        lo, hi = float(allv.min()), float(allv.max())
        pad = (hi - lo) * 0.08 or max(abs(hi), 1.0) * 0.1
        return lo - pad, hi + pad

    def legend_layout(self) -> list[tuple[QRectF, QRectF, str, QColor]]:
        """(swatch, text rectangle, text, colour) of each legend entry. Entries go on as
        many lines as the width needs (measured with the font, so a large font or a
        narrow pane never cuts "synthetic (12)"); one that is wider than the whole line
        ends in "…"."""
        metrics = QFontMetricsF(self.font())
        line = max(24.0, math.ceil(metrics.height()) + 4.0)
        left, right = MARGIN, max(MARGIN + SWATCH, self.width() - MARGIN)
        x, y = left, 4.0
        entries: list[tuple[QRectF, QRectF, str, QColor]] = []
        for name, colour, _filled in SERIES:
            values = self.scores.get(name)
            if values is None or not values.size:
                continue
            label = f"{name} ({values.size})"
            if x > left and x + SWATCH + 6 + metrics.horizontalAdvance(label) > right:
                x, y = left, y + line
            room = right - x - SWATCH - 6
            if metrics.horizontalAdvance(label) > room:
                label = metrics.elidedText(label, Qt.TextElideMode.ElideRight, room)
            width = min(room, math.ceil(metrics.horizontalAdvance(label)) + 1.0)
            entries.append((QRectF(x, y + (line - SWATCH) / 2, SWATCH, SWATCH),
                            QRectF(x + SWATCH + 6, y, width, line), label, colour))
            x += SWATCH + 6 + width + GAP
        return entries

    def plot_rect(self) -> QRectF:
        """Where the bars go: below the legend's lines, above the threshold's text."""
        legend = self.legend_layout()
        top = max((text.bottom() for _s, text, _l, _c in legend), default=28.0) + 6
        bottom = math.ceil(QFontMetricsF(self.font()).height()) + 10
        return QRectF(self.rect()).adjusted(MARGIN, top, -MARGIN, -bottom)

    def paintEvent(self, _event) -> None:  # noqa: N802, ANN001 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        plot = self.plot_rect()
        font = QFont(self.font())
        painter.setFont(font)
        painter.setPen(QColor("black"))
        if not any(v.size for v in self.scores.values()):
            painter.drawText(QRectF(self.rect()).adjusted(MARGIN, 0, -MARGIN, 0),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             "No scores yet: train a model to see the histogram.")
            return
        lo, hi = self.value_range()
        edges = np.linspace(lo, hi, self.bins + 1)
        counts = {k: np.histogram(v, edges)[0] / max(1, v.size) for k, v in self.scores.items()}
        top = max(float(c.max()) for c in counts.values()) or 1.0

        def x_of(value: float) -> float:
            return plot.left() + (value - lo) / (hi - lo) * plot.width()

        if self.threshold is not None and self.uncertain_low is not None:
            band = QRectF(x_of(self.uncertain_low), plot.top(),
                          x_of(self.threshold) - x_of(self.uncertain_low), plot.height())
            painter.fillRect(band, QBrush(QColor(255, 179, 0, 90), Qt.BrushStyle.BDiagPattern))
        width = plot.width() / self.bins
        for name, colour, filled in SERIES:
            for i, c in enumerate(counts.get(name, [])):
                if c <= 0:
                    continue
                h = c / top * plot.height()
                rect = QRectF(plot.left() + i * width + 1, plot.bottom() - h, width - 2, h)
                if filled:
                    fill = QColor(colour)
                    fill.setAlpha(150)
                    painter.fillRect(rect, fill)
                else:
                    painter.setPen(QPen(colour, 2))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRect(rect)
        painter.setPen(QPen(QColor("#444444"), 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        if self.threshold is not None:
            x = x_of(self.threshold)
            painter.setPen(QPen(QColor("black"), 3))
            painter.drawLine(int(x), int(plot.top()) - 6, int(x), int(plot.bottom()))
            text = f"threshold {self.threshold:.3g}"
            half = painter.fontMetrics().horizontalAdvance(text) / 2 + 4
            x = min(max(x, half), self.width() - half)  # the line near an edge: text inside
            painter.drawText(QRectF(x - half, plot.bottom() + 4, 2 * half, self.height()
                                    - plot.bottom() - 4), Qt.AlignmentFlag.AlignHCenter
                             | Qt.AlignmentFlag.AlignTop, text)
        for swatch, rect, label, colour in self.legend_layout():
            painter.fillRect(swatch, colour)
            painter.setPen(QColor("black"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine,
                             label)

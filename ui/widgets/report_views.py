"""Widgets of the Reports page: headline numbers, the chart canvas, the worst-images table."""

from __future__ import annotations

from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from inspector.reports.types import Report
from ui.qimage import rgb_to_pixmap

THUMB = 72
WORST_COLUMNS = ("#", "Inspection", "Score", "Defect type", "Severity", "When", "Operator",
                 "Station", "Product")  # fmt: skip


def make_chart_canvas() -> tuple[FigureCanvasQTAgg, Figure]:
    figure = Figure(figsize=(10, 5), layout=None)
    canvas = FigureCanvasQTAgg(figure)
    canvas.setMinimumHeight(320)
    return canvas, figure


class SummaryStrip(QWidget):
    """Big numbers: inspected, NG, NG rate, uncertain, overrides."""

    KEYS = ("Parts inspected", "NG (final verdict)", "NG rate", "Uncertain", "QA overrides",
            "Unfamiliar images")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        self.values: dict[str, QLabel] = {}
        for key in self.KEYS:
            box = QLabel()
            box.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.setTextFormat(Qt.TextFormat.RichText)
            self.values[key] = box
            layout.addWidget(box)
        self._set({k: "–" for k in self.KEYS})

    def _set(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self.values[key].setText(f"<div style='font-size:20pt;font-weight:bold'>{value}</div>"
                                     f"<div style='font-size:12pt'>{key}</div>")  # fmt: skip

    def text_of(self, key: str) -> str:
        """The number shown for ``key`` (for tests and accessibility)."""
        return self.values[key].property("value") or ""

    def show_report(self, rep: Report) -> None:
        shown = dict(rep.summary_lines())
        values = {k: shown[k] for k in self.KEYS}
        for key, value in values.items():
            self.values[key].setProperty("value", value)
        self._set(values)


class WorstTable(QTableWidget):
    """The top-N NG inspections by score, with a thumbnail where the image file exists."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(WORST_COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(WORST_COLUMNS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setIconSize(QSize(THUMB, THUMB))
        self.verticalHeader().setDefaultSectionSize(THUMB + 6)
        self.verticalHeader().setVisible(False)

    def show_rows(self, rep: Report, thumbs: list[Any]) -> None:
        self.setRowCount(len(rep.worst))
        for r, w in enumerate(rep.worst):
            values = (r + 1, w.inspection_id, f"{w.score:.3f}", w.defect_type or "-",
                      w.severity or "-", f"{w.inspected_at:%Y-%m-%d %H:%M}", w.operator or "-",
                      w.station or "-", w.product or "-")  # fmt: skip
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if c == 0 and r < len(thumbs) and thumbs[r] is not None:
                    item.setIcon(QIcon(rgb_to_pixmap(thumbs[r], THUMB)))
                self.setItem(r, c, item)
        self.resizeColumnsToContents()

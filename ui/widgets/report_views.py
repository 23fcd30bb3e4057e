"""Widgets of the Reports page: headline numbers, the chart canvas, the worst-images table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from inspector.reports.types import Report
from ui.qimage import rgb_to_pixmap, screen_ratio
from ui.style import table_for_gloves

THUMB = 72
WORST_COLUMNS = ("#", "Heat map", "Inspection", "Score", "Defect type", "Severity", "When",
                 "Operator", "Station", "Product")  # fmt: skip
HEAT_COLUMN = WORST_COLUMNS.index("Heat map")


class ChartView(QLabel):
    """The five charts as a picture drawn in a worker: a year of data took about a second
    of matplotlib on the GUI thread. A resize scales the picture at once and redraws it
    sharp in the background shortly after."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(200, 320)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # A label holding a picture asks for the picture's size: the charts would keep
        # the page from ever getting narrower again. The layout decides; we redraw.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.report: Report | None = None
        self.job: Any = None
        self.rendered = 0  # pictures shown (tests wait on it)
        self._chart = QPixmap()
        self._again = QTimer(self)
        self._again.setSingleShot(True)
        self._again.setInterval(300)
        self._again.timeout.connect(self._render)

    def show_report(self, rep: Report) -> None:
        self.report = rep
        self._render()

    def _render(self) -> None:
        from inspector.reports.screen_charts import render_screen_png
        from ui.worker import Job

        if self.report is None:
            return
        if self.job is not None:  # one drawing at a time; the newest wish wins after it
            self._again.start()
            return
        size, ratio = self.size(), self.devicePixelRatioF()  # sharp on a scaled monitor
        self.job = Job(render_screen_png, self.report, round(size.width() * ratio),
                       round(size.height() * ratio), round(100 * ratio))
        self.job.finished.connect(self._show_png)
        self.job.done.connect(self._render_done)
        self.job.start()

    def _render_done(self) -> None:
        self.job = None

    def _show_png(self, png: bytes) -> None:
        chart = QPixmap()
        chart.loadFromData(png, "PNG")
        chart.setDevicePixelRatio(self.devicePixelRatioF())
        self._chart = chart
        self.rendered += 1
        self._fit()

    def _fit(self) -> None:
        if not self._chart.isNull():
            ratio = self._chart.devicePixelRatio()
            fitted = self._chart.scaled(self.size() * ratio, Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation)
            fitted.setDevicePixelRatio(ratio)
            self.setPixmap(fitted)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()
        if self.report is not None:
            self._again.start()


class SummaryStrip(QWidget):
    """Big numbers: inspected, NG, NG rate, uncertain, overrides."""

    KEYS = ("Inspections", "NG (final verdict)", "NG rate", "Uncertain", "QA overrides",
            "Unfamiliar images")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        self.values: dict[str, QLabel] = {}
        for key in self.KEYS:
            box = QLabel()
            box.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.setTextFormat(Qt.TextFormat.RichText)
            box.setWordWrap(True)  # "NG (final verdict)" takes two lines on a 960 px screen
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
    """The top-N NG inspections by score, with the picture and its heat map (where the
    files exist) side by side, as the PDF shows them: where the defect is, at a glance."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(WORST_COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(WORST_COLUMNS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setIconSize(QSize(THUMB, THUMB))
        self.verticalHeader().setDefaultSectionSize(THUMB + 6)
        self.verticalHeader().setVisible(False)
        table_for_gloves(self)

    def show_rows(self, rep: Report, thumbs: list[Any], heatmaps: list[Any] = ()) -> None:
        """One row per worst inspection; ``thumbs`` / ``heatmaps``: RGB arrays or None
        (a missing file), in the order of ``rep.worst``."""
        self.setRowCount(len(rep.worst))
        for r, w in enumerate(rep.worst):
            heat = "" if r < len(heatmaps) and heatmaps[r] is not None else "not available"
            values = (r + 1, heat, w.inspection_id, f"{w.score:.3f}", w.defect_type or "-",
                      w.severity or "-", f"{w.inspected_at:%Y-%m-%d %H:%M}", w.operator or "-",
                      w.station or "-", w.product or "-")  # fmt: skip
            pictures = {0: thumbs, HEAT_COLUMN: heatmaps}
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                shown = pictures.get(c, ())
                if r < len(shown) and shown[r] is not None:
                    item.setIcon(QIcon(rgb_to_pixmap(shown[r], THUMB, screen_ratio())))
                self.setItem(r, c, item)
        self.resizeColumnsToContents()

    def has_picture(self, row: int, column: int) -> bool:
        """Whether the cell shows a picture (for tests)."""
        item = self.item(row, column)
        return item is not None and not item.icon().isNull()

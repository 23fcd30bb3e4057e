"""A table of what an import did with each file: stored, duplicate, refused (and why)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from ui.style import table_for_gloves

ROW_COLOURS = {"stored": "#e6f4ea", "duplicate": "#fff8e1", "refused": "#fdecea",
               "ignored": "#f1f3f4"}


class ImportReportTable(QTableWidget):
    """Rows: file name, outcome, reason. ``show_report`` takes an ``ImportReport``."""

    def __init__(self) -> None:
        super().__init__(0, 3)
        self.setHorizontalHeaderLabels(["File", "Result", "Why"])
        self.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.setColumnWidth(0, 260)
        self.verticalHeader().setVisible(False)
        table_for_gloves(self)
        self.setWordWrap(True)  # the reason is read in full: no tooltips under gloves
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def add_row(self, name: str, outcome: str, reason: str = "") -> None:
        row = self.rowCount()
        self.insertRow(row)
        for col, text in enumerate((name, outcome, reason)):
            item = QTableWidgetItem(text)
            item.setBackground(QColor(ROW_COLOURS.get(outcome, "#ffffff")))
            item.setForeground(QColor("#000000"))
            item.setToolTip(text)
            self.setItem(row, col, item)
        self.resizeRowToContents(row)

    def show_report(self, report: Any) -> str:
        """Fill the table from an ImportReport; returns a one-line summary."""
        self.setRowCount(0)
        for path, reason in report.refused:
            self.add_row(Path(path).name, "refused", reason)
        conflicts = dict(getattr(report, "label_conflicts", []))
        for path, what in getattr(report, "product_notes", []):
            conflicts[path] = f"{conflicts[path]}; {what}" if path in conflicts else what
        for path, image_id in report.duplicates:
            self.add_row(Path(path).name, "duplicate",
                         conflicts.get(path, f"already stored as image #{image_id}"))
        for info in report.stored:
            self.add_row(info.original_name or str(info.id), "stored", f"image #{info.id}")
        for path in getattr(report, "ignored", []):
            self.add_row(Path(path).name, "ignored", "not an image file")
        ignored = len(getattr(report, "ignored", []))
        if not (report.stored or report.duplicates or report.refused or ignored):
            return "No image files found there (PNG, JPEG, BMP, TIFF, WebP)."
        return (f"{len(report.stored)} stored, {len(report.duplicates)} duplicate(s), "
                f"{len(report.refused)} refused"
                + (f", {ignored} other file(s) ignored" if ignored else ""))

    def outcomes(self) -> list[tuple[str, str, str]]:
        return [tuple(self.item(r, c).text() for c in range(3)) for r in range(self.rowCount())]

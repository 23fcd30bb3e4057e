"""The History page's results table: a view over a list of inspections.

A model, not a QTableWidget: the widget made seven items per row, so listing 200 rows took
about 0.25 s and 4,000 rows (twenty "Show more" pages) over 3 s on the GUI thread, and a
hot folder re-lists every few seconds. A model reset costs nothing; cells are made only
for the rows on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from inspector.services.results import InspectionInfo
from ui.style import VERDICT_COLOURS, table_for_gloves
from ui.widgets.verdict_banner import WORDS

COLUMNS = ("Time", "Image", "Verdict", "Score", "Operator", "Station", "Product")
VERDICT_COLUMN = COLUMNS.index("Verdict")
MAX_COLUMN = 170  # px: long names are cut with "…" (full text in the tooltip) so that
# Station and Product stay in view on a small screen instead of behind a scroll bar
CAPPED_COLUMNS = (COLUMNS.index("Image"), COLUMNS.index("Operator"), COLUMNS.index("Station"))
SIZE_FROM_ROWS = 40  # column widths are measured on this many rows (11,200 data() calls at 200)

AnyIndex = QModelIndex | QPersistentModelIndex


def cells(info: InspectionInfo) -> tuple[str, ...]:
    """One row's texts, as shown."""
    return (f"{info.inspected_at.astimezone():%Y-%m-%d %H:%M:%S}",
            info.image_name or f"#{info.image_id}",
            WORDS.get(info.final_verdict, info.final_verdict)
            + (" *" if info.override_verdict else "")
            + (" ⚠" if info.unfamiliar else ""),
            f"{info.score:.3g}", info.operator or "", info.station or "", info.product or "")


class HistoryModel(QAbstractTableModel):
    """Rows of InspectionInfo; the texts of a row are made when the view asks for them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[InspectionInfo] = []
        self._texts: dict[int, tuple[str, ...]] = {}  # row -> cells, made once when first shown

    def set_rows(self, rows: Sequence[InspectionInfo]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._texts = {}
        self.endResetModel()

    def append_rows(self, rows: Sequence[InspectionInfo]) -> None:
        """Rows below the ones shown: the selection and the scroll position stay."""
        if not rows:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def _cells(self, row: int) -> tuple[str, ...]:
        texts = self._texts.get(row)
        if texts is None:
            texts = self._texts[row] = cells(self.rows[row])
        return texts

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        info, col = self.rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._cells(index.row())[col]  # tooltip: the full text where it is cut
        if col != VERDICT_COLUMN:
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:  # "NG * ⚠" read aloud says little
            return ", ".join([WORDS.get(info.final_verdict, info.final_verdict)]
                             + ["overridden"] * bool(info.override_verdict)
                             + ["unfamiliar image"] * bool(info.unfamiliar))
        bg, fg = VERDICT_COLOURS.get(info.final_verdict, VERDICT_COLOURS["none"])
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(bg)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(fg)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class HistoryTable(QTableView):
    """Read-only, one row selected at a time; ``text``, ``rowCount`` and ``currentRow``
    read it the way a QTableWidget's callers (and tests) did."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = HistoryModel(self)
        self.setModel(self.history)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.setAccessibleName("Inspection history")
        self.setAccessibleDescription("One row per inspection, newest first: arrow keys move, "
                                      "G, D and O act on the selected row")
        table_for_gloves(self)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(SIZE_FROM_ROWS)

    def rowCount(self) -> int:  # noqa: N802 - as QTableWidget
        return self.history.rowCount()

    def currentRow(self) -> int:  # noqa: N802 - as QTableWidget
        return self.currentIndex().row()

    def text(self, row: int, column: int) -> str:
        return str(self.history.data(self.history.index(row, column)))

    def fit_columns(self) -> None:
        """Widths from the contents (of the first rows), names capped; the time, verdict
        and score stay whole."""
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        for col in CAPPED_COLUMNS:
            if header.sectionSize(col) > MAX_COLUMN:
                header.resizeSection(col, MAX_COLUMN)

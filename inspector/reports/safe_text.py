"""Text from the shop floor made safe for spreadsheets.

Names, defect types and override reasons are typed by people. A value such as
``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0`` must stay text when a QA lead opens the CSV or
the workbook (formula injection), and a control character must not stop the Excel export.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_TEXT = 32_767
TRUNCATED = " …(truncated)"


def csv_text(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_value(ws: Any, value: Any) -> Any:
    """A workbook cell: text without XML-illegal characters, at most Excel's 32,767
    characters (marked when cut), and never a formula, not even once edited: text that
    starts like one gets the cell style's quote prefix (Excel's leading apostrophe), so
    pressing F2 and Enter on "=1+1" or "-2+3" keeps the text."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("?", value)
    if len(text) > EXCEL_MAX_TEXT:
        text = text[: EXCEL_MAX_TEXT - len(TRUNCATED)] + TRUNCATED
    if not text.startswith(FORMULA_STARTS):
        return text
    cell = WriteOnlyCell(ws, text)
    cell.data_type = "s"  # openpyxl would store "=..." as a formula
    cell.quotePrefix = True
    return cell


def xlsx_row(ws: Any, values: list[Any]) -> list[Any]:
    return [v if isinstance(v, Cell) else xlsx_value(ws, v) for v in values]  # cells: done

"""Excel export: a Summary sheet (filters + figures) and a Details sheet (an Excel Table).

The workbook is written in openpyxl's write-only mode so 100,000 rows stream to disk.
Excel has no time zones: dates are written as real Excel dates in the report's local time
(timezone-naive, whole seconds as in the CSV) and the zone is named in the column header.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from inspector.errors import UserError
from inspector.progress import CancelToken, ProgressCallback, check, report, scaled
from inspector.reports.build import build_report
from inspector.reports.filters import ReportFilters
from inspector.reports.output import atomic_output, output_path
from inspector.reports.rows import BATCH, COLUMNS, TIME_COLUMNS, count_rows, iter_rows
from inspector.reports.safe_text import xlsx_row, xlsx_value
from inspector.reports.types import Report
from inspector.store.db import Database

WIDTHS = {
    "inspection_id": 12, "inspected_at": 24, "product": 18, "line": 12, "station": 12,
    "operator": 16, "image_id": 10, "image_sha256": 20, "image_name": 24,
    "model_version": 10, "score": 10, "threshold": 10, "verdict": 10, "final_verdict": 12,
    "severity": 10, "defect_type": 16, "type_confidence": 12, "overridden": 11,
    "override_verdict": 12, "override_reason": 40, "override_by": 16, "override_at": 24,
    "unfamiliar": 11,
}  # fmt: skip


MAX_DETAIL_ROWS = 1_048_575  # Excel's sheet limit, less the header row


def export_xlsx(
    db: Database,
    filters: ReportFilters,
    out: Path,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Write the workbook for ``filters`` to ``out``; returns the number of detail rows."""
    output_path(Path(out))  # before the workbook exists: a refusal after it left a traceback
    with db.session() as s:
        total = count_rows(s, filters)
    if total > MAX_DETAIL_ROWS:
        raise UserError(f"{total:,} inspections do not fit on an Excel sheet (at most "
                        f"{MAX_DETAIL_ROWS:,} rows): export CSV, or a shorter period")
    rep = build_report(db, filters)
    check(cancel)
    wb = Workbook(write_only=True)
    _summary_sheet(wb, rep)
    with db.session() as s, atomic_output(Path(out)) as tmp:
        written = _details_sheet(
            wb, s, filters, rep.tz_name, total, scaled(progress, 0, 0.9), cancel
        )
        check(cancel)
        report(progress, 0.9, "saving workbook")
        # Zipped in memory, then written in one go: openpyxl leaves its zip file open
        # when a write fails (a full disk), and that fails again, noisily, when freed.
        buffer = io.BytesIO()
        wb.save(buffer)
        tmp.write_bytes(buffer.getbuffer())
    report(progress, 1.0, f"wrote {written} inspections")
    return written


def _seconds(value: dt.datetime | None) -> dt.datetime | None:
    """A local time for Excel: naive, cut to whole seconds as the CSV is. Excel's h:mm:ss
    rounds, so 05:59:59.5 showed as 06:00:00 (the next shift) and 23:59:59.999999 read
    back as the next day."""
    return None if value is None else value.replace(tzinfo=None, microsecond=0)


def _append(ws: Any, values: list[Any]) -> None:
    """Every row goes through here: shop-floor text stays text (reports.safe_text)."""
    ws.append(xlsx_row(ws, values))


def _bold(ws: Any, value: Any) -> WriteOnlyCell:
    safe = xlsx_value(ws, value)
    cell = safe if isinstance(safe, Cell) else WriteOnlyCell(ws, safe)
    cell.font = Font(bold=True)
    return cell


def _pct(ws: Any, value: float) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    cell.number_format = "0.00%"
    return cell


def _block(ws: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A titled little table; floats in a column or row named like a rate ("NG rate %")
    become percentages: a bare 0.0774 beside "NG rate %" reads as 0.08 %."""
    _append(ws, [])
    _append(ws, [_bold(ws, title)])
    _append(ws, [_bold(ws, h) for h in header])
    for row in rows:
        label = str(row[0]) if row else ""
        _append(ws,
            [
                _pct(ws, v) if "%" in h + label and isinstance(v, float) else v
                for h, v in zip(header, row, strict=True)
            ]
        )


def _summary_sheet(wb: Workbook, rep: Report) -> None:
    ws = wb.create_sheet("Summary")
    ws.column_dimensions["A"].width = 28
    for col in "CD":
        ws.column_dimensions[col].width = 16
    for col in "BE":  # "Generated" and the overrides' "At": a whole 2024-03-01 06:00:00
        ws.column_dimensions[col].width = 21
    title = WriteOnlyCell(ws, "Inspection quality report")
    title.font = Font(bold=True, size=14)
    _append(ws, [title])
    _append(ws, ["Generated", _seconds(rep.generated_at)])
    for label, value in rep.filters.describe():
        _append(ws, [label, value])
    if rep.empty:
        _append(ws, [])
        _append(ws, [_bold(ws, rep.filters.no_data_text())])
        return
    t = rep.totals
    _block(
        ws,
        "Figures",
        ["Figure", "Value"],
        [
            ("Inspections", t.inspected),
            ("NG (final verdict)", t.ng),
            ("NG rate %", t.ng_rate),
            ("Uncertain", t.uncertain),
            ("OK", t.ok),
            ("QA overrides", t.overridden),
            ("Unfamiliar images", t.unfamiliar),
        ],
    )
    groups = ["Inspected", "NG", "NG rate %"]
    _block(
        ws,
        "Per day",
        ["Day", *groups],
        ((d.day, d.inspected, d.ng, d.ng_rate if d.inspected else None) for d in rep.per_day),
    )
    for title_, items in (
        ("Per shift", rep.per_shift),
        ("By operator", rep.by_operator),
        ("By station", rep.by_station),
        ("By product", rep.by_product),
        ("By model version", rep.by_model),
    ):
        _block(  # a quiet shift has no NG rate, as a quiet day has none
            ws, title_, ["Name", *groups],
            ((g.key, g.inspected, g.ng, g.ng_rate if g.inspected else None) for g in items),
        )
    _block(ws, "NG by severity", ["Severity", "NG"], ((c.key, c.count) for c in rep.by_severity))
    _block(
        ws,
        "Pareto of defect types (NG)",
        ["Defect type", "NG", "Cumulative %"],
        ((p.defect_type, p.count, p.cumulative_pct / 100) for p in rep.pareto),
    )
    _block(
        ws,
        "QA overrides (newest first)",
        ["Inspection", "Machine", "Override", "By", "At", "Reason"],
        (
            (
                o.inspection_id,
                o.machine_verdict,
                o.override_verdict,
                o.by or "",
                _seconds(o.at),
                o.reason,
            )
            for o in rep.overrides
        ),  # fmt: skip
    )


def _details_sheet(
    wb: Workbook,
    s: Any,
    filters: ReportFilters,
    tz_name: str,
    total: int,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> int:
    ws = wb.create_sheet("Details")
    headers = [f"{c} ({tz_name})" if c in TIME_COLUMNS else c for c in COLUMNS]
    for i, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(name, 14)
    ws.freeze_panes = "A2"
    heads = [_bold(ws, h) for h in headers]
    if total == 0:  # the header and the table stay: a query or macro reads an empty table
        heads[0].comment = Comment(f"{filters.no_data_text()} (an empty table is one blank "
                                   "row in Excel)", "Inspector")
    _append(ws, heads)
    time_idx = [COLUMNS.index(c) for c in TIME_COLUMNS]
    written = 0
    for rec in iter_rows(s, filters):
        values: list[Any] = [rec[c] for c in COLUMNS]
        for i in time_idx:
            values[i] = _seconds(values[i])
        _append(ws, values)
        written += 1
        if written % BATCH == 0:
            check(cancel)
            report(progress, written / max(total, 1), f"{written} of {total} rows")
    # Excel refuses a table of a header alone: an empty one has a blank row, as Excel's own
    last = written + 1 if written else 2
    table = Table(
        displayName="Inspections", ref=f"A1:{get_column_letter(len(COLUMNS))}{last}"
    )
    table._initialise_columns()
    for col, name in zip(table.tableColumns, headers, strict=True):
        col.name = name
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    with warnings.catch_warnings():  # the columns are set above, as write-only mode needs
        warnings.filterwarnings("ignore", message="In write-only mode")
        ws.add_table(table)
    return written

"""CSV export: one row per inspection, UTF-8 with BOM so Excel detects the encoding."""

from __future__ import annotations

import csv
from pathlib import Path

from inspector.progress import CancelToken, ProgressCallback, check, report
from inspector.reports.filters import ReportFilters
from inspector.reports.output import atomic_output
from inspector.reports.rows import BATCH, COLUMNS, TIME_COLUMNS, count_rows, iter_rows
from inspector.reports.safe_text import csv_text
from inspector.store.db import Database


def export_csv(
    db: Database,
    filters: ReportFilters,
    out: Path,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Write the inspections matching ``filters`` to ``out``; returns the number of rows.

    Timestamps are ISO 8601 with the offset of the report's zone; an empty period gives a
    file with the header row only.
    """
    check(cancel)
    with db.session() as s, atomic_output(Path(out)) as tmp:
        total = count_rows(s, filters)
        report(progress, 0.0, f"writing {total} inspections")
        written = 0
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for rec in iter_rows(s, filters):
                for key in TIME_COLUMNS:
                    if rec[key] is not None:
                        rec[key] = rec[key].isoformat(timespec="seconds")
                for key in ("overridden", "unfamiliar"):
                    rec[key] = "yes" if rec[key] else "no"
                writer.writerow(["" if rec[c] is None else csv_text(rec[c]) for c in COLUMNS])
                written += 1
                if written % BATCH == 0:
                    check(cancel)
                    report(progress, written / max(total, 1), f"{written} of {total} rows")
            check(cancel)  # last chance: a cancelled export leaves no file behind
        report(progress, 1.0, f"wrote {written} inspections")
        return written

"""Benchmark reports on a large synthetic project (default 100,000 inspections, 90 days).

Prints timings for the summary (whole project and one month) and for the CSV, XLSX and PDF
exports of one month. Targets: summary < 2 s, one-month PDF < 30 s.

    .venv/bin/python scripts/bench_reports.py [--n 100000] [--days 90] [--all-exports]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inspector.reports import ReportFilters, build_report  # noqa: E402
from inspector.reports import query as q  # noqa: E402
from inspector.reports.csv_export import export_csv  # noqa: E402
from inspector.reports.pdf_export import export_pdf  # noqa: E402
from inspector.reports.synthetic import seed_inspections  # noqa: E402
from inspector.reports.xlsx_export import export_xlsx  # noqa: E402
from inspector.store.db import Database, sqlite_url  # noqa: E402
from inspector.store.models import Base  # noqa: E402


def timed(label: str, fn: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    result = fn()
    print(f"{label:<44} {time.perf_counter() - t0:8.2f} s   ({result})", flush=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000, help="inspections to generate")
    ap.add_argument("--days", type=int, default=90, help="spread over this many days")
    ap.add_argument("--tz", default="Europe/Berlin")
    ap.add_argument("--all-exports", action="store_true", help="also export all inspections")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        db = Database(sqlite_url(out / "bench.db"))
        Base.metadata.create_all(db.engine)
        start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        timed(
            f"insert {args.n} inspections", lambda: seed_inspections(db, args.n, start, args.days)
        )
        everything = ReportFilters(tz=args.tz)
        month = ReportFilters.for_days(dt.date(2024, 2, 1), dt.date(2024, 2, 29), tz=args.tz)
        timed("summary, whole project", lambda: build_report(db, everything).totals)
        timed("summary, whole project (again)", lambda: build_report(db, everything).totals)
        rep = timed("summary, one month", lambda: build_report(db, month).totals)
        with db.session() as s:
            where = q.where_clause(everything, s)
            timed(
                "  of which per-day/per-shift (SQL intervals)",
                lambda: len(q.day_and_shift(s, where, everything)[0]),
            )
            timed("  of which totals (SQL)", lambda: q.totals(s, where).inspected)
            timed("  of which Pareto (SQL)", lambda: len(q.pareto(s, where)))
            timed(
                "  of which worst images (SQL)",
                lambda: len(q.worst_images(s, where, everything, 12)),
            )
        timed(
            "summary, one product + NG only",
            lambda: (
                build_report(db, month.with_(product="Product A", verdict="ng")).totals.inspected
            ),
        )
        timed(
            f"CSV, one month ({rep.inspected} rows)", lambda: export_csv(db, month, out / "m.csv")
        )
        timed(
            f"XLSX, one month ({rep.inspected} rows)",
            lambda: export_xlsx(db, month, out / "m.xlsx"),
        )
        timed("PDF, one month (pages)", lambda: export_pdf(db, month, out / "m.pdf"))
        if args.all_exports:
            timed(f"CSV, all {args.n} rows", lambda: export_csv(db, everything, out / "a.csv"))
            timed(f"XLSX, all {args.n} rows", lambda: export_xlsx(db, everything, out / "a.xlsx"))
            timed("PDF, whole project (pages)", lambda: export_pdf(db, everything, out / "a.pdf"))
        db.dispose()


if __name__ == "__main__":
    main()

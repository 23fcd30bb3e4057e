"""QA reports: figures recomputed from the stored inspections, and CSV / XLSX / PDF exports.

``build_report(db, filters)`` and the ``export_*`` functions need only a ``Database``;
``service`` adds the project layer (permission, image paths, shift setting).
"""

from inspector.reports.build import build_report
from inspector.reports.filters import DEFAULT_SHIFTS, ReportFilters, Shift, parse_shifts
from inspector.reports.types import Report

__all__ = ["DEFAULT_SHIFTS", "Report", "ReportFilters", "Shift", "build_report", "parse_shifts"]

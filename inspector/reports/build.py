"""Compute a ``Report`` from the database; nothing is cached, every call re-queries."""

from __future__ import annotations

import datetime as dt

from inspector.reports import query
from inspector.reports.filters import ReportFilters, tz_label
from inspector.reports.types import Report
from inspector.store.db import Database

DEFAULT_TOP_N = 12
DEFAULT_MAX_OVERRIDES = 200


def build_report(
    db: Database,
    filters: ReportFilters | None = None,
    *,
    top_n: int = DEFAULT_TOP_N,
    max_overrides: int = DEFAULT_MAX_OVERRIDES,
) -> Report:
    """Every figure of the report for ``filters`` (all inspections when None)."""
    f = filters or ReportFilters()
    with db.session() as s:
        where = query.where_clause(f, s)
        totals = query.totals(s, where)
        per_day, per_shift = query.day_and_shift(s, where, f)
        return Report(
            filters=f,
            tz_name=tz_label(f.zone),
            generated_at=dt.datetime.now(f.zone),
            totals=totals,
            per_day=per_day,
            per_shift=per_shift,
            by_operator=query.by_operator(s, where),
            by_station=query.by_station(s, where),
            by_product=query.by_product(s, where),
            by_severity=query.by_severity(s, where),
            pareto=query.pareto(s, where),
            worst=query.worst_images(s, where, f, top_n),
            overrides=query.overrides(s, where, f, max_overrides),
            by_model=query.by_model(s, where),
        )

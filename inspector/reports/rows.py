"""One detail row per inspection, streamed, with the stable column names of the exports.

The column names are a documented interface (docs/reports.md): add new columns at the end,
never rename or reorder existing ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from inspector.reports.filters import ReportFilters
from inspector.reports.query import FINAL, where_clause
from inspector.store.models import Image, Inspection, ModelRecord, Operator, Product

COLUMNS: tuple[str, ...] = (
    "inspection_id",
    "inspected_at",
    "product",
    "line",
    "station",
    "operator",
    "image_id",
    "image_sha256",
    "image_name",
    "model_version",
    "score",
    "threshold",
    "verdict",
    "final_verdict",
    "severity",
    "defect_type",
    "type_confidence",
    "overridden",
    "override_verdict",
    "override_reason",
    "override_by",
    "override_at",
    "unfamiliar",
)
TIME_COLUMNS = ("inspected_at", "override_at")
BATCH = 2000


def count_rows(s: Session, f: ReportFilters) -> int:
    return int(s.execute(select(func.count(Inspection.id)).where(where_clause(f, s))).scalar_one())


def iter_rows(s: Session, f: ReportFilters) -> Iterator[dict[str, Any]]:
    """Rows oldest first as dicts keyed by ``COLUMNS``; times aware in the report's zone.

    Streams with ``yield_per`` so a 100,000-row export holds only one batch in memory.
    """
    i = Inspection
    op, ov = aliased(Operator), aliased(Operator)
    stmt = (
        select(
            i.id,
            i.inspected_at,
            Product.name,
            Product.line,
            i.station,
            op.name,
            i.image_id,
            Image.sha256,
            Image.original_name,
            ModelRecord.version,
            i.score,
            i.threshold,
            i.verdict,
            FINAL,
            i.severity,
            i.defect_type,
            i.type_confidence,
            i.override_verdict.isnot(None),
            i.override_verdict,
            i.override_reason,
            ov.name,
            i.override_at,
            i.unfamiliar,
        )  # fmt: skip
        .join(Image, Image.id == i.image_id)
        .outerjoin(Product, Product.id == i.product_id)
        .outerjoin(op, op.id == i.operator_id)
        .outerjoin(ov, ov.id == i.override_by_id)
        .outerjoin(ModelRecord, ModelRecord.id == i.model_id)
        .where(where_clause(f, s))
        .order_by(i.inspected_at, i.id)
        .execution_options(yield_per=BATCH)
    )
    zone = f.zone
    for row in s.execute(stmt):
        rec = dict(zip(COLUMNS, row, strict=True))
        for key in TIME_COLUMNS:
            value: dt.datetime | None = rec[key]
            if value is not None:
                rec[key] = value.astimezone(zone)
        rec["overridden"] = bool(rec["overridden"])
        rec["unfamiliar"] = bool(rec["unfamiliar"])
        yield rec

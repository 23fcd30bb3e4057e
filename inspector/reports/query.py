"""SQL for reports: one filtered WHERE clause and the GROUP BY aggregates built on it.

Everything is portable SQLAlchemy Core (runs on SQLite and PostgreSQL). The only work done
in Python is bucketing timestamps into local days and shifts, because SQL date functions
differ between the two databases and local-time grouping must follow DST; it reads just
two columns per row (see ``scripts/bench_reports.py`` for timings).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from inspector.reports import buckets
from inspector.reports.filters import ReportFilters
from inspector.reports.types import (
    CountShare,
    DayCount,
    GroupCount,
    OverrideRow,
    ParetoRow,
    Totals,
    WorstImage,
)
from inspector.store.models import Image, Inspection, ModelRecord, Operator, Product

I = Inspection  # noqa: E741 - short alias keeps the queries readable
FINAL = func.coalesce(I.override_verdict, I.verdict)
NO_TYPE = "(unclassified)"
NO_SEVERITY = "(none)"
NO_NAME = "(none)"


def _ng_sum() -> ColumnElement[Any]:
    return func.sum(case((FINAL == "ng", 1), else_=0))


def spellings(s: Session, column: Any, name: str, *where: Any) -> list[str]:
    """The stored values of ``column`` (rows matching ``where``) that are ``name`` in any
    case. Compared in Python: SQL lower() is not portable (SQLite folds ASCII only, and
    PostgreSQL as its locale says, none at all under C), so "Ölfleck" matched itself on
    one database and not on the other."""
    wanted = name.casefold()
    stmt = select(column).distinct().where(column.is_not(None), *where)
    return sorted(v for v in s.scalars(stmt) if v.casefold() == wanted)


def where_clause(f: ReportFilters, s: Session) -> ColumnElement[bool]:
    """The filters as one SQL condition on ``inspections`` (sub-selects, no joins); ``s``
    looks up how the named product, operator, station or defect type is spelt."""
    start, end = f.utc_bounds()
    conds: list[ColumnElement[bool]] = []
    if start is not None:
        conds.append(I.inspected_at >= start)
    if end is not None:
        conds.append(I.inspected_at < end)
    period = list(conds)  # stations and defect types are looked up in the period only
    # Names compare without regard to case, as everywhere else in Inspector ("BOTTLE" is
    # the product "bottle"); defect types and stations too, as people type them.
    if f.product is not None:
        names = spellings(s, Product.name, f.product)
        conds.append(I.product_id.in_(select(Product.id).where(Product.name.in_(names))))
    if f.operator is not None:
        names = spellings(s, Operator.name, f.operator)
        conds.append(I.operator_id.in_(select(Operator.id).where(Operator.name.in_(names))))
    if f.model_version is not None:
        conds.append(
            I.model_id.in_(select(ModelRecord.id).where(ModelRecord.version == f.model_version))
        )
    if f.station is not None:
        conds.append(I.station.in_(spellings(s, I.station, f.station, *period)))
    if f.verdict is not None:
        conds.append(FINAL == f.verdict)
    if f.severity is not None:  # severity belongs to NG parts (docs/reports.md)
        conds.append(and_(I.severity == f.severity, FINAL == "ng"))
    if f.defect_type is not None:
        conds.append(I.defect_type.in_(spellings(s, I.defect_type, f.defect_type, *period)))
    if f.overridden is not None:
        conds.append(
            I.override_verdict.isnot(None) if f.overridden else I.override_verdict.is_(None)
        )
    return and_(True, *conds)


def totals(s: Session, where: ColumnElement[bool]) -> Totals:
    row = s.execute(
        select(
            func.count(I.id),
            _ng_sum(),
            func.sum(case((FINAL == "uncertain", 1), else_=0)),
            func.sum(case((FINAL == "ok", 1), else_=0)),
            func.sum(case((I.override_verdict.isnot(None), 1), else_=0)),
            func.sum(case((I.unfamiliar, 1), else_=0)),
        ).where(where)
    ).one()
    return Totals(*(int(v or 0) for v in row))


def _names(s: Session, model: type[Product] | type[Operator], ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(s.execute(select(model.id, model.name).where(model.id.in_(ids))).all())  # type: ignore[arg-type]


def grouped(
    s: Session, where: ColumnElement[bool], column: Any, names: Any = None
) -> tuple[GroupCount, ...]:
    """Inspected + NG per value of ``column``, most inspected first; ``names`` maps ids."""
    rows = s.execute(
        select(column, func.count(I.id), _ng_sum()).where(where).group_by(column)
    ).all()
    labels = names(s, [r[0] for r in rows if r[0] is not None]) if names else {}
    out = [
        GroupCount(NO_NAME if k is None else str(labels.get(k, k)), int(n), int(ng or 0))
        for k, n, ng in rows
    ]
    return tuple(sorted(out, key=lambda g: (-g.inspected, g.key)))


def by_operator(s: Session, where: ColumnElement[bool]) -> tuple[GroupCount, ...]:
    return grouped(s, where, I.operator_id, lambda s, ids: _names(s, Operator, ids))


def by_product(s: Session, where: ColumnElement[bool]) -> tuple[GroupCount, ...]:
    return grouped(s, where, I.product_id, lambda s, ids: _names(s, Product, ids))


def by_station(s: Session, where: ColumnElement[bool]) -> tuple[GroupCount, ...]:
    return grouped(s, where, I.station)


def by_model(s: Session, where: ColumnElement[bool]) -> tuple[GroupCount, ...]:
    """Inspected + NG per model version, oldest version first: an NG rate that moves with
    an activation shows in the report, not only on the line."""
    rows = s.execute(
        select(I.model_id, func.count(I.id), _ng_sum()).where(where).group_by(I.model_id)
    ).all()
    ids = [r[0] for r in rows if r[0] is not None]
    recs = {m.id: m for m in s.scalars(select(ModelRecord).where(ModelRecord.id.in_(ids)))}

    def name(model_id: int | None) -> str:
        rec = recs.get(model_id)  # a deleted version keeps its record (deleted=True)
        if rec is None:
            return NO_NAME
        return f"v{rec.version}" + (f" ({rec.product.name})" if rec.product else "")

    rows = sorted(rows, key=lambda r: recs[r[0]].version if r[0] in recs else -1)
    return tuple(GroupCount(name(k), int(n), int(ng or 0)) for k, n, ng in rows)


def by_severity(s: Session, where: ColumnElement[bool]) -> tuple[CountShare, ...]:
    """Final-NG inspections per severity, in the fixed order minor, major, critical."""
    rows = dict(
        s.execute(
            select(I.severity, func.count(I.id)).where(where, FINAL == "ng").group_by(I.severity)
        ).all()
    )
    order = ["minor", "major", "critical"] + sorted(
        k for k in rows if k not in ("minor", "major", "critical", None)
    )
    out = [CountShare(k, int(rows.get(k, 0))) for k in order]
    if rows.get(None):
        out.append(CountShare(NO_SEVERITY, int(rows[None])))
    return tuple(out)


def pareto(s: Session, where: ColumnElement[bool]) -> tuple[ParetoRow, ...]:
    """Final-NG inspections per defect type, largest first, with the cumulative share."""
    rows = s.execute(
        select(I.defect_type, func.count(I.id)).where(where, FINAL == "ng").group_by(I.defect_type)
    ).all()
    items = sorted(((t or NO_TYPE, int(n)) for t, n in rows), key=lambda r: (-r[1], r[0]))
    total = sum(n for _, n in items)
    out, running = [], 0
    for name, n in items:
        running += n
        out.append(ParetoRow(name, n, 100.0 * running / total))
    return tuple(out)


def day_and_shift(
    s: Session, where: ColumnElement[bool], f: ReportFilters
) -> tuple[tuple[DayCount, ...], tuple[GroupCount, ...]]:
    """NG per local calendar day (every day of the period, zeros included) and per shift.

    Counted in SQL over local day/shift intervals (``buckets``); a period too long for
    that falls back to bucketing the rows in Python.
    """
    lo, hi = f.utc_bounds()
    if lo is None or hi is None:
        first, last = s.execute(
            select(func.min(I.inspected_at), func.max(I.inspected_at)).where(where)
        ).one()
        if first is None:
            return tuple(DayCount(d, 0, 0) for d in _day_range(f, Counter())), tuple(
                GroupCount(sh.name, 0, 0) for sh in f.shifts
            )
        lo = lo or first
        hi = hi or last + dt.timedelta(microseconds=1)
    cut = buckets.make_buckets(f, lo, hi, NO_NAME)
    if cut is None:
        return day_and_shift_python(s, where, f)
    counts = buckets.count_buckets(s, where, cut, I.inspected_at, case((FINAL == "ng", 1), else_=0))
    seen = Counter({b.day: 1 for b in cut})
    return buckets.aggregate(cut, counts, _day_range(f, seen), [sh.name for sh in f.shifts])


def day_and_shift_python(
    s: Session, where: ColumnElement[bool], f: ReportFilters
) -> tuple[tuple[DayCount, ...], tuple[GroupCount, ...]]:
    """The same figures by reading (inspected_at, is NG) of every row: the fallback."""
    zone = f.zone
    days_n: Counter[dt.date] = Counter()
    days_ng: Counter[dt.date] = Counter()
    shift_n: Counter[str] = Counter()
    shift_ng: Counter[str] = Counter()
    shifts = f.shifts
    stmt = select(I.inspected_at, FINAL == "ng").where(where).execution_options(yield_per=5000)
    for at, is_ng in s.execute(stmt):
        local = at.astimezone(zone)
        day, t = local.date(), local.time()
        name = next((sh.name for sh in shifts if sh.contains(t)), NO_NAME)
        days_n[day] += 1
        shift_n[name] += 1
        if is_ng:
            days_ng[day] += 1
            shift_ng[name] += 1
    per_day = [DayCount(d, days_n[d], days_ng[d]) for d in _day_range(f, days_n)]
    names = [sh.name for sh in shifts] + ([NO_NAME] if shift_n[NO_NAME] else [])
    per_shift = [GroupCount(n, shift_n[n], shift_ng[n]) for n in names]
    return tuple(per_day), tuple(per_shift)


def _day_range(f: ReportFilters, seen: Counter[dt.date]) -> list[dt.date]:
    """Every local day from the period's first to its last (the data's, where it is open)."""
    start, end = f.local_bounds()
    first = start.date() if start else min(seen, default=None)
    last = (end - dt.timedelta(microseconds=1)).date() if end else max(seen, default=None)
    if first is None or last is None or (last - first).days > 3660:
        return sorted(seen)  # open or decades-long period: only the days with data
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def worst_images(
    s: Session, where: ColumnElement[bool], f: ReportFilters, limit: int
) -> tuple[WorstImage, ...]:
    """The ``limit`` final-NG inspections furthest past their threshold, one per stored
    image (its worst inspection): a part inspected 60 times filled every slot.

    Ranked by score / threshold, not by the raw score: products and model versions have
    thresholds on different scales, and a raw ranking would list one product only.
    """
    stmt = (
        select(
            I.id,
            I.image_id,
            Image.sha256,
            Image.store_path,
            I.heatmap_path,
            I.score,
            I.threshold,
            I.defect_type,
            I.severity,
            Product.name,
            I.station,
            Operator.name,
            I.inspected_at,
        )
        .join(Image, Image.id == I.image_id)
        .outerjoin(Product, Product.id == I.product_id)
        .outerjoin(Operator, Operator.id == I.operator_id)
        .where(where, FINAL == "ng")
        # NULLS LAST said out loud: a zero threshold gives NULL, which SQLite sorts last
        # when descending and PostgreSQL first.
        .order_by((I.score / func.nullif(I.threshold, 0)).desc().nulls_last(), I.score.desc(),
                  I.id)
        .execution_options(yield_per=500)  # read until ``limit`` images: no LIMIT in SQL
    )
    zone = f.zone
    out: dict[int, WorstImage] = {}  # image id: its worst inspection (the first read)
    result = s.execute(stmt)
    try:
        for row in result:
            if len(out) >= limit:
                break
            if row.image_id not in out:
                out[row.image_id] = WorstImage(*row[:-1], inspected_at=row[-1].astimezone(zone))
    finally:
        result.close()
    return tuple(out.values())


def overrides(
    s: Session, where: ColumnElement[bool], f: ReportFilters, limit: int
) -> tuple[OverrideRow, ...]:
    """The newest ``limit`` QA overrides with their reasons."""
    stmt = (
        select(
            I.id,
            I.image_id,
            I.verdict,
            I.override_verdict,
            I.override_reason,
            Operator.name,
            I.override_at,
        )
        .outerjoin(Operator, Operator.id == I.override_by_id)
        .where(where, I.override_verdict.isnot(None))
        .order_by(I.override_at.desc().nulls_last(), I.id.desc())  # NULLs: as above
        .limit(limit)
    )
    zone = f.zone
    return tuple(
        OverrideRow(i, img, v, ov, reason or "", by, at.astimezone(zone) if at else None)
        for i, img, v, ov, reason, by, at in s.execute(stmt)
    )

"""Reports for a ``Project``: permission check, image paths and the project's shift setting.

The rest of the package needs only a ``Database``; this thin layer is what the CLI and the
GUI call, so they never deal with paths inside the project folder.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from inspector.errors import Cancelled, UserError
from inspector.progress import CancelToken, ProgressCallback, report, scaled
from inspector.reports import query
from inspector.reports.build import build_report
from inspector.reports.csv_export import export_csv
from inspector.reports.filters import DEFAULT_SHIFTS, Shift, parse_shifts, tz_label
from inspector.reports.filters import ReportFilters as ReportFilters
from inspector.reports.types import Report
from inspector.store import audit, roles
from inspector.store.models import DefectType, Inspection, ModelRecord, Operator, Product
from inspector.store.problems import db_problem

log = logging.getLogger(__name__)
FORMATS = ("csv", "xlsx", "pdf")
SHIFTS_SETTING = "report_shifts"  # e.g. "early=06:00-14:00,late=14:00-22:00,night=22:00-06:00"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    count: int  # detail rows (csv, xlsx) or pages (pdf)
    inspections: int  # in the period, after filters (0: an empty-period report)


@dataclass(frozen=True)
class FilterChoices:
    """Values offered in the GUI's filter combo boxes."""

    products: tuple[str, ...]
    stations: tuple[str, ...]
    operators: tuple[str, ...]
    defect_types: tuple[str, ...]
    model_versions: tuple[int, ...]


def project_shifts(project: Any) -> tuple[Shift, ...]:
    """The shifts from the project setting ``report_shifts``, else 06-14, 14-22, 22-06."""
    spec = project.get_setting(SHIFTS_SETTING)
    return parse_shifts(spec) if spec else DEFAULT_SHIFTS


def _inside(root: Path, rel: str) -> Path | None:
    """``root/rel`` if it stays inside ``root`` (a DB row must not point elsewhere)."""
    full = (root / rel).resolve()
    return full if root.resolve() in full.parents else None


def resolvers(project: Any) -> tuple[Callable[[str], Path | None], Callable[[str], Path | None]]:
    """(image path resolver, heat map resolver) for the PDF's thumbnails."""

    def image(rel: str) -> Path | None:
        return _inside(Path(project.images.root), rel)

    def heatmap(rel: str) -> Path | None:
        return _inside(Path(project.root), rel)

    return image, heatmap


def project_report(project: Any, actor: Any, filters: ReportFilters, *, top_n: int = 12) -> Report:
    """The report's figures; needs the VIEW_REPORTS permission."""
    roles.require(project, actor, roles.VIEW_REPORTS, entity="report")
    filters = _stored_names(project, filters)
    return build_report(project.db, filters, top_n=top_n)


def _stored_names(project: Any, filters: ReportFilters) -> ReportFilters:
    """``filters`` with each name as it is stored ("SCHWEISSNAHT" is "Schweißnaht"), so the
    report echoes the name its parts carry. A typo in a product, operator, station or
    defect type, or a model version that never existed, is an error, not a report of
    "0 parts, 0 NG" handed to a customer (checked after the role, so nobody without report
    rights learns which names exist). Any letter case, as the report query matches; a
    name stored in several spellings selects them all, whichever one is echoed."""
    checks = (("product", "product", (Product.name,)),
              ("operator", "operator", (Operator.name,)),
              ("station", "station", (Inspection.station,)),
              ("defect type", "defect_type", (DefectType.name, Inspection.defect_type)))
    changes: dict[str, Any] = {}
    with project.db.session() as s:  # case folded in Python, as the report query does
        for what, field, columns in checks:
            name = getattr(filters, field)
            if name is None:
                continue
            found = next((hit for c in columns if (hit := query.spellings(s, c, name))), None)
            if found is None:
                raise UserError(f"no {what} named '{name}'"
                                + (" has any inspection" if what == "station" else ""))
            changes[field] = name if name in found else found[0]
        version = filters.model_version
        if version is not None and s.scalar(
                select(ModelRecord.id).where(ModelRecord.version == version).limit(1)) is None:
            raise UserError(f"no model version {version} in this project")
    return filters.with_(**changes) if changes else filters


def export_report(
    project: Any,
    actor: Any,
    filters: ReportFilters,
    fmt: str,
    out: Path,
    *,
    top_n: int = 12,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ExportResult:
    """Export to ``out`` as csv, xlsx or pdf; needs VIEW_REPORTS. Written atomically.

    Audited either way: who took which data out of the project, and where to (a failed
    export too, with the reason: an attempt at a share that refused it is worth a trace).
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UserError(f"unknown report format {fmt!r}: use {', '.join(FORMATS)}")
    roles.require(project, actor, roles.VIEW_REPORTS, entity="report", details={"format": fmt})
    filters = _stored_names(project, filters)
    out = Path(out)
    try:
        _refuse_project_files(project, out)
        count, inspections = _write(project, filters, fmt, out, top_n, progress, cancel)
    except Cancelled:
        raise  # nothing left the project
    except Exception as exc:
        _audit_export(project, actor, filters, fmt, out, {
            "outcome": "failed", "reason": _failure_reason(exc)})
        raise
    log.info("report exported: %s (%s, %d)", out, fmt, count)
    _audit_export(project, actor, filters, fmt, out, {
        "outcome": "written", "rows": count, "inspections": inspections})
    return ExportResult(out, fmt, count, inspections)


def _write(project: Any, filters: ReportFilters, fmt: str, out: Path, top_n: int,
           progress: ProgressCallback | None, cancel: CancelToken | None) -> tuple[int, int]:
    """(rows or pages, inspections) of the file written."""
    if fmt == "csv":
        count = export_csv(project.db, filters, out, progress=progress, cancel=cancel)
        return count, count
    if fmt == "xlsx":  # the writers load openpyxl / matplotlib (1.5 s) only when used
        from inspector.reports.xlsx_export import export_xlsx

        count = export_xlsx(project.db, filters, out, progress=progress, cancel=cancel)
        return count, count
    from inspector.reports.pdf_export import write_pdf

    report(progress, 0.0, "computing figures")
    rep = build_report(project.db, filters, top_n=top_n)
    image, heatmap = resolvers(project)
    pages = write_pdf(rep, out, image, heatmap, scaled(progress, 0.3, 1.0), cancel,
                      int(project.get_setting("sensor_bits")))
    return pages, rep.totals.inspected


def export_details(filters: ReportFilters, fmt: str, out: Path) -> dict[str, Any]:
    """What the audit log keeps of an export: the file (absolute, through links: where
    the data went), the format, the period with its zone and every filter used."""
    start, end = filters.local_bounds()
    return {
        "file": os.path.realpath(out), "format": fmt, "period": filters.period_text(),
        "from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
        "time_zone": tz_label(filters.zone), "filters": filters.active(),
    }


def _audit_export(project: Any, actor: Any, filters: ReportFilters, fmt: str, out: Path,
                  outcome: dict[str, Any]) -> None:
    action = "report.export" if outcome["outcome"] == "written" else "report.export_failed"
    details = {**export_details(filters, fmt, out), **outcome}
    try:
        with project.db.session() as s:
            audit.record(s, actor, action, "report", fmt, details)
    except Exception:
        if action == "report.export":
            raise
        # the export's own error is the one to report; this one goes to the log
        log.exception("could not audit the failed export to %s", out)


def _failure_reason(exc: BaseException) -> str:
    """A failure in words for the audit log: the message a person saw, never raw SQL."""
    if isinstance(exc, UserError | OSError):
        return str(exc)
    return db_problem(exc) or f"internal error ({type(exc).__name__})"


def _refuse_project_files(project: Any, out: Path) -> None:
    """A report must never land on the project's own files (its database, images, models,
    backups): one mistyped --out would wipe the QA record. Links are followed first."""
    target = Path(os.path.realpath(out))
    root = Path(os.path.realpath(project.root))
    if target == root or root in target.parents:
        raise UserError(f"{out} is inside the project folder {project.root}; save reports "
                        "somewhere else")


def filter_choices(project: Any) -> FilterChoices:
    """Products, stations, operators, defect types and model versions that can be chosen."""
    with project.db.session() as s:

        def values(stmt: Any) -> tuple[Any, ...]:
            return tuple(sorted(v for v in s.scalars(stmt) if v is not None))

        types = set(values(select(Inspection.defect_type).distinct()))
        types |= set(values(select(DefectType.name)))
        return FilterChoices(
            products=values(select(Product.name)),
            stations=values(select(Inspection.station).distinct()),
            operators=values(select(Operator.name)),
            defect_types=tuple(sorted(types)),
            model_versions=values(select(ModelRecord.version)),
        )

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

from inspector.errors import UserError
from inspector.progress import CancelToken, ProgressCallback, report, scaled
from inspector.reports import query
from inspector.reports.build import build_report
from inspector.reports.csv_export import export_csv
from inspector.reports.filters import DEFAULT_SHIFTS, Shift, parse_shifts
from inspector.reports.filters import ReportFilters as ReportFilters
from inspector.reports.types import Report
from inspector.store import audit, roles
from inspector.store.models import DefectType, Inspection, ModelRecord, Operator, Product

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
    _check_names(project, filters)
    return build_report(project.db, filters, top_n=top_n)


def _check_names(project: Any, filters: ReportFilters) -> None:
    """A typo in a product, operator, station or defect type is an error, not a report of
    "0 parts, 0 NG" handed to a customer (checked after the role, so nobody without report
    rights learns which names exist). Any letter case, as the report query matches."""
    checks = (("product", filters.product, (Product.name,)),
              ("operator", filters.operator, (Operator.name,)),
              ("station", filters.station, (Inspection.station,)),
              ("defect type", filters.defect_type, (DefectType.name, Inspection.defect_type)))
    with project.db.session() as s:  # case folded in Python, as the report query does
        for what, name, columns in checks:
            if name is not None and not any(query.spellings(s, c, name) for c in columns):
                raise UserError(f"no {what} named '{name}'"
                                + (" has any inspection" if what == "station" else ""))


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
    """Export to ``out`` as csv, xlsx or pdf; needs VIEW_REPORTS. Written atomically."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UserError(f"unknown report format {fmt!r}: use {', '.join(FORMATS)}")
    roles.require(project, actor, roles.VIEW_REPORTS, entity="report", details={"format": fmt})
    _check_names(project, filters)
    out = Path(out)
    _refuse_project_files(project, out)
    if fmt == "csv":
        count = inspections = export_csv(project.db, filters, out, progress=progress, cancel=cancel)
    elif fmt == "xlsx":  # the writers load openpyxl / matplotlib (1.5 s) only when used
        from inspector.reports.xlsx_export import export_xlsx

        count = inspections = export_xlsx(project.db, filters, out, progress=progress,
                                          cancel=cancel)  # fmt: skip
    else:
        from inspector.reports.pdf_export import write_pdf

        report(progress, 0.0, "computing figures")
        rep = build_report(project.db, filters, top_n=top_n)
        image, heatmap = resolvers(project)
        count = write_pdf(rep, out, image, heatmap, scaled(progress, 0.3, 1.0), cancel,
                          int(project.get_setting("sensor_bits")))
        inspections = rep.totals.inspected
    log.info("report exported: %s (%s, %d)", out, fmt, count)
    with project.db.session() as s:  # who took which data out of the project, and where
        audit.record(s, actor, "report.export", "report", fmt, {
            "file": str(out), "rows": count, "inspections": inspections,
            "period": filters.period_text()})
    return ExportResult(out, fmt, count, inspections)


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

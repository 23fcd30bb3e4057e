"""Use case: inspect images with the active model and store the results.

Every inspection stores the machine verdict, the score and threshold it was judged
against, the model version, who and where, and an overlay image of the heat map.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from inspector.engine import SeverityBands
from inspector.errors import Cancelled, ImageError, NotFoundError, PictureRemoved, UserError
from inspector.fileio import atomic_write
from inspector.progress import CancelToken, ProgressCallback, check, report, scaled
from inspector.services.importing import import_array, import_paths
from inspector.services.labeling import load_image
from inspector.services.model_records import (
    active_record,
    load_model,
    product_id_for,
    record_by_id,
)
from inspector.services.names import MAX_REASON, clean_reason
from inspector.services.project import Project
from inspector.services.results import InspectionInfo
from inspector.services.sensor_depth import sensor_bits
from inspector.services.session import Actor
from inspector.store import audit
from inspector.store.models import (
    Image,
    Inspection,
    Operator,
    Product,
    utcnow,
)
from inspector.store.problems import db_problem, storage_problem
from inspector.store.roles import INSPECT, OVERRIDE_VERDICT, require

OVERLAY_MAX_SIDE = 640


@dataclass(frozen=True)
class BatchInspection:
    """Result of inspecting files or folders: what was inspected and what was refused.

    Only the last inspection keeps its full-size heat map and overlay (the one a screen
    shows next); the others have theirs on disk (``overlay_path``). Kept for all, a
    folder of 100 parts from a 12 MP camera would hold 8 GB until the batch returns."""

    inspections: list[InspectionInfo] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # the input file of each inspection
    # files in the given folders that are not images of a supported type: not judged, so
    # a camera saving GIF or JPEG 2000 must not pass unnoticed as an empty batch
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the import's (ImportReport.notes)
    cancelled: bool = False  # stopped by its cancel token; the parts listed are stored


class InspectionCancelled(Cancelled):
    """A batch cancelled after some parts were judged: ``batch`` (``cancelled`` set)
    holds them, so a screen can show the parts that were recorded, not only a count."""

    def __init__(self, batch: BatchInspection) -> None:
        super().__init__(f"inspection cancelled after {len(batch.inspections)} part(s)")
        self.batch = batch


class InspectionInterrupted(KeyboardInterrupt):
    """Ctrl+C in the middle of a batch. The parts judged so far are recorded; ``batch``
    names them and ``not_inspected`` the files left, so the CLI can still print them (a
    script that stopped a long run lost which parts had been judged)."""

    def __init__(self, batch: BatchInspection, not_inspected: list[str]) -> None:
        super().__init__()
        self.batch = batch
        self.not_inspected = not_inspected


OVERRIDE_VERDICTS = ("ok", "ng")  # what a person may decide


class InspectionStopped(UserError):
    """A batch stopped part-way by a known problem (the database server gone, the disk
    full): the parts judged before it are recorded, and ``batch`` / ``not_inspected``
    say which, so a rerun need not judge them twice."""

    def __init__(self, batch: BatchInspection, not_inspected: list[str], problem: str) -> None:
        super().__init__(f"{problem} (the batch stopped after {len(batch.inspections)} "
                         f"part(s); {len(not_inspected)} file(s) were not inspected)")
        self.batch = batch
        self.not_inspected = not_inspected


def inspect_image(
    project: Project, actor: Actor, image_id: int, *, product: str | None = None,
    model_id: int | None = None,
) -> InspectionInfo:
    """Inspect a stored image with the product's active model and record the result.
    ``model_id`` pins a model record (a batch keeps the model it started with)."""
    require(project, actor, INSPECT)
    rgb = load_image(project, image_id, to_judge=True)
    with project.db.session() as s:
        pid = product_id_for(s, product)
        img = s.get(Image, image_id)
        if pid is None:
            pid = img.product_id if img is not None else None
        rec = record_by_id(s, model_id) if model_id is not None else active_record(s, pid)
        _refuse_another_products_model(s, img, rec)
        if pid is None:
            pid = rec.product_id  # the part is recorded under the product it was judged as
        rec_id, version = rec.id, rec.version
        threshold, uncertain_low = rec.threshold, rec.uncertain_low
        if img is not None and img.bit_depth > 8:
            _refuse_other_sensor_bits(project, version, (rec.training_set or {}))
        model = load_model(project.root, rec)
    model = model.with_threshold(threshold, uncertain_low)
    result = model.predict(rgb)
    bands = project.get_setting("severity_bands")
    if bands and result.severity is not None:  # the project's bands, without retraining
        severity = model.severity_of(
            result.score, result.defect_area_fraction, SeverityBands.from_dict(bands)
        )
        result = dataclasses.replace(result, severity=severity)
    overlay_rel = None
    try:
        overlay_rel = _save_overlay(project, result.overlay)
        return _record_row(project, actor, image_id, rec_id, version, pid, result, overlay_rel)
    except BaseException as exc:
        if overlay_rel is not None:  # no row names it: the heat-map file goes too
            (project.root / overlay_rel).unlink(missing_ok=True)
        if isinstance(exc, OSError | SQLAlchemyError) and (problem := storage_problem(exc)):
            raise UserError(f"cannot record the inspection: {problem}") from exc
        raise


def _refuse_other_sensor_bits(project: Project, version: int, training_set: dict) -> None:
    """A 16-bit picture read at another sensor_bits than the model's training pictures
    is brighter or darker all over: every part would be rejected as unlike them. Say why
    instead (8-bit pictures do not depend on the setting; models from before it kept no
    value and are not checked)."""
    trained = training_set.get("sensor_bits")
    now = sensor_bits(project)
    if trained is not None and int(trained) != now:
        # ImageError: this picture is refused, and the rest of a batch goes on (8-bit
        # parts after it were never judged, and one judged before went unreported)
        raise ImageError(
            f"The camera bit depth changed (setting sensor_bits is {now}; model version "
            f"{version} was trained with {trained}): retrain the model, or set sensor_bits "
            f"back to {trained}.")


def _record_row(project: Project, actor: Actor, image_id: int, rec_id: int, version: int,
                pid: int | None, result: Any, overlay_rel: str) -> InspectionInfo:
    """The inspection's database row, and the result as the caller sees it."""
    with project.db.session() as s:
        row = Inspection(
            image_id=image_id,
            model_id=rec_id,
            score=float(result.score),
            threshold=float(result.threshold),
            verdict=result.verdict,
            severity=result.severity,
            defect_type=result.defect_type,
            type_confidence=result.type_confidence,
            heatmap_path=overlay_rel,
            operator_id=actor.operator_id,
            product_id=pid,
            station=actor.station,
            inspected_at=utcnow(),
            duration_ms=float(sum(result.timings_ms.values())) if result.timings_ms else None,
            unfamiliar=bool(result.unfamiliar),
        )
        s.add(row)
        s.flush()
        info = _info(s, row, version)
    return InspectionInfo(**{**info.__dict__, "overlay": result.overlay,
                             "heatmap": result.heatmap, "region_box": result.region_box})


def inspect_array(
    project: Project,
    actor: Actor,
    rgb: np.ndarray,
    *,
    product: str | None = None,
    source: str = "camera",
) -> InspectionInfo:
    """Store a camera frame as an image, then inspect it."""
    require(project, actor, INSPECT)
    image = import_array(project, actor, rgb, product=product, source=source)
    return inspect_image(project, actor, image.id, product=product)


def _refuse_another_products_model(s: Session, img: Image | None, rec: Any) -> None:
    """A batch without --product keeps the one active model it started with; a file
    already stored under another product was judged with it and recorded under its own
    product, so that product's reports counted a verdict of a foreign threshold."""
    if img is None or img.product_id is None or rec.product_id is None:
        return
    if img.product_id != rec.product_id:
        stored, judged = s.get(Product, img.product_id), s.get(Product, rec.product_id)
        raise ImageError(f"this picture is stored under product '{stored.name}', not "
                         f"'{judged.name}' whose model v{rec.version} judges this batch: "
                         f"inspect it with --product {stored.name}")


def inspect_paths(
    project: Project,
    actor: Actor,
    paths: Sequence[str | Path],
    *,
    product: str | None = None,
    source: str = "file",
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> BatchInspection:
    """Import files/folders (duplicates reuse the stored image) and inspect each one."""
    require(project, actor, INSPECT)
    with project.db.session() as s:  # no model: say so before importing anything
        model_id = active_record(s, product_id_for(s, product)).id  # one model per batch
    imported = import_paths(
        project, actor, paths, product=product, source=source,
        progress=scaled(progress, 0.0, 0.3), cancel=cancel,
    )
    todo = imported.accepted  # input order; a duplicate is the stored copy of the file
    if not todo and not imported.refused:
        others = (f" ({len(imported.ignored)} other file(s) there, such as "
                  f"{Path(imported.ignored[0]).name})" if imported.ignored else "")
        raise UserError("No image files (PNG, JPEG, BMP, TIFF, WebP) found to inspect in: "
                        + ", ".join(str(p) for p in paths) + others)
    batch = BatchInspection(refused=list(imported.refused), ignored=list(imported.ignored),
                            notes=list(imported.notes))
    try:
        for n, (path, image_id) in enumerate(todo):
            check(cancel)
            try:
                try:
                    info = inspect_image(project, actor, image_id, product=product,
                                         model_id=model_id)
                except PictureRemoved:  # a purge at another station since the import:
                    import_paths(project, actor, [path], product=product, source=source)
                    info = inspect_image(project, actor, image_id, product=product,
                                         model_id=model_id)  # the file brought it back
                if batch.inspections:  # see BatchInspection: only the last keeps its arrays
                    batch.inspections[-1] = dataclasses.replace(
                        batch.inspections[-1], heatmap=None, overlay=None)
                batch.inspections.append(info)
                batch.files.append(path)
            except ImageError as exc:  # this image only: the rest of the batch goes on
                batch.refused.append((path, str(exc)))
            report(progress, 0.3 + 0.7 * (n + 1) / len(todo),
                   f"Inspected {n + 1}/{len(todo)}")
    except Cancelled as exc:
        if batch.inspections:
            raise InspectionCancelled(dataclasses.replace(batch, cancelled=True)) from exc
        raise
    except KeyboardInterrupt as exc:
        done = len(batch.inspections) + len(batch.refused) - len(imported.refused)
        raise InspectionInterrupted(batch, [path for path, _ in todo[done:]]) from exc
    except (SQLAlchemyError, OSError, UserError) as exc:  # a server gone, a full disk:
        problem = (str(exc) if isinstance(exc, UserError)  # said, with the parts judged
                   else db_problem(exc) if isinstance(exc, SQLAlchemyError)
                   else storage_problem(exc))
        if problem is None or not batch.inspections:
            raise
        done = len(batch.inspections) + len(batch.refused) - len(imported.refused)
        raise InspectionStopped(batch, [path for path, _ in todo[done:]], problem) from exc
    return batch


def load_engine() -> None:
    """Import the engine (torch and the backbone code). It takes seconds and holds the
    interpreter much of that time: done when the window opens, before anyone works,
    the GUI no longer stalls for up to a second just after the first sign-in."""
    import inspector.engine.model  # noqa: F401 - the import is the point


def warm_up(project: Project, product: str | None) -> int | None:
    """Load the engine and the product's active model before the first part arrives (the
    first inspection would otherwise wait seconds for them); the model version, or None
    when there is nothing to load yet. Safe to call from a worker thread."""
    with project.db.session() as s:
        try:
            rec = active_record(s, product_id_for(s, product))
        except UserError:
            return None  # no model yet, or several products and none chosen
        load_model(project.root, rec)
        return rec.version


def override_verdict(
    project: Project, actor: Actor, inspection_id: int, verdict: str, reason: str
) -> InspectionInfo:
    """A QA lead's correction; the machine verdict stays stored beside it."""
    require(project, actor, OVERRIDE_VERDICT, entity="inspection", entity_id=inspection_id)
    if verdict not in OVERRIDE_VERDICTS:  # "uncertain" asks a person; it answers nothing
        raise UserError("An override is a person's decision: the verdict must be "
                        f"{' or '.join(v.upper() for v in OVERRIDE_VERDICTS)}.")
    reason = clean_reason(reason, MAX_REASON)
    with project.db.session() as s:
        row = s.get(Inspection, inspection_id)
        if row is None:
            raise NotFoundError(f"No inspection {inspection_id}.")
        old = row.override_verdict or row.verdict
        if verdict == old:  # it marked the row "overridden" and changed nothing
            raise UserError(f"Inspection {inspection_id} is {old.upper()} already: "
                            "nothing to override.")
        previous_reason = row.override_reason  # a second override must not erase the first
        previous_by = row.override_by.name if row.override_by else None
        row.override_verdict = verdict
        row.override_reason = reason
        row.override_by_id = actor.operator_id
        row.override_at = utcnow()
        audit.record(
            s, actor, "inspection.override", "inspection", str(inspection_id),
            {"from": old, "to": verdict, "reason": row.override_reason,
             "machine": row.verdict, "replaces_reason": previous_reason,
             "replaces_override_by": previous_by},
        )
        s.flush()
        return _info(s, row, row.model.version if row.model else None)


def list_inspections(
    project: Project,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    product: str | None = None,
    verdict: str | None = None,
    operator: str | None = None,
    text: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[InspectionInfo]:
    """Newest first; ``verdict`` filters the final (overridden) verdict; ``offset`` pages.
    One query for the rows and one per related table (a year holds 50,000 of them)."""
    with project.db.session() as s:
        q = _filtered(s, select(Inspection), since=since, until=until, product=product,
                      verdict=verdict, operator=operator, text=text)
        q = _with_related(q)
        q = q.order_by(Inspection.inspected_at.desc(), Inspection.id.desc())
        q = q.limit(limit).offset(offset)
        return [_info(s, r, r.model.version if r.model else None, refresh=False)
                for r in s.scalars(q)]


def inspections_by_id(project: Project, ids: Sequence[int]) -> dict[int, InspectionInfo]:
    """The stored records of these inspections as they are now (an override made since
    they were shown); ids no longer stored are left out."""
    if not ids:
        return {}
    with project.db.session() as s:
        q = _with_related(select(Inspection).where(Inspection.id.in_(list(ids))))
        return {r.id: _info(s, r, r.model.version if r.model else None, refresh=False)
                for r in s.scalars(q)}


def _with_related(q: Any) -> Any:
    """Load what a record shows (image, model, people, product) in one query per table."""
    return q.options(selectinload(Inspection.image), selectinload(Inspection.model),
                     selectinload(Inspection.operator), selectinload(Inspection.override_by),
                     selectinload(Inspection.product))


def count_inspections(project: Project, **filters: Any) -> int:
    """How many inspections ``list_inspections`` with the same filters could page through."""
    with project.db.session() as s:
        q = _filtered(s, select(func.count(Inspection.id)), **filters)
        return int(s.execute(q).scalar_one())


def _filtered(s: Session, q: Any, *, since: dt.datetime | None = None,
              until: dt.datetime | None = None, product: str | None = None,
              verdict: str | None = None, operator: str | None = None,
              text: str | None = None) -> Any:
    """The History filters, shared by the list and its count."""
    q = q.select_from(Inspection)
    if text:  # only the text search reads image columns (a join per row otherwise)
        q = q.join(Image, Image.id == Inspection.image_id)
    if since is not None:
        q = q.where(Inspection.inspected_at >= since)
    if until is not None:
        q = q.where(Inspection.inspected_at < until)
    pid = product_id_for(s, product)
    if pid is not None:
        q = q.where(Inspection.product_id == pid)
    if verdict:
        q = q.where(
            or_(
                Inspection.override_verdict == verdict,
                (Inspection.override_verdict.is_(None)) & (Inspection.verdict == verdict),
            )
        )
    if operator:
        q = q.join(Operator, Operator.id == Inspection.operator_id).where(
            Operator.name == operator
        )
    if text:
        # What was typed, literally: "lot_7" or "100%" are text, not patterns.
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(
            or_(
                Image.original_name.ilike(like, escape="\\"),
                Inspection.defect_type.ilike(like, escape="\\"),
                Image.serial.ilike(like, escape="\\"),
                Image.lot.ilike(like, escape="\\"),
            )
        )
    return q


def _info(s: Session, row: Inspection, version: int | None,
          refresh: bool = True) -> InspectionInfo:
    if refresh:  # a row just written: load what the database filled in
        s.refresh(row)
    return InspectionInfo(
        id=row.id,
        image_id=row.image_id,
        image_name=row.image.original_name if row.image else None,
        model_version=version,
        score=row.score,
        threshold=row.threshold,
        verdict=row.verdict,
        final_verdict=row.final_verdict,
        severity=row.severity,
        defect_type=row.defect_type,
        type_confidence=row.type_confidence,
        heatmap_path=row.heatmap_path,
        operator=row.operator.name if row.operator else None,
        station=row.station,
        product=row.product.name if row.product else None,
        inspected_at=row.inspected_at,
        duration_ms=row.duration_ms,
        override_verdict=row.override_verdict,
        override_reason=row.override_reason,
        override_by=row.override_by.name if row.override_by else None,
        override_at=row.override_at,
        unfamiliar=bool(row.unfamiliar),
    )


def _save_overlay(project: Project, overlay: np.ndarray) -> str:
    """Write the heat-map overlay as a JPEG under artefacts/heatmaps/YYYY/MM/DD (atomically;
    a folder a day: a month's folder of a line judging a part every 3 s held 860,000)."""
    now = utcnow()
    rel = Path("artefacts") / "heatmaps" / f"{now:%Y}" / f"{now:%m}" / f"{now:%d}"
    folder = project.root / rel
    folder.mkdir(parents=True, exist_ok=True)
    h, w = overlay.shape[:2]
    scale = min(1.0, OVERLAY_MAX_SIDE / max(h, w))
    # at least 1 px: a 12000 x 8 strip would shrink to 0 px high, which OpenCV refuses
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(overlay, size, interpolation=cv2.INTER_AREA)
    bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise UserError("Could not encode the heat-map overlay.")
    name = f"{now:%H%M%S}-{uuid.uuid4().hex[:10]}.jpg"
    atomic_write(folder / name, buf.tobytes())
    return (rel / name).as_posix()


def overlay_path(project: Project, info: InspectionInfo) -> Path | None:
    """Absolute path of an inspection's stored overlay, or None."""
    if not info.heatmap_path:
        return None
    path = project.artefact_path(info.heatmap_path)
    return path if path.is_file() else None

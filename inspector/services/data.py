"""Use case: delete stored images (QA lead / admin only, always audited).

An image that was inspected is part of the QA record: deleting it also deletes its
inspections, so that needs ``force=True`` and a reason; without them the call is refused
with the count. The audit entry keeps what the deleted records said (verdicts, scores,
who inspected and labelled when), because after the delete nothing else does.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select

from inspector.errors import NotFoundError, UserError
from inspector.services.names import MAX_REASON, clean_reason
from inspector.store import audit
from inspector.store.models import Image, Inspection, Label
from inspector.store.roles import DELETE_DATA, require

log = logging.getLogger(__name__)


def delete_image(project: Any, actor: Any, image_id: int, *, force: bool = False,
                 reason: str | None = None) -> dict:
    """Delete an image, its labels and masks (and, with ``force`` and a ``reason``, its
    inspections); the audit entry keeps a copy of every deleted record."""
    require(project, actor, DELETE_DATA, entity="image", entity_id=image_id)
    reason = clean_reason(reason, MAX_REASON) if reason and reason.strip() else None
    files: list[tuple[str, str]] = []
    with project.db.session() as s:
        img = s.get(Image, image_id)
        if img is None:
            raise NotFoundError(f"No image {image_id}.")
        inspections = list(s.scalars(select(Inspection).where(Inspection.image_id == image_id)
                                     .order_by(Inspection.id)))
        if inspections and not force:
            raise UserError(
                f"Image {image_id} has {len(inspections)} inspection(s) in the QA record; "
                "delete them too with --force and --reason (QA lead / admin)."
            )
        if inspections and reason is None:
            raise UserError(
                f"Image {image_id} has {len(inspections)} inspection(s) in the QA record: "
                "say why they are deleted (--reason TEXT); it is kept in the audit log."
            )
        details = {
            "sha256": img.sha256,
            "name": img.original_name,
            "product": img.product.name if img.product else None,
            "reason": reason,
            "labels": len(img.labels),
            "label_records": [_label_record(lab) for lab in img.labels],
            "inspections": [i.id for i in inspections],
            "inspection_records": [_inspection_record(i) for i in inspections],
        }
        files.append(("image", img.store_path))
        files += [("mask", lab.mask_path) for lab in img.labels if lab.mask_path]
        files += [("artefact", i.heatmap_path) for i in inspections if i.heatmap_path]
        for insp in inspections:
            s.delete(insp)
        s.delete(img)
        audit.record(s, actor, "image.delete", "image", image_id, details)
    left = []
    for kind, rel in files:
        try:
            _remove_file(project, kind, rel)
        except OSError as exc:  # Windows: a program has it open. The record is gone
            log.warning("cannot remove %s now (check --remove-orphans will): %s", rel, exc)
            left.append(rel)  # already, so the file is a leftover that check finds
    return {**details, "files_left": left} if left else details


def _when(at: Any) -> str | None:
    return at.isoformat() if at is not None else None


def _inspection_record(i: Inspection) -> dict[str, Any]:
    """What one deleted inspection said: enough for an auditor to see what went."""
    return {"id": i.id, "inspected_at": _when(i.inspected_at),
            "operator": i.operator.name if i.operator else None, "station": i.station,
            "model_version": i.model.version if i.model else None,
            "verdict": i.verdict, "score": i.score, "threshold": i.threshold,
            "severity": i.severity, "defect_type": i.defect_type,
            "override_verdict": i.override_verdict, "override_reason": i.override_reason,
            "override_by": i.override_by.name if i.override_by else None,
            "override_at": _when(i.override_at)}


def _label_record(lab: Label) -> dict[str, Any]:
    return {"id": lab.id, "verdict": lab.verdict, "defect_type": lab.defect_type,
            "severity": lab.severity, "operator": lab.operator.name if lab.operator else None,
            "at": _when(lab.created_at)}


def _remove_file(project: Any, kind: str, rel: str) -> None:
    """Remove a file once nothing refers to it any more (the store is content-addressed)."""
    if kind == "artefact":
        project.artefact_path(rel).unlink(missing_ok=True)
        return
    with project.db.session() as s:
        still_used = s.execute(
            select(func.count(Image.id)).where(Image.store_path == rel)
        ).scalar_one() + s.execute(
            select(func.count(Label.id)).where(Label.mask_path == rel)
        ).scalar_one()
    if not still_used:
        project.images.remove(rel)

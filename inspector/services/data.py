"""Use case: delete stored images (QA lead / admin only, always audited).

An image that was inspected is part of the QA record: deleting it also deletes its
inspections, so that needs ``force=True``; without it the call is refused with the count.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select

from inspector.errors import NotFoundError, UserError
from inspector.store import audit
from inspector.store.models import Image, Inspection, Label
from inspector.store.roles import DELETE_DATA, require

log = logging.getLogger(__name__)


def delete_image(project: Any, actor: Any, image_id: int, *, force: bool = False) -> dict:
    """Delete an image, its labels and masks (and, with ``force``, its inspections)."""
    require(project, actor, DELETE_DATA, entity="image", entity_id=image_id)
    files: list[tuple[str, str]] = []
    with project.db.session() as s:
        img = s.get(Image, image_id)
        if img is None:
            raise NotFoundError(f"No image {image_id}.")
        inspections = list(s.scalars(select(Inspection).where(Inspection.image_id == image_id)))
        if inspections and not force:
            raise UserError(
                f"Image {image_id} has {len(inspections)} inspection(s) in the QA record; "
                "delete them too with --force (QA lead / admin)."
            )
        details = {
            "sha256": img.sha256,
            "name": img.original_name,
            "labels": len(img.labels),
            "inspections": [i.id for i in inspections],
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


def _remove_file(project: Any, kind: str, rel: str) -> None:
    """Remove a file once nothing refers to it any more (the store is content-addressed)."""
    if kind == "artefact":
        (project.root / rel).unlink(missing_ok=True)
        return
    with project.db.session() as s:
        still_used = s.execute(
            select(func.count(Image.id)).where(Image.store_path == rel)
        ).scalar_one() + s.execute(
            select(func.count(Label.id)).where(Label.mask_path == rel)
        ).scalar_one()
    if not still_used:
        project.images.remove(rel)

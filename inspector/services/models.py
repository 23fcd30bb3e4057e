"""Use cases on model versions: list, activate / roll back, delete, threshold."""

from __future__ import annotations

import math

from sqlalchemy import select

from inspector.errors import UserError
from inspector.services.model_records import (
    load_model,
    make_only_active,
    model_info,
    product_id_for,
    record_by_version,
    update_models,
)
from inspector.services.project import Project
from inspector.services.results import ModelInfo, ScoreDistribution
from inspector.services.session import Actor
from inspector.store import audit
from inspector.store.models import ModelRecord
from inspector.store.roles import DELETE_DATA, MANAGE_MODELS, SET_THRESHOLD, require


def list_models(project: Project, product: str | None = None) -> list[ModelInfo]:
    """All model versions, newest first."""
    with project.db.session() as s:
        q = select(ModelRecord).where(ModelRecord.deleted.is_(False))
        pid = product_id_for(s, product)
        if pid is not None:
            q = q.where(ModelRecord.product_id == pid)
        return [model_info(r) for r in s.scalars(q.order_by(ModelRecord.version.desc()))]


def get_model(project: Project, version: int) -> ModelInfo:
    with project.db.session() as s:
        return model_info(record_by_version(s, version))


def activate_model(project: Project, actor: Actor, version: int) -> ModelInfo:
    """Make ``version`` the active model of its product (also used to roll back)."""
    require(project, actor, MANAGE_MODELS, entity="model", entity_id=version)
    with project.db.session() as s:
        rec = record_by_version(s, version)
        load_model(project.root, rec, verify=True)  # never to a file the line can't use
        previous = [
            r.version
            for r in s.scalars(select(ModelRecord).where(ModelRecord.active.is_(True)))
            if r.product_id == rec.product_id and r.id != rec.id
        ]
        make_only_active(s, rec)
        audit.record(
            s, actor, "model.activate", "model", str(version), {"previous_active": previous}
        )
        s.flush()
        return model_info(rec)


def delete_model(project: Project, actor: Actor, version: int) -> None:
    """Mark a version deleted (file kept for the audit trail); the active one is refused."""
    require(project, actor, DELETE_DATA, entity="model", entity_id=version)
    require(project, actor, MANAGE_MODELS, entity="model", entity_id=version)
    with project.db.session() as s:
        rec = record_by_version(s, version)
        # One conditional UPDATE: a check before it raced a station activating it meanwhile.
        if not update_models(s, (ModelRecord.id == rec.id, ModelRecord.active.is_(False)),
                             deleted=True):
            raise UserError(
                f"Version {version} is active: activate another version before deleting it."
            )
        s.expire(rec, ["deleted"])
        audit.record(s, actor, "model.delete", "model", str(version), {
            "product": rec.product.name if rec.product else None, "trained_at":
            rec.trained_at.isoformat(), "threshold": rec.threshold, "file": rec.file_path})


KEEP_BAND = "keep"  # set_threshold's default: the uncertain band moves with the threshold


def set_threshold(
    project: Project,
    actor: Actor,
    version: int,
    threshold: float,
    uncertain_low: float | None | str = KEEP_BAND,
) -> ModelInfo:
    """Change the decision threshold, and the lower edge of the uncertain band: by default
    the band keeps its relative width (scores are compared as ratios), None removes it."""
    require(project, actor, SET_THRESHOLD, entity="model", entity_id=version)
    if uncertain_low == KEEP_BAND:
        with project.db.session() as s:
            rec = record_by_version(s, version)
            uncertain_low = (None if rec.uncertain_low is None else
                             float(threshold) * rec.uncertain_low / rec.threshold)
    for name, value in (("threshold", threshold), ("uncertain band start", uncertain_low)):
        # inf would pass every part, 0 or less would reject every one; nan is no number
        if value is not None and not (math.isfinite(value) and value > 0):
            raise UserError(f"The {name} must be a positive number, not {value}.")
    if uncertain_low is not None and uncertain_low >= threshold:
        raise UserError("The uncertain band must start below the threshold.")
    with project.db.session() as s:
        rec = record_by_version(s, version)
        old = {"threshold": rec.threshold, "uncertain_low": rec.uncertain_low}
        rec.threshold = float(threshold)
        rec.uncertain_low = None if uncertain_low is None else float(uncertain_low)
        audit.record(
            s, actor, "model.threshold", "model", str(version),
            {"old": old, "new": {"threshold": rec.threshold, "uncertain_low": rec.uncertain_low}},
        )
        s.flush()
        return model_info(rec)


def score_distribution(project: Project, version: int) -> ScoreDistribution:
    """Scores the model was calibrated on: held-out good, labelled and synthetic defects."""
    with project.db.session() as s:
        rec = record_by_version(s, version)
        metrics = dict(rec.metrics or {})
        return ScoreDistribution(
            good_scores=[float(x) for x in metrics.get("heldout_good_scores", [])],
            defect_scores=[float(x) for x in metrics.get("labelled_scores", [])],
            synthetic_scores=[float(x) for x in metrics.get("synthetic_scores", [])],
            threshold=rec.threshold,
            uncertain_low=rec.uncertain_low,
        )

"""Use case: what has been labelled since the active model was trained.

The model gets better as labels arrive, but only when somebody retrains it. A QA lead
needs to see that a retrain is due: new good and defective examples, labels corrected
after training (a defect the model learned as good), and defect types it cannot name.

Newer labels are found by label id: ids come from one database sequence, so they order
the labels of every station even when the stations' clocks disagree. A model records the
newest label id it read (``training_set["last_label_id"]``); models trained before that
record fall back to the label time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector.errors import UserError
from inspector.services.labeling import current_label_ids
from inspector.services.model_records import active_record, product_id_for
from inspector.services.project import Project
from inspector.store.models import Image, Label, ModelRecord

_CHUNK = 500


@dataclass(frozen=True)
class LabelsSinceModel:
    """Current labels newer than the active model's training (``None`` when there are none)."""

    version: int
    trained_at: dt.datetime
    good: int  # images labelled good for the first time since
    defective: int  # images labelled defective for the first time since
    changed: int  # images whose label changed since (they may be in the training set)
    new_types: tuple[str, ...]  # defect types labelled since that the model has not seen
    learned_by: int | None = None  # a newer version, not active, trained on all of them

    def describe(self) -> str:
        """One sentence for the Train page and ``inspector model list``."""
        parts = [_count(self.good, "new good image"),
                 _count(self.defective, "new defective image")]
        if self.changed:
            parts.append(_count(self.changed, "label") + " changed")
        if self.new_types:
            parts.append(_count(len(self.new_types), "defect type") + " it has not seen ("
                         + ", ".join(self.new_types) + ")")
        then = (f"Version v{self.learned_by}, trained since, has learned them: compare it on "
                "recent parts, then activate it." if self.learned_by is not None
                else "Retrain to use them.")
        return (f"Since model v{self.version} was trained: "
                + ", ".join(p for p in parts if p) + ". " + then)


def _count(n: int, noun: str) -> str:
    """'3 new good images', '1 label'; '' for none."""
    return "" if n == 0 else f"{n} {noun}{'' if n == 1 else 's'}"


def labels_since_active_model(project: Project, product: str | None) -> LabelsSinceModel | None:
    """Labels of the product's images that the active model did not train on.

    ``None`` when nothing was labelled since, or when there is no active model to compare
    with (no model yet, or several products' models and no product chosen)."""
    with project.db.session() as s:
        pid = product_id_for(s, product)
        try:
            rec = active_record(s, pid)
        except UserError:
            return None
        last_id = (rec.training_set or {}).get("last_label_id")
        if isinstance(last_id, int):  # the newest of the labels after it, per image: the
            # newest label of that image at all (a later one would be after it too); only
            # the new labels are grouped, not the whole history
            newest = (select(Label.image_id, func.max(Label.id).label("label_id"))
                      .where(Label.id > last_id).group_by(Label.image_id).subquery())
        else:
            newest = current_label_ids()
        q = (select(Label.verdict, Label.defect_type, Label.mask_path, Label.image_id, Label.id)
             .join(newest, newest.c.label_id == Label.id)
             .join(Image, Image.id == Label.image_id))
        if rec.product_id is not None:
            q = q.where(Image.product_id == rec.product_id)
        if not isinstance(last_id, int):  # a model trained before last_label_id existed
            rows = [(v, t, False) for v, t, _, _, _ in
                    s.execute(q.where(Label.created_at > rec.trained_at))]
            learned_by = None
        else:
            newer = s.execute(q).all()
            then = _labels_at(s, last_id, [i for *_, i, _ in newer])
            rows = [(v, t, i in then) for v, t, m, i, _ in newer
                    if then.get(i) != (v, t, m)]  # relabelled as it was: nothing to learn
            learned_by = _newer_version_knowing(s, rec, max((n.id for n in newer), default=0))
        if not rows:
            return None
        known = {name.casefold() for name in (rec.training_set or {}).get("defect_types", {})}
        unseen = sorted({t for v, t, _ in rows
                         if v == "defective" and t and t.casefold() not in known})
        return LabelsSinceModel(
            version=rec.version,
            trained_at=rec.trained_at,
            good=sum(1 for v, _, was in rows if v == "good" and not was),
            defective=sum(1 for v, _, was in rows if v != "good" and not was),
            changed=sum(1 for _, _, was in rows if was),
            new_types=tuple(unseen),
            learned_by=learned_by,
        )


def _newer_version_knowing(session: Session, active: ModelRecord, label_id: int) -> int | None:
    """The newest version of the product, after the active one, that read every label up
    to ``label_id``: an operator trained it and it waits for a QA lead."""
    q = (select(ModelRecord).where(ModelRecord.version > active.version,
                                   ModelRecord.deleted.is_(False))
         .order_by(ModelRecord.version.desc()))
    q = q.where(ModelRecord.product_id == active.product_id if active.product_id is not None
                else ModelRecord.product_id.is_(None))
    for rec in session.scalars(q):
        read = (rec.training_set or {}).get("last_label_id")
        if isinstance(read, int) and read >= label_id:
            return rec.version
    return None


def _labels_at(session: Session, last_id: int, image_ids: list[int]) -> dict[int, tuple]:
    """image id -> (verdict, defect type, mask) of its label when the model was trained,
    for the given images (read in chunks: a query holds a bounded number of ids)."""
    found: dict[int, tuple] = {}
    for start in range(0, len(image_ids), _CHUNK):
        then = (select(Label.image_id, func.max(Label.id).label("label_id"))
                .where(Label.id <= last_id, Label.image_id.in_(image_ids[start:start + _CHUNK]))
                .group_by(Label.image_id).subquery())
        q = (select(Label.image_id, Label.verdict, Label.defect_type, Label.mask_path)
             .join(then, then.c.label_id == Label.id))
        found.update({i: (v, t, m) for i, v, t, m in session.execute(q)})
    return found

"""Use case: what a model version would have said about the parts the line inspected.

Before a QA lead activates a new version (or rolls back to an old one), the question is
what changes on the line: which parts that passed would now be rejected, and which
rejected parts would pass. The held-out metrics of training answer it for the training
images only. Here the version re-judges the most recent inspected parts of its product
and is compared with the verdict each part has on record: a person's where a QA lead set
one (the truth, as far as anyone knows), else the machine's of the day. Nothing is
written: the comparison is advice for the activation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from inspector.errors import ImageError, ModelFileError
from inspector.progress import CancelToken, ProgressCallback, check, report
from inspector.services.labeling import load_image
from inspector.services.model_records import load_model, record_by_version
from inspector.services.project import Project
from inspector.services.sensor_depth import sensor_bits
from inspector.services.session import Actor
from inspector.store.models import Image, Inspection
from inspector.store.roles import MANAGE_MODELS, require

DEFAULT_PARTS = 200  # about a shift of a slow line; 6-10 s of CPU at 30-50 ms a part
NAMES_SHOWN = 5


@dataclass(frozen=True)
class ChangedPart:
    inspection_id: int
    image_name: str | None
    recorded: str  # the verdict on record (a person's where one was set)
    would_be: str
    score: float


@dataclass(frozen=True)
class ModelComparison:
    version: int
    product: str | None
    parts: int  # re-judged
    agree: int
    newly_rejected: list[ChangedPart] = field(default_factory=list)  # recorded OK -> NG
    newly_passed: list[ChangedPart] = field(default_factory=list)  # recorded NG -> OK
    other_changes: list[ChangedPart] = field(default_factory=list)  # to or from uncertain
    person_set: int = 0  # parts whose verdict a QA lead set
    person_agreed: int = 0  # ...on which this version agrees with them
    skipped: list[str] = field(default_factory=list)  # why a part could not be re-judged

    def describe(self) -> str:
        """A few plain sentences for the Train page and ``inspector model compare``."""
        if self.parts == 0:
            why = f" ({len(self.skipped)} had no usable picture)" if self.skipped else ""
            return (f"v{self.version}: no inspected part of "
                    f"{self.product or 'this product'} to compare with{why}.")
        lines = [f"v{self.version} on the last {self.parts} inspected part(s) of "
                 f"{self.product or 'all products'}: agrees with {self.agree}."]
        for changed, what in ((self.newly_rejected, "would reject {n} that passed"),
                              (self.newly_passed, "would pass {n} that were rejected")):
            if changed:
                names = ", ".join(c.image_name or f"#{c.inspection_id}"
                                  for c in changed[:NAMES_SHOWN])
                more = "…" if len(changed) > NAMES_SHOWN else ""
                lines.append(f"It {what.format(n=len(changed))}: {names}{more}.")
        if self.other_changes:
            lines.append(f"{len(self.other_changes)} other change(s) to or from uncertain.")
        if self.person_set:
            lines.append(f"Of {self.person_set} verdict(s) a QA lead set, it agrees with "
                         f"{self.person_agreed}.")
        if self.skipped:
            lines.append(f"{len(self.skipped)} part(s) skipped: {self.skipped[0]}.")
        return " ".join(lines)


def compare_on_recent(
    project: Project, actor: Actor, version: int, *, parts: int = DEFAULT_PARTS,
    progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
) -> ModelComparison:
    """Re-judge the newest ``parts`` inspected parts of the version's product (each part
    once, its newest inspection) with that version; nothing is stored."""
    require(project, actor, MANAGE_MODELS)
    with project.db.session() as s:
        rec = record_by_version(s, version)
        product = rec.product.name if rec.product else None
        trained_bits = (rec.training_set or {}).get("sensor_bits")
        q = (select(Inspection.id, Inspection.image_id, Image.original_name, Image.bit_depth,
                    Inspection.verdict, Inspection.override_verdict)
             .join(Image, Image.id == Inspection.image_id)
             .order_by(Inspection.inspected_at.desc(), Inspection.id.desc())
             .limit(parts * 3))  # repeated parts are taken once
        if rec.product_id is not None:
            q = q.where(Inspection.product_id == rec.product_id)
        rows, seen = [], set()
        for row in s.execute(q):
            if row.image_id not in seen and len(rows) < parts:
                seen.add(row.image_id)
                rows.append(row)
        model = load_model(project.root, rec).with_threshold(rec.threshold, rec.uncertain_low)
    other_bits = trained_bits is not None and int(trained_bits) != sensor_bits(project)
    out: dict[str, list] = {"rejected": [], "passed": [], "other": [], "skipped": []}
    agree = person_set = person_agreed = 0
    report(progress, 0.0, f"Re-judging {len(rows)} part(s) with v{version}")
    for i, row in enumerate(rows):
        check(cancel)
        if other_bits and row.bit_depth > 8:
            out["skipped"].append(f"{row.original_name or row.image_id}: 16-bit picture read "
                                  "at another sensor_bits than this version was trained with")
            continue
        try:
            rgb = load_image(project, row.image_id, to_judge=True)
            # A part this version cannot look at (its region leaves under 8 px of a small
            # picture, a score that is not a number) is one skipped part, not the end.
            result = model.predict(rgb)
        except (ImageError, ModelFileError) as exc:
            out["skipped"].append(f"{row.original_name or row.image_id}: {exc}")
            continue
        recorded = row.override_verdict or row.verdict
        if row.override_verdict is not None:
            person_set += 1
            person_agreed += result.verdict == row.override_verdict
        changed = ChangedPart(row.id, row.original_name, recorded, result.verdict,
                              float(result.score))
        if result.verdict == recorded:
            agree += 1
        elif (recorded, result.verdict) == ("ok", "ng"):
            out["rejected"].append(changed)
        elif (recorded, result.verdict) == ("ng", "ok"):
            out["passed"].append(changed)
        else:
            out["other"].append(changed)
        report(progress, (i + 1) / len(rows), f"Re-judged {i + 1} of {len(rows)}")
    judged = len(rows) - len(out["skipped"])
    return ModelComparison(version, product, judged, agree, out["rejected"], out["passed"],
                           out["other"], person_set, person_agreed, out["skipped"])

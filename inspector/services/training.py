"""Use case: train a model version from the labelled images of a product.

The engine trains in memory; only when it finished is the model file written (atomically)
and the version recorded, so a cancelled or crashed training leaves the previous active
model untouched.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from inspector.engine import EngineConfig, LabelledDefect
from inspector.engine.working_size import prepare
from inspector.errors import UserError
from inspector.fileio import replace_file, sha256_file
from inspector.progress import CancelToken, ProgressCallback, check, report, scaled
from inspector.services import training_set
from inspector.services.labeling import current_label_ids, load_image, load_mask
from inspector.services.model_records import make_only_active, model_info, product_id_for
from inspector.services.products import region_of
from inspector.services.project import Project
from inspector.services.results import ModelInfo
from inspector.services.sensor_depth import sensor_bits
from inspector.services.session import Actor
from inspector.store import audit
from inspector.store.db import serialise
from inspector.store.models import Image, Label, ModelRecord, Product
from inspector.store.problems import db_problem, storage_problem
from inspector.store.roles import MANAGE_MODELS, TRAIN, may_now, require

MIN_GOOD_IMAGES = 5
# Below this the threshold's spread estimate rests on too few held-out scores: measured
# with 5 goods on elpv, the threshold landed above every real defect (docs/engine.md).
RELIABLE_GOOD_IMAGES = 10


@dataclass(frozen=True)
class TrainingSummary:
    """What a training run would use, and what is worth warning about first."""

    product: str | None
    good: int
    defective: int
    unlabelled: int
    defect_types: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    left_out: int = 0  # labelled images a run leaves out (training_set.choose)
    # images stored without a product while one is chosen: this product does not see them
    without_product: int = 0

    @property
    def can_train(self) -> bool:
        return self.good >= 2


@dataclass(frozen=True)
class _LabelledImage:
    image_id: int
    label_id: int
    sha256: str
    verdict: str
    defect_type: str | None
    has_mask: bool


def _current_labels(project: Project, product: str | None) -> list[_LabelledImage]:
    """The newest label of every image of the product (history rows are ignored)."""
    with project.db.session() as s:
        pid = product_id_for(s, product)
        newest = current_label_ids()
        q = (
            select(Image.id, Label.id, Image.sha256, Label.verdict, Label.defect_type,
                   Label.mask_path)
            .join(newest, newest.c.image_id == Image.id)
            .join(Label, Label.id == newest.c.label_id)
            .order_by(Image.id)
        )
        if pid is not None:
            q = q.where(Image.product_id == pid)
        return [
            _LabelledImage(r[0], r[1], r[2], r[3], r[4], r[5] is not None)
            for r in s.execute(q).all()
        ]


def training_summary(project: Project, product: str | None = None) -> TrainingSummary:
    """Counts of what training would use plus plain-language warnings. Counted by the
    database: the Train page asks on every label change, also with 100,000 labels."""
    with project.db.session() as s:
        pid = product_id_for(s, product)
        q = select(func.count(Image.id))
        if pid is not None:
            q = q.where(Image.product_id == pid)
        total = int(s.execute(q).scalar_one())
        newest = current_label_ids()
        q = (select(Label.verdict, Label.defect_type, func.count())
             .join(newest, newest.c.label_id == Label.id)
             .join(Image, Image.id == Label.image_id)
             .group_by(Label.verdict, Label.defect_type))
        if pid is not None:
            q = q.where(Image.product_id == pid)
        tallies = {(v, t): int(n) for v, t, n in s.execute(q)}
        stranded = 0 if pid is None else int(s.execute(
            select(func.count(Image.id)).where(Image.product_id.is_(None))).scalar_one())
    good = sum(n for (v, _), n in tallies.items() if v == "good")
    labelled = sum(tallies.values())
    types: dict[str, int] = {}
    for (v, t), n in sorted(tallies.items(), key=lambda kv: kv[0][1] or ""):
        if v != "good":
            types[t or "unspecified"] = types.get(t or "unspecified", 0) + n
    bad = labelled - good
    warnings = []
    left_out = training_set.left_out(tallies)
    if left_out:
        warnings.append(
            f"{left_out:,} of the {labelled:,} labelled images are left out: a training "
            f"run takes at most {training_set.MAX_GOOD} good images and "
            f"{training_set.MAX_DEFECTS_PER_TYPE} of each "
            "defect type, spread from the oldest label to the newest (more would cost time "
            "and memory for little gain)."
        )
    if good < MIN_GOOD_IMAGES:
        warnings.append(
            f"Only {good} good image(s) labelled: label at least {MIN_GOOD_IMAGES} "
            f"({RELIABLE_GOOD_IMAGES} or more is better) for a reliable model."
        )
    elif good < RELIABLE_GOOD_IMAGES:
        warnings.append(
            f"{good} good images labelled: the model will work, but its threshold is a "
            f"rough guess and may miss subtle defects. Label {RELIABLE_GOOD_IMAGES} or more."
        )
    if stranded:
        warnings.append(stranded_text(stranded, product))
    if not bad:
        warnings.append(
            "No defective images labelled yet: the threshold is set from good images and "
            "synthetic defects. Label real defects as they arrive to sharpen it."
        )
    return TrainingSummary(product, good, bad, total - labelled, types, warnings, left_out,
                           stranded)


def stranded_text(count: int, product: str | None) -> str:
    return (f"{count:,} image(s) were imported without a product, so {product} does not use "
            f"them: import them again on Capture with {product} chosen and they join it "
            "(nothing is stored twice).")


def _the_one_product(project: Project) -> str | None:
    """Without a product, training takes every labelled image. If they belong to several
    products, the model would learn a blend of them (and ignore each product's inspection
    region), and inspection could no longer tell which model to use: refused. If they all
    belong to one product, that is the product trained: recorded as "no product", an
    operator's model went live beside that product's active one, and inspecting without
    a product then failed on every station ("several products have an active model")."""
    with project.db.session() as s:
        newest = current_label_ids()
        rows = s.execute(select(Image.product_id).distinct()
                         .join(newest, newest.c.image_id == Image.id)).scalars().all()
        names = sorted(s.get(Product, pid).name if pid is not None else "(no product)"
                       for pid in rows)
    if len(names) > 1:
        raise UserError("The labelled images belong to several products (" + ", ".join(names)
                        + "): choose the product to train (--product NAME, or the product "
                        "on the Sign-in page).")
    return names[0] if names and rows[0] is not None else None


def train(
    project: Project,
    actor: Actor,
    *,
    product: str | None = None,
    preset: str = "accurate",
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ModelInfo:
    """Train, save and record a new model version; activate it when allowed.

    The new version becomes active when the trainer may manage models or when the
    product has no active model yet; otherwise a QA lead activates it later.
    """
    require(project, actor, TRAIN)
    if product is None:
        product = _the_one_product(project)
    summary = training_summary(project, product)
    if not summary.can_train:
        raise UserError(
            f"Cannot train: {summary.good} good image(s) labelled; at least 2 are needed "
            f"({MIN_GOOD_IMAGES} or more recommended)."
        )
    from inspector.engine.training import prepare_defect, train_model  # torch: on first use

    config = calibration_config(project, preset)  # bad settings fail before any loading
    region = region_of(project, product)
    if region is not None:
        config = dataclasses.replace(config, region=tuple(region.as_list()))
    current = _current_labels(project, product)
    labelled = training_set.choose(current)
    report(progress, 0.0, "Loading images")
    goods, defects, hashes = [], [], []
    for i, item in enumerate(labelled):  # prepared as loaded: 200 camera frames fit
        check(cancel)
        rgb = load_image(project, item.image_id)
        hashes.append(item.sha256)
        if item.verdict == "good":
            goods.append(prepare(rgb, config))
        else:
            mask = load_mask(project, item.image_id) if item.has_mask else None
            defects.append(prepare_defect(LabelledDefect(rgb, item.defect_type, mask), config))
        report(progress, 0.1 * (i + 1) / len(labelled), "Loading images")
    model = train_model(goods, defects, config=config, progress=scaled(progress, 0.1, 0.95),
                        cancel=cancel, prepared=True)
    check(cancel)
    report(progress, 0.96, "Saving model")
    used = _used(summary, labelled)
    last_label_id = max(item.label_id for item in current)  # labels after it are "new"
    info = _record_model(project, actor, model, product, preset, used,
                         {"last_label_id": last_label_id, "sha256": hashes})
    report(progress, 1.0, f"Saved model version {info.version}")
    return info


def trained_warnings(info: ModelInfo) -> list[str]:
    """What a person should know about a model just trained (from its metrics)."""
    copies = info.metrics.get("near_identical_goods")
    good = int(info.training_set.get("good") or 0)
    if isinstance(copies, int) and copies >= 2 and 2 * copies >= good:
        return [f"{copies} of the {good} good images are near-identical copies of another "
                "(the same part, not moved): the model learns only those pictures and may "
                "reject good parts that differ a little in position or light. Label good "
                "images of different parts, placed as on the line, and train again."]
    return []


def _used(summary: TrainingSummary, labelled: list[_LabelledImage]) -> TrainingSummary:
    """The summary of what the run trained on (the model record's training set)."""
    good = sum(1 for r in labelled if r.verdict == "good")
    return dataclasses.replace(summary, good=good, defective=len(labelled) - good,
                               defect_types=_type_counts(labelled))


def _type_counts(labelled: list[_LabelledImage]) -> dict[str, int]:
    """Defective images per defect type ("unspecified" without one)."""
    types: dict[str, int] = {}
    for r in labelled:
        if r.verdict != "good":
            key = r.defect_type or "unspecified"
            types[key] = types.get(key, 0) + 1
    return types


def calibration_config(project: Project, preset: str) -> EngineConfig:
    """The engine config with the project's false-reject targets (settings)."""
    target = float(project.get_setting("target_false_reject_rate"))
    band = project.get_setting("uncertain_false_reject_rate")
    if band is not None and float(band) <= target:
        raise UserError(
            f"The uncertain band's false-reject rate ({float(band):.1%}) must be above the "
            f"target false-reject rate ({target:.1%}); change one of the two settings."
        )
    return EngineConfig(preset=preset, target_frr=target,
                        uncertain_frr=None if band is None else float(band))


log = logging.getLogger(__name__)
VERSION_TRIES = 3  # stations training at once: the slower one takes the next number


BUSY_TRIES = 4  # each waits the busy timeout (30 s): a minute of training is not thrown
# away because another station held the database for a while when it was recorded


def _record_model(project, actor, model, product, preset, summary, read) -> ModelInfo:  # noqa: ANN001
    """Save the file, then record the version; a failed record removes the new file."""
    clashes = busy = 0
    while True:
        saved: list[Path] = []
        try:
            return _save_and_record(project, actor, model, product, preset, summary, read,
                                    saved)
        except IntegrityError:  # another station took this version number meanwhile
            _remove(saved)
            clashes += 1
            if clashes == VERSION_TRIES:
                raise
        except OperationalError as exc:
            _remove(saved)
            problem = db_problem(exc) or ""
            busy += problem.startswith("the project is busy")
            if not problem.startswith("the project is busy") or busy == BUSY_TRIES:
                if problem:
                    raise UserError(f"cannot record the new model: {problem}. Nothing "
                                    "changed; the previous model stays in use.") from exc
                raise
            log.warning("recording the new model: %s; trying again", problem)
        except BaseException as exc:
            _remove(saved)
            if (problem := storage_problem(exc)) is not None:
                raise UserError(f"cannot save the new model: {problem}. Nothing changed; the "
                                "previous model stays in use.") from exc
            raise


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _save_and_record(project, actor, model, product, preset, summary, read, saved):  # noqa: ANN001, ANN202
    """``read``: what the run read, for the record (the newest label id, image hashes).

    The file is written first under a name of its own, then the version number is taken
    with the other stations kept out (``serialise``) and the file renamed to it: with a
    plain read of the highest version, four stations recording at once clashed more often
    than the retries allowed, and a finished training was thrown away. The lock is held
    for a rename and an insert, not for writing the file."""
    tag = uuid.uuid4().hex[:8]  # unique names: stations training at once never collide
    staged = project.root / "models" / f"model-new-{tag}.inspector-model"
    staged.parent.mkdir(parents=True, exist_ok=True)
    saved.append(staged)  # removed again if anything below fails, even the save itself
    model.save(staged)
    sha = sha256_file(staged)
    with project.db.session() as s:
        serialise(s, "model.version")
        pid = product_id_for(s, product)
        version = int(s.execute(select(func.max(ModelRecord.version))).scalar() or 0) + 1
        rel = Path("models") / f"model-v{version:04d}-{tag}.inspector-model"
        saved.append(project.root / rel)
        replace_file(staged, project.root / rel)
        active = [r for r in s.scalars(select(ModelRecord).where(ModelRecord.active.is_(True)))
                  if r.product_id == pid]
        # The role held now: a QA lead demoted since signing in (the GUI keeps one sign-in
        # a shift) must not replace the line's model any more.
        activate = not active or may_now(project, actor, MANAGE_MODELS)
        rec = ModelRecord(
            version=version,
            product_id=pid,
            trained_by_id=actor.operator_id,
            backbone=str(model.metadata.get("backbone", "")),
            preset=preset,
            training_set={
                "good": summary.good,
                "defective": summary.defective,
                "defect_types": summary.defect_types,
                "left_out": summary.left_out,
                "sensor_bits": sensor_bits(project),  # how its 16-bit pictures were read
                **read,
            },
            metrics=dict(model.metrics),
            threshold=float(model.threshold),
            uncertain_low=None if model.uncertain_low is None else float(model.uncertain_low),
            file_path=rel.as_posix(),
            file_sha256=sha,
            active=False,
        )
        s.add(rec)
        s.flush()
        if activate:
            make_only_active(s, rec)
        audit.record(
            s, actor, "model.train", "model", str(version),
            {"product": product, "preset": preset, "active": activate,
             "threshold": rec.threshold, "good": summary.good, "defective": summary.defective},
        )
        return model_info(rec)


def sample_good_image(project: Project, product: str | None = None) -> np.ndarray:
    """The product's first labelled good image (to draw the inspection region on)."""
    goods = [r for r in _current_labels(project, product) if r.verdict == "good"]
    if not goods:
        raise UserError("Label a good image of this product first: the region is drawn on it.")
    return load_image(project, goods[0].image_id)


def synthetic_examples(
    project: Project, product: str | None = None, n: int = 6, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Synthetic defects made from the product's good images, for the user to see."""
    goods = [r for r in _current_labels(project, product) if r.verdict == "good"][:8]
    if not goods:
        raise UserError("Label some good images first: synthetic defects are made from them.")
    region = region_of(project, product)  # made from what training sees
    cfg = EngineConfig(region=None if region is None else tuple(region.as_list()))
    images = [prepare(load_image(project, r.image_id), cfg) for r in goods]
    from inspector.engine.synthetic import generate_synthetic_defects  # albumentations: 1 s

    return generate_synthetic_defects(images, n=n, seed=seed)

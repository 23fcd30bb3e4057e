"""Shared helpers of the model use cases: lookups, records to ModelInfo, a model cache.

Loading a model file costs a backbone build and a file read; inspections reuse one
loaded model per (file, sha256) instead, guarded by a lock so worker threads share it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inspector.errors import ModelFileError, NotFoundError, UserError
from inspector.services.products import product_id
from inspector.services.results import ModelInfo
from inspector.store.image_store import join_stored
from inspector.store.models import ModelRecord

if TYPE_CHECKING:  # the engine (torch) loads when a model does, not for `model list`
    from inspector.engine import DefectModel

_CACHE_SIZE = 3
_cache: OrderedDict[tuple[str, str], DefectModel] = OrderedDict()
_cache_lock = threading.Lock()


def product_id_for(session: Session, product: str | None) -> int | None:
    """The id of a named product (None for None), found as import and labelling find it
    (any letter case): `import --product a` worked where `train --product a` said there
    was no such product. Unknown names are a clear error."""
    return product_id(session, product)


def model_info(rec: ModelRecord) -> ModelInfo:
    return ModelInfo(
        id=rec.id,
        version=rec.version,
        product=rec.product.name if rec.product else None,
        trained_by=rec.trained_by.name if rec.trained_by else None,
        trained_at=rec.trained_at,
        backbone=rec.backbone,
        preset=rec.preset,
        threshold=rec.threshold,
        uncertain_low=rec.uncertain_low,
        active=rec.active,
        file_path=rec.file_path,
        file_sha256=rec.file_sha256,
        metrics=dict(rec.metrics or {}),
        training_set={k: v for k, v in (rec.training_set or {}).items() if k != "sha256"},
    )


def record_by_version(session: Session, version: int) -> ModelRecord:
    rec = session.execute(
        select(ModelRecord).where(ModelRecord.version == version, ModelRecord.deleted.is_(False))
    ).scalar()
    if rec is None:
        raise NotFoundError(f"No model version {version}.")
    return rec


def active_record(session: Session, product_id: int | None) -> ModelRecord:
    """The active model of a product. Without a product, the one active model there is;
    when several products have one, the caller must say which: judging a part with
    another product's model (and its threshold) gives verdicts that mean nothing."""
    q = select(ModelRecord).where(ModelRecord.active.is_(True), ModelRecord.deleted.is_(False))
    if product_id is not None:
        q = q.where(ModelRecord.product_id == product_id)
    records = list(session.execute(q.order_by(ModelRecord.version.desc())).scalars())
    if not records:
        raise UserError("No active model: train a model (Train page or `inspector train`) first.")
    if product_id is None and len({r.product_id for r in records}) > 1:
        names = sorted(r.product.name if r.product else "(no product)" for r in records)
        raise UserError("Several products have an active model (" + ", ".join(names) + "): "
                        "choose the product (--product NAME, or the product on the "
                        "Sign-in page).")
    return records[0]


def record_by_id(session: Session, record_id: int) -> ModelRecord:
    rec = session.get(ModelRecord, record_id)
    if rec is None or rec.deleted:
        raise UserError("The model this batch started with was deleted meanwhile.")
    return rec


def check_model_file(root: Path, rec: ModelRecord) -> bytes:
    """The version's file, read once, or ModelFileError when it is missing, unreadable
    (a share's I/O error was an internal error) or not the file recorded. Read once: a file
    hashed, then read again to load, could be swapped in between, and the other version
    was then used under this one's name (and threshold) for the life of the process."""
    path = join_stored(root, rec.file_path, "model")
    what_now = ("Activate another version (Train page, or `inspector model activate N`) "
                "or train a new one; `inspector check` lists what else is damaged.")
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        raise ModelFileError(f"Model file of version {rec.version} is missing: {path.name}. "
                             + what_now) from exc
    except OSError as exc:
        raise ModelFileError(f"Model file of version {rec.version} cannot be read "
                             f"({exc.strerror or exc}): {path.name}. " + what_now) from exc
    if hashlib.sha256(data).hexdigest() != rec.file_sha256:
        raise ModelFileError(
            f"Model file of version {rec.version} was changed or damaged (checksum mismatch). "
            + what_now
        )
    return data


def load_model(root: Path, rec: ModelRecord, verify: bool = False) -> DefectModel:
    """Load (or reuse) the model of a record, checking the file's sha256 first. With
    ``verify`` the file is checked even when the model is in memory: a rollback from the
    station that still held an old version switched the whole line to a file that was
    damaged since, and every other station stopped."""
    path = join_stored(root, rec.file_path, "model")
    key = (str(path), rec.file_sha256)
    with _cache_lock:
        model = _cache.get(key)
        if model is not None:
            _cache.move_to_end(key)
    if model is not None and not verify:
        return model
    data = check_model_file(root, rec)
    if model is not None:
        return model
    from inspector.engine.modelfile import model_from_bytes

    model = model_from_bytes(data, f"model file {path.name}")
    with _cache_lock:
        _cache[key] = model
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return model


def make_only_active(session: Session, rec: ModelRecord) -> None:
    """``rec`` becomes its product's one active model, in ONE UPDATE statement.

    Reading the active rows first and switching those off lost a race: SQLite runs the
    reads outside the write transaction, so two stations activating at once each switched
    off only what they had seen, and two versions stayed active.
    """
    same_product = (ModelRecord.product_id.is_(None) if rec.product_id is None
                    else ModelRecord.product_id == rec.product_id)
    # PostgreSQL: one UPDATE is not enough. Its writers lock only the rows they change, and
    # a version switched on meanwhile is not seen as active by the other station's UPDATE,
    # so both stayed on. Locking the product's rows first makes the second station wait,
    # then its UPDATE sees the first one's. (SQLite: a no-op; its write lock serialises.)
    session.execute(select(ModelRecord.id).where(same_product).order_by(ModelRecord.id)
                    .with_for_update())
    # Switched on only while not deleted: a station deleting it at the same moment left
    # a version both active and deleted, and the product without a usable model.
    if not update_models(session, (ModelRecord.id == rec.id, ModelRecord.deleted.is_(False)),
                         active=True):
        raise UserError(f"Version {rec.version} was deleted meanwhile; choose another.")
    update_models(session, (same_product, ModelRecord.active.is_(True), ModelRecord.id != rec.id),
                  active=False)
    session.expire(rec, ["active"])


def update_models(session: Session, where: tuple[Any, ...], **values: Any) -> int:
    """One UPDATE of the model rows that meet ``where`` (decided by the database, under
    its write lock: a check read before it races another station); rows changed."""
    return session.execute(update(ModelRecord).where(*where).values(**values)
                           .execution_options(synchronize_session=False)).rowcount

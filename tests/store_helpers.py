"""Database rows for tests that need them without the work that makes them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from inspector.store.models import Label, ModelRecord, Product


def add_active_model(project, product: str | None, training_set: dict,  # noqa: ANN001
                     trained_at: dt.datetime | None = None, active: bool = True) -> int:
    """An active (or, with ``active=False``, a waiting) model record as training writes
    it, without a file (for code that reads only the record); returns its version."""
    with project.db.session() as s:
        pid = None if product is None else s.execute(
            select(Product.id).where(Product.name == product)).scalar_one()
        version = int(s.execute(select(func.max(ModelRecord.version))).scalar() or 0) + 1
        s.add(ModelRecord(version=version, product_id=pid, backbone="lite0", preset="fast",
                          training_set=training_set, metrics={}, threshold=1.0,
                          file_path="models/none", file_sha256="0" * 64, active=active,
                          trained_at=trained_at or dt.datetime.now(dt.UTC)))
    return version


def newest_label_id(project) -> int:  # noqa: ANN001
    """What training records as ``last_label_id`` when it reads the labels now."""
    with project.db.session() as s:
        return int(s.execute(select(func.max(Label.id))).scalar() or 0)

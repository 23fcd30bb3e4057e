"""Deterministic synthetic inspections for report benchmarks, tests and demos.

Inserts with Core ``executemany`` in batches, so 100,000 inspections take seconds. The
rows carry no image files: the PDF shows placeholders for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from sqlalchemy import func, insert, select

from inspector.progress import ProgressCallback, report
from inspector.store.db import Database
from inspector.store.models import Image, Inspection, ModelRecord, Operator, Product

DEFECT_TYPES = ("scratch", "dent", "crack", "stain", "missing part", "burr")
DEFECT_WEIGHTS = (40, 25, 12, 10, 8, 5)
REASONS = ("cosmetic only, within spec", "dust on lens", "real crack, missed", "re-inspected")


def _ensure_masters(db: Database, n_products: int, n_operators: int) -> dict[str, list[int]]:
    """Products, operators and two model versions (created once, reused on later calls)."""
    with db.session() as s:
        if not s.scalar(select(func.count(Product.id))):
            s.add_all(
                Product(name=f"Product {chr(65 + i)}", sku=f"SKU-{i}", line=f"Line {i % 2 + 1}")
                for i in range(n_products)
            )
            s.add_all(
                Operator(name=f"operator{i + 1}", role="qa_lead" if i == 0 else "operator")
                for i in range(n_operators)
            )
            s.flush()
            s.add_all(
                ModelRecord(
                    version=v,
                    backbone="lite0",
                    threshold=0.5,
                    file_path=f"m{v}.pt",
                    file_sha256="0" * 64,
                    active=v == 2,
                )  # fmt: skip
                for v in (1, 2)
            )
        return {
            "products": list(s.scalars(select(Product.id).order_by(Product.id))),
            "operators": list(s.scalars(select(Operator.id).order_by(Operator.id))),
            "models": list(s.scalars(select(ModelRecord.id).order_by(ModelRecord.id))),
        }


def seed_inspections(
    db: Database,
    n: int,
    start: dt.datetime,
    days: int,
    *,
    seed: int = 0,
    n_products: int = 3,
    n_operators: int = 5,
    batch: int = 10_000,
    progress: ProgressCallback | None = None,
) -> None:
    """Insert ``n`` images + inspections spread uniformly over ``days`` days from ``start``."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    ids = _ensure_masters(db, n_products, n_operators)
    rng = random.Random(seed)
    span = days * 86400.0
    with db.session() as s:
        first_id = int(s.scalar(select(func.coalesce(func.max(Image.id), 0))) or 0) + 1
    for b0 in range(0, n, batch):
        images: list[dict[str, Any]] = []
        inspections: list[dict[str, Any]] = []
        for k in range(b0, min(n, b0 + batch)):
            number = first_id + k  # names the part; the database numbers the row
            sha = hashlib.sha256(f"{seed}-{number}".encode()).hexdigest()
            at = start + dt.timedelta(seconds=rng.random() * span)
            product = ids["products"][k % len(ids["products"])]
            images.append(_image_row(number, sha, at, product))
            inspections.append(_inspection_row(rng, number, at, product, ids))
        with db.session() as s:
            # Ids come back from the database (RETURNING): rows inserted with ids of their
            # own leave a PostgreSQL sequence behind, and the next import would collide.
            table = Image.__table__
            new_ids = s.scalars(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), images
            ).all()
            for row, image_id in zip(inspections, new_ids, strict=True):
                row["image_id"] = image_id
            s.execute(insert(Inspection.__table__), inspections)
        report(progress, min(n, b0 + batch) / max(n, 1), f"{min(n, b0 + batch)} of {n}")


def _image_row(number: int, sha: str, at: dt.datetime, product: int) -> dict[str, Any]:
    return {
        "sha256": sha, "store_path": f"{sha[:2]}/{sha[2:4]}/{sha}.png",
        "original_name": f"part_{number:06d}.png", "width": 640, "height": 480,
        "format": "PNG", "mode": "RGB", "bit_depth": 8, "file_size": 0, "source": "camera",
        "captured_at": at, "imported_at": at, "imported_by_id": None, "product_id": product,
        "station": None, "lot": None, "serial": None,
    }  # fmt: skip


def _inspection_row(
    rng: random.Random, image_id: int, at: dt.datetime, product: int, ids: dict[str, list[int]]
) -> dict[str, Any]:
    roll = rng.random()
    verdict = "ng" if roll < 0.06 else "uncertain" if roll < 0.09 else "ok"
    score = rng.uniform(0.5, 1.0) if verdict == "ng" else rng.uniform(0.0, 0.5)
    ng = verdict == "ng"
    overridden = rng.random() < 0.02
    return {
        "image_id": image_id, "model_id": rng.choice(ids["models"]), "score": score,
        "threshold": 0.5, "verdict": verdict,
        "severity": rng.choice(("minor", "major", "critical")) if ng else None,
        "defect_type": rng.choices(DEFECT_TYPES, DEFECT_WEIGHTS)[0] if ng else None,
        "type_confidence": rng.uniform(0.3, 1.0) if ng else None,
        "heatmap_path": f"artefacts/heatmaps/{image_id}.png" if ng else None,
        "operator_id": rng.choice(ids["operators"]), "product_id": product,
        "station": f"S{product % 3 + 1}", "inspected_at": at, "duration_ms": 120.0,
        "override_verdict": ("ok" if ng else "ng") if overridden else None,
        "override_reason": rng.choice(REASONS) if overridden else None,
        "override_by_id": ids["operators"][0] if overridden else None,
        "override_at": at + dt.timedelta(minutes=5) if overridden else None,
    }  # fmt: skip

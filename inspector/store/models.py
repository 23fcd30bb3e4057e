"""SQLAlchemy 2 models of a project database.

Every table is plain SQLAlchemy so the same schema runs on the embedded SQLite file and,
later, on a PostgreSQL server shared by several stations. Timestamps are stored in UTC and
come back timezone-aware. History is append-only where it matters: a relabel adds a new
``Label`` row, an override fills the override columns of an ``Inspection`` but never
changes the machine verdict.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("operator", "qa_lead", "admin")
VERDICTS_LABEL = ("good", "defective")
VERDICTS_INSPECTION = ("ok", "ng", "uncertain")
SEVERITIES = ("minor", "major", "critical")
IMAGE_SOURCES = ("camera", "file", "folder", "hot_folder")


def utcnow() -> dt.datetime:
    """Current time, timezone-aware UTC (the only kind stored)."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A DateTime that is always stored as naive UTC and read back as aware UTC.

    SQLite has no time zones; normalising here keeps comparisons and reports correct on
    both SQLite and PostgreSQL.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sku: Mapped[str | None] = mapped_column(String(100))
    line: Mapped[str | None] = mapped_column(String(100))
    station: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Inspection region [left, top, right, bottom] as fractions of the image; None: all.
    region: Mapped[list[float] | None] = mapped_column(JSON)


class Operator(Base):
    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="operator")
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DefectType(Base):
    """The QA-lead-editable list of defect types; ``shortcut`` is the labelling key."""

    __tablename__ = "defect_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    shortcut: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Image(Base):
    """One stored image; the file lives in the content-addressed store under ``sha256``."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    store_path: Mapped[str] = mapped_column(String(300))
    original_name: Mapped[str | None] = mapped_column(String(500))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(20))
    bit_depth: Mapped[int] = mapped_column(Integer, default=8)
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(20), default="file")
    captured_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    station: Mapped[str | None] = mapped_column(String(100))
    lot: Mapped[str | None] = mapped_column(String(100))
    serial: Mapped[str | None] = mapped_column(String(100))
    # The retention policy removed the picture (services.retention); rows stay.
    purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    product: Mapped[Product | None] = relationship()
    imported_by: Mapped[Operator | None] = relationship()
    labels: Mapped[list[Label]] = relationship(
        back_populates="image", order_by="Label.id", cascade="all, delete-orphan"
    )

    @property
    def current_label(self) -> Label | None:
        """The newest label row, or None when unlabelled."""
        return self.labels[-1] if self.labels else None


class Label(Base):
    """A label decision; relabelling appends a row so the history is kept."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(20))
    defect_type: Mapped[str | None] = mapped_column(String(100))
    severity: Mapped[str | None] = mapped_column(String(20))
    mask_path: Mapped[str | None] = mapped_column(String(300))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    image: Mapped[Image] = relationship(back_populates="labels")
    operator: Mapped[Operator | None] = relationship()


class ModelRecord(Base):
    """A trained model version; the file itself is under ``models/`` in the project."""

    __tablename__ = "models"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    trained_by_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    trained_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    backbone: Mapped[str] = mapped_column(String(50))
    preset: Mapped[str] = mapped_column(String(20), default="accurate")
    training_set: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    threshold: Mapped[float] = mapped_column(Float)
    uncertain_low: Mapped[float | None] = mapped_column(Float)
    file_path: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    product: Mapped[Product | None] = relationship()
    trained_by: Mapped[Operator | None] = relationship()


class Inspection(Base):
    """One inspection of one image by one model version.

    ``verdict`` is the machine's; a QA override is stored beside it, and
    ``final_verdict`` gives the one that counts.
    """

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id"), index=True)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(20), index=True)
    severity: Mapped[str | None] = mapped_column(String(20))
    defect_type: Mapped[str | None] = mapped_column(String(100))
    type_confidence: Mapped[float | None] = mapped_column(Float)
    heatmap_path: Mapped[str | None] = mapped_column(String(300))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    station: Mapped[str | None] = mapped_column(String(100))
    inspected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    duration_ms: Mapped[float | None] = mapped_column(Float)
    # The image as a whole looked unlike the training images (camera, light, product?).
    unfamiliar: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    override_verdict: Mapped[str | None] = mapped_column(String(20))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    override_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    image: Mapped[Image] = relationship()
    model: Mapped[ModelRecord | None] = relationship()
    operator: Mapped[Operator | None] = relationship(foreign_keys=[operator_id])
    override_by: Mapped[Operator | None] = relationship(foreign_keys=[override_by_id])
    product: Mapped[Product | None] = relationship()

    __table_args__ = (Index("ix_inspections_time_verdict", "inspected_at", "verdict"),
                      Index("ix_inspections_product_time", "product_id", "inspected_at"))

    @property
    def final_verdict(self) -> str:
        return self.override_verdict or self.verdict


class AuditEntry(Base):
    """Append-only log of every change and every refused action."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    operator_name: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str | None] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(100))
    allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Setting(Base):
    """Project-wide settings (thresholds, severity bands, pixel limit, hot folder...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

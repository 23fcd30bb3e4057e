"""Plain frozen results of the services (never ORM objects), safe to pass across threads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OperatorInfo:
    id: int
    name: str
    role: str
    has_pin: bool
    active: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class ProductInfo:
    id: int
    name: str
    sku: str | None
    line: str | None
    station: str | None
    created_at: dt.datetime
    region: tuple[float, float, float, float] | None = None  # fractions; None: whole image


@dataclass(frozen=True)
class LabelInfo:
    id: int
    image_id: int
    verdict: str  # good | defective
    defect_type: str | None
    severity: str | None
    has_mask: bool
    operator: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class ImageInfo:
    """A stored image with its current label (``state`` is unlabelled/good/defective)."""

    id: int
    sha256: str
    path: str  # absolute path of the stored file
    original_name: str | None
    width: int
    height: int
    format: str
    mode: str
    bit_depth: int
    file_size: int
    source: str
    captured_at: dt.datetime | None
    imported_at: dt.datetime
    imported_by: str | None
    product: str | None
    station: str | None
    lot: str | None
    serial: str | None
    state: str
    defect_type: str | None = None
    severity: str | None = None
    has_mask: bool = False
    labelled_by: str | None = None
    labelled_at: dt.datetime | None = None


@dataclass(frozen=True)
class DefectTypeInfo:
    id: int
    name: str
    shortcut: str | None
    active: bool


@dataclass(frozen=True)
class AuditInfo:
    id: int
    at: dt.datetime
    operator: str | None
    action: str
    entity: str | None
    entity_id: str | None
    allowed: bool
    details: dict[str, Any]

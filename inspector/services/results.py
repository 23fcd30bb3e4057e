"""Plain result records of the training and inspection use cases (safe across threads)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ModelInfo:
    """One recorded model version."""

    id: int
    version: int
    product: str | None
    trained_by: str | None
    trained_at: dt.datetime
    backbone: str
    preset: str
    threshold: float
    uncertain_low: float | None
    active: bool
    file_path: str
    file_sha256: str
    metrics: dict[str, Any] = field(default_factory=dict)
    training_set: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InspectionInfo:
    """One stored inspection; ``overlay`` / ``heatmap`` are only set right after inspecting."""

    id: int
    image_id: int
    image_name: str | None
    model_version: int | None
    score: float
    threshold: float
    verdict: str
    final_verdict: str
    severity: str | None
    defect_type: str | None
    type_confidence: float | None
    heatmap_path: str | None
    operator: str | None
    station: str | None
    product: str | None
    inspected_at: dt.datetime
    duration_ms: float | None
    override_verdict: str | None = None
    override_reason: str | None = None
    override_by: str | None = None
    override_at: dt.datetime | None = None
    unfamiliar: bool = False  # the image looked unlike the training images (check the setup)
    region_box: tuple[int, int, int, int] | None = None  # inspection region (px), fresh only
    overlay: np.ndarray | None = field(default=None, repr=False, compare=False)
    heatmap: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def type_text(self) -> str | None:
        """The predicted defect type with its confidence ("scratch (83%)"), as people
        read it; just the name when there was only one type to choose (no confidence)."""
        if not self.defect_type:
            return None
        conf = self.type_confidence
        return self.defect_type if conf is None else f"{self.defect_type} ({conf:.0%})"


@dataclass(frozen=True)
class ScoreDistribution:
    """Calibration scores of a model, for the histogram and the threshold slider."""

    good_scores: list[float]
    defect_scores: list[float]
    synthetic_scores: list[float]
    threshold: float
    uncertain_low: float | None

    def rates(self, threshold: float) -> tuple[float, float | None]:
        """Expected false-reject rate (good at or above) and escape rate (defect below).

        The escape rate uses labelled defects, else synthetic ones; None without either.
        """
        goods = np.asarray(self.good_scores, dtype=float)
        frr = float((goods >= threshold).mean()) if goods.size else 0.0
        bad = np.asarray(self.defect_scores or self.synthetic_scores, dtype=float)
        escape = float((bad < threshold).mean()) if bad.size else None
        return frr, escape

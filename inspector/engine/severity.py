"""Severity of a rejected part: how far past the threshold its score is, and how large.

Bands are configurable per model (stored in the model file). A defect is ``critical``
when either its score ratio or its area reaches the critical band, ``major`` likewise,
else ``minor``. Parts that pass have no severity.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

SEVERITIES = ("minor", "major", "critical")


@dataclass(frozen=True)
class SeverityBands:
    """score/threshold ratios and defect-area fractions where bands start."""

    major_ratio: float = 1.5
    critical_ratio: float = 2.5
    major_area: float = 0.02
    critical_area: float = 0.10

    def __post_init__(self) -> None:
        if not all(math.isfinite(v) for v in (self.major_ratio, self.critical_ratio)):
            raise ValueError("band ratios must be finite numbers")  # JSON cannot hold them
        if not 1.0 <= self.major_ratio <= self.critical_ratio:
            raise ValueError("need 1 <= major_ratio <= critical_ratio")
        if not 0.0 <= self.major_area <= self.critical_area <= 1.0:
            raise ValueError("need 0 <= major_area <= critical_area <= 1")

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, float]) -> SeverityBands:
        return cls(**{k: float(v) for k, v in data.items() if k in cls.__dataclass_fields__})


def classify_severity(
    score: float, threshold: float, area_fraction: float, bands: SeverityBands
) -> str | None:
    """``None`` below the threshold, else minor / major / critical."""
    if score < threshold:
        return None
    ratio = score / threshold if threshold > 0 else float("inf")
    if ratio >= bands.critical_ratio or area_fraction >= bands.critical_area:
        return "critical"
    if ratio >= bands.major_ratio or area_fraction >= bands.major_area:
        return "major"
    return "minor"

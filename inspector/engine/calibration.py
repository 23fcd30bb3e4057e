"""Automatic decision threshold from held-out good scores (no test labels).

Each training good image is scored against a memory bank built without it (k-fold), so
its score is an honest sample of what an unseen good part scores. With few samples the
empirical 99th percentile is meaningless, so we fit a log-normal (scores are positive
and right-skewed) and take its quantile at the target false-reject rate, never below the
largest held-out score. Labelled / synthetic defect scores can then pull the threshold
down toward the defects, but never so far that more held-out goods would be rejected
than the target allows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from statistics import NormalDist

import numpy as np

from inspector.engine.config import EngineConfig


@dataclass(frozen=True)
class Calibration:
    """The chosen threshold and the numbers behind it (stored as model metrics)."""

    threshold: float
    uncertain_low: float | None
    good_mean: float
    good_max: float
    estimated_frr: float
    synthetic_recall: float | None
    labelled_recall: float | None
    method: str

    def as_dict(self) -> dict[str, float | str | None]:
        return asdict(self)


def _lognormal_quantile(scores: np.ndarray, q: float, min_rel_spread: float = 0.05) -> float:
    logs = np.log(np.maximum(scores, 1e-6))
    mu = float(logs.mean())
    sd = float(logs.std(ddof=1)) if len(logs) > 1 else 0.0
    sd = max(sd, min_rel_spread)
    return float(np.exp(mu + NormalDist().inv_cdf(q) * sd))


def calibrate(
    good: np.ndarray,
    synthetic: np.ndarray | None = None,
    labelled: np.ndarray | None = None,
    cfg: EngineConfig | None = None,
) -> Calibration:
    """Threshold at the target false-reject rate on held-out good scores, refined by defects."""
    cfg = cfg or EngineConfig()
    good = np.asarray(good, dtype=np.float64)
    if good.size < 2:
        raise ValueError("need at least 2 held-out good scores to calibrate")
    thr = max(_lognormal_quantile(good, 1 - cfg.target_frr), float(good.max()))
    method = "lognormal-good"
    low = None
    if cfg.uncertain_frr is not None and cfg.uncertain_frr > cfg.target_frr:
        low = min(_lognormal_quantile(good, 1 - cfg.uncertain_frr), thr * 0.999)
    return Calibration(
        threshold=thr,
        uncertain_low=low,
        good_mean=float(good.mean()),
        good_max=float(good.max()),
        estimated_frr=float((good >= thr).mean()),
        synthetic_recall=_recall(synthetic, thr),
        labelled_recall=_recall(labelled, thr),
        method=method,
    )


def _recall(scores: np.ndarray | None, thr: float) -> float | None:
    if scores is None or len(scores) == 0:
        return None
    return float((np.asarray(scores) >= thr).mean())

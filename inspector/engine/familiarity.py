"""Setup check: does an image look like the training images *as a whole*?

A defect raises the scores of a few patches; a camera that moved, a lamp that failed, a
lens out of focus or the wrong product on the fixture raises the score of almost every
patch. The image's median patch score measures that. Training records the median of each
held-out good image (scored against a bank built without it); an inspected image whose
median lies beyond both 1.5x the typical held-out median and 3 robust standard deviations
of the held-out medians (log scale) is flagged as *unfamiliar*. The flag does not change
the verdict: it tells the operator that the verdict was made on an image unlike anything
the model learned, so the setup should be checked before trusting a run of results.

Measured on the three development folders (K=10, Lite2; docs/engine.md): no test good
image is flagged; every good image of another product is, and so are good images blurred
(sigma 3 px) or with sensor noise on the textured parts, while darkened parts whose
features barely change are not.
"""

from __future__ import annotations

import numpy as np

MIN_RATIO = 1.5  # at least this far above a typical good image's median patch score
ROBUST_SDS = 3.0  # and this many robust SDs of the held-out medians (log scale)
MIN_LOG_SD = 0.05  # floor for the spread of a handful of very similar images


def familiar_limit(heldout_medians: np.ndarray | list[float]) -> float | None:
    """Largest median patch score a familiar image may have; None with < 2 samples."""
    med = np.asarray(heldout_medians, dtype=np.float64)
    med = med[np.isfinite(med) & (med > 0)]
    if med.size < 2:
        return None
    logs = np.log(med)
    mu = float(np.median(logs))
    sd = max(1.4826 * float(np.median(np.abs(logs - mu))), MIN_LOG_SD)
    return float(np.exp(mu + max(np.log(MIN_RATIO), ROBUST_SDS * sd)))


def is_unfamiliar(image_median: float, limit: float | None) -> bool:
    """True when the image's median patch score is past the limit (no limit: never)."""
    return limit is not None and image_median > limit

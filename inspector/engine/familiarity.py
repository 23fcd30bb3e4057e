"""Setup check: does an image look like the training images *as a whole*?

A defect raises the scores of some patches; a camera that moved, a lamp that failed, a
lens out of focus or the wrong product on the fixture raises the score of almost every
patch. The image's low patch-score quantile (the 10th percentile, ``FLOOR_QUANTILE``)
measures that; a small defect does not move it. A large one does: measured with
patches of another image pasted over a quarter / half of the part (K=10), bottle 9 / 20 of
20 flagged, magnetic tile - / 11 of 20, elpv - / 9 of 20, so the warning names a large
defect as well as the setup (and the verdict is NG all the same). Training
records it for each held-out good image (scored against a bank built without it); an
inspected image whose floor lies beyond both 1.5x the typical held-out floor and 3 robust
standard deviations of the held-out floors (log scale) is flagged as *unfamiliar*. The
flag does not change the verdict: it tells the operator that the verdict was made on an
image unlike anything the model learned, so the setup should be checked before trusting
a run of results.

Measured on the three development folders (K=10, Lite2; docs/engine.md): no test good
image is flagged, every good image of another product is, and so are most blurred or
noisy images. The median instead of the 10th percentile flagged more real defects (large
breaks fill half a tight inspection region) and fewer blurred or noisy images.
"""

from __future__ import annotations

import numpy as np
import torch

from inspector.engine.calibration import robust_log_fit

MIN_RATIO = 1.5  # at least this far above a typical good image's median patch score
ROBUST_SDS = 3.0  # and this many robust SDs of the held-out medians (log scale)
MIN_LOG_SD = 0.05  # floor for the spread of a handful of very similar images
FLOOR_QUANTILE = 0.1  # the patch-score quantile that only a global change moves


def image_floors(maps: torch.Tensor) -> torch.Tensor:
    """Each image's low patch-score quantile (N x g x g maps -> N)."""
    return maps.flatten(1).float().quantile(FLOOR_QUANTILE, dim=1)


def familiar_limit(heldout_floors: np.ndarray | list[float]) -> float | None:
    """Largest patch-score floor a familiar image may have; None with < 2 samples."""
    med = np.asarray(heldout_floors, dtype=np.float64)
    med = med[np.isfinite(med) & (med > 0)]
    if med.size < 2:
        return None
    mu, sd = robust_log_fit(med, MIN_LOG_SD)  # the same fit as the threshold's
    return float(np.exp(mu + max(np.log(MIN_RATIO), ROBUST_SDS * sd)))


def is_unfamiliar(image_floor: float, limit: float | None) -> bool:
    """True when the image's patch-score floor is past the limit (no limit: never)."""
    return limit is not None and image_floor > limit

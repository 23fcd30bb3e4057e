"""Good training images that are near-identical copies of each other.

Five captures of one part that never moved teach the model one picture: measured on
bottle, its threshold came out at 1.6 while other good bottles scored 14-18, so every
other good part was rejected as critical. The training service warns about it.

Measured at 32x32 grey: different real parts of one product lie 4.6-13 grey levels RMS
apart at the closest (MVTec bottle, elpv, magnetic tile: the aligned sets are the near
ones); repeated captures of one still part with sensor noise (sigma 3) lie 0.4 apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

SIDE = 32
NEAR_RMS = 1.5  # grey levels (of 255) at SIDE x SIDE: far below real part-to-part spread


def _thumb(image: np.ndarray) -> np.ndarray:
    grey = image if image.ndim == 2 else cv2.cvtColor(image[..., :3], cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (SIDE, SIDE), interpolation=cv2.INTER_AREA).astype(np.float32)


def near_identical_count(images: Sequence[np.ndarray]) -> int:
    """How many images have a near-identical copy among the others."""
    if len(images) < 2:
        return 0
    thumbs = np.stack([_thumb(im) for im in images]).reshape(len(images), -1)
    sq = (thumbs ** 2).sum(1)
    dist2 = (sq[:, None] + sq[None] - 2 * thumbs @ thumbs.T) / thumbs.shape[1]
    np.fill_diagonal(dist2, np.inf)
    return int((np.sqrt(np.maximum(dist2.min(1), 0.0)) < NEAR_RMS).sum())

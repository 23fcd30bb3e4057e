"""Training images are kept at a working size, not at the camera's full resolution.

The backbone sees every image at ``image_size`` (256 px). Holding 200 decoded 5-megapixel
camera frames for training would take 3 GB before a single feature is computed, so
callers shrink each image as it is loaded to at most twice the input size (times the
inverse of the inspection region's smaller side, so that the region keeps its
resolution). Area averaging composes, so the features barely change. Synthetic defects,
whose strokes are sized in pixels, then look the same whatever the camera's resolution.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from inspector.engine.config import EngineConfig

HEADROOM = 2  # working size = HEADROOM x the backbone's input side


def working_max_side(cfg: EngineConfig, *, region_applied: bool = False) -> int:
    """Longest side worth keeping for a training image of this config.

    ``region_applied``: the image is already cut to the inspection region.
    """
    side = HEADROOM * int(cfg.resolved().image_size or 256)
    region = None if region_applied else cfg.inspection_region()
    if region is not None:
        side = math.ceil(side / min(region.x1 - region.x0, region.y1 - region.y0))
    return side


def shrink(image: np.ndarray, max_side: int) -> np.ndarray:
    """The image scaled down (area averaging) so its longer side is at most ``max_side``;
    returned unchanged when it is already small enough. Boolean masks stay boolean."""
    h, w = image.shape[:2]
    if max(h, w) <= max_side:
        return image
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if image.dtype == bool:
        small = cv2.resize(image.astype(np.float32), size, interpolation=cv2.INTER_AREA)
        return small > 0  # a defect pixel anywhere in the cell keeps the cell a defect
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)

"""Inspection region: the part of every image the model looks at (a fixed camera's ROI).

A station's camera usually sees the part plus its fixture, conveyor or hands. A region
set once per product crops all of that away before training and inspection. That gives
the part more of the backbone's fixed input resolution, and clutter outside the region
cannot raise a score. The region is stored as fractions of the image's width and height,
so it means the same for any camera resolution; it travels in the model's config, so a
model always inspects with the region it was trained with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from inspector.errors import UserError

MIN_SIDE = 0.05  # a region narrower than 5 % of the image is almost surely a slip


@dataclass(frozen=True)
class Region:
    """Left, top, right, bottom as fractions (0..1) of the image width and height."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        vals = (self.x0, self.y0, self.x1, self.y1)
        if not all(isinstance(v, int | float) and np.isfinite(v) for v in vals):
            raise UserError("an inspection region needs four numbers")
        if not (0 <= self.x0 < self.x1 <= 1 and 0 <= self.y0 < self.y1 <= 1):
            raise UserError("an inspection region must lie inside the image: "
                            "0 <= left < right <= 1 and 0 <= top < bottom <= 1")
        if self.x1 - self.x0 < MIN_SIDE or self.y1 - self.y0 < MIN_SIDE:
            raise UserError(f"an inspection region must cover at least {MIN_SIDE:.0%} of the "
                            "image's width and height")

    @classmethod
    def from_seq(cls, values: Sequence[float] | None) -> Region | None:
        """From [x0, y0, x1, y1] (None or [] means the whole image)."""
        if values is None or len(values) == 0:
            return None
        if len(values) != 4:
            raise UserError("an inspection region needs four numbers: left top right bottom")
        try:
            return cls(*(float(v) for v in values))
        except (TypeError, ValueError) as exc:
            raise UserError("an inspection region needs four numbers") from exc

    def as_list(self) -> list[float]:
        return [self.x0, self.y0, self.x1, self.y1]

    def box(self, height: int, width: int) -> tuple[int, int, int, int]:
        """Pixel box (top, left, bottom, right) in an image of this size; never empty."""
        left = min(int(round(self.x0 * width)), width - 1)
        top = min(int(round(self.y0 * height)), height - 1)
        right = max(int(round(self.x1 * width)), left + 1)
        bottom = max(int(round(self.y1 * height)), top + 1)
        return top, left, bottom, right

    def crop(self, image: np.ndarray) -> np.ndarray:
        """The region of an image (or mask); a view, no copy."""
        top, left, bottom, right = self.box(*image.shape[:2])
        return image[top:bottom, left:right]

    def paste(self, heat: np.ndarray, height: int, width: int) -> np.ndarray:
        """A full-size map: ``heat`` (the region's size) inside, zero outside."""
        top, left, bottom, right = self.box(height, width)
        out = np.zeros((height, width), dtype=heat.dtype)
        out[top:bottom, left:right] = heat
        return out


def describe(region: Region | None) -> str:
    """Human text, e.g. "10-90 % across, 5-95 % down" or "the whole image"."""
    if region is None:
        return "the whole image"
    return (f"{region.x0:.0%}–{region.x1:.0%} across, {region.y0:.0%}–{region.y1:.0%} down")

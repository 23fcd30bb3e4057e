"""What a patch feature is (backbone, input size, stages, pooling): the part of a model's
configuration that needs no torch, so reading a configuration stays light."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureSpec:
    """Everything that decides what a patch feature is; stored in the model file."""

    backbone: str = "lite0"
    image_size: int = 256
    stages: tuple[int, ...] = (2, 4)
    pool: int = 3
    keep_aspect: bool = False
    coarse_stage: int | None = None  # stride-32 stage for the coarse context score
    l2norm: bool = False  # unit-length patch vectors: distances compare direction only

    @property
    def grid(self) -> int:
        return self.image_size // 8

"""Image preprocessing and patch features (mid-level backbone stages, locally pooled).

Any RGB uint8 image is resized to the model's square input (optionally keeping its aspect
ratio by padding), scaled to [-1, 1] and passed through the backbone; the stage-8 and
stage-16 outputs are 3x3 average pooled (local neighbourhood, as in PatchCore), brought to
the stride-8 grid and concatenated into one feature vector per patch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from inspector.engine.backbone import shared_backbone
from inspector.engine.spec import FeatureSpec
from inspector.errors import ImageError
from inspector.progress import CancelToken, ProgressCallback, check, report

MEAN = STD = 0.5  # inputs in [-1, 1]: measured to give better anomaly scores than ImageNet's


@dataclass(frozen=True)
class Placement:
    """Where the image sits inside the square input (for mapping heat maps back)."""

    height: int
    width: int
    top: int
    left: int
    inner_h: int
    inner_w: int


def check_rgb(rgb: np.ndarray) -> np.ndarray:
    """Accept HxWx3 uint8 (or HxW grey); anything else is a clear ImageError."""
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8:
        raise ImageError("image must be a uint8 numpy array")
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[:, :, None], 3, axis=2)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ImageError(f"image must be RGB HxWx3, got {rgb.shape}")
    if min(rgb.shape[:2]) < 8:  # said as width x height, and where the pixels went
        raise ImageError(f"too small to judge: {rgb.shape[1]}x{rgb.shape[0]} px (the "
                         "product's inspection region, if one is set, keeps only part of "
                         "the picture); at least 8x8 px are needed")
    return rgb


def place(rgb: np.ndarray, spec: FeatureSpec) -> tuple[np.ndarray, Placement]:
    """Resize ``rgb`` into the square input; with keep_aspect, pad with edge pixels."""
    h, w = rgb.shape[:2]
    s = spec.image_size
    if not spec.keep_aspect:
        out = cv2.resize(rgb, (s, s), interpolation=cv2.INTER_AREA if h > s else cv2.INTER_LINEAR)
        return out, Placement(h, w, 0, 0, s, s)
    scale = s / max(h, w)
    ih, iw = max(1, round(h * scale)), max(1, round(w * scale))
    inner = cv2.resize(rgb, (iw, ih), interpolation=cv2.INTER_AREA)
    top, left = (s - ih) // 2, (s - iw) // 2
    out = cv2.copyMakeBorder(
        inner, top, s - ih - top, left, s - iw - left, cv2.BORDER_REPLICATE
    )
    return out, Placement(h, w, top, left, ih, iw)


def to_tensor(images: list[np.ndarray]) -> torch.Tensor:
    """Stack square uint8 RGB images into an NCHW float tensor in [-1, 1]."""
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float()
    x = (x / 255.0 - MEAN) / STD
    return x.contiguous(memory_format=torch.channels_last)


class FeatureExtractor:
    """Callable turning a list of RGB images into patch features N x C x g x g."""

    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec
        self.net = shared_backbone(spec.backbone).to(memory_format=torch.channels_last)

    @property
    def dim(self) -> int:
        return sum(self.net.stage_channels(s) for s in self.spec.stages)

    def prepare(self, images: list[np.ndarray]) -> tuple[torch.Tensor, list[Placement]]:
        placed = [place(check_rgb(im), self.spec) for im in images]
        return to_tensor([p[0] for p in placed]), [p[1] for p in placed]

    @torch.inference_mode()
    def from_tensor(self, x: torch.Tensor) -> torch.Tensor:
        return self._patch(self.net.features(x, self.spec.stages), x.shape[-1] // 8)

    @torch.inference_mode()
    def both_from_tensor(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Patch features and (if configured) 3x3 pooled coarse features, one forward pass."""
        cs = self.spec.coarse_stage
        if cs is None or cs in self.spec.stages:
            return self.from_tensor(x), None
        maps = self.net.features(x, tuple(sorted({*self.spec.stages, cs})))
        order = sorted({*self.spec.stages, cs})
        coarse = maps[order.index(cs)]
        patch = self._patch([m for st, m in zip(order, maps, strict=True) if st != cs],
                            x.shape[-1] // 8)
        pad = self.spec.pool // 2
        coarse = F.avg_pool2d(coarse, self.spec.pool, stride=1, padding=pad,
                              count_include_pad=False)
        return patch, coarse.contiguous()

    def _patch(self, maps: list[torch.Tensor], g: int) -> torch.Tensor:
        pad = self.spec.pool // 2
        out = []
        for m in maps:
            if self.spec.pool > 1:
                m = F.avg_pool2d(m, self.spec.pool, stride=1, padding=pad, count_include_pad=False)
            if m.shape[-1] != g:
                m = F.interpolate(m, size=(g, g), mode="bilinear", align_corners=False)
            out.append(m)
        feats = torch.cat(out, dim=1)
        if self.spec.l2norm:
            feats = F.normalize(feats, dim=1)
        return feats.contiguous()

    def __call__(self, images: list[np.ndarray]) -> tuple[torch.Tensor, list[Placement]]:
        x, placements = self.prepare(images)
        return self.from_tensor(x), placements

    def extract(
        self, images: list[np.ndarray]
    ) -> tuple[torch.Tensor, torch.Tensor | None, list[Placement]]:
        """Patch features, coarse features (None when off) and placements."""
        x, placements = self.prepare(images)
        patch, coarse = self.both_from_tensor(x)
        return patch, coarse, placements


def flatten(feats: torch.Tensor) -> torch.Tensor:
    """N x C x g x g -> (N*g*g) x C patch rows."""
    n, c = feats.shape[:2]
    return feats.permute(0, 2, 3, 1).reshape(-1, c)


def extract_all(
    ext: FeatureExtractor,
    images: Sequence[np.ndarray],
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    batch: int = 8,
) -> torch.Tensor:
    """Features of many images in batches (N x C x g x g), cancellable between batches."""
    return extract_all_both(ext, images, progress, cancel, batch)[0]


def extract_all_both(
    ext: FeatureExtractor,
    images: Sequence[np.ndarray],
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    batch: int = 8,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Patch and coarse features of many images in batches, cancellable between batches."""
    out: torch.Tensor | None = None  # filled in place: no second copy for a final cat
    coarse: list[torch.Tensor] = []
    for s in range(0, len(images), batch):
        check(cancel)
        f, c, _ = ext.extract(list(images[s : s + batch]))
        if out is None:
            out = torch.empty((len(images), *f.shape[1:]), dtype=f.dtype)
        out[s : s + f.shape[0]] = f
        if c is not None:
            coarse.append(c)
        report(progress, min(1.0, (s + batch) / len(images)), "extracting features")
    if out is None:
        raise ValueError("no images to extract features from")
    return out, torch.cat(coarse) if coarse else None

"""A trained defect model: memory banks + threshold + severity bands -> InspectionResult."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from inspector.engine.config import EngineConfig
from inspector.engine.familiarity import image_floors, is_unfamiliar
from inspector.engine.features import FeatureExtractor, Placement
from inspector.engine.result import InspectionResult, verdict_for
from inspector.engine.scoring import (
    Banks,
    image_scores,
    patch_maps,
    smooth,
    total_scores,
)
from inspector.engine.severity import SeverityBands, classify_severity
from inspector.engine.working_size import prepare
from inspector.errors import ModelFileError
from inspector.progress import CancelToken, ProgressCallback, check, report

HEAT_SIGMA = 1.0  # patch-grid smoothing of heat maps (in patches)


@dataclass
class TypeIndex:
    """Pooled anomalous-region features of labelled defects, for kNN type prediction."""

    feats: torch.Tensor  # T x C, L2-normalised
    names: list[str]

    def predict(self, feat: torch.Tensor, k: int = 3) -> tuple[str, float | None]:
        """Type by similarity-weighted vote of the k nearest; confidence = vote share.

        With a single type labelled there is nothing to choose between: the type is the
        only one known, and its confidence is None, not a 100 % that a part of a kind
        nobody labelled yet would get just the same."""
        if len(set(self.names)) < 2:
            return self.names[0], None
        f = feat / feat.norm().clamp_min(1e-6)
        sims = self.feats @ f
        k = min(k, len(self.names))
        top = torch.topk(sims, k)
        votes: dict[str, float] = {}
        for s, i in zip(top.values.tolist(), top.indices.tolist(), strict=True):
            votes[self.names[i]] = votes.get(self.names[i], 0.0) + float(np.exp(10 * s))
        name = max(votes, key=votes.__getitem__)
        return name, votes[name] / sum(votes.values())


@dataclass
class DefectModel:
    """Everything needed to inspect an image; save()/load() keep it in one file."""

    config: EngineConfig
    banks: Banks
    threshold: float
    uncertain_low: float | None
    base_level: float  # typical good patch score: heat 0 (threshold is heat 0.5)
    types: TypeIndex | None = None
    score_offset: float = 0.0  # coarse-term part of a typical good score (heat, severity)
    familiar_limit: float | None = None  # patch-score floor past which an image is unfamiliar
    metrics: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    _extractor: FeatureExtractor | None = field(default=None, repr=False)

    @property
    def extractor(self) -> FeatureExtractor:
        if self._extractor is None:
            self._extractor = FeatureExtractor(self.config.feature_spec())
        return self._extractor

    def with_threshold(self, threshold: float, uncertain_low: float | None = None) -> DefectModel:
        """A copy with another threshold (e.g. set by a supervisor)."""
        if uncertain_low is not None and not uncertain_low < threshold:
            raise ValueError("uncertain_low must be below the threshold")
        return replace(self, threshold=float(threshold), uncertain_low=uncertain_low)

    @torch.inference_mode()
    def score_maps(self, images: list[np.ndarray]) -> tuple[torch.Tensor, list[Placement]]:
        """Raw patch-score maps (N x g x g) for a batch of images (of their region)."""
        feats, placements = self.extractor([self._view(im) for im in images])
        return patch_maps(feats, self.banks), placements

    def scores(self, images: list[np.ndarray], batch: int = 8) -> np.ndarray:
        """Image scores only (no heat maps), batched; for benchmarks and calibration."""
        out = []
        for s in range(0, len(images), batch):
            with torch.inference_mode():
                feats, coarse, _ = self.extractor.extract(
                    [self._view(im) for im in images[s : s + batch]])
                maps = patch_maps(feats, self.banks)
                cfg = self.config
                base = image_scores(maps, cfg.smooth_sigma, cfg.top_fraction, cfg.baseline_weight)
                out.append(total_scores(base, coarse, self.banks).numpy())
        return np.concatenate(out) if out else np.zeros(0)

    def predict(self, rgb: np.ndarray) -> InspectionResult:
        """Inspect one RGB uint8 image of any size."""
        t0 = time.perf_counter()
        region = self.config.inspection_region()
        with torch.inference_mode():
            feats, coarse, (pl,) = self.extractor.extract([self._view(rgb)])
            t1 = time.perf_counter()
            maps = patch_maps(feats, self.banks)
            base = image_scores(maps, self.config.smooth_sigma, self.config.top_fraction,
                                self.config.baseline_weight)
            score = float(total_scores(base, coarse, self.banks)[0])
            if not math.isfinite(score):  # never let "no valid number" pass as OK
                raise ModelFileError("the model gave no valid score for this image; "
                                     "retrain the model")
            unfamiliar = is_unfamiliar(float(image_floors(maps)[0]), self.familiar_limit)
            t2 = time.perf_counter()
            h, w = rgb.shape[:2]
            box = None if region is None else region.box(h, w)
            top, left, bottom, right = box or (0, 0, h, w)
            # One resize straight to the inspected area's own size (the view may have
            # been shrunk to the working size).
            heat = self._heatmap(smooth(maps, HEAT_SIGMA)[0].numpy(), pl,
                                 (right - left, bottom - top))
        area = float((heat >= 0.5).mean())  # of the inspected region
        if region is not None:
            heat = region.paste(heat, h, w)
        verdict = verdict_for(score, self.threshold, self.uncertain_low)
        severity = self.severity_of(score, area) if verdict == "ng" else None
        dtype, conf = None, None
        if verdict != "ok" and self.types is not None:
            dtype, conf = self.types.predict(pooled_anomalous_feature(feats[0], maps[0]))
        image = rgb if rgb.ndim == 3 else np.repeat(rgb[:, :, None], 3, axis=2)
        t3 = time.perf_counter()
        return InspectionResult(
            score=score,
            threshold=self.threshold,
            verdict=verdict,
            severity=severity,
            defect_type=dtype,
            type_confidence=conf,
            heatmap=heat,
            image=image,
            defect_area_fraction=area,
            uncertain_low=self.uncertain_low,
            unfamiliar=unfamiliar,
            region_box=box,
            timings_ms={
                "features": (t1 - t0) * 1e3,
                "scoring": (t2 - t1) * 1e3,
                "heatmap": (t3 - t2) * 1e3,
            },
        )

    def predict_batch(
        self,
        images: list[np.ndarray],
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[InspectionResult]:
        """predict() over many images with progress and cancellation."""
        out = []
        for i, im in enumerate(images):
            check(cancel)
            out.append(self.predict(im))
            report(progress, (i + 1) / max(1, len(images)), f"inspected {i + 1}/{len(images)}")
        return out

    def severity_of(
        self, score: float, area: float, bands: SeverityBands | None = None
    ) -> str | None:
        """Severity band of a rejected score; ratios are taken on the raw patch scale.

        The coarse term's typical share is taken out and the baseline share of a typical
        good image put back, so "1.5 x the threshold" means the same whatever those
        options are (the bands were set on plain patch scores).
        """
        off = min(self.score_offset, 0.5 * self.threshold)
        add = self.config.baseline_weight * self.base_level
        return classify_severity(score - off + add, self.threshold - off + add, area,
                                 bands or self.config.severity)

    def _view(self, rgb: np.ndarray) -> np.ndarray:
        """What the model looks at: its region at the working size, as in training."""
        return prepare(rgb, self.config)

    def _heatmap(
        self, grid: np.ndarray, pl: Placement, size: tuple[int, int] | None = None
    ) -> np.ndarray:
        """Patch map -> [0, 1] heat at ``size`` (width, height; default the placed image's
        size); the threshold maps to 0.5.

        The map stays in raw patch-score units (measured: subtracting each image's median
        here costs pixel AUROC); the image score's baseline share is added back at the
        typical good level so that the threshold still reads 0.5.
        """
        level = self.threshold + self.config.baseline_weight * self.base_level
        span = max(level - self.score_offset - self.base_level, 1e-6)
        heat = np.clip((grid - self.base_level) / (2 * span), 0.0, 1.0).astype(np.float32)
        s = self.config.feature_spec().image_size
        heat = cv2.resize(heat, (s, s), interpolation=cv2.INTER_LINEAR)
        heat = heat[pl.top : pl.top + pl.inner_h, pl.left : pl.left + pl.inner_w]
        heat = cv2.resize(heat, size or (pl.width, pl.height), interpolation=cv2.INTER_LINEAR)
        return np.clip(heat, 0.0, 1.0, out=heat)  # in place: 240 MB a copy at 60 MP

    def save(self, path: Path | str) -> None:
        """Write the model atomically to one versioned safetensors file."""
        from inspector.engine.modelfile import save_model

        save_model(self, Path(path))

    @classmethod
    def load(cls, path: Path | str) -> DefectModel:
        """Read a model file; damaged / foreign / other-version files -> ModelFileError."""
        from inspector.engine.modelfile import load_model

        return load_model(Path(path))


def pooled_anomalous_feature(feats: torch.Tensor, score_map: torch.Tensor, top: int = 8):
    """Mean feature (C,) of the ``top`` highest-scoring patches of one image."""
    c = feats.shape[0]
    flat = feats.reshape(c, -1)
    idx = torch.topk(score_map.flatten(), min(top, score_map.numel())).indices
    return flat[:, idx].mean(1)

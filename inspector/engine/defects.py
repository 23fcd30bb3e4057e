"""Labelled defects: a second memory bank of their anomalous patches and a type index.

A patch nearer a known defect patch than any good one scores higher (see
scoring.combine); unseen defect kinds still score by distance-to-good, so the
bank sharpens the decision without forgetting them. Each labelled defect's scores for
calibration are computed without its own bank rows (leave-one-out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from inspector.engine.config import EngineConfig
from inspector.engine.features import FeatureExtractor, extract_all_both, flatten
from inspector.engine.memory import nn_distance
from inspector.engine.model import TypeIndex, pooled_anomalous_feature
from inspector.engine.result import LabelledDefect
from inspector.engine.scoring import (
    Banks,
    bonus,
    combine,
    good_distance,
    image_scores,
    total_scores,
)

MAX_ROWS_PER_DEFECT = 16


@dataclass
class DefectSide:
    """What labelled defects contribute to a model."""

    feats: torch.Tensor  # M x C x g x g
    good_maps: torch.Tensor  # M x g x g distance-to-good
    defect_bank: torch.Tensor | None
    owner: torch.Tensor | None  # which defect each bank row came from
    types: TypeIndex | None
    sigma: float
    top: float
    beta: float
    coarse: torch.Tensor | None = None  # M x C x h x w stride-32 features (or None)
    baseline: float = 0.0  # share of the image median subtracted (scoring.image_scores)
    raw_maps: torch.Tensor | None = None  # M x g x g unweighted, with local density only
    weight_maps: torch.Tensor | None = None  # density weight of each nearest good row
    local_bonus: bool = False

    def scores(self, banks: Banks) -> np.ndarray:
        """Leave-one-out image scores of the labelled defects under ``banks``."""
        if self.defect_bank is None or self.owner is None:
            base = image_scores(self.good_maps, self.sigma, self.top, self.baseline)
            return total_scores(base, self.coarse, banks).numpy()
        m, _, g, _ = self.feats.shape
        out = []
        for i in range(m):
            d_def = nn_distance(  # inf (no bonus) when it is alone in the bank
                flatten(self.feats[i : i + 1]), self.defect_bank, exclude=self.owner == i
            )
            if self.weight_maps is not None and self.raw_maps is not None and self.local_bonus:
                out.append(bonus(self.raw_maps[i], d_def.view(g, g), self.beta,
                                 self.weight_maps[i]))
            else:
                out.append(combine(self.good_maps[i], d_def.view(g, g), self.beta))
        base = image_scores(torch.stack(out), self.sigma, self.top, self.baseline)
        return total_scores(base, self.coarse, banks).numpy()


def _mask_grid(mask: np.ndarray | None, g: int) -> torch.Tensor | None:
    if mask is None or not np.asarray(mask).any():
        return None
    m = cv2.resize(np.asarray(mask).astype(np.float32), (g, g), interpolation=cv2.INTER_AREA)
    return torch.from_numpy(m > 0.25)


def build_defect_side(
    ext: FeatureExtractor,
    banks: Banks,
    defects: Sequence[LabelledDefect],
    held_maps: torch.Tensor,
    cfg: EngineConfig,
    extracted: tuple[torch.Tensor, torch.Tensor | None] | None = None,
) -> DefectSide:
    """Features, defect bank (if enabled) and type index of the labelled defects;
    ``extracted``: their (features, coarse features) when the caller already has them."""
    feats, coarse = extracted or extract_all_both(ext, [d.image for d in defects])
    # distance-to-good maps (``banks`` has no defect rows yet), raw and density-weighted
    raw, weights = good_distance(flatten(feats), banks)
    shape = (feats.shape[0], *feats.shape[2:])
    maps = (raw if weights is None else raw * weights).view(shape)
    patch_thr = float(torch.quantile(held_maps.flatten(), 0.999))
    rows, owner, type_feats, type_names = [], [], [], []
    for i, d in enumerate(defects):
        fmap = maps[i].flatten()
        grid = _mask_grid(d.mask, feats.shape[-1]) if not ext.spec.keep_aspect else None
        if grid is not None:
            sel = torch.nonzero(grid.flatten()).flatten()
            sel = sel[torch.argsort(fmap[sel], descending=True)][:MAX_ROWS_PER_DEFECT]
        else:
            order = torch.argsort(fmap, descending=True)[:MAX_ROWS_PER_DEFECT]
            sel = order[fmap[order] >= patch_thr]
            if sel.numel() == 0:
                sel = order[:1]
        rows.append(flatten(feats[i : i + 1])[sel])
        owner.append(torch.full((sel.numel(),), i))
        if d.defect_type:
            type_feats.append(pooled_anomalous_feature(feats[i], maps[i]))
            type_names.append(d.defect_type)
    types = None
    if type_names:
        tf = torch.stack(type_feats)
        types = TypeIndex(tf / tf.norm(dim=1, keepdim=True).clamp_min(1e-6), type_names)
    use_bank = cfg.use_defect_bank and cfg.defect_beta > 0
    return DefectSide(
        feats=feats,
        good_maps=maps,
        defect_bank=torch.cat(rows) if use_bank else None,
        owner=torch.cat(owner) if use_bank else None,
        types=types,
        sigma=cfg.smooth_sigma,
        top=cfg.top_fraction,
        beta=cfg.defect_beta,
        coarse=coarse,
        baseline=cfg.baseline_weight,
        raw_maps=None if weights is None else raw.view(shape),
        weight_maps=None if weights is None else weights.view(shape),
        local_bonus=cfg.local_bonus,
    )

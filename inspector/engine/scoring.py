"""Patch and image anomaly scores from patch features and memory banks.

Patch score = distance to the nearest good patch d_g; with a labelled-defect bank, patches
nearer a known defect than any good patch get a bonus: d_g + beta * max(0, d_g - d_d).
Good-looking patches keep their score, so the good-score calibration stays valid.
Image score = mean of the top ~1% patch scores (measured: beats the max of a smoothed
map on elongated / thin defects, and is robust to single noisy patches) minus a share
(``baseline_weight``, 0.5) of the image's own median patch score. A defect is a local
departure; a whole image that sits a little further from the bank (other lighting, a
slightly different batch) raises every patch, the median included, so subtracting part of
the median keeps such images from looking defective. Measured: +0.003 to +0.01 mean image
AUROC on every backbone and K tried, never a loss (docs/engine.md).
Optional coarse context term: the image score plus coarse_gain x the mean of the top
coarse (stride-32) kNN distances; coarse_gain = weight x (median held-out good patch score
/ median held-out good coarse score), so both terms count in patch-score units.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from inspector.engine.features import flatten
from inspector.engine.memory import nn_distance, nn_search


@dataclass
class Banks:
    """The good memory bank and the optional labelled-defect bank."""

    good: torch.Tensor
    defect: torch.Tensor | None = None
    beta: float = 0.0
    good_sq: torch.Tensor | None = None
    defect_sq: torch.Tensor | None = None
    coarse: torch.Tensor | None = None  # stride-32 good features (rows)
    coarse_gain: float = 0.0
    coarse_top: float = 0.05
    good_weight: torch.Tensor | None = None  # local-density weight per good row (density.py)
    local_bonus: bool = False  # defect bonus in local-density units too (see bonus())
    # "bonus": d_g + beta * max(0, d_g - d_d). "subtract": d_g - beta * d_d, the rule of
    # the first release's files (format 1, beta 0.3); they must be scored as calibrated.
    defect_rule: str = "bonus"

    def __post_init__(self) -> None:
        self.good = self.good.contiguous()
        self.good_sq = (self.good * self.good).sum(1)
        if self.defect is not None:
            self.defect = self.defect.contiguous()
            self.defect_sq = (self.defect * self.defect).sum(1)


def _gauss_kernel(sigma: float) -> torch.Tensor:
    r = max(1, int(round(2 * sigma)))
    x = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-(x**2) / (2 * sigma**2))
    k = k / k.sum()
    return k


def smooth(maps: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """Separable Gaussian blur of N x g x g maps (replicate padding)."""
    if sigma <= 0:
        return maps
    k = _gauss_kernel(sigma)
    r = k.numel() // 2
    x = maps[:, None]
    x = F.conv2d(F.pad(x, (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1))
    x = F.conv2d(F.pad(x, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1))
    return x[:, 0]


@torch.inference_mode()
def patch_maps(feats: torch.Tensor, banks: Banks) -> torch.Tensor:
    """N x C x g x g features -> N x g x g patch scores."""
    n, _, h, w = feats.shape
    rows = flatten(feats)
    d, weight = good_distance(rows, banks)
    if banks.defect is not None and banks.beta > 0:
        d_def = nn_distance(rows, banks.defect, banks.defect_sq)
        if banks.defect_rule == "subtract":  # the first release's files (see Banks)
            d = d - banks.beta * d_def
        elif weight is not None and not banks.local_bonus:  # models saved before local_bonus
            d = combine(d * weight, d_def, banks.beta)
        else:
            d = bonus(d, d_def, banks.beta, weight)
    elif weight is not None:
        d = d * weight
    return d.view(n, h, w)


def good_distance(
    rows: torch.Tensor, banks: Banks
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Raw distance to the nearest good patch and, with local density, that patch's
    weight (None without)."""
    if banks.good_weight is None:
        return nn_distance(rows, banks.good, banks.good_sq), None
    d, idx = nn_search(rows, banks.good, banks.good_sq)
    return d, banks.good_weight[idx]


def combine(d_good: torch.Tensor, d_defect: torch.Tensor, beta: float) -> torch.Tensor:
    """Distance-to-good plus a bonus where a patch is nearer a known defect."""
    return d_good + beta * (d_good - d_defect).clamp_min(0)


def bonus(
    d_good: torch.Tensor, d_defect: torch.Tensor, beta: float, weight: torch.Tensor | None
) -> torch.Tensor:
    """``combine`` on raw distances, then in the nearest good patch's local units (density
    weight): the distance and its bonus are measured with the same ruler."""
    out = combine(d_good, d_defect, beta)
    return out if weight is None else out * weight


def image_baselines(maps: torch.Tensor) -> torch.Tensor:
    """Each image's own typical patch score (the median of its map)."""
    return maps.flatten(1).median(1).values


def image_scores(
    maps: torch.Tensor, sigma: float = 0.0, top: float = 0.01, baseline: float = 0.0
) -> torch.Tensor:
    """One score per image: mean of the top ``top`` fraction of (smoothed) patch scores,
    minus ``baseline`` x the image's own median patch score (see the module docstring)."""
    flat = smooth(maps, sigma).flatten(1)
    k = max(1, round(top * flat.shape[1]))
    out = flat.topk(k, dim=1).values.mean(1)
    if baseline > 0:
        out = out - baseline * image_baselines(maps)
    return out


@torch.inference_mode()
def coarse_scores(coarse: torch.Tensor, bank: torch.Tensor, top: float) -> torch.Tensor:
    """Mean of the top ``top`` fraction of coarse-cell distances to the good coarse bank."""
    n = coarse.shape[0]
    d = nn_distance(flatten(coarse), bank).view(n, -1)
    k = max(1, round(top * d.shape[1]))
    return d.topk(k, dim=1).values.mean(1)


def total_scores(
    patch_scores: torch.Tensor, coarse: torch.Tensor | None, banks: Banks
) -> torch.Tensor:
    """Image scores with the coarse context term added (unchanged when it is off)."""
    if coarse is None or banks.coarse is None or banks.coarse_gain <= 0:
        return patch_scores
    return patch_scores + banks.coarse_gain * coarse_scores(coarse, banks.coarse, banks.coarse_top)

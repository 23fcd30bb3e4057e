"""Local-density normalisation of patch distances, and the test that decides it per product.

Some good patches vary a lot between good images (a textured or shaded area), others
hardly at all (a flat, well-lit area). A raw nearest-neighbour distance treats both alike,
so a good textured patch can outscore a small defect on a flat one. Dividing the distance
by how far the nearest bank patch lies from its own neighbours in *other* good images,
r_j (k-th nearest, k = 9), to the power 0.5, measures it in that region's own units
(PatchCore's reweighting idea): w_j = (median r / r_j) ** 0.5.

Measured on the development folders it helps some products a lot and hurts others
(docs/engine.md, fourth and fifth rounds), so it is never switched on blindly. Once the
product has labelled defects, training scores held-out good images and those defects both
ways and uses the normalisation when it separates them better, on the data and in more
than half of paired bootstrap resamples: the choice more likely right than wrong, with
no margin to tune. Synthetic defects were tried as the judge and were not reliable (they
are too easy on some products), so without labelled defects it stays off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from inspector.engine.memory import kth_neighbour_distance

EXPONENT = 0.5
BOOTSTRAP = 400
LEVEL = 0.5


def density_weights(
    bank: torch.Tensor, bank_owner: torch.Tensor, ref: torch.Tensor, ref_owner: torch.Tensor,
    k: int,
) -> torch.Tensor | None:
    """Per bank row, (median r / r_j) ** 0.5 with r_j its k-th neighbour distance among
    the ``ref`` patches of other images; None when fewer than two images are in ``ref``."""
    if int(torch.unique(ref_owner).numel()) < 2:
        return None
    r = kth_neighbour_distance(bank, bank_owner, ref, ref_owner, k)
    finite = torch.isfinite(r) & (r > 0)
    if not bool(finite.any()):
        return None
    med = r[finite].median()
    r = torch.where(finite, r, med).clamp_min(float(med) * 1e-3)  # no 0 / inf weights
    return (med / r) ** EXPONENT


def auroc(negative: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties counted half)."""
    neg, pos = np.asarray(negative, float), np.asarray(positive, float)
    if neg.size == 0 or pos.size == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (pos.size * neg.size))


@dataclass(frozen=True)
class DensityChoice:
    """What the label-free test found (stored in the model's metrics)."""

    used: bool
    auroc_plain: float
    auroc_density: float
    win_share: float  # share of bootstrap resamples in which it separated better

    def as_dict(self) -> dict:
        def num(x: float) -> float | None:  # JSON has no NaN
            return round(x, 4) if np.isfinite(x) else None

        return {"density_used": self.used, "density_auroc_plain": num(self.auroc_plain),
                "density_auroc_normalised": num(self.auroc_density),
                "density_win_share": num(self.win_share)}


def choose_density(
    good_plain: np.ndarray, defect_plain: np.ndarray,
    good_density: np.ndarray, defect_density: np.ndarray, seed: int = 0,
) -> DensityChoice:
    """Use the normalisation when it separates held-out goods from defects better, on the
    data and in more than ``LEVEL`` of paired bootstrap resamples (goods and defects
    resampled independently, the same draw for both scorings); a tie keeps it off."""
    a0, a1 = auroc(good_plain, defect_plain), auroc(good_density, defect_density)
    if not (np.isfinite(a0) and np.isfinite(a1)):
        return DensityChoice(False, a0, a1, 0.0)
    rng = np.random.default_rng(seed)
    ng, nd = len(good_plain), len(defect_plain)
    wins = 0
    for _ in range(BOOTSTRAP):
        gi, di = rng.integers(0, ng, ng), rng.integers(0, nd, nd)
        d = auroc(good_density[gi], defect_density[di]) - auroc(good_plain[gi], defect_plain[di])
        wins += d > 0
    share = wins / BOOTSTRAP
    return DensityChoice(bool(share > LEVEL and a1 > a0), a0, a1, share)

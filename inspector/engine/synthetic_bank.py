"""Synthetic-defect bank: patches of synthetic defects made on the training goods.

They join the labelled-defect bank (scoring.combine): a test patch nearer a synthetic
defect patch than any good patch gets the same bonus as one near a labelled defect, so a
product has a defect side before anyone has labelled a defect. Patches unlike both keep
their distance-to-good, so unseen defect kinds are still scored, and good-looking patches
are untouched, so the good-score calibration stays valid.

Measured (docs/engine.md, sixth round): mean image AUROC rose in all six settings tried
(Lite0 and Lite2; K = 5, 10, 30), +0.001 to +0.007, where a good-vs-synthetic patch
classifier had lowered it. Each synthetic patch remembers the good image it was made
from (``owner``), so held-out scoring leaves out the rows of the held-out images.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from inspector.engine.features import FeatureExtractor, extract_all, flatten, place
from inspector.engine.synthetic import KINDS, make_defect
from inspector.progress import CancelToken, check

MAX_IMAGES = 70  # 7 kinds x 10 goods; more goods share them (bounds training time)
MAX_ROWS = 2048  # bounds the extra kNN work per inspected image
MIN_COVER = 0.5  # a patch counts when the defect covers at least half of its cell


@dataclass
class SyntheticBank:
    """Patch features of synthetic defects and, per row, the good image it came from."""

    rows: torch.Tensor  # R x C
    owner: torch.Tensor  # R, index into the training goods

    def exclude(self, held: np.ndarray) -> torch.Tensor:
        """Bool per row: made from one of the ``held`` images (left out of their scoring)."""
        return torch.isin(self.owner, torch.as_tensor(held, dtype=self.owner.dtype))


def plan(n_good: int, max_images: int = MAX_IMAGES) -> list[tuple[int, str]]:
    """(good index, kind) per synthetic image: every kind on each of the first goods, or
    the kinds cycled over goods spread evenly through the set when there are many."""
    total = min(len(KINDS) * n_good, max_images)
    return [(i * n_good // total, KINDS[i % len(KINDS)]) for i in range(total)]


def build_synthetic_bank(
    ext: FeatureExtractor,
    good: Sequence[np.ndarray],
    seed: int,
    cancel: CancelToken | None = None,
) -> SyntheticBank | None:
    """Synthetic defects on the (prepared) goods; the rows are the patches they cover."""
    rng = np.random.default_rng(seed + 7919)
    rows, owner = [], []
    jobs = plan(len(good))
    for s in range(0, len(jobs), 8):
        check(cancel)
        batch = jobs[s : s + 8]
        images, masks = [], []
        for gi, kind in batch:
            img = good[gi] if good[gi].ndim == 3 else np.repeat(good[gi][:, :, None], 3, 2)
            # cut-paste and texture sources from the same image: its rows may be left out
            # of held-out scoring without leaking other held-out images into the bank
            im, mask, _ = make_defect(img, rng, kind)
            images.append(im)
            masks.append(mask)
        feats = extract_all(ext, images)
        for (gi, _), f, mask in zip(batch, feats, masks, strict=True):
            cover = patch_cover(mask, ext, f.shape[-1])
            sel = flatten(f[None])[cover.flatten() >= MIN_COVER]
            rows.append(sel)
            owner.append(torch.full((sel.shape[0],), gi, dtype=torch.long))
    if not rows or sum(r.shape[0] for r in rows) == 0:
        return None
    bank = SyntheticBank(torch.cat(rows), torch.cat(owner))
    if bank.rows.shape[0] > MAX_ROWS:
        keep = torch.randperm(bank.rows.shape[0], generator=torch.Generator().manual_seed(seed))
        keep = keep[:MAX_ROWS].sort().values
        bank = SyntheticBank(bank.rows[keep], bank.owner[keep])
    return bank


def patch_cover(mask: np.ndarray, ext: FeatureExtractor, g: int) -> torch.Tensor:
    """Share of each patch-grid cell that the mask covers, placed as the image is."""
    m = np.repeat((np.asarray(mask) > 0).astype(np.uint8)[:, :, None] * 255, 3, axis=2)
    sq, pl = place(m, ext.spec)
    cover = np.zeros(sq.shape[:2], np.float32)
    inner = (slice(pl.top, pl.top + pl.inner_h), slice(pl.left, pl.left + pl.inner_w))
    cover[inner] = sq[inner][..., 0] / 255.0  # padding (keep_aspect) is never defect
    return torch.from_numpy(cv2.resize(cover, (g, g), interpolation=cv2.INTER_AREA))

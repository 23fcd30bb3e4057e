"""train_model: good images (+ optional labelled defects) -> a calibrated DefectModel.

Steps: patch features of every good image; k-fold held-out scoring (each good image is
scored against a coreset bank built without it, and synthetic defects made from it are
scored the same way); the final coreset bank from all goods; with labelled defects a
second bank of their most anomalous patches and a defect-type index; then the threshold.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

import inspector
from inspector.engine.calibration import calibrate
from inspector.engine.config import EngineConfig
from inspector.engine.defects import DefectSide, build_defect_side
from inspector.engine.density import DensityChoice, choose_density, density_weights
from inspector.engine.familiarity import familiar_limit, image_floors
from inspector.engine.features import FeatureExtractor, extract_all_both, flatten
from inspector.engine.memory import coreset_indices, nn_distance, nn_search
from inspector.engine.model import HEAT_SIGMA, DefectModel
from inspector.engine.near_identical import near_identical_count
from inspector.engine.result import LabelledDefect
from inspector.engine.scoring import (
    Banks,
    bonus,
    coarse_scores,
    combine,
    image_scores,
    smooth,
)
from inspector.engine.synthetic_bank import SyntheticBank, build_synthetic_bank
from inspector.engine.working_size import prepare
from inspector.errors import UserError
from inspector.progress import CancelToken, ProgressCallback, check, report, scaled

MIN_GOOD = 2


def select_bank(
    rows: torch.Tensor, size: int, cfg: EngineConfig, cancel: CancelToken | None = None
) -> torch.Tensor:
    """Coreset of ``size`` rows; a random pre-subsample bounds the k-center cost."""
    return rows[select_bank_indices(rows, size, cfg, cancel)[0]]


def select_bank_indices(
    rows: torch.Tensor, size: int, cfg: EngineConfig, cancel: CancelToken | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """(indices of the coreset rows, indices of the candidate pool they were chosen from)."""
    n = rows.shape[0]
    pool = torch.arange(n)
    if n <= size:
        return pool, pool
    gen = torch.Generator().manual_seed(cfg.seed)
    if n > cfg.coreset_pool:
        pool = torch.randperm(n, generator=gen)[: cfg.coreset_pool]
    return pool[coreset_indices(rows[pool], size, seed=cfg.seed, cancel=cancel)], pool


def bank_with_weights(
    rows: torch.Tensor, per: int, size: int, cfg: EngineConfig, density: bool,
    cancel: CancelToken | None = None,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """A coreset bank from image-major ``rows`` (``per`` rows per image) and, with
    ``density``, its local-density weights measured against the candidate pool (k scaled
    down when the pool is a subsample, so it still means "the k-th nearest image")."""
    idx, pool = select_bank_indices(rows, size, cfg, cancel)
    if not density:
        return rows[idx], None
    k = max(1, round(cfg.density_k * pool.numel() / rows.shape[0]))
    return rows[idx], density_weights(rows[idx], idx // per, rows[pool], pool // per, k)


def _maps_both(
    feats: torch.Tensor, bank: torch.Tensor, weight: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Plain and density-normalised patch maps from one nearest-neighbour search, and
    the weight of each patch's nearest bank row (None without weights)."""
    n, _, h, w = feats.shape
    d, i = nn_search(flatten(feats), bank)
    plain = d.view(n, h, w)
    if weight is None:
        return plain, plain, None
    wmap = weight[i].view(n, h, w)
    return plain, plain * wmap, wmap


def make_folds(n: int, k: int) -> list[np.ndarray]:
    """Contiguous folds (leave-one-out when n <= k)."""
    return [f for f in np.array_split(np.arange(n), min(n, k)) if len(f)]


def train_model(
    good: Sequence[np.ndarray],
    defects: Sequence[LabelledDefect] = (),
    config: EngineConfig | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    prepared: bool = False,
) -> DefectModel:
    """Train and calibrate a model; raises UserError on bad input, Cancelled on cancel.

    ``prepared``: the images (and masks) already went through ``working_size.prepare``
    with this config, as callers that load many large images do to save memory.
    """
    if len(good) < MIN_GOOD:
        raise UserError(f"need at least {MIN_GOOD} good images to train (5 or more recommended)")
    t_start = time.perf_counter()
    cfg = (config or EngineConfig()).resolved()
    torch.manual_seed(cfg.seed)
    originals = (list(good), list(defects))  # hashed into the metadata as given
    if not prepared:
        good, defects = prepare_inputs(good, defects, cfg)
    ext = FeatureExtractor(cfg.feature_spec())
    feats, coarse = extract_all_both(ext, good, scaled(progress, 0.0, 0.3), cancel)
    n, _, g, _ = feats.shape
    rows = flatten(feats)
    feats = rows.view(n, g, g, -1).permute(0, 3, 1, 2)  # a view: one copy in memory
    per = g * g
    max_bank = int(cfg.max_bank or 4096)

    # Held-out good scores (and synthetic defects made from held-out goods), each both
    # plain and density-normalised while the density test is to be made.
    mode = cfg.local_density if (defects or cfg.local_density != "auto") else "off"
    synbank = None
    if cfg.synthetic_bank:
        report(progress, 0.3, "making synthetic defects for the defect bank")
        synbank = build_synthetic_bank(ext, good, cfg.seed, cancel)
    ho = _held_out(feats, coarse, good, ext, cfg, mode != "off", synbank, progress, cancel)
    held_maps, syn_maps = ho.maps, ho.syn_maps

    defect_feats = extract_all_both(ext, [d.image for d in defects]) if defects else None
    bank, weight = bank_with_weights(rows, per, max_bank, cfg, mode != "off", cancel)
    choice = _density_choice(mode, defect_feats, bank, weight, held_maps, ho.dens, cfg)
    held_w: torch.Tensor | None = None
    syn_w: list[torch.Tensor | None] = [None] * len(syn_maps)
    if choice.used and ho.dens is not None:
        held_maps, syn_maps = ho.dens, ho.syn_dens
        held_w, syn_w = ho.wmap, list(ho.syn_wmap)
    else:
        weight = None

    check(cancel)
    coarse_kw: dict = {}
    offset = 0.0
    if coarse is not None:
        med_p = float(image_scores(held_maps, cfg.smooth_sigma, cfg.top_fraction,
                                   cfg.baseline_weight).median())
        med_c = max(float(ho.coarse.median()), 1e-6)
        gain = cfg.coarse_weight * med_p / med_c  # both terms in patch-score units
        offset = gain * med_c  # the coarse part of a typical good image's score
        coarse_kw = {"coarse": select_bank(flatten(coarse), max_bank, cfg, cancel),
                     "coarse_gain": gain, "coarse_top": cfg.coarse_top}
    banks = Banks(bank, good_weight=weight, **coarse_kw)
    report(progress, 0.85, "memory bank ready")
    check(cancel)  # a cancel from here on used to return a finished model all the same

    side = (build_defect_side(ext, banks, defects, held_maps, cfg, defect_feats)
            if defects else None)
    defect_rows, owner = _join_defect_rows(side, synbank)
    if defect_rows is not None and cfg.defect_beta > 0:
        banks = Banks(banks.good, defect_rows, cfg.defect_beta, good_weight=weight,
                      local_bonus=cfg.local_bonus, **coarse_kw)
        synthetic = owner < 0
        # held-out goods meet the synthetic rows of their fold (not those made from them);
        # synthetic calibration defects meet none: made by the same generator, they would
        # find their own kind there and look easier than real defects do
        held_maps = _with_bonus(ho.maps, held_maps, _defect_dist(feats, banks, synthetic,
                                                                 ho.syn_dist), held_w, cfg)
        syn_maps = [_with_bonus(p, m, _defect_dist(f, banks, synthetic, None), w, cfg)
                    for p, m, f, w in zip(ho.syn_maps, syn_maps, ho.syn_feats, syn_w,
                                          strict=True)]
        if side is not None:  # leave-one-out scores of the labelled defects see both
            side.defect_bank, side.owner, side.beta = defect_rows, owner, cfg.defect_beta

    good_t = image_scores(held_maps, cfg.smooth_sigma, cfg.top_fraction, cfg.baseline_weight)
    if coarse is not None:
        good_t = good_t + banks.coarse_gain * ho.coarse
    good_scores = good_t.numpy()
    syn_scores = None
    if syn_maps:
        syn_t = image_scores(torch.cat(syn_maps), cfg.smooth_sigma, cfg.top_fraction,
                             cfg.baseline_weight)
        if ho.syn_coarse:
            syn_t = syn_t + banks.coarse_gain * torch.cat(ho.syn_coarse)
        syn_scores = syn_t.numpy()
    labelled_scores = side.scores(banks) if side is not None else None
    cal = calibrate(good_scores, syn_scores, labelled_scores, cfg)
    base = float(smooth(held_maps, HEAT_SIGMA).median())
    check(cancel)
    report(progress, 1.0, "done")
    return DefectModel(
        config=cfg,
        banks=banks,
        threshold=cal.threshold,
        uncertain_low=cal.uncertain_low,
        base_level=base,
        score_offset=offset,
        familiar_limit=familiar_limit(image_floors(held_maps).numpy()),
        types=side.types if side is not None else None,
        metrics={
            **cal.as_dict(),
            **choice.as_dict(),
            "n_good": n,
            "n_defects": len(defects),
            "bank_size": int(banks.good.shape[0]),
            "synthetic_bank_rows": 0 if synbank is None else int(synbank.rows.shape[0]),
            "fit_seconds": time.perf_counter() - t_start,
            "near_identical_goods": near_identical_count(good),
            "heldout_good_scores": [float(s) for s in good_scores],
            "synthetic_scores": [] if syn_scores is None else [float(s) for s in syn_scores],
            "labelled_scores": [] if labelled_scores is None else [float(s) for s in
                                                                   labelled_scores],
        },
        metadata={
            "backbone": cfg.backbone,
            "preset": cfg.preset,
            "image_size": cfg.image_size,
            "code_version": inspector.__version__,
            "good_sha256": [_sha(im) for im in originals[0]],
            "defect_sha256": [_sha(d.image) for d in originals[1]],
            "defect_types": sorted({d.defect_type for d in defects if d.defect_type}),
        },
        _extractor=ext,
    )


@dataclass
class HeldOut:
    """Scores of each good image against a bank built without it (k-fold), and of the
    synthetic defects made from it; ``dens`` / ``syn_dens`` density-normalised (``dens``
    None when not measured)."""

    maps: torch.Tensor
    dens: torch.Tensor | None
    coarse: torch.Tensor
    syn_maps: list[torch.Tensor] = field(default_factory=list)
    syn_dens: list[torch.Tensor] = field(default_factory=list)
    syn_feats: list[torch.Tensor] = field(default_factory=list)
    syn_coarse: list[torch.Tensor] = field(default_factory=list)
    # distance to the synthetic-defect bank without the rows made from the held-out images
    syn_dist: torch.Tensor | None = None
    wmap: torch.Tensor | None = None  # density weight of each patch's nearest bank row
    syn_wmap: list[torch.Tensor | None] = field(default_factory=list)


def _held_out(
    feats: torch.Tensor,
    coarse: torch.Tensor | None,
    good: Sequence[np.ndarray],
    ext: FeatureExtractor,
    cfg: EngineConfig,
    density: bool,
    synbank: SyntheticBank | None,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> HeldOut:
    """k-fold held-out scoring of the goods (and of synthetic defects made from them)."""
    n, _, g, _ = feats.shape
    per = g * g
    rows = flatten(feats)
    max_bank = int(cfg.max_bank or 4096)
    out = HeldOut(torch.empty(n, g, g), torch.empty(n, g, g) if density else None,
                  torch.empty(n))
    if synbank is not None:
        out.syn_dist = torch.empty(n, g, g)
    folds = make_folds(n, cfg.folds)
    for fi, idx in enumerate(folds):
        check(cancel)
        keep = np.setdiff1d(np.arange(n), idx)
        held, kept = torch.from_numpy(idx), torch.from_numpy(keep)
        syn_out = None if synbank is None else synbank.exclude(idx)
        if synbank is not None and out.syn_dist is not None:
            out.syn_dist[held] = _dist(feats[held], synbank.rows, syn_out)
        keep_rows = rows.view(n, per, -1)[kept].reshape(-1, rows.shape[1])
        size = max(1, round(max_bank * len(keep) / n))
        fold_bank, fold_w = bank_with_weights(keep_rows, per, size, cfg, density, cancel)
        plain, dens, wmap = _maps_both(feats[held], fold_bank, fold_w)
        out.maps[held] = plain
        if fold_w is None:  # too few images in the fold bank to measure density
            out.dens = None
        if out.dens is not None and wmap is not None:
            out.dens[held] = dens
            if out.wmap is None:
                out.wmap = torch.ones(n, g, g)
            out.wmap[held] = wmap
        fold_coarse = None
        if coarse is not None:
            fold_coarse = select_bank(flatten(coarse[kept]), max_bank, cfg)
            out.coarse[held] = coarse_scores(coarse[held], fold_coarse, cfg.coarse_top)
        if cfg.use_synthetic:
            from inspector.engine.synthetic import synthetic_for_calibration

            syn = synthetic_for_calibration([good[i] for i in idx], seed=cfg.seed + fi)
            if syn:
                sf, sc = extract_all_both(ext, syn)  # batched: bounds peak memory
                out.syn_feats.append(sf)
                s_plain, s_dens, s_w = _maps_both(sf, fold_bank, fold_w)
                out.syn_wmap.append(s_w)
                out.syn_maps.append(s_plain)
                out.syn_dens.append(s_dens)
                if sc is not None and fold_coarse is not None:
                    out.syn_coarse.append(coarse_scores(sc, fold_coarse, cfg.coarse_top))
        report(progress, 0.3 + 0.4 * (fi + 1) / len(folds), "calibrating on held-out images")
    return out


def _density_choice(
    mode: str,
    defect_feats: tuple[torch.Tensor, torch.Tensor | None] | None,
    bank: torch.Tensor,
    weight: torch.Tensor | None,
    held_plain: torch.Tensor,
    held_dens: torch.Tensor | None,
    cfg: EngineConfig,
) -> DensityChoice:
    """Whether the final model normalises by local density: forced by the config, or
    (auto) decided by held-out goods against the labelled defects, scored both ways."""
    nan = float("nan")
    if mode == "off" or held_dens is None or weight is None:
        return DensityChoice(False, nan, nan, 0.0)
    if mode == "on":
        return DensityChoice(True, nan, nan, 1.0)
    if defect_feats is None:
        return DensityChoice(False, nan, nan, 0.0)
    d_plain, d_dens, _ = _maps_both(defect_feats[0], bank, weight)

    def scores(maps: torch.Tensor) -> np.ndarray:
        return image_scores(maps, cfg.smooth_sigma, cfg.top_fraction, cfg.baseline_weight).numpy()

    return choose_density(scores(held_plain), scores(d_plain), scores(held_dens),
                          scores(d_dens), seed=cfg.seed)


def prepare_inputs(
    good: Sequence[np.ndarray], defects: Sequence[LabelledDefect], cfg: EngineConfig
) -> tuple[list[np.ndarray], list[LabelledDefect]]:
    """Good and defective images (and masks) as the model sees them (working_size.prepare)."""
    out = [prepare_defect(d, cfg) for d in defects]
    return [prepare(g, cfg) for g in good], out


def prepare_defect(d: LabelledDefect, cfg: EngineConfig) -> LabelledDefect:
    """A labelled defect and its mask cut and scaled together."""
    mask = None if d.mask is None else prepare(np.asarray(d.mask) > 0, cfg)
    return LabelledDefect(prepare(d.image, cfg), d.defect_type, mask)


def _with_bonus(
    plain: torch.Tensor, weighted: torch.Tensor, d_def: torch.Tensor,
    wmap: torch.Tensor | None, cfg: EngineConfig,
) -> torch.Tensor:
    """Patch maps with the defect-bank bonus, as scoring.patch_maps makes them."""
    if wmap is None or cfg.local_bonus:
        return bonus(plain, d_def, cfg.defect_beta, wmap)
    return combine(weighted, d_def, cfg.defect_beta)


def _join_defect_rows(
    side: DefectSide | None, synbank: SyntheticBank | None
) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """One defect bank: labelled rows (owner = their defect's index) and synthetic rows
    (owner -1, never left out of a labelled defect's own score)."""
    parts, owners = [], []
    if side is not None and side.defect_bank is not None and side.owner is not None:
        parts.append(side.defect_bank)
        owners.append(side.owner)
    if synbank is not None:
        parts.append(synbank.rows)
        owners.append(torch.full((synbank.rows.shape[0],), -1, dtype=torch.long))
    if not parts:
        return None, None
    return torch.cat(parts), torch.cat(owners)


def _dist(feats: torch.Tensor, rows: torch.Tensor, exclude: torch.Tensor | None) -> torch.Tensor:
    n, _, h, w = feats.shape
    return nn_distance(flatten(feats), rows, exclude=exclude).view(n, h, w)


def _defect_dist(
    feats: torch.Tensor, banks: Banks, synthetic: torch.Tensor, fold_syn: torch.Tensor | None
) -> torch.Tensor:
    """Distance of held-out images to the defect bank's labelled rows and, in place of its
    synthetic rows, ``fold_syn`` (the fold's own synthetic distance; None: no synthetic)."""
    assert banks.defect is not None
    if bool(synthetic.all()):  # no labelled rows to search
        n, _, h, w = feats.shape
        return fold_syn if fold_syn is not None else torch.full((n, h, w), float("inf"))
    d = _dist(feats, banks.defect, synthetic)
    return d if fold_syn is None else torch.minimum(d, fold_syn)


def _sha(img: np.ndarray) -> str:
    """Content hash of a training image (pixels + shape), recorded in the model file."""
    h = hashlib.sha256(str(img.shape).encode())
    h.update(np.ascontiguousarray(img).tobytes())
    return h.hexdigest()

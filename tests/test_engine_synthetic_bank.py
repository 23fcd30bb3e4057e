"""Synthetic-defect bank: which patches it holds, fold honesty, and what it does to scores."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from engine_fixtures import make_part

from inspector.engine import DefectModel, EngineConfig, LabelledDefect, train_model
from inspector.engine.features import FeatureExtractor, flatten
from inspector.engine.memory import nn_distance
from inspector.engine.scoring import Banks
from inspector.engine.synthetic import KINDS
from inspector.engine.synthetic_bank import (
    MAX_IMAGES,
    SyntheticBank,
    build_synthetic_bank,
    patch_cover,
    plan,
)
from inspector.engine.training import _defect_dist

SMALL = dict(preset="fast", image_size=128, max_bank=512)


def test_plan_puts_every_kind_on_the_first_goods_and_spreads_over_many():
    few = plan(3)
    assert len(few) == 3 * len(KINDS)
    assert [k for g, k in few if g == 0] == list(KINDS)
    many = plan(200)
    assert len(many) == MAX_IMAGES
    goods = [g for g, _ in many]
    assert goods == sorted(goods) and goods[0] == 0 and goods[-1] >= 190  # whole set
    assert {k for _, k in many} == set(KINDS)


def test_patch_cover_follows_the_mask_on_the_patch_grid():
    ext = FeatureExtractor(EngineConfig(**SMALL).feature_spec())
    mask = np.zeros((200, 200), bool)
    mask[:, :100] = True  # left half
    cover = patch_cover(mask, ext, 16)
    assert cover.shape == (16, 16)
    assert torch.all(cover[:, :7] > 0.99) and torch.all(cover[:, 9:] < 0.01)


def test_bank_rows_come_from_defect_patches_and_know_their_image():
    cfg = EngineConfig(**SMALL).resolved()
    ext = FeatureExtractor(cfg.feature_spec())
    goods = [make_part(i) for i in range(3)]
    bank = build_synthetic_bank(ext, goods, seed=0)
    assert bank is not None and bank.rows.shape[1] == ext.dim
    assert set(bank.owner.tolist()) == {0, 1, 2}
    # every row is a patch of a synthetic defect: away from the good patches
    good_rows = flatten(ext(goods)[0])
    d_syn = nn_distance(bank.rows, good_rows)
    d_good = nn_distance(flatten(ext([make_part(50)])[0]), good_rows)
    assert d_syn.median() > d_good.median()
    held = bank.exclude(np.array([1]))
    assert torch.equal(held, bank.owner == 1)


def test_held_out_images_never_meet_their_own_synthetic_rows():
    """A held-out good image's synthetic patch is its own twin; the fold distance must
    ignore it, while the final (inspection) bank keeps it."""
    rows = torch.tensor([[0.0, 0.0], [5.0, 5.0]])
    owner = torch.tensor([0, 1])
    syn = SyntheticBank(rows, owner)
    feats = torch.zeros(1, 2, 1, 1)  # one patch at the origin, from image 0
    fold = nn_distance(flatten(feats), syn.rows, exclude=syn.exclude(np.array([0])))
    assert fold.item() == pytest.approx(np.hypot(5, 5))
    banks = Banks(torch.ones(4, 2) * 9, rows, beta=1.0)
    synthetic = torch.ones(2, dtype=torch.bool)
    d = _defect_dist(feats, banks, synthetic, fold.view(1, 1, 1))
    assert d.item() == pytest.approx(np.hypot(5, 5))  # the final bank alone would say 0


def test_training_adds_synthetic_rows_to_the_defect_bank_and_round_trips(tmp_path):
    goods = [make_part(i) for i in range(8)]
    on = train_model(goods, config=EngineConfig(**SMALL))
    off = train_model(goods, config=EngineConfig(**SMALL, synthetic_bank=False))
    assert on.banks.defect is not None and on.banks.beta > 0
    assert on.metrics["synthetic_bank_rows"] == on.banks.defect.shape[0] > 0
    assert off.banks.defect is None and off.metrics["synthetic_bank_rows"] == 0
    path = tmp_path / "m.safetensors"
    on.save(path)
    back = DefectModel.load(path)
    assert back.config.synthetic_bank
    test = make_part(300, defect=True)
    assert back.predict(test).score == pytest.approx(on.predict(test).score, rel=1e-5)


def test_synthetic_rows_raise_defects_and_leave_goods_alone():
    goods = [make_part(i) for i in range(8)]
    on = train_model(goods, config=EngineConfig(**SMALL))
    off = train_model(goods, config=EngineConfig(**SMALL, synthetic_bank=False))
    defects = [make_part(400 + i, defect=True) for i in range(4)]
    test_goods = [make_part(200 + i) for i in range(4)]
    gain_defect = np.mean([on.predict(d).score - off.predict(d).score for d in defects])
    gain_good = np.mean([on.predict(g).score - off.predict(g).score for g in test_goods])
    assert gain_defect > 0
    assert gain_defect > 3 * abs(gain_good)
    # calibration still separates: no test good rejected, the defects caught
    assert all(on.predict(g).verdict == "ok" for g in test_goods)
    assert all(on.predict(d).verdict == "ng" for d in defects)


def test_labelled_defects_keep_leave_one_out_with_synthetic_rows():
    goods = [make_part(i) for i in range(8)]
    labelled = [LabelledDefect(make_part(600 + i, defect=True), "scratch") for i in range(2)]
    model = train_model(goods, labelled, EngineConfig(**SMALL))
    n_syn = model.metrics["synthetic_bank_rows"]
    assert model.banks.defect is not None and model.banks.defect.shape[0] > n_syn > 0
    assert len(model.metrics["labelled_scores"]) == 2


def test_old_configs_load_without_the_synthetic_bank():
    d = EngineConfig().to_dict()
    del d["synthetic_bank"]
    assert EngineConfig.from_dict(d).synthetic_bank is False


def test_cancel_while_making_the_synthetic_bank_stops_training():
    from inspector.errors import Cancelled
    from inspector.progress import CancelToken

    token = CancelToken()
    messages = []

    def progress(p):
        messages.append(p.message)
        if "synthetic defects for the defect bank" in p.message:
            token.cancel()

    with pytest.raises(Cancelled):
        train_model([make_part(i) for i in range(6)], config=EngineConfig(**SMALL),
                    progress=progress, cancel=token)
    assert not any("held-out" in m for m in messages)  # stopped before calibration

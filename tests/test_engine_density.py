"""Local-density normalisation: weights, the label-free choice, and the model file."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
import torch
from engine_fixtures import make_part
from sklearn.metrics import roc_auc_score

from inspector.engine import DefectModel, EngineConfig, LabelledDefect, train_model
from inspector.engine.density import auroc, choose_density, density_weights
from inspector.engine.memory import kth_neighbour_distance, nn_distance, nn_search
from inspector.engine.scoring import Banks, patch_maps
from inspector.errors import UserError

SMALL = dict(preset="fast", image_size=128, max_bank=512)


def _version(path) -> int:
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(json.loads(data[8 : 8 + n])["__metadata__"]["inspector"])["format_version"]


def test_auroc_matches_sklearn_with_ties():
    rng = np.random.default_rng(1)
    neg = rng.integers(0, 6, 40).astype(float)
    pos = rng.integers(2, 9, 25).astype(float)
    expected = roc_auc_score(np.r_[np.zeros(40), np.ones(25)], np.r_[neg, pos])
    assert auroc(neg, pos) == pytest.approx(expected)
    assert np.isnan(auroc(np.array([]), pos))


def test_kth_neighbour_ignores_patches_of_the_same_image():
    ref = torch.tensor([[0.0, 0.0], [0.1, 0.0], [3.0, 0.0], [5.0, 0.0]])
    ref_owner = torch.tensor([0, 0, 1, 2])
    rows = torch.tensor([[0.0, 0.0]])
    # its own image's twin at 0.0 and 0.1 do not count: nearest other image is at 3, then 5
    assert kth_neighbour_distance(rows, torch.tensor([0]), ref, ref_owner, 1).item() == \
        pytest.approx(3.0)
    assert kth_neighbour_distance(rows, torch.tensor([0]), ref, ref_owner, 2).item() == \
        pytest.approx(5.0)


def test_weights_measure_distance_in_each_regions_own_units():
    """A good patch family that varies a lot (texture) and one that hardly varies (flat):
    the same absolute departure must count more in the flat family."""
    gen = torch.Generator().manual_seed(0)
    images = 10
    flat = torch.randn(images, 20, 8, generator=gen) * 0.05
    textured = torch.randn(images, 20, 8, generator=gen) * 1.0 + 10.0
    rows = torch.cat([flat, textured], 1).reshape(-1, 8)  # image-major
    owner = torch.arange(images).repeat_interleave(40)
    w = density_weights(rows, owner, rows, owner, k=9)
    assert w is not None and w.shape == (rows.shape[0],)
    is_flat = torch.cat([torch.ones(20), torch.zeros(20)]).bool().repeat(images)
    assert w[is_flat].median() > 3 * w[~is_flat].median()
    step = torch.zeros(8)
    step[0] = 1.5
    q = torch.stack([flat[0, 0] + step, textured[0, 0] + step])
    plain = nn_distance(q, rows)
    normalised = nn_distance(q, rows, weights=w)
    assert plain[0] == pytest.approx(float(plain[1]), rel=0.6)  # about the same raw distance
    assert normalised[0] > 2 * normalised[1]  # but a clear departure only on the flat part
    d, i = nn_search(q, rows)
    assert torch.allclose(d * w[i], normalised)


def test_no_weights_without_a_second_image():
    rows = torch.randn(30, 4)
    assert density_weights(rows, torch.zeros(30, dtype=torch.long), rows,
                           torch.zeros(30, dtype=torch.long), k=3) is None


def test_choice_follows_the_better_separation():
    rng = np.random.default_rng(0)
    good = rng.normal(0, 1, 30)
    syn_close = rng.normal(0.3, 1, 60)  # defects barely separated from the goods
    syn_far = rng.normal(3.0, 1, 60)  # well separated
    better = choose_density(good, syn_close, good, syn_far)
    assert better.used and better.auroc_density > better.auroc_plain
    assert better.win_share > 0.9
    worse = choose_density(good, syn_far, good, syn_close)
    assert not worse.used and worse.win_share < 0.1
    same = choose_density(good, syn_far, good, syn_far)
    assert not same.used  # a tie keeps plain distances
    assert json.dumps(better.as_dict())  # stored in the model's metrics


def test_config_values_are_checked_and_old_configs_stay_plain():
    with pytest.raises(UserError):
        EngineConfig(local_density="sometimes")
    with pytest.raises(UserError):
        EngineConfig(density_k=0)
    d = EngineConfig().to_dict()
    assert d["local_density"] == "auto"
    del d["local_density"]
    assert EngineConfig.from_dict(d).local_density == "off"


@pytest.fixture(scope="module")
def density_model() -> DefectModel:
    goods = [make_part(i) for i in range(6)]
    return train_model(goods, config=EngineConfig(**SMALL, local_density="on",
                                                  synthetic_bank=False))


def test_density_model_round_trips_as_version_3(density_model, tmp_path):
    m = density_model
    assert m.banks.good_weight is not None
    assert m.banks.good_weight.shape[0] == m.banks.good.shape[0]
    assert m.metrics["density_used"] is True
    rg, rb = m.predict(make_part(100)), m.predict(make_part(600, defect=True))
    assert rb.score > rg.score and rg.verdict == "ok" and rb.verdict == "ng"
    path = tmp_path / "m.safetensors"
    m.save(path)
    assert _version(path) == 5
    loaded = DefectModel.load(path)
    assert torch.equal(loaded.banks.good_weight, m.banks.good_weight)
    img = make_part(600, defect=True)
    assert loaded.predict(img).score == pytest.approx(rb.score, rel=1e-5)


def test_weights_change_the_scores(density_model):
    m = density_model
    img = make_part(600, defect=True)
    weighted = m.predict(img).score
    weight = m.banks.good_weight
    m.banks.good_weight = None
    try:
        assert m.predict(img).score != pytest.approx(weighted, rel=1e-3)
    finally:
        m.banks.good_weight = weight


def test_off_keeps_plain_distances(tmp_path):
    m = train_model([make_part(i) for i in range(4)],
                    config=EngineConfig(**SMALL, local_density="off"))
    assert m.banks.good_weight is None and m.metrics["density_used"] is False
    m.save(tmp_path / "m.safetensors")
    assert _version(tmp_path / "m.safetensors") == 5


def test_auto_decides_from_labelled_defects_and_records_why():
    goods = [make_part(i) for i in range(6)]
    defects = [LabelledDefect(make_part(700 + i, defect=True), "scratch") for i in range(3)]
    m = train_model(goods, defects, EngineConfig(**SMALL))
    met = m.metrics
    assert 0.0 <= met["density_auroc_plain"] <= 1.0
    assert 0.0 <= met["density_auroc_normalised"] <= 1.0
    assert met["density_used"] == (m.banks.good_weight is not None)
    assert met["density_used"] == (met["density_win_share"] > 0.5
                                   and met["density_auroc_normalised"] > met["density_auroc_plain"])
    if m.banks.good_weight is not None:  # the defect bank keeps the weights
        assert m.banks.defect is not None


def test_auto_without_labelled_defects_stays_plain():
    """Without labelled defects there is nothing trustworthy to decide by (synthetic
    defects were measured and found too easy on some products)."""
    m = train_model([make_part(i) for i in range(5)], config=EngineConfig(**SMALL))
    assert m.banks.good_weight is None and m.metrics["density_used"] is False
    assert m.metrics["density_auroc_plain"] is None


def test_too_few_images_to_measure_density_keep_plain_distances():
    """With two goods each fold bank holds one image: no 'other image' to measure the
    spread against, so held-out scores could not be calibrated normalised. Even "on"
    then trains plain, rather than mixing units."""
    goods = [make_part(i) for i in range(2)]
    defect = LabelledDefect(make_part(700, defect=True), "scratch")
    for mode in ("on", "auto"):
        m = train_model(goods, [defect], EngineConfig(**SMALL, local_density=mode))
        assert m.banks.good_weight is None and m.metrics["density_used"] is False


def test_density_with_a_defect_bank_round_trips_as_version_4(tmp_path):
    """The defect bonus is weighted like the distance it is added to; format-3 readers
    would add it in raw units, so such files are format 4."""
    goods = [make_part(i) for i in range(6)]
    m = train_model(goods, config=EngineConfig(**SMALL, local_density="on"))
    assert m.banks.good_weight is not None and m.banks.defect is not None
    assert m.banks.local_bonus
    path = tmp_path / "m.safetensors"
    m.save(path)
    assert _version(path) == 5
    img = make_part(600, defect=True)
    assert DefectModel.load(path).predict(img).score == pytest.approx(m.predict(img).score,
                                                                      rel=1e-5)


def test_bonus_is_measured_in_the_nearest_good_patchs_units():
    good = torch.tensor([[0.0, 0.0], [10.0, 0.0]])
    weight = torch.tensor([2.0, 0.5])
    defect = torch.tensor([[1.5, 0.0]])
    feats = torch.tensor([[[[1.0]], [[0.0]]]])  # one patch at (1, 0): nearest good row 0
    local = Banks(good, defect, beta=1.0, good_weight=weight, local_bonus=True)
    legacy = Banks(good, defect, beta=1.0, good_weight=weight, local_bonus=False)
    d_g, d_d = 1.0, 0.5
    assert patch_maps(feats, local).item() == pytest.approx(2.0 * (d_g + (d_g - d_d)))
    # models saved before local_bonus: weighted distance, raw bonus
    assert patch_maps(feats, legacy).item() == pytest.approx(2.0 * d_g + (2.0 * d_g - d_d))


def test_old_configs_keep_the_raw_unit_bonus():
    d = EngineConfig().to_dict()
    del d["local_bonus"]
    assert EngineConfig.from_dict(d).local_bonus is False

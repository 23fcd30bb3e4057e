"""Optional scoring variants (coarse context term, L2-normalised features): saved, reloaded."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
import torch
from engine_fixtures import make_part

from inspector.engine import DefectModel, EngineConfig, LabelledDefect, train_model
from inspector.engine.modelfile import FORMAT_VERSION

CFG = EngineConfig(preset="fast", image_size=128, max_bank=1024, coarse_weight=0.5)


def _version(path) -> int:
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(json.loads(data[8 : 8 + n])["__metadata__"]["inspector"])["format_version"]


@pytest.fixture(scope="module")
def model() -> DefectModel:
    goods = [make_part(i) for i in range(6)]
    bad = make_part(700, defect=True)
    return train_model(goods, [LabelledDefect(bad, "spot")], CFG)


def test_coarse_term_is_used_and_calibrated(model):
    assert model.banks.coarse is not None and model.banks.coarse_gain > 0
    assert 0 < model.score_offset < model.threshold
    good = np.array(model.metrics["heldout_good_scores"])
    assert len(good) == 6 and len(model.metrics["labelled_scores"]) == 1
    assert np.median(good) < model.threshold  # held-out goods are scored with the term
    rg, rb = model.predict(make_part(100)), model.predict(make_part(600, defect=True))
    assert rb.score > rg.score and rg.verdict == "ok" and rb.verdict == "ng"
    assert rb.defect_area_fraction > rg.defect_area_fraction
    batch = model.scores([make_part(100), make_part(600, defect=True)])
    assert batch == pytest.approx([rg.score, rb.score], rel=1e-5)


def test_coarse_model_round_trips_as_version_2(model, tmp_path):
    path = tmp_path / "m.safetensors"
    model.save(path)
    assert _version(path) == FORMAT_VERSION == 2
    loaded = DefectModel.load(path)
    assert loaded.banks.coarse_gain == pytest.approx(model.banks.coarse_gain)
    img = make_part(600, defect=True)
    assert loaded.predict(img).score == pytest.approx(model.predict(img).score, rel=1e-5)


def test_without_coarse_term_files_stay_version_1(tmp_path):
    m = train_model([make_part(i) for i in range(4)],
                    config=EngineConfig(preset="fast", image_size=128, max_bank=512))
    assert m.banks.coarse is None and m.score_offset == 0.0
    m.save(tmp_path / "m.safetensors")
    assert _version(tmp_path / "m.safetensors") == 1
    assert DefectModel.load(tmp_path / "m.safetensors").banks.coarse is None


def test_negative_coarse_weight_is_refused():
    from inspector.errors import UserError

    with pytest.raises(UserError):
        EngineConfig(coarse_weight=-1.0)


def test_l2_normalised_features_are_unit_length_and_kept_in_the_file(tmp_path):
    cfg = EngineConfig(preset="fast", image_size=128, max_bank=512, l2_normalize=True)
    m = train_model([make_part(i) for i in range(4)], config=cfg)
    norms = m.banks.good.norm(dim=1)
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-4)
    m.save(tmp_path / "m.safetensors")
    loaded = DefectModel.load(tmp_path / "m.safetensors")
    assert loaded.config.l2_normalize
    img = make_part(600, defect=True)
    assert loaded.predict(img).score == pytest.approx(m.predict(img).score, rel=1e-5)


def test_configs_saved_before_l2_option_load_unnormalised():
    old = EngineConfig().to_dict()
    del old["l2_normalize"]
    assert EngineConfig.from_dict(old).l2_normalize is False

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
from inspector.errors import UserError

CFG = EngineConfig(preset="fast", image_size=128, max_bank=1024, coarse_weight=0.5,
                   local_density="off")


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


def test_coarse_model_round_trips(model, tmp_path):
    path = tmp_path / "m.safetensors"
    model.save(path)
    assert _version(path) == FORMAT_VERSION == 5
    loaded = DefectModel.load(path)
    assert loaded.banks.coarse_gain == pytest.approx(model.banks.coarse_gain)
    img = make_part(600, defect=True)
    assert loaded.predict(img).score == pytest.approx(model.predict(img).score, rel=1e-5)


def test_without_coarse_term_files_are_version_5_too(tmp_path):
    """Readers before format 5 dropped today's scoring keys and scored such a file 50 %
    higher: they must refuse it, so no file is written with an older version."""
    m = train_model([make_part(i) for i in range(4)],
                    config=EngineConfig(preset="fast", image_size=128, max_bank=512,
                                        local_density="off"))
    assert m.banks.coarse is None and m.score_offset == 0.0
    m.save(tmp_path / "m.safetensors")
    assert _version(tmp_path / "m.safetensors") == 5
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


def test_image_score_subtracts_a_share_of_the_image_median():
    from inspector.engine.scoring import image_scores

    maps = torch.full((2, 10, 10), 4.0)
    maps[0, 0, 0] = 10.0  # a local peak on a typical background
    maps[1] += 3.0  # the same peak level everywhere: a global shift, no local defect
    maps[1, 0, 0] = 10.0
    plain = image_scores(maps, top=0.01)
    assert plain.tolist() == pytest.approx([10.0, 10.0])
    rel = image_scores(maps, top=0.01, baseline=0.5)
    assert rel.tolist() == pytest.approx([10.0 - 2.0, 10.0 - 3.5])
    assert rel[0] > rel[1]


def test_baseline_weight_is_kept_in_the_file_and_old_configs_load_without_it(tmp_path):
    cfg = EngineConfig(preset="fast", image_size=128, max_bank=512, baseline_weight=0.3)
    m = train_model([make_part(i) for i in range(4)], config=cfg)
    m.save(tmp_path / "m.safetensors")
    loaded = DefectModel.load(tmp_path / "m.safetensors")
    assert loaded.config.baseline_weight == pytest.approx(0.3)
    img = make_part(601, defect=True)
    assert loaded.predict(img).score == pytest.approx(m.predict(img).score, rel=1e-5)
    old = EngineConfig().to_dict()
    del old["baseline_weight"]
    assert EngineConfig.from_dict(old).baseline_weight == 0.0
    with pytest.raises(UserError):
        EngineConfig(baseline_weight=1.0)


def test_first_model_files_keep_their_maximum_image_score():
    """Files written before top_fraction existed were calibrated on the maximum of the
    smoothed map; they must be scored that way, not by the later top-1 % mean."""
    import torch

    from inspector.engine.scoring import image_scores

    old = EngineConfig().to_dict()
    del old["top_fraction"]
    old["smooth_sigma"] = 1.0
    cfg = EngineConfig.from_dict(old)
    assert cfg.top_fraction == 0.0
    maps = torch.rand(2, 32, 32)
    from inspector.engine.scoring import smooth

    expected = smooth(maps, 1.0).flatten(1).max(1).values
    assert torch.allclose(image_scores(maps, cfg.smooth_sigma, cfg.top_fraction), expected)


def test_heat_map_reads_the_threshold_at_one_half_with_a_baseline_share():
    m = train_model([make_part(i) for i in range(4)],
                    config=EngineConfig(preset="fast", image_size=128, max_bank=512))
    assert m.config.baseline_weight > 0
    from inspector.engine.features import Placement

    level = m.threshold + m.config.baseline_weight * m.base_level  # raw patch level
    grid = np.full((16, 16), level, dtype=np.float32)
    heat = m._heatmap(grid, Placement(128, 128, 0, 0, 128, 128))
    assert heat.mean() == pytest.approx(0.5, abs=1e-3)


def test_severity_ratio_is_taken_on_the_raw_patch_scale():
    from dataclasses import replace

    from inspector.engine.severity import SeverityBands

    m = train_model([make_part(i) for i in range(4)],
                    config=EngineConfig(preset="fast", image_size=128, max_bank=512))
    m = replace(m, threshold=10.0, base_level=20.0, score_offset=0.0)
    bands = SeverityBands(major_ratio=1.5, critical_ratio=2.5, major_area=0.5, critical_area=0.9)
    # 16 / 10 is 1.6 on the baseline-subtracted scale, but (16 + 10) / (10 + 10) = 1.3 on
    # the raw scale the bands were set on: minor, not major.
    assert m.config.baseline_weight == 0.5
    assert m.severity_of(16.0, 0.0, bands) == "minor"
    assert m.severity_of(21.0, 0.0, bands) == "major"  # 31 / 20 = 1.55
    assert m.severity_of(41.0, 0.0, bands) == "critical"  # 51 / 20 = 2.55
    assert m.severity_of(11.0, 0.6, bands) == "major"  # large area
    plain = replace(m, config=replace(m.config, baseline_weight=0.0))
    assert plain.severity_of(16.0, 0.0, bands) == "major"  # no baseline share: 1.6

"""Inspection region: clutter outside it is ignored; heat maps and files keep it."""

from __future__ import annotations

import numpy as np
import pytest
from engine_fixtures import make_part

from inspector.engine import DefectModel, EngineConfig, LabelledDefect, train_model
from inspector.engine.region import Region, describe
from inspector.errors import UserError

# The part sits in the left 128 px of a 256 x 192 frame; the right side is a busy
# "conveyor" whose clutter changes from frame to frame.
REGION = (0.0, 0.0, 0.5, 2 / 3)
CFG = EngineConfig(preset="fast", image_size=128, max_bank=1024, region=REGION)


def frame(seed: int, defect: bool = False, clutter_defect: bool = False) -> np.ndarray:
    rng = np.random.default_rng(1000 + seed)
    img = rng.integers(0, 256, (192, 256, 3), dtype=np.uint8)  # clutter everywhere
    img[:128, :128] = make_part(seed, defect=defect)
    if clutter_defect:
        img[140:190, 150:250] = 255  # a glaring thing on the conveyor, outside the region
    return img


@pytest.fixture(scope="module")
def model() -> DefectModel:
    return train_model([frame(i) for i in range(6)], config=CFG)


def test_region_math():
    r = Region(0.25, 0.5, 0.75, 1.0)
    assert r.box(100, 200) == (50, 50, 100, 150)
    img = np.arange(100 * 200).reshape(100, 200)
    assert r.crop(img).shape == (50, 100)
    full = r.paste(np.ones((50, 100), np.float32), 100, 200)
    assert full.shape == (100, 200) and full.sum() == 50 * 100 and full[0, 0] == 0
    assert Region.from_seq(None) is None and Region.from_seq([]) is None
    assert "25%" in describe(r) and describe(None) == "the whole image"
    for bad in ([0.5, 0, 0.4, 1], [0, 0, 1.2, 1], [0, 0, 0.01, 1], [0, 0, 1], ["a", 0, 1, 1]):
        with pytest.raises(UserError):
            Region.from_seq(bad)
    with pytest.raises(UserError):
        EngineConfig(region=(0.9, 0.0, 0.1, 1.0))


def test_clutter_outside_the_region_is_ignored(model):
    good = model.predict(frame(100))
    cluttered = model.predict(frame(101, clutter_defect=True))
    bad = model.predict(frame(600, defect=True))
    assert good.verdict == "ok" and cluttered.verdict == "ok" and bad.verdict == "ng"
    assert bad.heatmap.shape == (192, 256)
    assert bad.heatmap[:, 130:].max() == 0 and bad.heatmap[130:, :].max() == 0
    assert bad.heatmap[:128, :128].max() >= 0.5
    assert bad.region_box == (0, 0, 128, 128)
    assert np.array_equal(bad.overlay[60, 127], [255, 255, 255])  # the region's frame


def test_whole_image_model_is_fooled_by_the_same_clutter():
    whole = train_model([frame(i) for i in range(6)],
                        config=EngineConfig(preset="fast", image_size=128, max_bank=1024))
    scores = whole.scores([frame(101), frame(101, clutter_defect=True)])
    assert scores[1] > scores[0]  # what the region protects against


def test_region_round_trips_and_crops_labelled_masks(model, tmp_path):
    path = tmp_path / "m.safetensors"
    model.save(path)
    loaded = DefectModel.load(path)
    assert loaded.config.region == REGION
    img = frame(600, defect=True)
    assert loaded.predict(img).score == pytest.approx(model.predict(img).score, rel=1e-5)
    mask = np.zeros(img.shape[:2], np.uint8)
    mask[20:100, 20:100] = 1
    with_defect = train_model([frame(i) for i in range(6)],
                              [LabelledDefect(img, "scratch", mask)], config=CFG)
    assert with_defect.types is not None and with_defect.predict(img).verdict == "ng"
    assert len(with_defect.metadata["good_sha256"]) == 6

"""Training images are held at a working size; regions keep their resolution."""

from __future__ import annotations

import numpy as np

from inspector.engine import EngineConfig, LabelledDefect
from inspector.engine.training import crop_to_region
from inspector.engine.working_size import shrink, working_max_side


def test_working_side_follows_input_size_and_region():
    assert working_max_side(EngineConfig()) == 512  # accurate: 256 px input
    assert working_max_side(EngineConfig(preset="fast")) == 384
    cfg = EngineConfig(region=(0.25, 0.0, 0.5, 0.5))  # a quarter of the width
    assert working_max_side(cfg) == 2048
    assert working_max_side(cfg, region_applied=True) == 512


def test_shrink_keeps_small_images_and_thin_mask_defects():
    small = np.zeros((300, 200, 3), np.uint8)
    assert shrink(small, 512) is small
    big = np.full((2048, 1536, 3), 77, np.uint8)
    out = shrink(big, 512)
    assert out.shape == (512, 384, 3) and out.dtype == np.uint8 and out.max() == 77
    mask = np.zeros((2048, 1536), bool)
    mask[1000, 700:760] = True  # a 1-pixel scratch
    m = shrink(mask, 512)
    assert m.dtype == bool and m.shape == (512, 384) and m.any()


def test_training_inputs_are_cut_then_shrunk_together():
    img = np.zeros((2000, 3000, 3), np.uint8)
    mask = np.zeros((2000, 3000), np.uint8)
    mask[900:1100, 1400:1600] = 1
    goods, defects = crop_to_region([img], [LabelledDefect(img, "dent", mask)],
                                    EngineConfig(region=(0.0, 0.0, 0.5, 1.0)).resolved())
    assert goods[0].shape == (512, 384, 3)  # 2000 x 1500 region, longer side to 512
    assert defects[0].mask.shape == (512, 384) and defects[0].mask.any()

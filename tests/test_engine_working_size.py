"""One preparation for training and inspection: region crop, then the working size."""

from __future__ import annotations

import numpy as np
import pytest
from engine_fixtures import make_part

from inspector.engine import EngineConfig, LabelledDefect, train_model
from inspector.engine.training import prepare_inputs
from inspector.engine.working_size import prepare, shrink, working_max_side


def test_working_side_follows_the_input_size():
    assert working_max_side(EngineConfig()) == 512  # accurate: 256 px input
    assert working_max_side(EngineConfig(preset="fast")) == 512  # the floor
    assert working_max_side(EngineConfig(image_size=384)) == 768


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


def test_line_scan_strips_keep_a_usable_short_side():
    """20000x100 would shrink to 512x3, too thin for any backbone; it keeps 32 px."""
    strip = np.full((100, 20000, 3), 50, np.uint8)
    out = shrink(strip, 512)
    assert out.shape == (32, 6400, 3)
    thin = np.full((20, 4000, 3), 50, np.uint8)  # already thinner than 32 px: only as
    assert shrink(thin, 512) is thin             # much shrinking as the short side allows
    # ...but not kept whole at any length: an 8x7,000,000 px strip took 7 minutes to
    # train; its longer side now stops at 64 working sides
    endless = np.broadcast_to(np.uint8(50), (8, 200_000, 3))
    assert shrink(endless, 512).shape == (1, 32768, 3)


def test_line_scan_strip_trains_and_inspects():
    rng = np.random.default_rng(0)
    goods = [rng.integers(90, 110, (24, 3000, 3), dtype=np.uint8) for _ in range(3)]
    model = train_model(goods, config=EngineConfig(preset="fast"))
    assert np.isfinite(model.predict(goods[0]).score)


def test_region_is_cut_before_shrinking_and_masks_follow():
    img = np.zeros((2000, 3000, 3), np.uint8)
    mask = np.zeros((2000, 3000), np.uint8)
    mask[900:1100, 1400:1490] = 1
    cfg = EngineConfig(region=(0.0, 0.0, 0.5, 1.0))
    assert prepare(img, cfg).shape == (512, 384, 3)  # the 2000 x 1500 region, to 512
    goods, defects = prepare_inputs([img], [LabelledDefect(img, "dent", mask)], cfg)
    assert goods[0].shape == (512, 384, 3)
    assert defects[0].mask.shape == (512, 384) and defects[0].mask.any()
    old = EngineConfig.from_dict({k: v for k, v in cfg.to_dict().items() if k != "working_size"})
    assert prepare(img, old).shape == (2000, 1500, 3)  # older models: crop only


def test_large_frames_score_like_their_small_copies_and_map_back_to_full_size():
    cfg = EngineConfig(preset="fast", image_size=128, max_bank=1024)
    goods = [np.kron(make_part(i), np.ones((8, 8, 1), np.uint8)) for i in range(5)]  # 1024 px
    model = train_model(goods, config=cfg)
    bad = np.kron(make_part(600, defect=True), np.ones((8, 8, 1), np.uint8))
    res = model.predict(bad)
    assert res.heatmap.shape == (1024, 1024) and res.verdict == "ng"
    small = prepare(bad, model.config)
    assert small.shape == (512, 512, 3)
    assert model.scores([small])[0] == pytest.approx(res.score, rel=1e-5)


def test_non_images_are_a_clear_error():
    from inspector.errors import ImageError

    for bad in ([[1, 2], [3, 4]], np.zeros((0, 5, 3), np.uint8), np.zeros(7, np.uint8)):
        with pytest.raises(ImageError):
            prepare(bad, EngineConfig())


def test_a_picture_too_small_to_judge_says_its_size_in_words() -> None:
    """An 8x8 picture cut by a region to 8x6 read "at least 8x8 px, got (8, 6, 3)"."""
    import numpy as np
    import pytest

    from inspector.engine.features import check_rgb
    from inspector.errors import ImageError

    with pytest.raises(ImageError, match=r"too small to judge: 8x6 px \(the product's "
                                         r"inspection region"):
        check_rgb(np.zeros((6, 8, 3), np.uint8))

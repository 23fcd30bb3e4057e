"""Synthetic defects change only the pixels their mask marks, and all of those."""

from __future__ import annotations

import numpy as np
import pytest

from inspector.engine.synthetic import KINDS, generate_synthetic_defects, make_defect, perlin


def _texture(seed: int, size: int = 96) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.normal(128, 12, (size, size, 1)).clip(0, 255)
    return np.repeat(base, 3, axis=2).astype(np.uint8)


@pytest.mark.parametrize("kind", KINDS)
def test_mask_is_exactly_the_changed_pixels(kind):
    rng = np.random.default_rng(1)
    good = _texture(0)
    for _ in range(3):
        img, mask, got = make_defect(good, rng, kind, others=[_texture(1)])
        assert got == kind
        assert img.shape == good.shape and img.dtype == np.uint8
        assert mask.dtype == bool and mask.shape == good.shape[:2]
        np.testing.assert_array_equal(mask, (img != good).any(axis=2))
        assert 0 < mask.mean() < 0.5  # a defect, not a new image


def test_generator_is_seeded_and_varied():
    goods = [_texture(i) for i in range(3)]
    a = generate_synthetic_defects(goods, 7, seed=5)
    b = generate_synthetic_defects(goods, 7, seed=5)
    c = generate_synthetic_defects(goods, 7, seed=6)
    assert len(a) == 7
    for (ia, ma), (ib, mb) in zip(a, b, strict=True):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(ma, mb)
    assert any(not np.array_equal(x[0], y[0]) for x, y in zip(a, c, strict=True))
    assert generate_synthetic_defects([], 3) == []
    grey = generate_synthetic_defects([_texture(0)[:, :, 0].copy()], 2, seed=1)
    assert grey[0][0].shape == (96, 96, 3) and grey[0][1].any()


def test_perlin_noise_is_smooth_and_bounded():
    n = perlin((64, 64), 4, np.random.default_rng(0))
    assert n.shape == (64, 64) and np.abs(n).max() <= 1.5
    assert np.abs(np.diff(n, axis=0)).max() < 0.3  # continuous, not white noise


@pytest.mark.parametrize("size", [8, 12, 16])
def test_every_kind_works_on_tiny_images(size):
    """The smallest image the engine accepts is 8 px; cut-paste once asked OpenCV to
    resize an empty patch there."""
    rng = np.random.default_rng(3)
    img = rng.integers(0, 255, (size, size + 3, 3), dtype=np.uint8)
    for kind in KINDS:
        for _ in range(10):
            out, mask, got = make_defect(img, rng, kind)
            assert out.shape == img.shape and got == kind
            assert np.array_equal(mask, (out != img).any(axis=2))

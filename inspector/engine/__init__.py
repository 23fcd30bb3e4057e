"""Detection engine: images in, results out. Knows no database and no Qt.

Public API (see docs/ARCHITECTURE.md and docs/engine.md)::

    model = train_model(good_images, defects, EngineConfig(preset="accurate"))
    result = model.predict(rgb)          # -> InspectionResult
    model.save(path); DefectModel.load(path)
"""

from inspector.engine.backbone import BACKBONES
from inspector.engine.config import PRESETS, EngineConfig
from inspector.engine.model import DefectModel
from inspector.engine.result import InspectionResult, LabelledDefect
from inspector.engine.severity import SeverityBands, classify_severity
from inspector.engine.synthetic import generate_synthetic_defects
from inspector.engine.training import train_model

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

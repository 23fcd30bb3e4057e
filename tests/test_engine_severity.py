"""Severity bands: score ratio and defect area decide minor / major / critical."""

from __future__ import annotations

import pytest

from inspector.engine.severity import SeverityBands, classify_severity


def test_bands_by_ratio_and_area():
    b = SeverityBands(major_ratio=1.5, critical_ratio=2.5, major_area=0.02, critical_area=0.1)
    assert classify_severity(0.9, 1.0, 0.5, b) is None  # passes: no severity
    assert classify_severity(1.1, 1.0, 0.001, b) == "minor"
    assert classify_severity(1.6, 1.0, 0.001, b) == "major"
    assert classify_severity(1.1, 1.0, 0.05, b) == "major"
    assert classify_severity(2.6, 1.0, 0.0, b) == "critical"
    assert classify_severity(1.1, 1.0, 0.2, b) == "critical"


def test_custom_bands_change_the_outcome():
    strict = SeverityBands(major_ratio=1.05, critical_ratio=1.2, major_area=0.0, critical_area=1)
    assert classify_severity(1.1, 1.0, 0.0, strict) == "major"
    assert classify_severity(1.3, 1.0, 0.0, strict) == "critical"


def test_bands_round_trip_and_validate():
    b = SeverityBands(major_ratio=1.3, critical_ratio=3.0)
    assert SeverityBands.from_dict(b.to_dict()) == b
    with pytest.raises(ValueError):
        SeverityBands(major_ratio=3.0, critical_ratio=2.0)
    with pytest.raises(ValueError):
        SeverityBands(major_area=0.5, critical_area=0.1)

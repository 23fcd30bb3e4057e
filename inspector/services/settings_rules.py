"""The project settings: their defaults, and the check each value passes before it is
stored (a typo or nonsense refused with a message, never stored and silently ignored)."""

from __future__ import annotations

import json
from typing import Any

from inspector.errors import UserError
from inspector.imaging.decode import SENSOR_BITS
from inspector.store.models import Setting

# Known settings with their defaults and a validator returning the cleaned value.
DEFAULT_SETTINGS: dict[str, Any] = {
    "max_pixels": 60_000_000,  # images above this many pixels are refused on import
    # Training calibrates the threshold so that about this share of good parts is
    # rejected; a share of 0 (null) for the uncertain band means no band.
    "target_false_reject_rate": 0.01,
    "uncertain_false_reject_rate": None,
    # How many bits of a 16-bit picture file the camera fills (services.sensor_depth).
    "sensor_bits": 16,
    # The GUI signs out after this many idle minutes (0: never).
    "gui_idle_signout_minutes": 10,
    # The QA reports' shifts (reports.filters.DEFAULT_SHIFTS).
    "report_shifts": "early=06:00-14:00,late=14:00-22:00,night=22:00-06:00",
}


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool):  # JSON true is no count (it was stored as 1)
        raise UserError(f"setting '{key}' must be a whole number, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: 1e999
        raise UserError(f"setting '{key}' must be a whole number, got {value!r}") from exc
    if number <= 0 or number != float(value):
        raise UserError(f"setting '{key}' must be a positive whole number, got {value!r}")
    return number


MAX_PIXELS_CEILING = 170_000_000  # Pillow refuses larger images as decompression bombs
MAX_PIXELS_FLOOR = 1_000_000  # a 1 MP camera's frames must pass (12 refused every import)


def _max_pixels(key: str, value: Any) -> int:
    number = _positive_int(key, value)
    if number < MAX_PIXELS_FLOOR:
        raise UserError(f"setting '{key}' must be at least {MAX_PIXELS_FLOOR:,} pixels "
                        "(else every camera picture is refused)")
    if number > MAX_PIXELS_CEILING:
        raise UserError(f"setting '{key}' can be at most {MAX_PIXELS_CEILING:,} pixels")
    return number


def _severity_bands(key: str, value: Any) -> dict[str, float]:
    """Bands as a dict, checked by the engine's SeverityBands; {} restores the model's own."""
    from inspector.engine.severity import SeverityBands

    if not isinstance(value, dict):
        raise UserError(
            f"setting '{key}' must be a JSON object such as "
            '{"major_ratio": 1.5, "critical_ratio": 2.5, "major_area": 0.02, '
            '"critical_area": 0.1}'
        )
    unknown = set(value) - set(SeverityBands.__dataclass_fields__)
    if unknown:
        raise UserError(f"setting '{key}': unknown field(s) {', '.join(sorted(unknown))}")
    if not value:
        return {}
    try:
        return SeverityBands.from_dict(value).to_dict()
    except (TypeError, ValueError) as exc:
        raise UserError(f"setting '{key}': {exc}") from exc


MIN_RATE = 0.001  # 0.1 %: the least a threshold fitted to tens of good parts can promise


def _rate(key: str, value: Any) -> float:
    try:
        if isinstance(value, bool):
            raise TypeError
        rate = float(value)
    except (TypeError, ValueError) as exc:
        raise UserError(
            f"setting '{key}' must be a number such as 0.01 (1 %), got {value!r}"
        ) from exc
    if not MIN_RATE <= rate < 0.5:  # 1e-300 put the threshold past every defect
        raise UserError(f"setting '{key}' must be from {MIN_RATE} (0.1 %) to below 0.5 "
                        f"(50 %), got {rate}")
    return rate


def _optional_rate(key: str, value: Any) -> float | None:
    """None, 0 or "" switch the uncertain band off."""
    if value in (None, "", 0, 0.0):
        return None
    return _rate(key, value)


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) > 1000:
        raise UserError(f"setting '{key}' must be a text of at most 1000 characters")
    return value


def _minutes(key: str, value: Any) -> int:
    """0 (never) to 8 hours."""
    try:
        never = not isinstance(value, bool) and float(value) == 0  # 0, "0", "00": never
    except (TypeError, ValueError):
        never = False
    number = 0 if never else _positive_int(key, value)
    if number > 480:
        raise UserError(f"setting '{key}' can be at most 480 minutes")
    return number


def _shifts(key: str, value: Any) -> str:
    """Report shifts such as "early=06:00-14:00,late=14:00-22:00,night=22:00-06:00"."""
    from inspector.reports.filters import parse_shifts

    if not isinstance(value, str):
        raise UserError(f"setting '{key}' must be a text such as "
                        '"early=06:00-14:00,late=14:00-22:00,night=22:00-06:00"')
    parse_shifts(value)  # a UserError that says what is wrong
    return value.strip()


def _sensor_bits(key: str, value: Any) -> int:
    number = _positive_int(key, value)
    if number not in SENSOR_BITS:
        raise UserError(f"setting '{key}' must be one of "
                        f"{', '.join(map(str, SENSOR_BITS))} (bits the camera fills of a "
                        f"16-bit file), got {value!r}")
    return number


VALIDATORS = {
    "max_pixels": _max_pixels,
    "severity_bands": _severity_bands,
    "target_false_reject_rate": _rate,
    "uncertain_false_reject_rate": _optional_rate,
    "hot_folder": _text,  # the GUI's default hot folder
    "gui_idle_signout_minutes": _minutes,  # the GUI's idle sign-out
    "report_shifts": _shifts,  # shifts of the QA reports
    "sensor_bits": _sensor_bits,
}


RATE_KEYS = ("target_false_reject_rate", "uncertain_false_reject_rate")


def stored_problem(key: str, value: Any) -> str | None:
    """Why this version refuses a value an older one stored (its rules came later:
    overlapping shifts, "2%" as a rate, a rate of 0.001 %), or None when it passes."""
    validator = VALIDATORS.get(key)
    if validator is None:
        return None
    try:
        validator(key, value)
    except UserError as exc:
        instead = STRICT_SETTINGS.get(key) or (
            f"the default {json.dumps(DEFAULT_SETTINGS.get(key), ensure_ascii=False)} is used")
        return (f"the stored value {json.dumps(value, ensure_ascii=False)} is refused by "
                f"this version ({exc}); {instead} until it is set again")
    return None


# Settings never read as their default when the stored value is refused (a newer version
# on the shared database may have written it): what happens instead.
STRICT_SETTINGS = {"sensor_bits": "16-bit pictures are refused"}


def checked(key: str, value: Any) -> Any:
    """A stored value as the rules clean it (an older "10" minutes read as 10)."""
    validator = VALIDATORS.get(key)
    return value if validator is None else validator(key, value)


def check_rates(session: Any, key: str, value: Any) -> None:
    """The uncertain band lies below the threshold, so its false-reject rate must be
    above the target's (else training fails later with a puzzling message)."""
    def now(name: str) -> Any:
        if name == key:
            return value
        row = session.get(Setting, name)
        if row is None or stored_problem(name, row.value) is not None:
            return DEFAULT_SETTINGS.get(name)  # as the project reads it (get_setting)
        return checked(name, row.value)

    target, band = now(RATE_KEYS[0]), now(RATE_KEYS[1])
    if band is not None and target is not None and float(band) <= float(target):
        raise UserError(f"the uncertain band ({float(band):.2%} of good parts) must reach "
                        f"further than the threshold's false-reject target "
                        f"({float(target):.2%}): set it higher, or off")

"""How many bits of a 16-bit picture file the station's camera fills (setting
``sensor_bits``), and what an import says when the files suggest another value.

Machine-vision cameras have 10-, 12- or 14-bit sensors. Many write their values unshifted
into 16-bit PNG or TIFF files, so a 12-bit picture uses 0..4095 of 0..65535: read at 16
bits it is almost black, and the model sees 16 grey levels. Others shift the values up,
and then 16 is right. The file cannot tell which, and guessing per picture would make a
dim picture brighter than its neighbours, so it is a project setting (default 16) that
every decode of a stored picture uses; an import points at it when its files use fewer
bits, or more, than it says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspector.errors import UserError
from inspector.imaging.decode import SENSOR_BITS

SETTING = "sensor_bits"


def sensor_bits(project: Any) -> int:
    """The project's setting (16 unless a QA lead changed it). A value this version
    cannot use (written by hand, or by a newer version on a shared database) is a clear
    message, never an internal error in every decode."""
    value = project.raw_setting(SETTING)  # not the default for a value it cannot use
    try:
        bits = int(value)
    except (TypeError, ValueError):
        bits = -1
    if bits not in SENSOR_BITS:
        raise UserError(f"setting {SETTING} holds {value!r}, which this Inspector cannot use: "
                        f"set it to {', '.join(map(str, SENSOR_BITS))} "
                        f"(inspector settings {SETTING} 16)")
    return bits


def suggested_bits(used_bits: Sequence[int], setting: int) -> int | None:
    """The setting that fits deep files whose brightest values needed ``used_bits`` bits,
    where the current one does not: the smallest standard depth holding them when all
    are read as 16-bit, 16 when some have values above the setting."""
    if not used_bits:
        return None
    top = max(used_bits)
    if setting == 16 and top <= 14:
        return next(b for b in SENSOR_BITS if b >= top)
    return 16 if top > setting else None


def depth_note(used_bits: Sequence[int], setting: int) -> str | None:
    """What to tell the importer about deep files whose brightest values needed
    ``used_bits`` bits, or None when the setting fits them."""
    bits = suggested_bits(used_bits, setting)
    if bits is None:
        return None
    if setting == 16:
        return (f"{len(used_bits)} 16-bit picture(s) use only {max(used_bits)} bits, as a "
                f"{bits}-bit camera writes them: read as 16-bit they look almost black. If "
                f"the camera has {bits} bits, set it (inspector settings {SETTING} {bits}, "
                "QA lead) and retrain.")
    over = sum(1 for b in used_bits if b > setting)
    return (f"{over} 16-bit picture(s) have values above {setting} bits (setting "
            f"{SETTING}): their brightest parts show as white. If the camera writes more "
            f"bits, raise the setting (inspector settings {SETTING} 16).")

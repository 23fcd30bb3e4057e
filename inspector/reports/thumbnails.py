"""Small pictures of a report's worst parts, for the PDF and the Reports page.

Apart from the PDF's pages (``pdf_images``): the Reports page needs these at start and
must not load matplotlib with them (1.2 s before the window showed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from inspector.errors import ImageError
from inspector.imaging.decode import decode_bytes

log = logging.getLogger(__name__)
THUMB = 320


def load_thumbnail(
    resolve: Callable[[str], Path | None] | None, rel: str | None, sensor_bits: int = 16
) -> np.ndarray | None:
    """A small RGB array of the file ``rel`` resolves to, or None when there is none
    (a 16-bit file scaled by the camera's bits, as the project reads it)."""
    if resolve is None or not rel:
        return None
    path = resolve(rel)
    if path is None or not Path(path).is_file():
        return None
    try:
        with PILImage.open(path) as im:
            if im.mode.startswith(("I", "F")):  # 16-bit grey: Pillow's convert clips it
                im = PILImage.fromarray(decode_bytes(Path(path).read_bytes(), max_pixels=None,
                                                     first_picture_only=True,
                                                     sensor_bits=sensor_bits).rgb)
            else:
                im.draft("RGB", (THUMB, THUMB))  # a JPEG decodes at a fraction of its size
                im = _upright(im).convert("RGB")
            im.thumbnail((THUMB, THUMB))
            return np.asarray(im)
    except (OSError, UnidentifiedImageError, ValueError, ImageError) as exc:
        log.warning("cannot read %s for the report: %s", path, exc)
        return None


def _upright(im: PILImage.Image) -> PILImage.Image:
    """Turned by its EXIF orientation, as the product decodes it (a phone's portrait JPEG
    showed on its side beside its upright heat map). Pillow has already turned a TIFF."""
    if im.format == "TIFF":
        return im
    return ImageOps.exif_transpose(im)

"""Small pictures are drawn in device pixels, so they stay sharp on a monitor at 200 %
(a 1080p screen at 200 % showed thumbnails and camera text blown up and blurred)."""

from __future__ import annotations

import numpy as np
import pytest

from ui.qimage import rgb_to_pixmap
from ui.widgets import recent_strip, thumbnails

pytestmark = pytest.mark.gui


def _photo() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (600, 800, 3), dtype=np.uint8)


def test_pixmap_has_device_pixels_for_the_ratio(qtbot) -> None:  # noqa: ANN001
    pix = rgb_to_pixmap(_photo(), 100, 2.0)
    assert (pix.width(), pix.height()) == (200, 150)  # device pixels
    size = pix.deviceIndependentSize()
    assert (size.width(), size.height()) == (100, 75)  # the same place on screen


def test_recent_strip_frame_is_sharp_at_200_percent(qtbot, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(recent_strip, "screen_ratio", lambda: 2.0)
    pix = recent_strip._framed(_photo(), "ng")
    side = recent_strip.THUMB + 10
    assert pix.width() == 2 * side and pix.deviceIndependentSize().width() == side
    # a 1-pixel checkerboard of exactly the device size survives only if nothing was
    # scaled; drawn at 1 logical = 1 device pixel it is averaged to grey
    n = 2 * recent_strip.THUMB
    checker = np.dstack([(np.indices((n, n)).sum(0) % 2 * 255).astype(np.uint8)] * 3)

    def contrast(picture) -> int:  # noqa: ANN001
        image = picture.toImage()
        row = [image.pixelColor(x, image.height() // 2).red()
               for x in range(image.width() // 2 - 20, image.width() // 2 + 20)]
        return max(row) - min(row)

    assert contrast(recent_strip._framed(checker, "ok")) > 200
    monkeypatch.setattr(recent_strip, "screen_ratio", lambda: 1.0)
    assert contrast(recent_strip._framed(checker, "ok")) < 60


def test_gallery_thumbnail_is_drawn_at_device_size(qtbot, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    import cv2

    path = tmp_path / "part.png"
    cv2.imwrite(str(path), _photo())
    monkeypatch.setattr(thumbnails, "screen_ratio", lambda: 2.0)
    image = thumbnails.read_thumbnail(str(path), 2 * thumbnails.THUMB_SIZE)
    pix = thumbnails._framed(image, "#00ff00")
    assert pix.devicePixelRatio() == 2.0
    assert pix.deviceIndependentSize().width() == thumbnails.THUMB_SIZE + 8
    assert max(image.width(), image.height()) == 2 * thumbnails.THUMB_SIZE


def test_small_pictures_keep_their_size_at_200_percent(qtbot, monkeypatch) -> None:  # noqa: ANN001
    small = np.zeros((40, 60, 3), np.uint8)
    pix = rgb_to_pixmap(small, 100, 2.0)
    size = pix.deviceIndependentSize()
    assert (size.width(), size.height()) == (60, 40)  # not shrunk to 30x20
    monkeypatch.setattr(recent_strip, "screen_ratio", lambda: 2.0)
    framed = recent_strip._framed(small, "ok").toImage()
    middle = framed.height() // 2
    dark = [x for x in range(framed.width()) if framed.pixelColor(x, middle).red() < 10]
    assert len(dark) >= 2 * 60 - 2  # the 60 px picture spans 120 device pixels

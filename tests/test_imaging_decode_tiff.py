"""TIFF details that decoders get wrong: orientation applied twice, "white is 0" 16-bit
pictures, damaged page headers, EXIF dates at the edge of the calendar, and files that
would take minutes to decode (thousands of pages or scans)."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from PIL import Image

from inspector.errors import ImageError
from inspector.imaging.decode import MAX_JPEG_SCANS, MAX_TIFF_PAGES, decode_bytes


def _tiff(img: Image.Image, **kw) -> bytes:  # noqa: ANN003
    buf = io.BytesIO()
    img.save(buf, format="TIFF", **kw)
    return buf.getvalue()


def _ifd_entries(data: bytes, ifd: int) -> tuple[list[int], int]:
    """Offsets of a little-endian TIFF IFD's 12-byte entries, and the next IFD's offset."""
    count = struct.unpack_from("<H", data, ifd)[0]
    entries = [ifd + 2 + 12 * i for i in range(count)]
    return entries, struct.unpack_from("<I", data, ifd + 2 + 12 * count)[0]


def _set_tag(data: bytes, tag: int, value: int, page: int = 0, new_tag: int | None = None,
             ) -> bytes:
    """A copy of ``data`` with one SHORT/LONG tag of ``page`` set to ``value`` (or
    renamed to ``new_tag``, which takes the tag out of the page)."""
    out = bytearray(data)
    assert out[:2] == b"II"
    ifd = struct.unpack_from("<I", out, 4)[0]
    for _ in range(page):
        ifd = _ifd_entries(out, ifd)[1]
    for entry in _ifd_entries(out, ifd)[0]:
        if struct.unpack_from("<H", out, entry)[0] == tag:
            if new_tag is not None:
                struct.pack_into("<H", out, entry, new_tag)
            elif struct.unpack_from("<H", out, entry + 2)[0] == 3:
                struct.pack_into("<H", out, entry + 8, value)
            else:
                struct.pack_into("<I", out, entry + 8, value)
            return bytes(out)
    raise AssertionError(f"tag {tag} not found")


def _marked(h: int = 40, w: int = 80) -> np.ndarray:
    a = np.zeros((h, w), np.uint8)
    a[:10, :10] = 255  # a mark in the stored top-left corner
    return a


@pytest.mark.parametrize("orientation", [3, 6, 8])
@pytest.mark.parametrize("deep", [False, True])
def test_tiff_orientation_is_applied_once(orientation: int, deep: bool) -> None:
    """Pillow and OpenCV both turn a TIFF by its Orientation tag on decoding; turning it
    again showed parts upside down or sideways, with width and height swapped."""
    stored = _marked()
    img = Image.fromarray(stored.astype(np.uint16) * 257) if deep else Image.fromarray(stored)
    data = _tiff(img, tiffinfo={274: orientation})
    out = decode_bytes(data)
    turn = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_270,
            8: Image.Transpose.ROTATE_90}[orientation]  # the EXIF/TIFF meaning of the tag
    expected = np.asarray(Image.fromarray(stored).transpose(turn))
    assert out.rgb.shape[:2] == expected.shape
    np.testing.assert_array_equal(out.rgb[..., 0] > 128, expected > 128)
    assert (out.facts.width, out.facts.height) == (expected.shape[1], expected.shape[0])


def test_16_bit_white_is_zero_tiff_is_not_a_negative() -> None:
    """PhotometricInterpretation 0 (X-ray panels): OpenCV's 16-bit path ignored it."""
    ramp = np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (16, 1))
    normal = decode_bytes(_tiff(Image.fromarray(ramp)))
    white_is_zero = decode_bytes(_set_tag(_tiff(Image.fromarray(ramp)), 262, 0))
    assert normal.rgb[0, 0, 0] == 0 and normal.rgb[0, -1, 0] == 255
    np.testing.assert_array_equal(white_is_zero.rgb, 255 - normal.rgb)
    eight = decode_bytes(_set_tag(_tiff(Image.fromarray((ramp >> 8).astype(np.uint8))), 262, 0))
    assert abs(int(eight.rgb[0, 0, 0]) - int(white_is_zero.rgb[0, 0, 0])) <= 1


def test_a_damaged_second_page_is_a_refused_file_not_a_crash() -> None:
    """A page header without its width made Pillow raise TypeError, which stopped the
    whole import batch with an internal error."""
    page = Image.fromarray(_marked())
    data = _tiff(page, save_all=True, append_images=[page])
    with pytest.raises(ImageError, match="damaged image file"):
        decode_bytes(_set_tag(data, 256, 0, page=1, new_tag=0xFFF0))


@pytest.mark.parametrize(("taken", "offset"), [("0001:01:01 00:00:00", "+05:00"),
                                               ("9999:12:31 23:59:59", "-05:00"),
                                               ("0001:01:01 00:00:00", None)])
def test_capture_date_at_the_calendars_edge_is_ignored(taken: str, offset: str | None) -> None:
    """A camera with an unset clock: the picture decodes, without a capture time."""
    exif = Image.Exif()
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = taken
    if offset is not None:
        ifd[0x9011] = offset
    buf = io.BytesIO()
    Image.fromarray(np.full((16, 16, 3), 99, np.uint8)).save(buf, format="JPEG", exif=exif)
    out = decode_bytes(buf.getvalue())
    assert out.rgb.shape == (16, 16, 3) and out.facts.captured_at is None


def test_a_tiff_of_very_many_pages_is_refused_without_reading_them_all() -> None:
    """100,000 tiny preview pages took minutes to check, page by page (quadratic)."""
    pages = [Image.new("L", (8, 8), n) for n in range(MAX_TIFF_PAGES + 2)]
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:])
    with pytest.raises(ImageError, match=f"more than {MAX_TIFF_PAGES} pages"):
        decode_bytes(buf.getvalue())


def _jpeg_segments(data: bytes) -> list[bytes]:
    """A JPEG cut into its marker segments, each scan with its entropy-coded data."""
    out, i = [], 2
    while data[i + 1] != 0xD9:
        length = int.from_bytes(data[i + 2:i + 4], "big")
        end = i + 2 + length
        if data[i + 1] == 0xDA:  # the scan's data runs to the next real marker
            while not (data[end] == 0xFF and data[end + 1] not in (0, *range(0xD0, 0xD8))):
                end += 1
        out.append(data[i:end])
        i = end
    return out


def test_a_progressive_jpeg_is_read_and_one_of_thousands_of_scans_is_refused() -> None:
    """Each scan decodes the whole picture again: a 1 MB JPEG of 2,000 scans held an
    import (and the hot folder) for five minutes."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(buf, "JPEG", progressive=True)
    plain = buf.getvalue()
    assert decode_bytes(plain).rgb.shape == (48, 64, 3)  # a camera's ~10 scans are fine
    segments = _jpeg_segments(plain)
    last_scan = [s for s in segments if s[1] == 0xDA][-1]
    crafted = b"\xff\xd8" + b"".join(segments) + last_scan * MAX_JPEG_SCANS + b"\xff\xd9"
    with pytest.raises(ImageError, match="scans"):
        decode_bytes(crafted)
    # junk where a segment should start stopped the walk at 0 scans (decoders skip it)
    first = crafted.index(b"\xff\xda")
    with pytest.raises(ImageError, match="scans"):
        decode_bytes(crafted[:first] + b"\x00" + crafted[first:])
    # a phone's motion photo: a video after the picture, its bytes full of 0xFFDA
    video = bytes(np.random.default_rng(0).integers(0, 256, 6 << 20, dtype=np.uint8))
    assert video.count(b"\xff\xda") > MAX_JPEG_SCANS
    assert decode_bytes(plain + video).rgb.shape == (48, 64, 3)

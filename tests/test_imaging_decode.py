"""Decoding every supported kind of image, and refusing every kind of bad file."""

from __future__ import annotations

import datetime as dt
import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from inspector.errors import ImageError
from inspector.imaging.decode import as_rgb_uint8, decode_bytes, decode_file, encode_png


def _save(img: Image.Image, fmt: str, **kw) -> bytes:  # noqa: ANN003
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _rgb(h: int = 24, w: int = 32) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 7 % 256, y * 9 % 256, (x + y) * 3 % 256], 2).astype(np.uint8)


@pytest.mark.parametrize(("fmt", "lossless"), [("PNG", True), ("BMP", True), ("TIFF", True),
                                                ("WEBP", False), ("JPEG", False)])
def test_rgb_formats(fmt: str, lossless: bool) -> None:
    src = _rgb()
    kw = {"lossless": True} if fmt == "WEBP" else {}
    out = decode_bytes(_save(Image.fromarray(src), fmt, **kw))
    assert out.rgb.dtype == np.uint8 and out.rgb.shape == (24, 32, 3)
    assert (out.facts.format, out.facts.width, out.facts.height, out.facts.bit_depth) == (
        fmt, 32, 24, 8)
    if lossless or fmt == "WEBP":
        np.testing.assert_array_equal(out.rgb, src)
    else:
        assert np.abs(out.rgb.astype(int) - src).mean() < 12


def test_grayscale_and_palette() -> None:
    gray = (np.arange(64, dtype=np.uint8).reshape(8, 8) * 4)
    out = decode_bytes(_save(Image.fromarray(gray, "L"), "PNG"))
    assert out.facts.mode == "L"
    np.testing.assert_array_equal(out.rgb[..., 0], gray)
    np.testing.assert_array_equal(out.rgb[..., 2], gray)
    pal = Image.fromarray(_rgb()).quantize(16)
    out = decode_bytes(_save(pal, "PNG"))
    assert out.facts.mode == "P"
    np.testing.assert_array_equal(out.rgb, np.asarray(pal.convert("RGB")))


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_bilevel_image_is_one_bit_deep(fmt: str) -> None:
    """A black-and-white scan: its TIFF has no BitsPerSample tag, which means 1 (it was
    recorded as 8)."""
    bits = (np.indices((8, 16)).sum(axis=0) % 2).astype(bool)
    out = decode_bytes(_save(Image.fromarray(bits), fmt))
    assert (out.facts.mode, out.facts.bit_depth) == ("1", 1)
    np.testing.assert_array_equal(out.rgb[..., 0], np.where(bits, 255, 0))


def test_alpha_is_composited_on_white() -> None:
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:4, :, 3] = 255  # top opaque red-ish, bottom fully transparent
    out = decode_bytes(_save(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert out.facts.mode == "RGBA"
    assert out.rgb[0, 0].tolist() == [200, 0, 0]
    assert out.rgb[7, 7].tolist() == [255, 255, 255]
    pal = Image.new("P", (8, 8))
    pal.putpalette([0, 0, 0, 10, 20, 30] + [0] * 762)
    pal.putpixel((1, 0), 1)
    out = decode_bytes(_save(pal, "PNG", transparency=0))
    assert out.rgb[0, :2].tolist() == [[255, 255, 255], [10, 20, 30]]


def _gradient16(h: int = 8, w: int = 256) -> np.ndarray:
    return np.tile(np.linspace(0, 65535, w).astype(np.uint16), (h, 1))


def _expected8(v16: np.ndarray) -> np.ndarray:
    return np.rint(v16.astype(np.float64) * 255 / 65535).astype(np.uint8)


@pytest.mark.parametrize("ext", [".png", ".tiff"])
def test_16bit_gray_is_scaled_not_clipped(ext: str) -> None:
    g16 = _gradient16()
    ok, buf = cv2.imencode(ext, g16)
    assert ok
    out = decode_bytes(buf.tobytes())
    assert out.facts.bit_depth == 16
    assert out.facts.mode == "I;16"  # a gray file, recorded as such (it read "RGB")
    np.testing.assert_array_equal(out.rgb[..., 1], _expected8(g16))
    assert len(np.unique(out.rgb)) > 200  # a clip to 255 would leave almost one value


@pytest.mark.parametrize("ext", [".png", ".tiff"])
def test_16bit_rgb_is_scaled_and_channels_kept(ext: str) -> None:
    g = _gradient16()
    rgb16 = np.stack([g, 65535 - g, np.full_like(g, 32768)], 2)
    ok, buf = cv2.imencode(ext, rgb16[..., ::-1])  # OpenCV writes BGR
    assert ok
    out = decode_bytes(buf.tobytes())
    assert out.facts.bit_depth == 16 and out.facts.mode == "RGB"
    np.testing.assert_array_equal(out.rgb, _expected8(rgb16))


def test_16bit_gray_png_from_pillow() -> None:
    g16 = _gradient16()
    img = Image.fromarray(g16)
    assert img.mode.startswith("I")
    data = _save(img, "PNG")
    out = decode_bytes(data)
    assert (out.facts.mode, out.facts.bit_depth) == ("I;16", 16)
    np.testing.assert_array_equal(out.rgb[..., 0], _expected8(g16))


def test_exif_orientation_and_capture_time() -> None:
    src = np.zeros((20, 40, 3), np.uint8)
    src[:, :20] = (255, 0, 0)  # left red
    src[:, 20:] = (0, 0, 255)  # right blue
    img = Image.fromarray(src)
    exif = img.getexif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = "2024:05:06 10:11:12"
    ifd[0x9011] = "+02:00"
    data = _save(img, "JPEG", exif=exif, quality=95)
    out = decode_bytes(data)
    assert out.rgb.shape == (40, 20, 3)
    assert (out.facts.width, out.facts.height, out.facts.orientation) == (20, 40, 6)
    assert out.rgb[5, 10, 0] > 200 and out.rgb[5, 10, 2] < 60  # top is red now
    assert out.rgb[35, 10, 2] > 200  # bottom is blue
    ref = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    np.testing.assert_array_equal(out.rgb, ref)
    assert out.facts.captured_at == dt.datetime(2024, 5, 6, 8, 11, 12, tzinfo=dt.UTC)


def test_no_exif_means_no_capture_time() -> None:
    assert decode_bytes(_save(Image.fromarray(_rgb()), "PNG")).facts.captured_at is None


def test_zero_bytes() -> None:
    with pytest.raises(ImageError, match="empty file"):
        decode_bytes(b"")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated(fmt: str) -> None:
    rng = np.random.default_rng(0)
    data = _save(Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)), fmt)
    with pytest.raises(ImageError, match="truncated|damaged"):
        decode_bytes(data[: len(data) // 2])


def test_truncated_16bit_png() -> None:
    ok, buf = cv2.imencode(".png", (np.random.default_rng(1).integers(
        0, 65535, (64, 64))).astype(np.uint16))
    data = buf.tobytes()
    with pytest.raises(ImageError, match="truncated|damaged"):
        decode_bytes(data[: len(data) // 2])


def test_text_file_is_not_an_image() -> None:
    with pytest.raises(ImageError, match="not an image"):
        decode_bytes(b"just some text pretending to be a PNG\n" * 10)


def test_unsupported_format() -> None:
    with pytest.raises(ImageError, match="not a supported image type"):
        decode_bytes(_save(Image.fromarray(_rgb()), "GIF"))


@pytest.mark.parametrize("fmt", ["TIFF", "PNG", "WEBP"])
def test_several_pictures_in_one_file_are_refused(fmt: str) -> None:
    """Only the first picture was judged: a defect on page 2 of a TIFF passed as OK."""
    first, second = Image.fromarray(_rgb()), Image.fromarray(255 - _rgb())
    data = _save(first, fmt, save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).n_frames == 2
    with pytest.raises(ImageError, match=r"holds 2 (pages|frames).*one picture per file"):
        decode_bytes(data)


def test_a_phones_mpo_jpeg_is_judged_on_its_main_picture() -> None:
    """Its second picture is a preview or a depth map, not another part."""
    data = _save(Image.fromarray(_rgb()), "MPO", save_all=True,
                 append_images=[Image.fromarray(255 - _rgb())])
    assert Image.open(io.BytesIO(data)).n_frames == 2
    assert decode_bytes(data).facts.format == "JPEG"


def test_tiff_with_a_reduced_size_preview_page_is_one_picture(tmp_path) -> None:  # noqa: ANN001
    from PIL import TiffImagePlugin

    path = tmp_path / "with_preview.tif"
    with TiffImagePlugin.AppendingTiffWriter(str(path), True) as tf:
        Image.fromarray(_rgb()).save(tf, "TIFF")
        tf.newFrame()
        Image.fromarray(_rgb(8, 8)).save(tf, "TIFF", tiffinfo={254: 1})  # reduced resolution
    assert np.array_equal(decode_file(path).rgb, _rgb())


@pytest.mark.parametrize("size", [(1, 1), (7, 300), (300, 7)])
def test_images_too_small_to_inspect_are_refused(size: tuple[int, int]) -> None:
    with pytest.raises(ImageError, match="too small to inspect"):
        decode_bytes(_save(Image.new("RGB", size), "PNG"))


def test_smallest_inspectable_image_is_accepted() -> None:
    assert decode_bytes(_save(Image.new("L", (8, 8)), "PNG")).rgb.shape == (8, 8, 3)


def test_pixel_limit_checked_from_header() -> None:
    data = _save(Image.fromarray(_rgb(100, 100)), "PNG")
    with pytest.raises(ImageError, match="100x100.*over the limit"):
        decode_bytes(data, max_pixels=5000)
    assert decode_bytes(data, max_pixels=10_000).rgb.shape == (100, 100, 3)
    assert decode_bytes(data, max_pixels=None).rgb.shape == (100, 100, 3)


def test_decompression_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    data = _save(Image.fromarray(_rgb(100, 100)), "PNG")
    with pytest.raises(ImageError, match="too large"):
        decode_bytes(data, max_pixels=None)


def test_decode_file_reasons(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(ImageError, match="file not found"):
        decode_file(tmp_path / "missing.png")
    with pytest.raises(ImageError, match="folder"):
        decode_file(tmp_path)


def test_array_helpers() -> None:
    gray = np.full((3, 5), 7, np.uint8)
    assert as_rgb_uint8(gray).shape == (3, 5, 3)
    with pytest.raises(ImageError, match="uint8"):
        as_rgb_uint8(np.zeros((3, 3, 3), np.float32))
    with pytest.raises(ImageError, match="shape"):
        as_rgb_uint8(np.zeros((3, 3, 2), np.uint8))
    src = _rgb()
    np.testing.assert_array_equal(decode_bytes(encode_png(src)).rgb, src)


def test_a_12_bit_camera_in_a_16_bit_file_is_read_at_its_own_depth(tmp_path) -> None:  # noqa: ANN001
    """Machine-vision cameras write 12-bit values unshifted into 16-bit PNG/TIFF: read as
    16-bit they are almost black (0..16 of 255). ``sensor_bits`` scales them right, and
    ``used_bits`` says how many bits a file uses, so an import can point at the setting."""
    import cv2

    ramp = np.linspace(0, 4095, 64 * 64).reshape(64, 64).astype(np.uint16)
    for name in ("grey.png", "grey.tif"):
        cv2.imwrite(str(tmp_path / name), ramp)
        data = (tmp_path / name).read_bytes()
        as16 = decode_bytes(data)
        as12 = decode_bytes(data, sensor_bits=12)
        assert as16.facts.used_bits == as12.facts.used_bits == 12
        assert as16.rgb.max() <= 16 and as12.rgb.max() == 255
        assert abs(float(as12.rgb.mean()) - 127.5) < 2
        assert as12.facts.mode == "I;16" and as12.facts.bit_depth == 16
    bright = ramp * 16  # a camera that shifts its 12 bits up: 16 is right, 12 clips
    cv2.imwrite(str(tmp_path / "shifted.png"), bright)
    shifted = decode_bytes((tmp_path / "shifted.png").read_bytes())
    assert shifted.facts.used_bits == 16 and abs(float(shifted.rgb.mean()) - 127.5) < 2
    colour = np.dstack([ramp, ramp, ramp, np.full_like(ramp, 65535)])  # opaque BGRA
    cv2.imwrite(str(tmp_path / "rgba.png"), colour)
    rgba = decode_bytes((tmp_path / "rgba.png").read_bytes(), sensor_bits=12)
    assert rgba.facts.used_bits == 12  # the alpha channel is not a brightness
    assert abs(float(rgba.rgb.mean()) - 127.5) < 2  # opaque: not blended with white
    eight = decode_bytes(encode_png(np.zeros((16, 16, 3), np.uint8)), sensor_bits=12)
    assert eight.facts.used_bits is None  # 8-bit files are 8-bit whatever the camera
    with pytest.raises(ValueError, match="sensor_bits"):
        decode_bytes(data, sensor_bits=11)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_a_png_with_one_flipped_bit_is_refused_as_damaged(dtype) -> None:  # noqa: ANN001
    """Pillow skips the PNG checksums: a flipped bit decoded into hundreds of garbage rows
    and a good part was judged NG "critical"."""
    rng = np.random.default_rng(3)
    top = 255 if dtype == np.uint8 else 65535
    pixels = rng.integers(0, top, (96, 96, 3)).astype(dtype)
    data = bytearray(cv2.imencode(".png", pixels)[1].tobytes())
    assert decode_bytes(bytes(data)).rgb.shape == (96, 96, 3)
    data[len(data) // 2] ^= 0x10  # inside the image data
    with pytest.raises(ImageError, match="damaged PNG.*checksum.*IDAT"):
        decode_bytes(bytes(data))


def test_a_png_whose_data_ends_early_but_cleanly_is_refused() -> None:
    """A header of 7740x7740 with ten rows of data and no end chunk decoded as a mostly
    black picture; bytes after the end chunk are ignored, as every reader does."""
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (len(body).to_bytes(4, "big") + kind + body
                + zlib.crc32(kind + body).to_bytes(4, "big"))

    width, height = 64, 64
    header = chunk(b"IHDR", width.to_bytes(4, "big") + height.to_bytes(4, "big")
                   + bytes([8, 0, 0, 0, 0]))  # 8-bit grey
    rows = zlib.compress(b"".join(b"\x00" + bytes([200]) * width for _ in range(10)))
    short = b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", rows)
    with pytest.raises(ImageError, match="end chunk is missing"):
        decode_bytes(short)
    whole = zlib.compress(b"".join(b"\x00" + bytes([200]) * width for _ in range(height)))
    fine = b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", whole) + chunk(b"IEND", b"")
    assert decode_bytes(fine + b"trailing junk").rgb.shape == (64, 64, 3)

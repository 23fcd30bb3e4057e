"""Decode image bytes into a validated RGB ``uint8`` HxWx3 array plus facts.

Pillow reads the header first, so oversized images are refused before any pixel is
decoded; then every pixel is loaded so truncated files are caught (LOAD_TRUNCATED_IMAGES
stays off). 16-bit PNG/TIFF are decoded with OpenCV and scaled by 255/65535 (not
truncated). Transparency is composited on white. EXIF orientation is applied.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import stat
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from inspector.errors import ImageError
from inspector.imaging.png_check import png_problem

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})
_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "MPO": ".jpg", "BMP": ".bmp", "TIFF": ".tif",
            "WEBP": ".webp"}
_PARSER_ERRORS = (EOFError, OSError, SyntaxError, ValueError, TypeError, KeyError,
                  IndexError, AttributeError, ZeroDivisionError, OverflowError,
                  struct.error)
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
DEFAULT_MAX_PIXELS = 60_000_000
# Our own max_pixels check runs before decoding, so Pillow's warning is noise. Set once
# here because warnings.catch_warnings() is not thread-safe (imports run in workers).
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
# A damaged EXIF block is ignored (_exif); Pillow's warning about it would only reach the
# terminal of a CLI user as noise.
warnings.filterwarnings("ignore", message="Corrupt EXIF data", category=UserWarning)


@dataclass(frozen=True)
class ImageFacts:
    """What the file is: ``width``/``height`` are after the EXIF rotation."""

    format: str  # PNG, JPEG, BMP, TIFF, WEBP
    mode: str  # Pillow-style mode of the file: L, RGB, RGBA, P, I;16 ...
    bit_depth: int  # bits per channel in the file (8 or 16)
    width: int
    height: int
    orientation: int = 1
    captured_at: dt.datetime | None = None
    # Bits the brightest value needs (files of more than 8 bits only): a 12-bit camera's
    # pictures saved as 16-bit files use 12 of them and look almost black at 16.
    used_bits: int | None = None

    @property
    def extension(self) -> str:
        return _FORMATS[self.format]


@dataclass(frozen=True)
class Decoded:
    rgb: np.ndarray
    facts: ImageFacts


def is_supported_path(path: Path) -> bool:
    return Path(path).suffix.lower() in SUPPORTED_EXTENSIONS


MIN_SIDE = 8  # the smallest image the detection engine can look at
# A camera's progressive JPEG has about 10 scans; each scan decodes the whole picture
# again, so a 1 MB file of 2,000 scans held an import (and the hot folder) for 5 minutes.
MAX_JPEG_SCANS = 64
MAX_JPEG_SEGMENTS = 1000  # a camera's JPEG has a few dozen segments between its scans
# A TIFF of many pages (previews, or a crafted 100,000) took minutes to check page by page.
MAX_TIFF_PAGES = 64


def decode_file(path: Path, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> Decoded:
    """Read and decode a file; unreadable paths become ImageError with the reason."""
    return decode_bytes(read_file_bytes(path), max_pixels=max_pixels)


SENSOR_BITS = (10, 12, 14, 16)  # how many bits of a 16-bit file a camera fills
MAX_FILE_BYTES = 1 << 30  # 1 GiB: more than any image within max_pixels, even 16-bit TIFF


def read_file_bytes(path: Path) -> bytes:
    """A file's bytes; a missing, unreadable or folder path becomes ImageError. Only a
    regular file is opened (a pipe named part.png would wait forever for a writer, a link
    to a device would never end), and nothing over ``MAX_FILE_BYTES`` is read."""
    try:
        st = Path(path).stat()
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(st.st_mode):
            raise ImageError("not a regular file (a pipe, socket or device)")
        if st.st_size > MAX_FILE_BYTES:
            raise ImageError(f"file is {st.st_size / 1e9:.1f} GB; image files over "
                             f"{MAX_FILE_BYTES / 1e9:.1f} GB are refused")
        data = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise ImageError("file not found") from exc
    except PermissionError as exc:
        raise ImageError("cannot read file: permission denied") from exc
    except IsADirectoryError as exc:
        raise ImageError("is a folder, not a file") from exc
    except OSError as exc:
        raise ImageError(f"cannot read file: {exc.strerror or exc}") from exc
    except MemoryError as exc:
        raise ImageError("not enough memory to read this file") from exc
    return data


def decode_bytes(
    data: bytes, max_pixels: int | None = DEFAULT_MAX_PIXELS, *, first_picture_only: bool = False,
    sensor_bits: int = 16,
) -> Decoded:
    """Decode ``data`` fully; raises ImageError with a human reason for any bad input.
    ``first_picture_only`` reads a file that holds several pictures as its first instead
    of refusing it: for an image already in the project (earlier versions stored
    multi-page TIFFs), which must still load for labelling and training.
    ``sensor_bits``: a 16-bit file's values run up to 2**sensor_bits - 1 (a 10-, 12- or
    14-bit camera that writes its values unshifted); brighter ones are clipped."""
    if sensor_bits not in SENSOR_BITS:
        raise ValueError(f"sensor_bits must be one of {SENSOR_BITS}")
    if not data:
        raise ImageError("empty file (0 bytes)")
    try:
        img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageError(f"image is far too large to open safely ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise ImageError("not an image, a damaged image, or an image type Inspector cannot "
                         "read") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"damaged image file ({exc})") from exc
    if img.format not in _FORMATS:
        raise ImageError(f"not a supported image type ({img.format})")
    fmt = "JPEG" if img.format == "MPO" else img.format
    width, height = img.size
    if min(width, height) < MIN_SIDE:
        raise ImageError(f"image is too small to inspect ({width}x{height} px; at least "
                         f"{MIN_SIDE}x{MIN_SIDE} px)")
    if max_pixels is not None and width * height > max_pixels:
        raise ImageError(
            f"image is {width}x{height} = {width * height / 1e6:.1f} megapixels, over the "
            f"limit of {max_pixels / 1e6:.1f} megapixels (setting max_pixels)"
        )
    if fmt == "PNG" and (problem := png_problem(data)) is not None:
        raise ImageError(problem)
    if fmt == "JPEG" and not first_picture_only and _jpeg_scans(data) > MAX_JPEG_SCANS:
        raise ImageError(f"JPEG with over {MAX_JPEG_SCANS} scans: decoding it would take "
                         "minutes (a camera writes about 10); save it again as a plain JPEG")
    try:
        return _decode_opened(img, data, fmt, first_picture_only, sensor_bits)
    except ImageError:
        raise
    except MemoryError as exc:
        raise ImageError("not enough memory to decode this image") from exc
    except _PARSER_ERRORS as exc:
        # A damaged file can fail deep inside a decoder with any of these (a fuzzed TIFF
        # page header: TypeError, KeyError): it is one refused file, never an internal
        # error that stops the rest of a batch.
        log.debug("decoder failed on a damaged file", exc_info=True)
        raise ImageError(f"damaged image file ({type(exc).__name__}: {exc})") from exc


def _decode_opened(img: Image.Image, data: bytes, fmt: str, first_picture_only: bool,
                   sensor_bits: int) -> Decoded:
    if not first_picture_only:
        _refuse_extra_pictures(img)
    exif = _exif(img)
    depth = _bit_depth(img, data)
    rgb, mode, used = _pixels(img, data, depth, sensor_bits)
    orientation = exif.get(0x0112, 1) if isinstance(exif.get(0x0112, 1), int) else 1
    # Both decoders already turn a TIFF by its Orientation tag (Pillow on load, OpenCV
    # even with IMREAD_UNCHANGED): turning it again showed it upside down or sideways.
    if orientation in _TRANSPOSE and fmt != "TIFF":
        rgb = np.ascontiguousarray(
            np.asarray(Image.fromarray(rgb).transpose(_TRANSPOSE[orientation]))
        )
    facts = ImageFacts(fmt, mode, depth, rgb.shape[1], rgb.shape[0], orientation,
                       _captured_at(exif), used)
    return Decoded(rgb, facts)


# after a scan's data: a marker, i.e. 0xFF not followed by a stuffed 0x00, a restart
# marker (0xD0-0xD7) or another 0xFF (fill bytes before a marker)
_END_OF_SCAN = re.compile(rb"\xff(?![\x00\xd0-\xd7\xff])")


def _jpeg_scans(data: bytes) -> int:
    """The scans of a JPEG's first picture (counted to MAX_JPEG_SCANS + 1 at most),
    walking its segments to the end-of-image marker: a phone's motion photo appends a
    video after it, whose random bytes hold an 0xFFDA every 64 KB. Where the walk cannot
    go on (junk between segments, which decoders skip; a bad length; thousands of
    segments, a slow walk), the 0xFFDA markers in the rest of the file are counted."""
    pos, scans, steps = 2, 0, 0
    while pos + 4 <= len(data) and scans <= MAX_JPEG_SCANS:
        steps += 1
        if data[pos] != 0xFF or steps > MAX_JPEG_SEGMENTS:
            return scans + data.count(b"\xff\xda", pos)
        marker = data[pos + 1]
        if marker == 0xFF:  # a fill byte
            pos += 1
            continue
        if marker == 0xD9:  # end of the picture
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker == 0xDA:
            scans += 1
            found = _END_OF_SCAN.search(data, pos)
            if found is None:
                break
            pos = found.start()
    return scans


class SeveralPicturesError(ImageError):
    """A file holds several pictures (pages, frames): not damaged, but not one part."""


def _refuse_extra_pictures(img: Image.Image) -> None:
    """A multi-page TIFF (several exposures or lightings of a part, a scanned stack) or an
    animation was judged on its first picture alone: a defect shown on page 2 passed as
    OK. Only a phone's MPO (its second picture is a preview or depth map) and a TIFF's
    reduced-resolution previews are extra pictures that may be ignored."""
    try:
        frames = _tiff_pages(img) if img.format == "TIFF" else int(getattr(img, "n_frames", 1))
        extra = frames > 1 and img.format != "MPO" and (
            img.format != "TIFF" or _full_size_page_after_first(img, frames))
    except (EOFError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"damaged image file ({exc})") from exc
    if extra:
        kind = "pages" if img.format == "TIFF" else "frames (an animation)"
        raise SeveralPicturesError(
            f"holds {frames} {kind}; Inspector judges one picture per file and would see "
            "only the first: save each picture as its own file")


def _tiff_pages(img: Image.Image) -> int:
    """A TIFF's pages, counted one step at a time up to MAX_TIFF_PAGES (Pillow's n_frames
    walks every page first: 100,000 tiny previews took minutes)."""
    pages = 1
    try:
        while True:
            try:
                img.seek(pages)
            except EOFError:
                return pages
            pages += 1
            if pages > MAX_TIFF_PAGES:
                raise SeveralPicturesError(
                    f"holds more than {MAX_TIFF_PAGES} pages; Inspector judges one picture "
                    "per file: save each picture as its own file")
    finally:
        img.seek(0)


def _full_size_page_after_first(img: Image.Image, frames: int) -> bool:
    """Whether a TIFF page after the first is a picture of its own (NewSubfileType bit 0
    marks a reduced-resolution copy of another page)."""
    try:
        for page in range(1, frames):
            img.seek(page)
            if not int(img.tag_v2.get(254, 0)) & 1:
                return True
        return False
    finally:
        img.seek(0)


def _exif(img: Image.Image) -> dict[int, object]:
    try:
        exif = img.getexif()
        values: dict[int, object] = dict(exif)
        values.update(exif.get_ifd(0x8769))  # Exif IFD: DateTimeOriginal, OffsetTime...
    except (OSError, ValueError, SyntaxError, TypeError, KeyError) as exc:
        log.debug("ignoring unreadable EXIF: %s", exc)
        return {}
    return values


def _captured_at(exif: dict[int, object]) -> dt.datetime | None:
    """EXIF DateTimeOriginal (else DateTime), with its offset or else local time, in UTC."""
    raw = exif.get(0x9003) or exif.get(0x0132)
    if not isinstance(raw, str):
        return None
    try:
        when = dt.datetime.strptime(raw.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = exif.get(0x9011)
    try:  # a camera's date at the calendar's edge (year 1, 9999) overflows a conversion
        if isinstance(offset, str):
            try:
                when = dt.datetime.fromisoformat(when.isoformat()
                                                 + offset.strip().rstrip("\x00"))
            except ValueError:
                when = when.astimezone()
        else:
            when = when.astimezone()  # EXIF times are the camera's local time
        return when.astimezone(dt.UTC)
    except (OverflowError, ValueError, OSError):
        return None  # no capture time: the import time stands in, as for a bare file


def _bit_depth(img: Image.Image, data: bytes) -> int:
    if img.format == "PNG" and len(data) > 24:
        return int(data[24])  # IHDR bit depth (1, 2, 4, 8 or 16)
    if img.format == "TIFF":  # BitsPerSample is 1 where absent (TIFF 6.0): bilevel scans
        bits = img.tag_v2.get(258, (1,)) if hasattr(img, "tag_v2") else (8,)
        bits = bits if isinstance(bits, tuple) else (bits,)
        return int(max(bits))
    return 16 if img.mode.startswith("I;16") else 8


def _pixels(img: Image.Image, data: bytes, depth: int,
            bits: int) -> tuple[np.ndarray, str, int | None]:
    """Load every pixel (catching truncation); returns (rgb uint8, mode description, bits
    the brightest value needs where the file has more than 8)."""
    if depth > 8:  # OpenCV alone: decoding twice held a 59 MP 16-bit image 3 times over
        arr = _decode_cv2(data)
        if arr is not None:
            if _min_is_white(img) and arr.ndim == 2:  # OpenCV ignores Photometric 0
                top = (1 << bits) - 1  # an X-ray panel's "white is 0" picture
                arr = (top - np.minimum(arr, top)).astype(arr.dtype)
            rgb, mode = _cv2_to_rgb(arr, bits)
            return rgb, mode, _used_bits(arr)
    pil_error: Exception | None = None
    try:
        img.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        pil_error = exc
    if depth > 8 and pil_error is None and img.mode.startswith("I"):
        arr = np.asarray(img)
        return _scale16(arr, bits), img.mode, _used_bits(arr)
    if pil_error is not None:
        raise ImageError(f"damaged or truncated image file ({pil_error})")
    return _pil_to_rgb(img), img.mode, None


def _min_is_white(img: Image.Image) -> bool:
    """A TIFF whose PhotometricInterpretation is 0: its smallest value is white."""
    tags = getattr(img, "tag_v2", None)
    return img.format == "TIFF" and tags is not None and tags.get(262) == 0


def _used_bits(arr: np.ndarray) -> int | None:
    """Bits the brightest colour value of a deep array needs (alpha left out)."""
    if arr.dtype == np.uint8:
        return None
    colour = arr[..., :-1] if arr.ndim == 3 and arr.shape[2] in (2, 4) else arr
    return max(1, int(colour.max()).bit_length()) if colour.size else None


def _pil_to_rgb(img: Image.Image) -> np.ndarray:
    mode = img.mode
    if mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    elif mode in ("LA", "PA", "La", "RGBa"):
        img = img.convert("RGBA")
    if img.mode == "RGBA":
        return _on_white(np.asarray(img))
    if mode.startswith("I"):
        return _scale16(np.asarray(img)) if mode.startswith("I;16") else _stack(
            np.clip(np.asarray(img), 0, 255).astype(np.uint8))
    if mode == "F":
        return _stack(np.clip(np.asarray(img), 0, 255).astype(np.uint8))
    return np.ascontiguousarray(np.asarray(img.convert("RGB"), dtype=np.uint8))


def _decode_cv2(data: bytes) -> np.ndarray | None:
    import cv2

    buf = np.frombuffer(data, dtype=np.uint8)
    arr = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    return arr if arr is not None and arr.size else None


def _cv2_to_rgb(arr: np.ndarray, bits: int = 16) -> tuple[np.ndarray, str]:
    """OpenCV BGR(A)/gray of any integer depth to RGB uint8, and the file's mode. A gray
    file is checked before scaling: ``_scale16`` already stacks gray into three channels,
    which recorded a 16-bit grayscale picture as RGB."""
    if arr.dtype not in (np.uint8, np.uint16):
        raise ImageError(f"unsupported pixel type {arr.dtype}")
    if arr.ndim == 2:
        return (_scale16(arr, bits), "I;16") if arr.dtype == np.uint16 else (_stack(arr), "L")
    arr8 = _scale_colour16(arr, bits) if arr.dtype == np.uint16 else arr
    if arr8.shape[2] == 3:
        return np.ascontiguousarray(arr8[..., ::-1]), "RGB"
    if arr8.shape[2] == 4:
        return _on_white(np.ascontiguousarray(arr8[..., [2, 1, 0, 3]])), "RGBA"
    if arr8.shape[2] == 2:
        return _on_white(np.dstack([arr8[..., 0]] * 3 + [arr8[..., 1]])), "LA"
    raise ImageError(f"unsupported number of channels ({arr8.shape[2]})")


def _scale16(arr: np.ndarray, bits: int = 16) -> np.ndarray:
    """Scale 0..2**bits - 1 to 0..255 with rounding; brighter values clip at 255."""
    import cv2

    if arr.dtype != np.uint16:  # Pillow's I mode is int32: clip into range first
        arr = np.clip(arr, 0, 65535).astype(np.uint16)
    out = cv2.convertScaleAbs(arr, alpha=255.0 / ((1 << bits) - 1))  # one uint8, no temporaries
    return _stack(out) if out.ndim == 2 else out


def _scale_colour16(arr: np.ndarray, bits: int) -> np.ndarray:
    """A 16-bit colour array to uint8: colour by ``bits``, an alpha channel by its 16."""
    out = _scale16(arr, bits)
    if bits != 16 and arr.shape[2] in (2, 4):
        out[..., -1] = _scale16(np.ascontiguousarray(arr[..., -1]))[..., 0]
    return out


def _stack(gray: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(gray[..., None], 3, axis=2))


def _on_white(rgba: np.ndarray, rows: int = 256) -> np.ndarray:
    """Composite RGBA (uint8) over a white background, a band of rows at a time (float
    temporaries of a whole 59 MP image took gigabytes)."""
    out = np.empty((*rgba.shape[:2], 3), np.uint8)
    for top in range(0, rgba.shape[0], rows):
        band = rgba[top : top + rows]
        alpha = band[..., 3:4].astype(np.float32) / 255.0
        rgb = band[..., :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        out[top : top + rows] = np.rint(rgb)
    return out


def encode_png(rgb: np.ndarray, compress_level: int = 3) -> bytes:
    """PNG bytes for an RGB or gray uint8 array (camera snapshots, masks)."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def as_rgb_uint8(arr: np.ndarray) -> np.ndarray:
    """Validate a camera/array image: HxW or HxWx3/4 uint8 -> HxWx3 uint8."""
    a = np.asarray(arr)
    if a.dtype != np.uint8:
        raise ImageError(f"image array must be uint8, got {a.dtype}")
    if a.ndim == 2:
        return _stack(a)
    if a.ndim == 3 and a.shape[2] == 3:
        return np.ascontiguousarray(a)
    if a.ndim == 3 and a.shape[2] == 4:
        return _on_white(a)
    raise ImageError(f"image array must be HxW or HxWx3, got shape {a.shape}")



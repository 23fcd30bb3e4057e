"""A PNG's own integrity checks, which the decoders skip: every chunk carries a CRC-32,
and a whole file ends with an IEND chunk.

Why: Pillow does not check the CRC of the image data, so a PNG with one flipped bit
decoded into hundreds of garbage rows, and a good part was judged NG "critical". A file
whose compressed data ended early but cleanly decoded as a mostly black picture. Both are
damaged files, refused as such.
"""

from __future__ import annotations

import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_problem(data: bytes) -> str | None:
    """Why the PNG in ``data`` is damaged, or None when every chunk's CRC matches and the
    end chunk is there (bytes after it are ignored, as every reader does)."""
    if not data.startswith(SIGNATURE):
        return None  # not a PNG: the decoders say what it is
    view = memoryview(data)  # CRCs over slices without copying tens of megabytes
    pos, size = len(SIGNATURE), len(data)
    while pos + 12 <= size:
        length = int.from_bytes(view[pos:pos + 4], "big")
        kind = bytes(view[pos + 4:pos + 8])
        end = pos + 12 + length
        name = kind.decode("latin-1", "replace")
        if end > size:
            return f"truncated PNG (its {name} chunk is cut off)"
        if zlib.crc32(view[pos + 4:end - 4]) != int.from_bytes(view[end - 4:end], "big"):
            return f"damaged PNG (the checksum of its {name} chunk does not match)"
        if kind == b"IEND":
            return None
        pos = end
    return "truncated PNG (its end chunk is missing)"

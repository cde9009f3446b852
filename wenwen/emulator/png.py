"""A tiny deterministic PNG encoder: the same prompt always gives the same valid image.

Used by every emulator route that returns an image (Gemini image models, the images
endpoints). Standard library only (``zlib`` + ``struct``): 8-bit RGB, no interlace.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SIDE = 4096


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _palette(prompt: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(prompt.encode("utf-8")).digest()
    return (digest[0], digest[1], digest[2]), (digest[3], digest[4], digest[5])


def png_from_prompt(prompt: str, width: int = 64, height: int = 64) -> bytes:
    """A ``width`` x ``height`` RGB PNG whose colours come from a hash of ``prompt``: a
    diagonal gradient between two colours with a checker band, so that different prompts
    give visibly different images. Raises ``ValueError`` for sizes outside 1..4096."""
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise ValueError(f"PNG size {width}x{height} is outside 1..{MAX_SIDE}")
    (r0, g0, b0), (r1, g1, b1) = _palette(prompt)
    span = max(width + height - 2, 1)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            t = (x + y) / span
            if ((x // 8) + (y // 8)) % 2 and abs(x - y) < max(width, height) // 6:
                t = 1.0 - t
            rows += bytes(
                (
                    int(r0 + (r1 - r0) * t) & 0xFF,
                    int(g0 + (g1 - g0) * t) & 0xFF,
                    int(b0 + (b1 - b0) * t) & 0xFF,
                )
            )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` of PNG bytes; raises ``ValueError`` when ``data`` is not a PNG."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


__all__ = ["PNG_SIGNATURE", "png_from_prompt", "png_size"]


def png_from_rgb(width: int, height: int, pixels: bytes) -> bytes:
    """Encode raw 8-bit RGB ``pixels`` (rows top to bottom, ``width * height * 3`` bytes)."""
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise ValueError(f"PNG size {width}x{height} is outside 1..{MAX_SIDE}")
    stride = width * 3
    if len(pixels) != stride * height:
        raise ValueError(f"expected {stride * height} bytes of RGB, got {len(pixels)}")
    rows = b"".join(b"\x00" + pixels[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )

"""A tiny deterministic PNG encoder and decoder (``zlib`` + ``struct`` only).

``png_from_prompt(prompt, width, height)`` draws the same picture for the same prompt: a grid
of colour cells taken from a hash of the prompt (rows are built once per cell row and
repeated, so a 1024x1024 image takes milliseconds). ``decode_png`` reads 8-bit RGB/RGBA/grey
PNGs back (all five row filters), which the image-edit route needs to derive its output.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SIDE = 4096
_CELLS = 8
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # PNG colour type -> samples per pixel


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def encode_png(width: int, height: int, rows: list[bytes], *, alpha: bool = False) -> bytes:
    """An 8-bit RGB (or RGBA) PNG from ``height`` rows of raw pixel bytes."""
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise ValueError(f"PNG size {width}x{height} is outside 1..{MAX_SIDE}")
    stride = width * (4 if alpha else 3)
    if len(rows) != height or any(len(r) != stride for r in rows):
        raise ValueError("PNG rows do not match the size")
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 6))
        + _chunk(b"IEND", b"")
    )


def prompt_palette(prompt: str) -> list[bytes]:
    """``_CELLS``² RGB colours from a hash of ``prompt``."""
    digest = b""
    counter = 0
    while len(digest) < _CELLS * _CELLS * 3:
        digest += hashlib.sha256(f"{counter}:{prompt}".encode()).digest()
        counter += 1
    return [digest[i * 3 : i * 3 + 3] for i in range(_CELLS * _CELLS)]


def prompt_rows(prompt: str, width: int, height: int) -> list[bytes]:
    colours = prompt_palette(prompt)
    rows: list[bytes] = []
    for y in range(height):
        cell_y = y * _CELLS // height
        if rows and (y - 1) * _CELLS // height == cell_y:
            rows.append(rows[-1])
            continue
        row = b"".join(
            colours[cell_y * _CELLS + x * _CELLS // width] for x in range(width)
        )  # one pass per cell row, repeated for the rows of that cell
        rows.append(row)
    return rows


def png_from_prompt(prompt: str, width: int = 64, height: int = 64) -> bytes:
    """A ``width`` x ``height`` RGB PNG that depends only on ``prompt`` (and the size).
    Raises ``ValueError`` for sizes outside 1..4096."""
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise ValueError(f"PNG size {width}x{height} is outside 1..{MAX_SIDE}")
    return encode_png(width, height, prompt_rows(prompt, width, height))


class PngError(ValueError):
    pass


def png_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` from the header, without decoding the pixels."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise PngError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def decode_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """``(width, height, channels, rows)`` of an 8-bit non-interlaced PNG."""
    width, height = png_size(data)
    pos, idat = 8, bytearray()
    depth = colour = interlace = 0
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            depth, colour, interlace = body[8], body[9], body[12]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = _CHANNELS.get(colour)
    if depth != 8 or channels is None or interlace:
        raise PngError(f"unsupported PNG (bit depth {depth}, colour type {colour})")
    try:
        raw = zlib.decompress(bytes(idat))
    except zlib.error as exc:
        raise PngError(f"PNG pixel data is corrupt: {exc}") from None
    return width, height, channels, _unfilter(raw, width * channels, height, channels)


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    if len(raw) < (stride + 1) * height:
        raise PngError("PNG pixel data is truncated")
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind:
            _undo(kind, line, previous, bpp)
        previous = bytes(line)
        rows.append(previous)
    return rows


def _undo(kind: int, line: bytearray, up: bytes, bpp: int) -> None:
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        upper_left = up[i - bpp] if i >= bpp else 0
        if kind == 1:
            predicted = left
        elif kind == 2:
            predicted = up[i]
        elif kind == 3:
            predicted = (left + up[i]) // 2
        elif kind == 4:
            estimate = left + up[i] - upper_left
            da, db, dc = abs(estimate - left), abs(estimate - up[i]), abs(estimate - upper_left)
            predicted = left if da <= db and da <= dc else up[i] if db <= dc else upper_left
        else:
            raise PngError(f"unknown PNG row filter {kind}")
        line[i] = (line[i] + predicted) & 0xFF

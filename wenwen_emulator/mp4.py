"""A tiny but real MP4: ``ftyp`` + ``moov`` + ``mdat`` with one PNG-coded video track.

ISO BMFF boxes written by hand (ISO/IEC 14496-12); the sample entry is ``png `` (PNG frames,
which ffmpeg/PyAV decode), one frame per second, so the file plays for ``seconds`` and its
frames are deterministic images from the prompt.
"""

from __future__ import annotations

import struct

from .png import png_from_prompt

TIMESCALE = 1000
_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *parts)


def _sample_table(width: int, height: int, sizes: list[int], offset: int) -> bytes:
    entry = _box(
        b"png ",
        b"\x00" * 6, struct.pack(">H", 1),             # reserved, data_reference_index
        b"\x00" * 16,                                   # pre_defined / reserved
        struct.pack(">HHII", width, height, 0x480000, 0x480000),
        b"\x00" * 4, struct.pack(">H", 1),              # reserved, frame_count
        bytes([7]) + b"wenwen " + b"\x00" * 24,         # compressorname (pascal string)
        struct.pack(">Hh", 0x18, -1),                   # depth, pre_defined
    )  # fmt: skip
    count = len(sizes)
    return _box(
        b"stbl",
        _full(b"stsd", 0, 0, struct.pack(">I", 1), entry),
        _full(b"stts", 0, 0, struct.pack(">III", 1, count, TIMESCALE)),
        _full(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, count, 1)),
        _full(b"stsz", 0, 0, struct.pack(f">II{count}I", 0, count, *sizes)),
        _full(b"stco", 0, 0, struct.pack(">II", 1, offset)),
    )


def _moov(width: int, height: int, sizes: list[int], offset: int) -> bytes:
    duration = len(sizes) * TIMESCALE
    mvhd = _full(
        b"mvhd", 0, 0,
        struct.pack(">IIII", 0, 0, TIMESCALE, duration),
        struct.pack(">IH", 0x10000, 0x100), b"\x00" * 10, _MATRIX, b"\x00" * 24,
        struct.pack(">I", 2),
    )  # fmt: skip
    tkhd = _full(
        b"tkhd", 0, 3,
        struct.pack(">IIIII", 0, 0, 1, 0, duration), b"\x00" * 8,
        struct.pack(">hhhH", 0, 0, 0, 0), _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )  # fmt: skip
    mdhd = _full(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, duration, 0x55C4, 0))
    hdlr = _full(b"hdlr", 0, 0, b"\x00" * 4, b"vide", b"\x00" * 12, b"VideoHandler\x00")
    dinf = _box(b"dinf", _full(b"dref", 0, 0, struct.pack(">I", 1), _full(b"url ", 0, 1)))
    minf = _box(
        b"minf",
        _full(b"vmhd", 0, 1, b"\x00" * 8),
        dinf,
        _sample_table(width, height, sizes, offset),
    )
    return _box(b"moov", mvhd, _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf)))


def tiny_mp4(prompt: str, *, seconds: int = 4, width: int = 64, height: int = 36) -> bytes:
    """A valid MP4 of ``seconds`` one-second PNG frames drawn from ``prompt``."""
    frames = [png_from_prompt(f"{prompt}#{i}", width, height) for i in range(max(seconds, 1))]
    sizes = [len(f) for f in frames]
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso2mp41")
    probe = _moov(width, height, sizes, 0)
    offset = len(ftyp) + len(probe) + 8
    mdat = _box(b"mdat", *frames)
    return ftyp + _moov(width, height, sizes, offset) + mdat

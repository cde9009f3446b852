import io
import struct
import zlib

import pytest
from PIL import Image

from wenwen_emulator.png import PNG_SIGNATURE, png_from_prompt, png_size


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    out, pos = [], len(PNG_SIGNATURE)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        out.append((kind, body))
        pos += 12 + length
    return out


def test_png_is_valid_and_deterministic() -> None:
    data = png_from_prompt("a red fox", 40, 24)
    assert data == png_from_prompt("a red fox", 40, 24)
    assert data != png_from_prompt("a blue whale", 40, 24)
    assert png_size(data) == (40, 24)
    kinds = [k for k, _ in _chunks(data)]
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]
    pixels = zlib.decompress(_chunks(data)[1][1])
    assert len(pixels) == 24 * (1 + 40 * 3)


def test_png_opens_with_pillow() -> None:
    # Pillow comes with llama-index-core (in [dev])
    with Image.open(io.BytesIO(png_from_prompt("x", 16, 16))) as image:
        image.load()
        assert image.size == (16, 16)
        assert image.mode == "RGB"


def test_png_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError, match="outside"):
        png_from_prompt("x", 0, 10)
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"GIF89a")

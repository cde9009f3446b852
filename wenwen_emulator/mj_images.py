"""Midjourney pictures: a 2x2 grid of four distinct tiles for grid jobs, a real crop of one
tile for an upscale (scaled up by whole pixels for the 2x upscalers)."""

from __future__ import annotations

import hashlib

from .png import encode_png

TILE = 64
DIMENSIONS = {"SQUARE": (1, 1), "PORTRAIT": (2, 3), "LANDSCAPE": (3, 2)}


def tile_size(dimensions: str) -> tuple[int, int]:
    w, h = DIMENSIONS.get(dimensions, (1, 1))
    return TILE * w // min(w, h), TILE * h // min(w, h)


def _tile(seed: str, width: int, height: int) -> list[bytes]:
    """Rows of one tile: a two-colour diagonal gradient with a disc, from ``seed``."""
    d = hashlib.sha256(seed.encode()).digest()
    c0, c1, disc = (d[0], d[1], d[2]), (d[3], d[4], d[5]), (d[6], d[7], d[8])
    cx, cy, r2 = width // 2, height // 2, (min(width, height) // 4) ** 2
    span = max(width + height - 2, 1)
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            if (x - cx) ** 2 + (y - cy) ** 2 <= r2:
                row += bytes(disc)
            else:
                t = (x + y) / span
                row += bytes(int(a + (b - a) * t) & 0xFF for a, b in zip(c0, c1, strict=True))
        rows.append(bytes(row))
    return rows


def grid_rows(seed: str, dimensions: str) -> tuple[int, int, list[bytes]]:
    w, h = tile_size(dimensions)
    tiles = [_tile(f"{seed}/{i}", w, h) for i in range(4)]
    rows = [tiles[0][y] + tiles[1][y] for y in range(h)]
    rows += [tiles[2][y] + tiles[3][y] for y in range(h)]
    return 2 * w, 2 * h, rows


def grid_png(seed: str, dimensions: str) -> bytes:
    width, height, rows = grid_rows(seed, dimensions)
    return encode_png(width, height, rows)


def crop_png(seed: str, dimensions: str, index: int, scale: int = 1) -> bytes:
    """Tile ``index`` (1-4: top-left, top-right, bottom-left, bottom-right) of the grid for
    ``seed``, cut out pixel for pixel, then scaled by ``scale`` (nearest neighbour)."""
    width, height, rows = grid_rows(seed, dimensions)
    w, h = width // 2, height // 2
    left, top = ((index - 1) % 2) * w, ((index - 1) // 2) * h
    tile = [row[left * 3 : (left + w) * 3] for row in rows[top : top + h]]
    if scale > 1:
        tile = [
            b"".join(row[i : i + 3] * scale for i in range(0, len(row), 3))
            for row in tile
            for _ in range(scale)
        ]
    return encode_png(w * scale, h * scale, tile)

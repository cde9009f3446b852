"""A tiny MCP server for the MCP examples, built with the official ``mcp`` package's FastMCP.

Three typed tools show the three kinds of result an MCP tool hands back: ``add`` returns
text, ``render_badge`` returns an image (a PNG made here, no imaging library needed) and
``lookup_order`` raises, which MCP reports as an error result. Clients start it over stdio:

    python examples/mcp_server.py
"""

from __future__ import annotations

import struct
import zlib

from mcp.server.fastmcp import FastMCP, Image

mcp = FastMCP("wenwen-demo", log_level="WARNING")

BADGE_WIDTH, BADGE_HEIGHT = 48, 16


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two integers and return their sum."""
    return a + b


@mcp.tool()
def render_badge(label: str) -> Image:
    """Render a small PNG badge for a label (its colour is derived from the label)."""
    return Image(data=badge_png(label), format="png")


@mcp.tool()
def lookup_order(order_id: str) -> str:
    """Look up the status of an order by its id."""
    raise ValueError(f"order {order_id!r} does not exist")


def badge_png(label: str) -> bytes:
    """A solid-colour RGB PNG whose colour depends on ``label``."""
    digest = zlib.crc32(label.encode())
    colour = bytes(((digest >> shift) & 0xFF) for shift in (16, 8, 0))
    row = b"\x00" + colour * BADGE_WIDTH  # filter byte 0, then the pixels
    pixels = zlib.compress(row * BADGE_HEIGHT)
    header = struct.pack(">IIBBBBB", BADGE_WIDTH, BADGE_HEIGHT, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND")
    )


def _chunk(kind: bytes, data: bytes = b"") -> bytes:
    checksum = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


if __name__ == "__main__":
    mcp.run(transport="stdio")

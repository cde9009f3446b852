"""The pieces every SSE route shares: word-sized stream pieces and the streaming response
with the fault machinery (:mod:`.faults`) applied."""

from __future__ import annotations

import re

from starlette.responses import StreamingResponse

from .context import Ctx
from .faults import Frame, emit

_PIECE_RE = re.compile(r"\S+\s*|\s+")
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def pieces(text: str, size: int = 8) -> list[str]:
    """Split ``text`` into small stream pieces (words, long words in ``size``-char slices)."""
    out: list[str] = []
    for piece in _PIECE_RE.findall(text):
        out.extend(piece[i : i + size] for i in range(0, len(piece), size))
    return out


def sse_response(ctx: Ctx, frames: list[Frame], error_frame: str) -> StreamingResponse:
    assert ctx.conn is not None
    state = ctx.state
    body = emit(
        frames,
        ctx.faults,
        lambda: error_frame,
        ctx.conn,
        stall_timeout=state.stall_timeout,
        closing=lambda: state.closing,
    )
    return StreamingResponse(body, media_type="text/event-stream", headers=SSE_HEADERS)

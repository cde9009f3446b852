"""Test helpers: run SSE bytes through the same pipeline the client uses
(``SSEDecoder`` → Anthropic ``StreamDecoder`` → ``StreamAccumulator``), and compare replies."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wenwen._http.sse import SSEDecoder
from wenwen.protocols import anthropic_messages as anthropic
from wenwen.stream import StreamAccumulator
from wenwen.types import ChatRequest, ChatResponse, StreamEvent

FIXTURES = Path(__file__).parent


def load(scenario: Path, name: str) -> Any:
    return json.loads((scenario / name).read_text(encoding="utf-8"))


def run_stream(
    chunks: Iterable[bytes], request: ChatRequest | None = None
) -> tuple[list[StreamEvent], ChatResponse]:
    """Every event the decoder produced, and the accumulated reply; raises what it raises."""
    sse = SSEDecoder()
    decoder = anthropic.StreamDecoder(request)
    accumulator = StreamAccumulator(
        anthropic.NAME, finalize=lambda r: anthropic.finalize_response(r, request)
    )
    events: list[StreamEvent] = []

    def take(new: list[StreamEvent]) -> None:
        events.extend(new)
        for event in new:
            accumulator.add(event)

    for chunk in chunks:
        for server_event in sse.feed(chunk):
            take(decoder.feed(server_event))
    for server_event in sse.flush():
        take(decoder.feed(server_event))
    take(decoder.close())
    return events, accumulator.response()


def frames(*events: dict[str, Any], named: bool = True) -> bytes:
    """SSE bytes for Anthropic event objects."""
    out = []
    for event in events:
        data = json.dumps(event, separators=(",", ":"))
        out.append((f"event: {event['type']}\n" if named else "") + f"data: {data}\n\n")
    return "".join(out).encode()


def comparable(response: ChatResponse, *, with_usage_raw: bool = True) -> dict[str, Any]:
    """A reply as a dict without the wire body (``raw``), which streams do not keep."""
    dumped = response.model_dump(mode="json", exclude={"raw"})
    if not with_usage_raw and dumped.get("usage"):
        dumped["usage"].pop("raw")
    return dumped

"""Helpers for the OpenAI wire tests: fixture loading and the stream pipeline without I/O
(SSE decoder → protocol stream decoder → accumulator, as the client runs it)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wenwen._sse import SSEDecoder
from wenwen.protocols import openai_chat
from wenwen.stream import StreamAccumulator
from wenwen.types import ChatRequest, ChatResponse, StreamEvent

FIXTURES = Path(__file__).parent


def scenarios(*required: str) -> list[str]:
    """Fixture folders holding every one of the ``required`` files."""
    return sorted(
        d.name
        for d in FIXTURES.iterdir()
        if d.is_dir() and all((d / name).is_file() for name in required)
    )


def load_json(scenario: str, name: str) -> Any:
    return json.loads((FIXTURES / scenario / name).read_text(encoding="utf-8"))


def load_request(scenario: str) -> ChatRequest:
    return ChatRequest.model_validate(load_json(scenario, "request.json"))


def load_stream(scenario: str) -> bytes:
    return (FIXTURES / scenario / "stream.sse").read_bytes()


def stream_chunks(raw: bytes) -> list[Any]:
    """The JSON chunks of an SSE body ([DONE] and comments left out)."""
    decoder = SSEDecoder()
    events = decoder.feed(raw) + decoder.flush()
    return [json.loads(e.data) for e in events if e.data.strip() not in ("", "[DONE]")]


def run_stream(
    pieces: Iterable[bytes], request: ChatRequest | None = None
) -> tuple[list[StreamEvent], ChatResponse]:
    """Feed the byte pieces through the whole stream pipeline; close at the end."""
    sse = SSEDecoder()
    decoder = openai_chat.StreamDecoder(request)
    accumulator = StreamAccumulator(
        openai_chat.NAME, finalize=lambda r: openai_chat.finalize_response(r, request)
    )
    events: list[StreamEvent] = []
    for piece in pieces:
        for event in sse.feed(piece):
            events.extend(decoder.feed(event))
    for event in sse.flush():
        events.extend(decoder.feed(event))
    events.extend(decoder.close())
    for event in events:
        accumulator.add(event)
    return events, accumulator.response()


def sse_body(*chunks: Any, done: bool = True) -> bytes:
    """An SSE body of ``data:`` frames (dicts are JSON-encoded), ending with [DONE]."""
    frames = [c if isinstance(c, str) else json.dumps(c, separators=(",", ":")) for c in chunks]
    if done:
        frames.append("[DONE]")
    return "".join(f"data: {frame}\n\n" for frame in frames).encode()


def comparable(response: ChatResponse) -> dict[str, Any]:
    """The response as data, without the raw wire copies (``raw``, ``usage.raw``)."""
    dumped = response.model_dump(mode="json", exclude={"raw"})
    if dumped.get("usage"):
        dumped["usage"].pop("raw")
    return dumped


def expected_response(scenario: str) -> dict[str, Any]:
    return comparable(ChatResponse.model_validate(load_json(scenario, "expected.json")))

"""Fixture folders of any protocol (``request.json``, ``wire_request.json``, ``response.json``,
``stream.sse``, ``expected.json``) and the stream pipeline without I/O, as the client runs it:
SSE decoder → the protocol's stream decoder → the one accumulator."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wenwen._http.sse import SSEDecoder
from wenwen.protocols import get_protocol
from wenwen.stream import StreamAccumulator
from wenwen.types import ChatRequest, ChatResponse, StreamEvent


class Fixtures:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def scenarios(self, *required: str) -> list[str]:
        """Folders holding every one of the ``required`` files."""
        return sorted(
            d.name
            for d in self.folder.iterdir()
            if d.is_dir() and all((d / name).is_file() for name in required)
        )

    def json(self, scenario: str, name: str) -> Any:
        return json.loads((self.folder / scenario / name).read_text(encoding="utf-8"))

    def request(self, scenario: str) -> ChatRequest:
        return ChatRequest.model_validate(self.json(scenario, "request.json"))

    def stream(self, scenario: str) -> bytes:
        return (self.folder / scenario / "stream.sse").read_bytes()


def stream_chunks(raw: bytes) -> list[tuple[str | None, Any]]:
    """``(event name, JSON data)`` of every SSE event of a body."""
    decoder = SSEDecoder()
    events = decoder.feed(raw) + decoder.flush()
    return [(e.event, json.loads(e.data)) for e in events if e.data.strip() not in ("", "[DONE]")]


def run_stream(
    protocol: str, pieces: Iterable[bytes], request: ChatRequest | None
) -> tuple[list[StreamEvent], ChatResponse]:
    """Feed the byte pieces through the whole stream pipeline; close at the end."""
    wire = get_protocol(protocol)
    sse = SSEDecoder()
    decoder = wire.new_stream_decoder(request)
    accumulator = StreamAccumulator(
        wire.NAME, finalize=lambda r: wire.finalize_response(r, request)
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


def comparable(response: ChatResponse) -> dict[str, Any]:
    """The response as data, without the raw wire copies (``raw``, ``usage.raw``)."""
    dumped = response.model_dump(mode="json", exclude={"raw"})
    if dumped.get("usage"):
        dumped["usage"].pop("raw")
    return dumped


def assert_splits_agree(protocol: str, raw: bytes, request: ChatRequest, step: int = 7) -> None:
    """A stream cut in two at every ``step``-th byte gives the same events and response as
    the whole body (the decoders are boundary-safe)."""
    whole_events, whole = run_stream(protocol, [raw], request)
    for offset in range(1, len(raw), step):
        events, response = run_stream(protocol, [raw[:offset], raw[offset:]], request)
        assert events == whole_events, f"split at byte {offset}"
        assert comparable(response) == comparable(whole), f"split at byte {offset}"

"""Helpers for the OpenAI wire tests: fixture loading and the stream pipeline without I/O
(SSE decoder → protocol stream decoder → accumulator, as the client runs it)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.wire import _fixture_pipeline as fixture_pipeline
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
    return [data for _, data in fixture_pipeline.stream_chunks(raw)]


def run_stream(
    pieces: Iterable[bytes], request: ChatRequest | None = None
) -> tuple[list[StreamEvent], ChatResponse]:
    """Feed the byte pieces through the whole stream pipeline; close at the end."""
    return fixture_pipeline.run_stream("openai", pieces, request)


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

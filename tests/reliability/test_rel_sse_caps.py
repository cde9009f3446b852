"""Bounded memory on streams: a Server-Sent-Events line or event longer than the cap ends the
stream with ``StreamError`` as soon as the decoder holds that much (peak memory for a 256 MB
line is measured by ``bench/hostile.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests._hostile import HostileServer, Reply, hostile_server
from wenwen import AsyncWenwenClient, ChatRequest, Message, WenwenClient, errors
from wenwen._http.sse import SSEDecoder
from wenwen._settings import DEFAULT_MAX_STREAM_EVENT_BYTES

CAP = 4096


def test_a_line_without_newline_stops_at_the_cap() -> None:
    decoder = SSEDecoder(max_bytes=CAP)
    piece = b"x" * 256
    decoder.feed(b"data: ")
    fed = 6
    with pytest.raises(errors.StreamError, match="max_stream_event_bytes"):
        while True:
            decoder.feed(piece)
            fed += len(piece)
            assert fed <= CAP + len(piece)  # it never holds more than the cap and one chunk
    assert decoder._held == 0  # what it held is dropped


def test_a_long_line_inside_one_chunk_is_refused() -> None:
    with pytest.raises(errors.StreamError):
        SSEDecoder(max_bytes=CAP).feed(b"data: " + b"y" * (CAP + 1) + b"\n\n")


def test_an_event_of_many_short_lines_stops_at_the_cap() -> None:
    decoder = SSEDecoder(max_bytes=CAP)
    with pytest.raises(errors.StreamError):
        for _ in range(CAP):
            decoder.feed(b"data: abcdefgh\n")


def test_events_under_the_cap_pass_and_the_default_is_generous() -> None:
    assert DEFAULT_MAX_STREAM_EVENT_BYTES == 64 * 1024 * 1024
    decoder = SSEDecoder(max_bytes=CAP)
    events = []
    for _ in range(100):  # many events, each under the cap: the count is not limited
        events += decoder.feed(b"data: " + b"z" * (CAP // 2) + b"\n\n")
    assert len(events) == 100


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile_server() as running:
        yield running


@pytest.mark.parametrize("kind", ["sync", "httpx", "aiohttp"])
def test_a_client_stream_with_an_endless_line_raises_stream_error(
    kind: str, server: HostileServer
) -> None:
    server.route("/", Reply(sse_line=8 * 1024 * 1024))
    request = ChatRequest(model="gpt-4o-mini", messages=[Message.of("user", "hi")])
    options: dict[str, Any] = {"api_key": "sk-x", "base_url": server.base_url}
    options["max_stream_event_bytes"] = 1024 * 1024

    def sync() -> None:
        with WenwenClient(**options) as client:
            client.stream(request).until_done()

    async def run_async() -> None:
        async with AsyncWenwenClient(**options, async_transport=kind) as client:
            await client.stream(request).until_done()

    with pytest.raises(errors.StreamError) as info:
        sync() if kind == "sync" else asyncio.run(run_async())
    assert info.value.partial is not None
    assert "max_stream_event_bytes" in str(info.value)


def test_the_cap_is_validated() -> None:
    for bad in (0, -5, 1.5, "big"):
        with pytest.raises(errors.ConfigurationError, match="max_stream_event_bytes"):
            WenwenClient(api_key="sk-x", base_url="http://127.0.0.1:9", max_stream_event_bytes=bad)

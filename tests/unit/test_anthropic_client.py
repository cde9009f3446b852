"""The Anthropic protocol through the real clients over ``httpx.MockTransport``: the exact
bytes sent, the reply parsed, streams accumulated, and failures typed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.wire.anthropic._drive import FIXTURES, comparable, load
from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.errors import InternalServerError, StreamError
from wenwen.protocols import anthropic_messages as anthropic
from wenwen.types import ChatRequest, ChatResponse, Finished, StreamEvent

KEY = "sk-anthropic-test-key"
BASE = "http://127.0.0.1:9"
Handler = Callable[[httpx.Request], httpx.Response]


def scenario_handler(scenario: Path, seen: list[httpx.Request]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if json.loads(request.content).get("stream"):
            return httpx.Response(
                200,
                content=(scenario / "stream.sse").read_bytes(),
                headers={"content-type": "text/event-stream"},
            )
        return httpx.Response(200, json=load(scenario, "response.json"))

    return handler


def sync_client(handler: Handler) -> WenwenClient:
    transport = httpx.MockTransport(handler)
    return WenwenClient(KEY, BASE + "/v1", http_client=httpx.Client(transport=transport))


def request_of(scenario: Path) -> ChatRequest:
    return ChatRequest.model_validate(load(scenario, "request.json"))


@pytest.mark.parametrize("name", ["tools", "thinking", "structured_output"])
def test_chat_sends_the_documented_request_and_parses_the_reply(name: str) -> None:
    scenario, seen = FIXTURES / name, []
    with sync_client(scenario_handler(scenario, seen)) as client:
        response = client.chat(request_of(scenario), protocol="anthropic")
    (sent,) = seen
    assert str(sent.url) == BASE + "/v1/messages"
    assert sent.headers["x-api-key"] == KEY
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in sent.headers
    assert json.loads(sent.content) == load(scenario, "wire_request.json")
    expected = anthropic.parse_response(load(scenario, "response.json"), request_of(scenario))
    assert response == expected


@pytest.mark.parametrize("name", ["tools", "thinking", "structured_output", "system_cache"])
def test_sync_stream_equals_the_non_streamed_reply(name: str) -> None:
    scenario, seen = FIXTURES / name, []
    request = request_of(scenario)
    with (
        sync_client(scenario_handler(scenario, seen)) as client,
        client.stream(request, protocol="anthropic") as stream,
    ):
        events = list(stream)
        streamed = stream.response()
    assert json.loads(seen[0].content)["stream"] is True
    parsed = anthropic.parse_response(load(scenario, "response.json"), request)
    finishes = [e for e in events if isinstance(e, Finished)]
    assert [f.reason for f in finishes] == [parsed.finish_reason]
    assert comparable(streamed) == comparable(parsed)


def test_async_chat_and_stream() -> None:
    scenario, seen = FIXTURES / "tools_parallel", []
    request = request_of(scenario)

    async def main() -> tuple[ChatResponse, list[StreamEvent], ChatResponse]:
        transport = httpx.MockTransport(scenario_handler(scenario, seen))
        http = httpx.AsyncClient(transport=transport)
        async with AsyncWenwenClient(KEY, BASE, http_client=http) as client:
            reply = await client.chat(request, protocol="anthropic")
            async with client.stream(request, protocol="anthropic") as stream:
                events = [event async for event in stream]
                return reply, events, stream.response()

    reply, events, streamed = asyncio.run(main())
    assert [c.id for c in reply.tool_calls] == ["toolu_01Paris", "toolu_02Tokyo"]
    assert comparable(streamed) == comparable(reply)
    assert all(r.headers["x-api-key"] == KEY for r in seen)
    assert [e.reason for e in events if isinstance(e, Finished)] == ["tool_calls"]


def stream_failure(content: bytes) -> StreamError:
    """The error a sync stream over ``content`` raises."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers={"content-type": "text/event-stream"})

    request = request_of(FIXTURES / "basic_chat")
    with (
        sync_client(handler) as client,
        client.stream(request, protocol="anthropic") as stream,
        pytest.raises(StreamError) as caught,
    ):
        list(stream)
    return caught.value


BASIC = (FIXTURES / "basic_chat" / "stream.sse").read_bytes()
BEFORE_BLOCK_STOP = BASIC[: BASIC.index(b"event: content_block_stop")]


def test_truncated_stream_raises_with_the_partial_reply() -> None:
    error = stream_failure(BEFORE_BLOCK_STOP)
    assert "before message_stop" in str(error)
    assert error.partial is not None and error.partial.text.startswith("Hello! I'm here")
    assert error.partial.usage is not None and error.partial.usage.input_tokens == 10


def test_error_event_mid_stream_raises_with_the_partial_reply() -> None:
    event = (
        b'event: error\ndata: {"type":"error","error":'
        b'{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    )
    error = stream_failure(BEFORE_BLOCK_STOP + event)
    assert "(overloaded_error): Overloaded" in str(error)
    assert error.partial is not None and error.partial.text.startswith("Hello! I'm here")


def test_anthropic_error_status_is_typed_and_keeps_the_message() -> None:
    body = {
        "type": "error",
        "error": {"type": "new_api_error", "message": "upstream busy (request id: abc)"},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(529, json=body)

    transport = httpx.MockTransport(handler)
    client = WenwenClient(KEY, BASE, max_retries=0, http_client=httpx.Client(transport=transport))
    with client, pytest.raises(InternalServerError, match="upstream busy") as caught:
        client.chat(request_of(FIXTURES / "basic_chat"), protocol="anthropic")
    assert KEY not in str(caught.value)

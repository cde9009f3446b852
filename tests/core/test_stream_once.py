"""A ``ChatStream`` sends its request once: iterating it again raises
``StreamConsumedError`` (with the reply the first iteration accumulated) and sends nothing;
``until_done()`` after a full read returns that reply without a request."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.errors import StreamConsumedError, StreamError
from wenwen.types import ChatRequest

SCENARIO = Path(__file__).parents[1] / "wire" / "openai" / "basic_chat"
BASE = "http://127.0.0.1:9/v1"


def _request() -> ChatRequest:
    return ChatRequest.model_validate_json((SCENARIO / "request.json").read_text())


def _transport(sent: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(
            200,
            content=(SCENARIO / "stream.sse").read_bytes(),
            headers={"content-type": "text/event-stream"},
        )

    return httpx.MockTransport(handler)


def test_a_second_iteration_raises_and_sends_nothing() -> None:
    sent: list[httpx.Request] = []
    http = httpx.Client(transport=_transport(sent))
    with WenwenClient("sk-test", BASE, http_client=http) as client:
        stream = client.stream(_request())
        first = list(stream)
        assert first and len(sent) == 1
        with pytest.raises(StreamConsumedError) as caught:
            list(stream)
        assert len(sent) == 1
        assert isinstance(caught.value, StreamError)
        assert caught.value.partial == stream.response()
        assert stream.response().text
        assert stream.until_done() == stream.response()  # read already: no request
        assert len(sent) == 1


def test_until_done_after_an_interrupted_iteration_raises() -> None:
    sent: list[httpx.Request] = []
    http = httpx.Client(transport=_transport(sent))
    with WenwenClient("sk-test", BASE, http_client=http) as client:
        stream = client.stream(_request())
        for _ in stream:
            break  # the first event only
        with pytest.raises(StreamConsumedError):
            stream.until_done()
        assert len(sent) == 1


def test_async_a_second_iteration_raises_and_sends_nothing() -> None:
    async def scenario() -> None:
        sent: list[httpx.Request] = []
        http = httpx.AsyncClient(transport=_transport(sent))
        async with AsyncWenwenClient("sk-test", BASE, http_client=http) as client:
            stream = client.stream(_request())
            first = [event async for event in stream]
            assert first and len(sent) == 1
            with pytest.raises(StreamConsumedError) as caught:
                _ = [event async for event in stream]
            assert caught.value.partial == stream.response()
            assert await stream.until_done() == stream.response()
            assert len(sent) == 1

    asyncio.run(scenario())

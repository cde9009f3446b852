"""ChatWenwen's async calls on both transports (``async_transport="httpx"`` and
``"aiohttp"``): answers, streams, retries and broken streams behave the same."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk

from langchain_wenwen import ChatWenwen
from wenwen.errors import StreamError
from wenwen_emulator import Emulator

TRANSPORTS = ["httpx", "aiohttp"]


def model(emu: Emulator, transport: str, **params: Any) -> ChatWenwen:
    return ChatWenwen(
        model="gpt-4o-mini",
        base_url=emu.base_url,
        api_key=emu.api_key,
        async_transport=transport,
        **params,
    )


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_ainvoke_and_astream_agree(emu: Emulator, transport: str) -> None:
    llm = model(emu, transport)

    async def run() -> tuple[str, str, str]:
        whole = await llm.ainvoke("What is the capital of France? Paris is the capital.")
        chunks = [c async for c in llm.astream("What is the capital of France? Paris is.")]
        joined = chunks[0]
        for chunk in chunks[1:]:
            joined += chunk
        assert isinstance(joined, AIMessageChunk)
        client = await llm._clients.for_running_loop(llm._make_async_client)
        return str(whole.content), str(joined.content), client.async_transport

    whole, streamed, used = asyncio.run(run())
    assert used == transport
    assert whole and streamed == whole


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_async_429_is_retried_and_broken_stream_keeps_partial(
    emu: Emulator, transport: str
) -> None:
    llm = model(emu, transport)

    async def run() -> Any:
        emu.inject("status:429;retry_after_ms=10")
        reply = await llm.ainvoke("Hello")
        emu.inject("midstream_close:4")
        with pytest.raises(StreamError) as raised:
            async for _ in llm.astream("Tell me a long story about the Roman empire"):
                pass
        return reply, raised.value

    reply, error = asyncio.run(run())
    assert reply.content
    assert error.partial is not None and error.partial.text

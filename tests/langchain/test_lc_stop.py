"""``stop`` with ChatWenwen on every protocol, invoke and stream, sync and async: the text
ends before the stop sequence; on Responses (no stop on the wire) the client cut it and the
metadata says so."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_wenwen import ChatWenwen
from wenwen_emulator import Emulator

CASES = [
    ("gpt-4o-mini", "openai"),
    ("claude-sonnet-4-20250514", "anthropic"),
    ("gemini-2.5-flash", "gemini"),
    ("gpt-4o-mini", "responses"),
]


def collect(llm: ChatWenwen, mode: str) -> AIMessage:
    if mode == "invoke":
        return llm.invoke("hi", stop=["emu"])
    if mode == "ainvoke":
        return asyncio.run(llm.ainvoke("hi", stop=["emu"]))

    async def astream() -> list[AIMessageChunk]:
        return [c async for c in llm.astream("hi", stop=["emu"])]

    chunks = list(llm.stream("hi", stop=["emu"])) if mode == "stream" else asyncio.run(astream())
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
@pytest.mark.parametrize(("model", "protocol"), CASES, ids=[p for _, p in CASES])
def test_stop_cuts_the_text(emu: Emulator, model: str, protocol: str, mode: str) -> None:
    llm = ChatWenwen(model=model, protocol=protocol, base_url=emu.base_url, api_key=emu.api_key)
    whole = llm.invoke("hi").text
    result = collect(llm, mode)
    assert result.text == whole[: whole.index("emu")]
    assert result.response_metadata["finish_reason"] == "stop"
    client_cut = result.response_metadata.get("wenwen_client_stop")
    assert client_cut == ("emu" if protocol == "responses" else None)
    assert result.usage_metadata is not None and result.usage_metadata["output_tokens"] > 0

"""Streams that outlive their owner: ``for r in Wenwen(model=...).stream_chat(msgs)`` works when
nothing else references the model — a running stream keeps what it needs alive. A full
garbage collection runs before and during each stream, for every stream method of both adapters."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from llama_index.core.base.llms.types import ChatMessage

from langchain_wenwen import ChatWenwen
from llama_index_wenwen import Wenwen

SYSTEM = "The orchard behind the mill grows eleven kinds of pear."
QUESTION = "What grows in the orchard behind the mill?"


def _li(emu: Any) -> Wenwen:
    return Wenwen(model="gpt-4o-mini", api_key=emu.api_key, base_url=emu.base_url)


def _lc(emu: Any) -> ChatWenwen:
    return ChatWenwen(model="gpt-4o-mini", api_key=emu.api_key, base_url=emu.base_url)


def _li_messages() -> list[ChatMessage]:
    return [ChatMessage(role="system", content=SYSTEM), ChatMessage(role="user", content=QUESTION)]


def _collect(chunks: Iterator[Any]) -> list[Any]:
    gc.collect()  # the owner, referenced by nobody, goes now if it can
    out = []
    for chunk in chunks:
        if not out:
            gc.collect()  # and again once the request is on the wire
        out.append(chunk)
    return out


async def _acollect(chunks: AsyncIterator[Any]) -> list[Any]:
    gc.collect()
    out = []
    async for chunk in chunks:
        if not out:
            gc.collect()
        out.append(chunk)
    return out


def _sync_streams(emu: Any) -> dict[str, Any]:
    prompt = f"{SYSTEM}\n{QUESTION}"
    return {
        "li.stream_chat": lambda: [c.delta for c in _collect(_li(emu).stream_chat(_li_messages()))],
        "li.stream_complete": lambda: [c.delta for c in _collect(_li(emu).stream_complete(prompt))],
        "lc.stream": lambda: [
            c.text
            for c in _collect(_lc(emu).stream([SystemMessage(SYSTEM), HumanMessage(QUESTION)]))
        ],
    }


def _async_streams(emu: Any) -> dict[str, Any]:
    prompt = f"{SYSTEM}\n{QUESTION}"

    async def li_chat() -> list[str]:
        return [c.delta for c in await _acollect(await _li(emu).astream_chat(_li_messages()))]

    async def li_complete() -> list[str]:
        return [c.delta for c in await _acollect(await _li(emu).astream_complete(prompt))]

    async def lc_stream() -> list[str]:
        chunks = _lc(emu).astream([SystemMessage(SYSTEM), HumanMessage(QUESTION)])
        return [c.text for c in await _acollect(chunks)]

    return {"li.astream_chat": li_chat, "li.astream_complete": li_complete, "lc.astream": lc_stream}


@pytest.mark.parametrize("method", ["li.stream_chat", "li.stream_complete", "lc.stream"])
def test_sync_stream_of_an_unreferenced_model(emu: Any, method: str) -> None:
    deltas = _sync_streams(emu)[method]()
    assert "".join(d or "" for d in deltas) == SYSTEM
    assert len(deltas) > 3


@pytest.mark.parametrize("method", ["li.astream_chat", "li.astream_complete", "lc.astream"])
def test_async_stream_of_an_unreferenced_model(emu: Any, method: str) -> None:
    deltas = asyncio.run(_async_streams(emu)[method]())
    assert "".join(d or "" for d in deltas) == SYSTEM
    assert len(deltas) > 3

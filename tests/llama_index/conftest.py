"""Fixtures for the LlamaIndex conformance tests: ``Wenwen``/``WenwenEmbedding`` bound to the
session emulator, and a ``caller`` that runs each test through the sync and the async API
(each async call on a fresh event loop, which also proves the per-loop client handling)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, CompletionResponse
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent

from llama_index_wenwen import Wenwen, WenwenEmbedding
from wenwen._http import async_io as _async_io
from wenwen_emulator import Emulator

OPENAI_MODEL = "gpt-4o-mini"
ANTHROPIC_MODEL = "claude-sonnet-4-20250514"
GEMINI_MODEL = "gemini-2.5-flash"


@pytest.fixture(autouse=True)
def _no_openai_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing here may fall back to LlamaIndex's OpenAI defaults (Settings.llm)."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("IS_TESTING", raising=False)


@pytest.fixture
def make_llm(emu: Emulator) -> Callable[..., Wenwen]:
    def make(model: str = OPENAI_MODEL, **kwargs: Any) -> Wenwen:
        kwargs.setdefault("api_key", emu.api_key)
        kwargs.setdefault("base_url", emu.base_url)
        return Wenwen(model=model, **kwargs)

    return make


@pytest.fixture(
    params=[
        (OPENAI_MODEL, "auto"),
        (ANTHROPIC_MODEL, "auto"),
        (GEMINI_MODEL, "auto"),
        (OPENAI_MODEL, "responses"),
    ],
    ids=["openai", "anthropic", "gemini", "responses"],
)
def llm(request: pytest.FixtureRequest, make_llm: Callable[..., Wenwen]) -> Wenwen:
    """A ``Wenwen`` on each protocol: an OpenAI model, a Claude model and a Gemini model
    (``protocol="auto"`` sends them over Anthropic Messages and native Gemini) and the OpenAI
    model over OpenAI Responses."""
    model, protocol = request.param
    return make_llm(model=model, protocol=protocol)


@pytest.fixture
def openai_llm(make_llm: Callable[..., Wenwen]) -> Wenwen:
    """For tests that check the OpenAI wire format."""
    return make_llm(model=OPENAI_MODEL)


def _gemini_tool_choice(config: dict[str, Any]) -> Any:
    calling = config.get("functionCallingConfig", {})
    names = calling.get("allowedFunctionNames") or []
    if calling.get("mode") == "ANY" and len(names) == 1:
        return {"type": "function", "function": {"name": names[0]}}
    return {"ANY": "required"}.get(calling.get("mode"), str(calling.get("mode")).lower())


def _tool_choice_of(body: dict[str, Any]) -> Any:
    if "toolConfig" in body:
        return _gemini_tool_choice(body["toolConfig"])
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function" and "name" in choice:
        return {"type": "function", "function": {"name": choice["name"]}}  # Responses
    if not isinstance(choice, dict) or choice.get("type") in (None, "function"):
        return choice
    if choice["type"] == "tool":
        return {"type": "function", "function": {"name": choice["name"]}}
    return {"any": "required"}.get(choice["type"], choice["type"])


@pytest.fixture
def sent_tool_choice() -> Callable[[dict[str, Any]], Any]:
    """The tool choice of a request body in OpenAI's words, whatever the protocol."""
    return _tool_choice_of


@pytest.fixture
def make_embedding(emu: Emulator) -> Callable[..., WenwenEmbedding]:
    def make(**kwargs: Any) -> WenwenEmbedding:
        kwargs.setdefault("api_key", emu.api_key)
        kwargs.setdefault("base_url", emu.base_url)
        return WenwenEmbedding(**kwargs)

    return make


class Caller:
    """The same LLM calls through the sync or the async methods."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.is_async = kind.startswith("async")

    def run(self, sync: Callable[[], Any], coro: Callable[[], Awaitable[Any]]) -> Any:
        return asyncio.run(_awaited(coro)) if self.is_async else sync()

    def chat(self, llm: Wenwen, messages: list[ChatMessage], **kw: Any) -> ChatResponse:
        return self.run(lambda: llm.chat(messages, **kw), lambda: llm.achat(messages, **kw))

    def stream_chat(self, llm: Wenwen, messages: list[ChatMessage], **kw: Any) -> list[Any]:
        async def collect() -> list[Any]:
            return [c async for c in await llm.astream_chat(messages, **kw)]

        return self.run(lambda: list(llm.stream_chat(messages, **kw)), collect)

    def complete(self, llm: Wenwen, prompt: str, **kw: Any) -> CompletionResponse:
        return self.run(lambda: llm.complete(prompt, **kw), lambda: llm.acomplete(prompt, **kw))

    def stream_complete(self, llm: Wenwen, prompt: str, **kw: Any) -> list[Any]:
        async def collect() -> list[Any]:
            return [c async for c in await llm.astream_complete(prompt, **kw)]

        return self.run(lambda: list(llm.stream_complete(prompt, **kw)), collect)

    def chat_with_tools(self, llm: Wenwen, tools: list[Any], **kw: Any) -> ChatResponse:
        return self.run(
            lambda: llm.chat_with_tools(tools, **kw), lambda: llm.achat_with_tools(tools, **kw)
        )

    def stream_chat_with_tools(self, llm: Wenwen, tools: list[Any], **kw: Any) -> list[Any]:
        async def collect() -> list[Any]:
            return [c async for c in await llm.astream_chat_with_tools(tools, **kw)]

        return self.run(lambda: list(llm.stream_chat_with_tools(tools, **kw)), collect)

    def structured_predict(self, llm: Wenwen, cls: type, prompt: Any, **kw: Any) -> Any:
        return self.run(
            lambda: llm.structured_predict(cls, prompt, **kw),
            lambda: llm.astructured_predict(cls, prompt, **kw),
        )

    def stream_structured_predict(self, llm: Wenwen, cls: type, prompt: Any, **kw: Any) -> Any:
        async def collect() -> list[Any]:
            return [o async for o in await llm.astream_structured_predict(cls, prompt, **kw)]

        return self.run(lambda: list(llm.stream_structured_predict(cls, prompt, **kw)), collect)


async def _awaited(make: Callable[[], Awaitable[Any]]) -> Any:
    return await make()


@pytest.fixture(params=["sync", "async", "async-httpx"])
def caller(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Caller:
    """``async`` sends with the default transport (aiohttp), ``async-httpx`` with httpx."""
    if request.param == "async-httpx":
        monkeypatch.setattr(_async_io, "resolve_async_transport", lambda name, client: "httpx")
    return Caller(request.param)


class EventRecorder(BaseEventHandler):
    """Collects every instrumentation event while attached."""

    events: list[BaseEvent] = []

    @classmethod
    def class_name(cls) -> str:
        return "EventRecorder"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.events.append(event)

    def names(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


@pytest.fixture
def events() -> Iterator[EventRecorder]:
    recorder = EventRecorder(events=[])
    root = get_dispatcher()
    root.add_event_handler(recorder)
    try:
        yield recorder
    finally:
        root.event_handlers.remove(recorder)


@pytest.fixture
def chat_bodies(emu: Emulator) -> Callable[[], list[dict[str, Any]]]:
    """The JSON bodies the emulator received on its chat endpoints so far, in order (a
    Gemini body also lists its ``contents`` under ``messages``, parts as ``content``)."""

    def bodies() -> list[dict[str, Any]]:
        paths = ("/v1/chat/completions", "/v1/messages", "/v1/responses")
        out = []
        for r in emu.requests:
            if r.path in paths:
                out.append(r.json)
            elif "generateContent" in r.path or "streamGenerateContent" in r.path:
                turns = [{"role": c.get("role"), "content": c["parts"]} for c in r.json["contents"]]
                out.append({**r.json, "messages": turns})
        return out

    return bodies

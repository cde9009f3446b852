"""Fixtures shared by every test layer: one emulator per session on 127.0.0.1, and a client
fixture that runs each end-to-end test through the sync and the async client."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.types import ChatRequest, ChatResponse, EmbeddingResult, ModelInfo, StreamEvent
from wenwen_emulator import Emulator

# the plugin our pytest11 entry point loads for users; pytester runs it in a subprocess
pytest_plugins = ["wenwen_emulator.pytest_plugin", "pytester"]

# tests/compat drives third-party clients whose pins conflict with [dev]: `bash .ci/compat`
# runs them in their own venv with WENWEN_COMPAT=1; other runs do not collect the folder.
collect_ignore = [] if os.environ.get("WENWEN_COMPAT") else ["compat"]


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def emu(emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator, reset (faults, cache, recorded requests) around each test."""
    emulator.reset()
    yield emulator
    emulator.reset()


class BlockingClient:
    """Runs the same calls through ``WenwenClient`` or ``AsyncWenwenClient`` (a fresh async
    client per call, each on its own event loop; ``async`` sends with httpx,
    ``async-aiohttp`` with aiohttp)."""

    def __init__(self, kind: str, **options: Any) -> None:
        self.kind = kind
        self.options = options

    def _run(self, call: Any) -> Any:
        if self.kind == "sync":
            with WenwenClient(**self.options) as client:
                return call(client)
        transport = "aiohttp" if self.kind == "async-aiohttp" else "httpx"

        async def main() -> Any:
            async with AsyncWenwenClient(**self.options, async_transport=transport) as client:
                return await call(client)

        return asyncio.run(main())

    def chat(self, request: ChatRequest, protocol: str = "openai") -> ChatResponse:
        return self._run(lambda c: c.chat(request, protocol=protocol))

    def stream(
        self, request: ChatRequest, protocol: str = "openai"
    ) -> tuple[list[StreamEvent], ChatResponse]:
        if self.kind == "sync":

            def collect(client: WenwenClient) -> tuple[list[StreamEvent], ChatResponse]:
                with client.stream(request, protocol=protocol) as stream:
                    events = list(stream)
                    return events, stream.response()

            return self._run(collect)

        async def acollect(client: AsyncWenwenClient) -> tuple[list[StreamEvent], ChatResponse]:
            async with client.stream(request, protocol=protocol) as stream:
                events = [event async for event in stream]
                return events, stream.response()

        return self._run(acollect)

    def embed(self, texts: list[str], **kwargs: Any) -> EmbeddingResult:
        return self._run(lambda c: c.embed(texts, **kwargs))

    def list_models(self) -> list[ModelInfo]:
        return self._run(lambda c: c.list_models())


@pytest.fixture(params=["sync", "async", "async-aiohttp"])
def client_factory(request: pytest.FixtureRequest, emu: Emulator) -> Any:
    def make(**overrides: Any) -> BlockingClient:
        options: dict[str, Any] = {"api_key": emu.api_key, "base_url": emu.base_url}
        options.update(overrides)
        return BlockingClient(request.param, **options)

    return make


@pytest.fixture
def client(client_factory: Any) -> BlockingClient:
    return client_factory()

"""Video and Midjourney progress reaches every listener at each poll that reports a change:
the core's ``on_progress``, LangChain's ``wenwen_task_progress`` custom events and
LlamaIndex's ``WenwenTaskProgressEvent``, sync and async (the emulator's jobs report their
progress all the way from 0 to 100 %)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent

from langchain_wenwen.tools import WenwenMidjourneyTool, WenwenVideoGenerationTool
from llama_index_wenwen import WenwenToolSpec
from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.tasks import TaskProgress, WaitOptions
from wenwen_emulator import Emulator


def assert_forwarded(percents: list[float]) -> None:
    """Every change arrived: it starts at 0, ends at 100, never goes back, and shows the
    steps in between (the emulator's jobs move by ~10 % per default poll)."""
    assert percents[0] == 0 and percents[-1] == 100
    assert percents == sorted(percents)
    assert len({p for p in percents if 0 < p < 100}) >= 5, percents


class LangChainEvents(BaseCallbackHandler):
    def __init__(self) -> None:
        self.percents: list[float] = []

    def on_custom_event(self, name: str, data: Any, **_: Any) -> None:
        self.percents.append(data["percent"])


class AsyncLangChainEvents(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.percents: list[float] = []

    async def on_custom_event(self, name: str, data: Any, **_: Any) -> None:
        self.percents.append(data["percent"])


class LlamaIndexEvents(BaseEventHandler):
    percents: list[float] = []

    def handle(self, event: BaseEvent, **_: Any) -> None:
        percent = getattr(event, "percent", None)
        if percent is not None:
            self.percents.append(percent)


def test_core_waits_forward_every_change(
    sync_client: WenwenClient, temu: Emulator, drive: dict[str, Any]
) -> None:
    seen: list[TaskProgress] = []
    wait = WaitOptions(**drive, on_progress=seen.append)
    sync_client.midjourney.wait(sync_client.midjourney.imagine("a lighthouse"), options=wait)
    assert_forwarded([p.percent for p in seen])
    seen.clear()
    sync_client.videos.wait(sync_client.videos.create("waves", seconds=4), options=wait)
    assert_forwarded([p.percent for p in seen])

    async def main() -> list[float]:
        got: list[TaskProgress] = []
        options = WaitOptions(**drive, on_progress=got.append)
        async with AsyncWenwenClient(api_key=temu.api_key, base_url=temu.base_url) as client:
            await client.midjourney.wait(
                await client.midjourney.imagine("a comet"), options=options
            )
        return [p.percent for p in got]

    assert_forwarded(asyncio.run(main()))


@pytest.mark.parametrize(
    ("tool_class", "args"),
    [
        (WenwenMidjourneyTool, {"operation": "imagine", "prompt": "a lighthouse"}),
        (WenwenVideoGenerationTool, {"prompt": "waves", "seconds": 4}),
    ],
    ids=["midjourney", "video"],
)
def test_langchain_tools_forward_every_change(
    temu: Emulator, drive: dict[str, Any], tmp_path: Path, tool_class: Any, args: dict[str, Any]
) -> None:
    tool = tool_class(
        api_key=temu.api_key, base_url=temu.base_url, wait=WaitOptions(**drive),
        output_dir=str(tmp_path),
    )  # fmt: skip
    call = {"type": "tool_call", "id": "call_1", "name": tool.name, "args": args}
    events = LangChainEvents()
    tool.invoke(call, {"callbacks": [events]})
    assert_forwarded(events.percents)
    async_events = AsyncLangChainEvents()
    asyncio.run(tool.ainvoke(call, {"callbacks": [async_events]}))
    assert_forwarded(async_events.percents)


def test_llama_index_tools_forward_every_change(
    temu: Emulator, drive: dict[str, Any], tmp_path: Path
) -> None:
    spec = WenwenToolSpec(
        api_key=temu.api_key, base_url=temu.base_url, groups=["video", "midjourney"],
        task_wait=WaitOptions(**drive), output_dir=tmp_path,
    )  # fmt: skip
    handler = LlamaIndexEvents(percents=[])
    root = get_dispatcher()
    root.add_event_handler(handler)
    try:
        for run in (
            lambda: spec.midjourney_imagine("a lighthouse"),
            lambda: asyncio.run(spec.amidjourney_imagine("a lighthouse")),
            lambda: spec.generate_video("waves", seconds=4),
        ):
            handler.percents.clear()
            run()
            assert_forwarded(list(handler.percents))
    finally:
        root.event_handlers.remove(handler)

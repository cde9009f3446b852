"""LlamaIndex: the video and Midjourney groups of ``WenwenToolSpec`` (async-first, progress as
instrumentation events) and a FunctionAgent that uses them, on the emulator."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import ImageBlock, TextBlock, VideoBlock
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent

from llama_index_wenwen import Wenwen
from llama_index_wenwen.tools import WenwenToolSpec
from llama_index_wenwen.tools._tasks import WenwenTaskProgressEvent
from wenwen import TaskFailedError, TaskTimeoutError
from wenwen.tasks import WaitOptions
from wenwen_emulator import Emulator


class Collect(BaseEventHandler):
    events: list[BaseEvent] = []

    @classmethod
    def class_name(cls) -> str:
        return "CollectTaskEvents"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        if isinstance(event, WenwenTaskProgressEvent):
            self.events.append(event)


@pytest.fixture
def progress() -> Iterator[list[BaseEvent]]:
    handler = Collect(events=[])
    root = get_dispatcher()
    root.add_event_handler(handler)
    yield handler.events
    root.event_handlers.remove(handler)


@pytest.fixture
def spec(temu: Emulator, drive: dict[str, Any], tmp_path: Path) -> WenwenToolSpec:
    return WenwenToolSpec(
        api_key=temu.api_key, base_url=temu.base_url, groups=["video", "midjourney"],
        task_wait=WaitOptions(**drive), output_dir=tmp_path,
    )  # fmt: skip


def test_spec_lists_the_task_operations(spec: WenwenToolSpec) -> None:
    names = [t.metadata.name for t in spec.to_tool_list()]
    assert names == [
        "generate_video", "resume_video", "midjourney_imagine", "midjourney_action",
        "midjourney_blend",
    ]  # fmt: skip
    assert all(t.async_fn is not None for t in spec.to_tool_list())
    tools = {t.metadata.name: t for t in spec.to_tool_list()}
    # the model reads the sync method's docstring, whatever the async twin says
    assert "Make a short video" in tools["generate_video"].metadata.description
    assert "Wait for an earlier video task" in tools["resume_video"].metadata.description


async def test_generate_video_async_with_progress(
    spec: WenwenToolSpec, progress: list[BaseEvent]
) -> None:
    result = await spec.agenerate_video("a paper lantern rising", seconds=4)
    text, video = result.blocks
    assert isinstance(text, TextBlock) and isinstance(video, VideoBlock)
    assert str(result) == text.text and result.path == video.path
    assert video.path is not None and video.path.read_bytes()[4:8] == b"ftyp"
    task_id = text.text.split()[2]
    assert [e.task_id for e in progress] == [task_id] * len(progress)  # type: ignore[attr-defined]
    assert progress[-1].percent == 100  # type: ignore[attr-defined]


def test_kling_first_last_frame_sync(spec: WenwenToolSpec, tmp_path: Path) -> None:
    image = tmp_path / "frame.png"
    image.write_bytes(base64.b64decode(PNG_B64))
    spec.options["video_model"] = "kling-v1"
    result = spec.generate_video("dawn to dusk", str(image), str(image), seconds=10)
    assert "finished (succeed)" in str(result) and isinstance(result.video, VideoBlock)


async def test_timeout_then_resume_and_failure(
    temu: Emulator, drive: dict[str, Any], spec: WenwenToolSpec
) -> None:
    spec.options["task_timeout"] = 5
    with pytest.raises(TaskTimeoutError) as caught:
        await spec.agenerate_video("a slow tide", seconds=12)
    spec.options["task_timeout"] = 600
    resumed = await spec.aresume_video(caught.value.task_id)
    assert resumed.task_id == caught.value.task_id and caught.value.task_id in str(resumed)
    with pytest.raises(TaskFailedError, match="nsfw filter"):
        await spec.agenerate_video("x [fail: nsfw filter]")


async def test_midjourney_imagine_action_blend(spec: WenwenToolSpec, tmp_path: Path) -> None:
    text, grid = await spec.amidjourney_imagine("a lantern festival")
    assert isinstance(grid, ImageBlock) and "U1, U2, U3, U4" in text.text
    task_id = text.text.split()[2]
    text, upscaled = await spec.amidjourney_action(task_id, "U4")
    assert (
        isinstance(upscaled, ImageBlock)
        and "(UPSCALE)" in text.text
        and "Vary (Subtle)" in text.text
    )
    image = tmp_path / "in.png"
    image.write_bytes(base64.b64decode(PNG_B64))
    text, _ = spec.midjourney_blend([str(image), str(image), str(image)])
    assert "(BLEND)" in text.text


def test_function_agent_makes_a_video(
    temu: Emulator, spec: WenwenToolSpec, progress: list[BaseEvent]
) -> None:
    import asyncio

    llm = Wenwen(model="gpt-4o-mini", api_key=temu.api_key, base_url=temu.base_url)
    agent = FunctionAgent(tools=spec.to_tool_list(spec_functions=["generate_video"]), llm=llm)

    async def run() -> list[Any]:
        handler = agent.run("Use generate_video: 'a red kite over a beach'")
        seen = [event async for event in handler.stream_events()]
        await handler
        return seen

    seen = asyncio.run(run())
    results = [e for e in seen if isinstance(e, ToolCallResult)]
    assert results and results[0].tool_name == "generate_video"
    assert "Video task" in results[0].tool_output.content and progress
    assert isinstance(results[0].tool_output.raw_output.video, VideoBlock)


PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVQI12P4//8/AAX+Av6n1qSpAAAAAElFTkSuQmCC"
)


def test_function_agent_midjourney_and_kling(temu: Emulator, spec: WenwenToolSpec) -> None:
    import asyncio

    llm = Wenwen(model="gpt-4o-mini", api_key=temu.api_key, base_url=temu.base_url)
    agent = FunctionAgent(tools=spec.to_tool_list(), llm=llm)

    async def ask(text: str) -> ToolCallResult:
        handler = agent.run(text)
        seen = [event async for event in handler.stream_events()]
        await handler
        return next(e for e in seen if isinstance(e, ToolCallResult))

    grid = asyncio.run(ask("Use midjourney_imagine: 'a paper crane'"))
    assert grid.tool_name == "midjourney_imagine" and "U1, U2" in grid.tool_output.content
    task_id = grid.tool_output.content.split()[2]
    up = asyncio.run(ask(f"Use midjourney_action: task_id '{task_id}', button 'U2'"))
    assert "(UPSCALE)" in up.tool_output.content
    spec.options["video_model"] = "kling-v1"
    kling = asyncio.run(ask("Use generate_video: 'a crane takes off'"))
    assert "finished (succeed)" in kling.tool_output.content

"""LangChain: the video and Midjourney tools (progress as custom events, content and artifact),
the resumable task Runnable, and an agent that calls the tools, all on the emulator."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from uuid import UUID

import av
import pytest
from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler
from langchain_core.messages import ToolMessage

from langchain_wenwen.tasks import WenwenTaskRunnable
from langchain_wenwen.tools import WenwenMidjourneyTool, WenwenVideoGenerationTool
from wenwen import TaskFailedError, TaskTimeoutError
from wenwen.tasks import WaitOptions
from wenwen_emulator import Emulator

PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVQI12P4//8/AAX+Av6n1qSpAAAAAElFTkSuQmCC"
)


class Events(BaseCallbackHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def on_custom_event(
        self, name: str, data: Any, *, run_id: UUID, tags: Any = None, metadata: Any = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        self.events.append((name, data))


class AsyncEvents(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    async def on_custom_event(
        self, name: str, data: Any, *, run_id: UUID, tags: Any = None, metadata: Any = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        self.events.append((name, data))


def connection(temu: Emulator, drive: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "api_key": temu.api_key, "base_url": temu.base_url, "wait": WaitOptions(**drive),
        **extra,
    }  # fmt: skip


def call(tool: Any, **args: Any) -> dict[str, Any]:
    return {"type": "tool_call", "id": "call_1", "name": tool.name, "args": args}


def frames(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "check.mp4"
    path.write_bytes(data)
    with av.open(str(path)) as container:
        return len(list(container.decode(video=0)))


def test_video_tool_reports_progress_and_returns_a_video_block(
    temu: Emulator, drive: dict[str, Any], tmp_path: Path
) -> None:
    tool = WenwenVideoGenerationTool(**connection(temu, drive, output_dir=str(tmp_path)))
    events = Events()
    message = tool.invoke(call(tool, prompt="a paper boat", seconds=4), {"callbacks": [events]})
    assert isinstance(message, ToolMessage)
    block = message.artifact[0]
    assert block["type"] == "video" and block["mime_type"] == "video/mp4"
    task_id = block["extras"]["task_id"]
    assert task_id in message.content and Path(block["extras"]["path"]).is_file()
    assert frames(base64.b64decode(block["base64"]), tmp_path) == 4
    progress = [data for name, data in events.events if name == "wenwen_task_progress"]
    assert progress[0]["task_id"] == task_id and progress[-1]["percent"] == 100
    assert [p["percent"] for p in progress] == sorted(p["percent"] for p in progress)


async def test_video_tool_async_image_to_video_and_kling(
    temu: Emulator, drive: dict[str, Any], tmp_path: Path
) -> None:
    image = tmp_path / "start.png"
    image.write_bytes(base64.b64decode(PNG_B64))
    events = AsyncEvents()
    tool = WenwenVideoGenerationTool(**connection(temu, drive, root_dir=tmp_path))
    message = await tool.ainvoke(
        call(tool, prompt="the picture comes alive", image_path=str(image)),
        {"callbacks": [events]},
    )
    assert message.artifact[0]["type"] == "video"
    assert any(
        r.path == "/v1/videos" and b'name="input_reference"' in r.body for r in temu.requests
    )
    assert events.events and events.events[-1][1]["percent"] == 100
    kling = WenwenVideoGenerationTool(
        **connection(temu, drive, model="kling-v1", root_dir=tmp_path)
    )
    message = await kling.ainvoke(
        call(kling, prompt="sunrise to sunset", image_path=str(image), last_frame_path=str(image))
    )
    assert message.artifact[0]["extras"]["route"] == "kling-image2video"
    assert frames(base64.b64decode(message.artifact[0]["base64"]), tmp_path) == 5


def test_video_tool_failure_raises_and_timeout_names_the_task(
    temu: Emulator, drive: dict[str, Any]
) -> None:
    tool = WenwenVideoGenerationTool(**connection(temu, drive))
    with pytest.raises(TaskFailedError, match="blocked"):
        tool.invoke(call(tool, prompt="rain [fail: blocked]"))
    short = WenwenVideoGenerationTool(**connection(temu, drive, task_timeout=5))
    with pytest.raises(TaskTimeoutError) as caught:
        short.invoke(call(short, prompt="a long glacier", seconds=12))
    message = tool.invoke(call(tool, prompt="", resume_task_id=caught.value.task_id))
    assert message.artifact[0]["extras"]["task_id"] == caught.value.task_id


def test_midjourney_tool_imagine_then_upscale(temu: Emulator, drive: dict[str, Any]) -> None:
    tool = WenwenMidjourneyTool(**connection(temu, drive, mode="FAST"))
    events = Events()
    grid = tool.invoke(
        call(tool, operation="imagine", prompt="a koi pond"), {"callbacks": [events]}
    )
    extras = grid.artifact[0]["extras"]
    assert grid.artifact[0]["type"] == "image" and extras["buttons"][:2] == ["U1", "U2"]
    assert f"task_id={extras['task_id']!r}" in grid.content
    assert {d["status"] for _, d in events.events} >= {"IN_PROGRESS", "SUCCESS"}
    up = tool.invoke(call(tool, operation="action", task_id=extras["task_id"], button="U2"))
    assert up.artifact[0]["extras"]["action"] == "UPSCALE"
    assert "Upscale (Subtle)" in up.content


async def test_midjourney_tool_async_blend(
    temu: Emulator, drive: dict[str, Any], tmp_path: Path
) -> None:
    tool = WenwenMidjourneyTool(**connection(temu, drive, root_dir=tmp_path))
    image = tmp_path / "a.png"
    image.write_bytes(base64.b64decode(PNG_B64))
    message = await tool.ainvoke(call(tool, operation="blend", image_paths=[str(image)] * 2))
    assert message.artifact[0]["extras"]["action"] == "BLEND"


def test_runnable_resumes_from_a_task_id(
    temu: Emulator, drive: dict[str, Any], tmp_path: Path
) -> None:
    job = WenwenTaskRunnable(**connection(temu, drive, task_timeout=5, output_dir=str(tmp_path)))
    events = Events()
    with pytest.raises(TaskTimeoutError) as caught:
        job.invoke("a slow sunrise", {"callbacks": [events]})
    assert events.events  # progress arrived before the deadline
    patient = job.model_copy(update={"task_timeout": 600})
    result = patient.invoke({"task_id": caught.value.task_id})
    assert result["task_id"] == caught.value.task_id and result["status"] == "completed"
    assert Path(result["path"]).read_bytes()[4:8] == b"ftyp"


async def test_runnable_midjourney_async(temu: Emulator, drive: dict[str, Any]) -> None:
    job = WenwenTaskRunnable(**connection(temu, drive, kind="midjourney"))
    events = AsyncEvents()
    grid = await job.ainvoke("a paper crane", {"callbacks": [events]})
    assert grid["buttons"][0] == "U1" and events.events
    upscaled = await job.ainvoke({"task_id": grid["task_id"], "button": "U3"})
    assert upscaled["action"] == "UPSCALE" and upscaled["status"] == "SUCCESS"


def test_agent_calls_the_video_tool(temu: Emulator, drive: dict[str, Any]) -> None:
    from langchain.agents import create_agent

    from langchain_wenwen import ChatWenwen

    llm = ChatWenwen(model="gpt-4o-mini", api_key=temu.api_key, base_url=temu.base_url)
    tool = WenwenVideoGenerationTool(**connection(temu, drive))
    agent = create_agent(llm, tools=[tool])
    events = Events()
    result = agent.invoke(
        {"messages": [{"role": "user", "content": "Use wenwen_video_generation: 'a red kite'"}]},
        {"callbacks": [events]},
    )
    tool_messages = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert tool_messages and tool_messages[0].artifact[0]["type"] == "video"
    assert any(name == "wenwen_task_progress" for name, _ in events.events)


def test_agent_runs_midjourney_imagine_then_upscale_and_image_and_kling_videos(
    temu: Emulator, drive: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langchain.agents import create_agent

    from langchain_wenwen import ChatWenwen

    monkeypatch.chdir(tmp_path)  # a path without digits: the mock model reads numbers as args
    image = Path("start.png")
    image.write_bytes(base64.b64decode(PNG_B64))
    llm = ChatWenwen(model="gpt-4o-mini", api_key=temu.api_key, base_url=temu.base_url)
    mj = WenwenMidjourneyTool(**connection(temu, drive))
    video = WenwenVideoGenerationTool(**connection(temu, drive, root_dir=tmp_path))
    kling = WenwenVideoGenerationTool(
        **connection(temu, drive, model="kling-v1"), name="kling_video_generation"
    )
    agent = create_agent(llm, tools=[mj, video, kling])

    def ask(text: str) -> ToolMessage:
        result = agent.invoke({"messages": [{"role": "user", "content": text}]})
        return next(m for m in result["messages"] if isinstance(m, ToolMessage))

    grid = ask("Use wenwen_midjourney to imagine 'a koi pond'")
    task_id = grid.artifact[0]["extras"]["task_id"]
    upscaled = ask(f"Use wenwen_midjourney: operation 'action', task_id '{task_id}', button 'U2'")
    assert upscaled.artifact[0]["extras"]["action"] == "UPSCALE"
    moving = ask(f"Use wenwen_video_generation: 'the koi swim', image_path '{image}'")
    assert moving.artifact[0]["extras"]["route"] == "openai"
    assert any(r.headers.get("content-type", "").startswith("multipart/") for r in temu.requests)
    kling_message = ask("Use kling_video_generation: 'a koi leaps'")
    assert kling_message.artifact[0]["extras"]["route"] == "kling-text2video"

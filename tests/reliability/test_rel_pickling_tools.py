"""The media and task tools pickle like the models (process pools, Ray, Dask, Spark): fresh or
used, with their clients built or not; the copy builds its own connections and works."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable
from typing import Any

import cloudpickle
import pytest

from langchain_wenwen import (
    WenwenImageGenerationTool,
    WenwenTaskRunnable,
    WenwenTextToSpeechTool,
    WenwenVideoGenerationTool,
    WenwenWhisperParser,
)
from llama_index_wenwen import WenwenAudioReader, WenwenToolSpec
from wenwen_emulator import Emulator

PICKLERS: dict[str, Callable[[Any], Any]] = {
    "pickle": lambda obj: pickle.loads(pickle.dumps(obj)),
    "cloudpickle": lambda obj: cloudpickle.loads(cloudpickle.dumps(obj)),
}


def _tools(emu: Emulator) -> dict[str, Any]:
    common = {"api_key": emu.api_key, "base_url": emu.base_url}
    return {
        "image tool": WenwenImageGenerationTool(**common),
        "speech tool": WenwenTextToSpeechTool(**common),
        "video tool": WenwenVideoGenerationTool(**common),
        "task runnable": WenwenTaskRunnable(**common),
        "whisper parser": WenwenWhisperParser(**common),
        "tool spec": WenwenToolSpec(**common),
        "audio reader": WenwenAudioReader(**common),
    }


def _draw(tool: Any) -> bytes:
    """One real call through a tool that owns clients: the image bytes it produced."""
    if isinstance(tool, WenwenImageGenerationTool):
        message = tool.invoke(
            {"type": "tool_call", "id": "c1", "name": tool.name, "args": {"prompt": "a red kite"}}
        )
        return bytes(message.artifact[0]["base64"], "ascii")
    blocks = tool.generate_image("a red kite")
    return next(b.image for b in blocks if getattr(b, "image", None))


@pytest.mark.parametrize("pickler", list(PICKLERS))
def test_every_tool_round_trips_fresh_and_used(emu: Emulator, pickler: str) -> None:
    for name, tool in _tools(emu).items():
        copy = PICKLERS[pickler](tool)
        assert type(copy) is type(tool), name
    for tool in (WenwenImageGenerationTool(api_key=emu.api_key, base_url=emu.base_url),
                 WenwenToolSpec(api_key=emu.api_key, base_url=emu.base_url)):  # fmt: skip
        before = _draw(tool)  # sync clients built
        if isinstance(tool, WenwenImageGenerationTool):
            asyncio.run(tool.ainvoke({"prompt": "a blue kite"}))  # and an async one
        copy = PICKLERS[pickler](tool)
        assert _draw(copy) == before

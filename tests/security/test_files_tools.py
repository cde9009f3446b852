"""Every tool, tool-spec function and runnable that takes a path from its arguments reads it
only inside ``root_dir`` (or its own ``output_dir``): ``/etc/passwd``, a file outside, a
``..`` escape and a link out of the root are refused with a ``FileAccessError`` naming the
setting, and nothing reaches the relay."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from langchain_wenwen.tasks import WenwenTaskRunnable
from langchain_wenwen.tools import (
    WenwenImageEditTool,
    WenwenMidjourneyTool,
    WenwenSpeechToTextTool,
    WenwenTextToSpeechTool,
    WenwenVideoGenerationTool,
)
from llama_index_wenwen.tools import WenwenToolSpec
from wenwen.errors import FileAccessError, InvalidFileError
from wenwen_emulator import Emulator
from wenwen_emulator.png import png_from_prompt
from wenwen_emulator.speech import speak_wav

PNG = png_from_prompt("tools", 8, 8)
WAV = speak_wav("tools")

# A tool under test: (framework, how to call it with one path; sync and async where it has both)
Caller = Callable[[dict[str, Any], str], Any]


def _lc(tool_class: type, build_args: Callable[[str], dict[str, Any]], **extra: Any) -> Caller:
    def call(settings: dict[str, Any], path: str) -> Any:
        tool = tool_class(**settings, **extra)
        message = {"type": "tool_call", "id": "1", "name": tool.name, "args": build_args(path)}
        return tool.invoke(message)

    return call


def _lc_async(tool_class: type, build_args: Callable[[str], dict[str, Any]]) -> Caller:
    def call(settings: dict[str, Any], path: str) -> Any:
        tool = tool_class(**settings)
        message = {"type": "tool_call", "id": "1", "name": tool.name, "args": build_args(path)}
        return asyncio.run(tool.ainvoke(message))

    return call


def _li(function: str, build_args: Callable[[str], dict[str, Any]]) -> Caller:
    def call(settings: dict[str, Any], path: str) -> Any:
        tools = {
            t.metadata.name: t for t in WenwenToolSpec(**_li_settings(settings)).to_tool_list()
        }
        return tools[function].call(**build_args(path))

    return call


def _li_async(function: str, build_args: Callable[[str], dict[str, Any]]) -> Caller:
    def call(settings: dict[str, Any], path: str) -> Any:
        spec = WenwenToolSpec(**_li_settings(settings))
        return asyncio.run(getattr(spec, "a" + function)(**build_args(path)))

    return call


def _li_settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in settings.items() if k in ("api_key", "base_url", "root_dir")}


def _runnable(key: str) -> Caller:
    def call(settings: dict[str, Any], path: str) -> Any:
        job = WenwenTaskRunnable(**settings, task_timeout=5)
        return job.invoke({"prompt": "x", key: path})

    return call


def _runnable_async(key: str) -> Caller:
    def call(settings: dict[str, Any], path: str) -> Any:
        job = WenwenTaskRunnable(**settings, task_timeout=5)
        return asyncio.run(job.ainvoke({"prompt": "x", key: path}))

    return call


CALLERS: dict[str, tuple[Caller, str]] = {
    "lc image edit": (
        _lc(WenwenImageEditTool, lambda p: {"prompt": "x", "image_paths": [p]}),
        "image",
    ),
    "lc image edit mask": (
        _lc(
            WenwenImageEditTool,
            lambda p: {"prompt": "x", "image_paths": ["in.png"], "mask_path": p},
        ),
        "image",
    ),
    "lc image edit async": (
        _lc_async(WenwenImageEditTool, lambda p: {"prompt": "x", "image_paths": [p]}),
        "image",
    ),
    "lc speech to text": (_lc(WenwenSpeechToTextTool, lambda p: {"audio_path": p}), "audio"),
    "lc speech to text async": (
        _lc_async(WenwenSpeechToTextTool, lambda p: {"audio_path": p}),
        "audio",
    ),
    "lc video image": (
        _lc(WenwenVideoGenerationTool, lambda p: {"prompt": "x", "image_path": p}),
        "image",
    ),
    "lc video last frame": (
        _lc(
            WenwenVideoGenerationTool,
            lambda p: {"prompt": "x", "image_path": "in.png", "last_frame_path": p},
            model="kling-v1",
        ),
        "image",
    ),
    "lc video async": (
        _lc_async(WenwenVideoGenerationTool, lambda p: {"prompt": "x", "image_path": p}),
        "image",
    ),
    "lc midjourney blend": (
        _lc(WenwenMidjourneyTool, lambda p: {"operation": "blend", "image_paths": ["in.png", p]}),
        "image",
    ),
    "lc midjourney imagine": (
        _lc(
            WenwenMidjourneyTool,
            lambda p: {"operation": "imagine", "prompt": "x", "image_paths": [p]},
        ),
        "image",
    ),
    "lc midjourney async": (
        _lc_async(WenwenMidjourneyTool, lambda p: {"operation": "blend", "image_paths": [p, p]}),
        "image",
    ),
    "lc task runnable image": (_runnable("image"), "image"),
    "lc task runnable last frame": (_runnable("last_frame"), "image"),
    "lc task runnable async": (_runnable_async("image"), "image"),
    "li edit_image": (_li("edit_image", lambda p: {"prompt": "x", "image_paths": [p]}), "image"),
    "li edit_image mask": (
        _li("edit_image", lambda p: {"prompt": "x", "image_paths": ["in.png"], "mask_path": p}),
        "image",
    ),
    "li aedit_image": (
        _li_async("edit_image", lambda p: {"prompt": "x", "image_paths": [p]}),
        "image",
    ),
    "li speech_to_text": (_li("speech_to_text", lambda p: {"audio_path": p}), "audio"),
    "li aspeech_to_text": (_li_async("speech_to_text", lambda p: {"audio_path": p}), "audio"),
    "li generate_video": (
        _li("generate_video", lambda p: {"prompt": "x", "image_path": p}),
        "image",
    ),
    "li generate_video last frame": (
        _li(
            "generate_video",
            lambda p: {"prompt": "x", "image_path": "in.png", "last_frame_path": p},
        ),
        "image",
    ),
    "li agenerate_video": (
        _li_async("generate_video", lambda p: {"prompt": "x", "image_path": p}),
        "image",
    ),
    "li midjourney_blend": (
        _li("midjourney_blend", lambda p: {"image_paths": ["in.png", p]}),
        "image",
    ),
    "li amidjourney_blend": (
        _li_async("midjourney_blend", lambda p: {"image_paths": [p, p]}),
        "image",
    ),
}


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Any]:
    """``root/`` (allowed) holds media; beside it a secret, media-shaped file, and links out."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "in.png").write_bytes(PNG)
    (root / "in.wav").write_bytes(WAV)
    secret_png, secret_wav = tmp_path / "secret.png", tmp_path / "secret.wav"
    secret_png.write_bytes(PNG)
    secret_wav.write_bytes(WAV)
    (root / "link.png").symlink_to(secret_png)
    (root / "link.wav").symlink_to(secret_wav)
    return {"root": root, "png": secret_png, "wav": secret_wav}


def _hostile_paths(layout: dict[str, Any], kind: str) -> list[str]:
    suffix = "png" if kind == "image" else "wav"
    outside = layout[suffix]
    return [
        "/etc/passwd",
        str(outside),
        f"../{outside.name}",
        f"link.{suffix}",
        str(layout["root"] / f"link.{suffix}"),
    ]


@pytest.mark.parametrize("name", list(CALLERS))
def test_paths_outside_root_dir_are_refused_and_nothing_is_sent(
    emu: Emulator, layout: dict[str, Any], name: str
) -> None:
    call, kind = CALLERS[name]
    settings = {"api_key": emu.api_key, "base_url": emu.base_url, "root_dir": layout["root"]}
    for path in _hostile_paths(layout, kind):
        with pytest.raises(FileAccessError) as caught:
            call(settings, path)
        assert caught.value.setting == "root_dir" and caught.value.path == path
    assert emu.requests == []


@pytest.mark.parametrize("name", list(CALLERS))
def test_without_root_dir_no_path_is_read(emu: Emulator, layout: dict[str, Any], name: str) -> None:
    call, kind = CALLERS[name]
    settings = {"api_key": emu.api_key, "base_url": emu.base_url}
    inside = str(layout["root"] / ("in.png" if kind == "image" else "in.wav"))
    with pytest.raises(FileAccessError) as caught:
        call(settings, inside)
    assert caught.value.setting == "root_dir"
    assert emu.requests == []


@pytest.mark.parametrize("name", [n for n in CALLERS if "async" not in n and "aspeech" not in n])
def test_a_text_file_named_like_media_and_an_empty_file_are_refused_unsent(
    emu: Emulator, layout: dict[str, Any], name: str
) -> None:
    call, kind = CALLERS[name]
    root = layout["root"]
    suffix = "png" if kind == "image" else "wav"
    (root / f"notes.{suffix}").write_text("API_KEY=sk-not-media\n")
    (root / f"empty.{suffix}").touch()
    settings = {"api_key": emu.api_key, "base_url": emu.base_url, "root_dir": root}
    reasons = []
    for path in (f"notes.{suffix}", f"empty.{suffix}", f"missing.{suffix}"):
        with pytest.raises(InvalidFileError) as caught:
            call(settings, path)
        reasons.append(caught.value.reason)
    assert reasons == ["wrong_kind", "empty", "missing"]
    assert emu.requests == []


def test_a_tool_reads_what_its_own_output_dir_holds(emu: Emulator, tmp_path: Path) -> None:
    """Speech saved by one tool can be transcribed by a tool whose output_dir is that folder,
    with no root_dir at all."""
    (tmp_path / "said.wav").write_bytes(WAV)
    listen = WenwenSpeechToTextTool(
        api_key=emu.api_key, base_url=emu.base_url, output_dir=str(tmp_path)
    )
    message = listen.invoke(
        {"type": "tool_call", "id": "1", "name": listen.name, "args": {"audio_path": "said.wav"}}
    )
    assert message.content == "tools"
    assert [r.path for r in emu.requests] == ["/v1/audio/transcriptions"]


def test_a_file_saved_under_a_relative_output_dir_can_be_named_as_reported(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = {"api_key": emu.api_key, "base_url": emu.base_url, "output_dir": "out"}
    speak = WenwenTextToSpeechTool(audio_format="wav", **settings)
    spoken = speak.invoke({"type": "tool_call", "id": "1", "name": speak.name,
                           "args": {"text": "Round trip."}})  # fmt: skip
    saved = spoken.artifact[0]["extras"]["path"]
    assert not Path(saved).is_absolute() and saved in spoken.content
    listen = WenwenSpeechToTextTool(**settings)
    heard = listen.invoke({"type": "tool_call", "id": "2", "name": listen.name,
                           "args": {"audio_path": saved}})  # fmt: skip
    assert heard.content == "Round trip."

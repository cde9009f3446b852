"""LangChain media surface: the four tools (content_and_artifact, sync and native async,
ChatWenwen's connection settings), the Whisper parser and loader, chat audio replies, and the
media agent example."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents.base import Blob
from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage
from langchain_core.tools import BaseTool

from langchain_wenwen import (
    ChatWenwen,
    WenwenAudioLoader,
    WenwenImageEditTool,
    WenwenImageGenerationTool,
    WenwenSpeechToTextTool,
    WenwenTextToSpeechTool,
    WenwenWhisperParser,
)
from tests._oracles import decode_png
from wenwen.errors import InvalidFileError
from wenwen_emulator import Emulator
from wenwen_emulator.png import png_from_prompt
from wenwen_emulator.speech import decode_speech, read_wav, speak_wav

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def connection(emu: Emulator) -> dict[str, Any]:
    return {"api_key": emu.api_key, "base_url": emu.base_url}


@pytest.fixture(params=["sync", "async"])
def run_tool(request: pytest.FixtureRequest) -> Any:
    def run(tool: BaseTool, args: dict[str, Any]) -> ToolMessage:
        call = {"type": "tool_call", "id": "call-1", "name": tool.name, "args": args}
        message = tool.invoke(call) if request.param == "sync" else asyncio.run(tool.ainvoke(call))
        assert isinstance(message, ToolMessage)
        return message

    return run


def png_of(block: dict[str, Any]) -> tuple[int, int, int, list[bytes]]:
    assert block["type"] == "image" and block["mime_type"] == "image/png"
    return decode_png(base64.b64decode(block["base64"]))


def test_generation_tool_returns_text_and_an_image_block(
    connection: dict[str, Any], run_tool: Any, tmp_path: Path
) -> None:
    tool = WenwenImageGenerationTool(output_dir=str(tmp_path), **connection)
    assert tool.response_format == "content_and_artifact"
    assert tool.tool_call_schema.model_json_schema()["required"] == ["prompt"]
    message = run_tool(tool, {"prompt": "a lighthouse", "size": "1024x1536"})
    assert message.content.startswith("Generated 1 image(s) for: 'a lighthouse'.")
    (block,) = message.artifact
    assert png_of(block)[:2] == (1024, 1536)
    saved = Path(block["extras"]["path"])
    assert saved.parent == tmp_path and str(saved) in message.content
    assert saved.read_bytes() == base64.b64decode(block["base64"])


def test_dalle_urls_are_fetched_into_the_artifact(
    connection: dict[str, Any], run_tool: Any
) -> None:
    tool = WenwenImageGenerationTool(model="dall-e-3", style="natural", **connection)
    message = run_tool(tool, {"prompt": "a harbour"})
    (block,) = message.artifact
    assert block["extras"]["url"].startswith(connection["base_url"] + "/files/")
    assert "Revised prompt" in message.content and png_of(block)[:2] == (1024, 1024)


def test_edit_tool_edits_files(connection: dict[str, Any], run_tool: Any, tmp_path: Path) -> None:
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    first.write_bytes(png_from_prompt("a", 40, 40))
    second.write_bytes(png_from_prompt("b", 20, 20))
    tool = WenwenImageEditTool(root_dir=tmp_path, **connection)
    message = run_tool(tool, {"prompt": "merge", "image_paths": [str(first), str(second)]})
    edited = png_of(message.artifact[0])
    assert edited[:2] == (40, 40) and edited[3] != decode_png(first.read_bytes())[3]
    with pytest.raises(InvalidFileError, match="does not exist"):
        run_tool(tool, {"prompt": "x", "image_paths": [str(tmp_path / "missing.png")]})


def test_speech_tools_round_trip(connection: dict[str, Any], run_tool: Any, tmp_path: Path) -> None:
    speak = WenwenTextToSpeechTool(audio_format="wav", output_dir=str(tmp_path), **connection)
    message = run_tool(speak, {"text": "Tools can talk."})
    (block,) = message.artifact
    assert block["type"] == "audio" and block["mime_type"] == "audio/wav"
    info = read_wav(base64.b64decode(block["base64"]))
    assert info is not None and decode_speech(info) == "Tools can talk."
    listen = WenwenSpeechToTextTool(root_dir=str(tmp_path), **connection)
    heard = run_tool(listen, {"audio_path": block["extras"]["path"], "language": "en"})
    assert heard.content == "Tools can talk."
    assert heard.artifact[0]["type"] == "text"
    assert heard.artifact[0]["extras"]["language"] == "en"


def test_tools_read_the_same_settings_as_chat_wenwen(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WENWEN_API_KEY", emu.api_key)
    monkeypatch.setenv("WENWEN_BASE_URL", emu.base_url + "/v1")
    tool = WenwenTextToSpeechTool(request_timeout=7, max_retries=0, audio_format="wav")
    assert tool.api_key is not None and tool.api_key.get_secret_value() == emu.api_key
    assert tool.timeout == 7 and tool.max_retries == 0
    assert tool.client().base_url == emu.base_url
    assert tool.invoke({"text": "env"}).startswith("Spoke 3 characters")
    assert "sk-" not in repr(tool)
    copied = tool.model_copy()
    assert copied.client() is not tool.client()


def test_whisper_parser_and_loader_make_documents(
    connection: dict[str, Any], tmp_path: Path
) -> None:
    for name, text in {"a.wav": "First clip. Two parts.", "b.wav": "Second clip."}.items():
        (tmp_path / name).write_bytes(speak_wav(text))
    (tmp_path / "notes.txt").write_text("not audio")
    loader = WenwenAudioLoader(tmp_path, language="en", **connection)
    docs = loader.load()
    assert [d.page_content for d in docs] == ["First clip. Two parts.", "Second clip."]
    assert docs[0].metadata["source"] == str(tmp_path / "a.wav")
    assert docs[0].metadata["language"] == "en" and docs[0].metadata["model"] == "whisper-1"

    async def collect() -> list[Any]:
        return [d async for d in loader.alazy_load()]

    assert [d.page_content for d in asyncio.run(collect())] == [d.page_content for d in docs]
    parser = WenwenWhisperParser(by_segment=True, **connection)
    segments = parser.parse(Blob.from_data(speak_wav("One. Two."), path="mem.wav"))
    assert [(d.page_content, d.metadata["segment"]) for d in segments] == [("One.", 0), ("Two.", 1)]
    assert segments[0].metadata["end"] <= segments[1].metadata["start"]
    with pytest.raises(InvalidFileError, match="does not exist"):
        WenwenAudioLoader(tmp_path / "nope", **connection).load()


def test_chat_audio_replies_reach_langchain(connection: dict[str, Any]) -> None:
    llm = ChatWenwen(
        model="gpt-4o-audio-preview",
        output_version="v1",
        model_kwargs={
            "modalities": ["text", "audio"],
            "audio": {"voice": "alloy", "format": "wav"},
        },
        **connection,
    )
    reply = llm.invoke("Say 'hello from audio'.")
    assert isinstance(reply, AIMessage)
    (audio,) = [b for b in reply.content_blocks if b["type"] == "audio"]
    info = read_wav(base64.b64decode(audio["base64"]))
    assert info is not None and audio["mime_type"] == "audio/wav"
    assert decode_speech(info) == audio["extras"]["transcript"]
    streamed: AIMessageChunk | None = None
    for chunk in llm.stream("Say 'hello from audio'."):
        streamed = chunk if streamed is None else streamed + chunk
    assert streamed is not None
    (streamed_audio,) = [b for b in streamed.content_blocks if b["type"] == "audio"]
    assert streamed_audio["base64"] == audio["base64"]


def test_media_agent_example_runs_on_the_emulator() -> None:
    pytest.importorskip("langchain.agents", reason="the agent example needs `langchain` (v1)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENWEN_")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "langchain_media_agent.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "using the local Wenwen emulator" in done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("image: 1024x1024 PNG at ") for line in lines)
    assert "edited: 1024x1024 PNG" in lines
    assert any(line.startswith("speech: 0.80 s of WAV audio") for line in lines)
    assert lines[-1] == "transcript: A lighthouse at dusk under a full moon."

"""LlamaIndex media surface: ``WenwenToolSpec`` (FunctionTools returning ImageBlock/AudioBlock,
assembled from tool groups), a FunctionAgent that draws, edits and speaks, the
``WenwenAudioReader``, chat audio replies as ``AudioBlock``s, and the audio RAG example."""

from __future__ import annotations

import asyncio
import base64
import runpy
from pathlib import Path
from typing import Any, ClassVar

import pytest
from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import AudioBlock, ChatMessage, ImageBlock, TextBlock

from llama_index_wenwen import Wenwen, WenwenAudioReader, WenwenToolSpec
from llama_index_wenwen.tools import ToolGroup, WenwenToolSpecBase
from tests._oracles import decode_png
from wenwen.errors import ConfigurationError
from wenwen_emulator import Emulator
from wenwen_emulator.png import png_from_prompt
from wenwen_emulator.speech import decode_speech, read_wav, speak_wav

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def spec(emu: Emulator, tmp_path: Path) -> WenwenToolSpec:
    return WenwenToolSpec(
        api_key=emu.api_key, base_url=emu.base_url, output_dir=tmp_path, speech_format="wav"
    )


def image_bytes(block: Any) -> bytes:
    assert isinstance(block, ImageBlock) and block.image_mimetype == "image/png"
    return base64.b64decode(block.image) if block.image else b""


def test_the_spec_lists_both_groups_with_sync_and_async(spec: WenwenToolSpec) -> None:
    tools = {t.metadata.name: t for t in spec.to_tool_list()}
    assert list(tools)[:4] == ["generate_image", "edit_image", "text_to_speech", "speech_to_text"]
    schema = tools["edit_image"].metadata.get_parameters_dict()
    assert schema["required"] == ["prompt", "image_paths"]
    assert "Edit existing image files" in tools["edit_image"].metadata.description
    assert all(t.async_fn is not None and t.fn is not None for t in tools.values())
    assert WenwenToolSpec(groups=["audio"], api_key="k").spec_functions == [
        ("text_to_speech", "atext_to_speech"),
        ("speech_to_text", "aspeech_to_text"),
    ]
    with pytest.raises(ConfigurationError, match="unknown tool groups"):
        WenwenToolSpec(groups=["sculpture"], api_key="k")
    with pytest.raises(ConfigurationError, match="unknown options \\['colour'\\]"):
        WenwenToolSpec(colour="red", api_key="k")


def test_another_module_can_add_a_group(emu: Emulator) -> None:
    class EchoTools(ToolGroup):
        GROUP: ClassVar[str] = "echo"
        FUNCTIONS: ClassVar[tuple[tuple[str, str], ...]] = (("echo", "aecho"),)
        OPTIONS: ClassVar[dict[str, Any]] = {"echo_prefix": ">"}

        def echo(self, text: str) -> str:
            """Echo text."""
            return f"{self.options['echo_prefix']} {text} via {self.connection.base_url}"

        async def aecho(self, text: str) -> str:
            """Echo text."""
            return self.echo(text)

    class Extended(EchoTools, WenwenToolSpec):
        pass

    extended = Extended(api_key="k", base_url=emu.base_url, echo_prefix="#")
    names = [t.metadata.name for t in extended.to_tool_list()]
    assert names[:5] == ["echo", "generate_image", "edit_image", "text_to_speech", "speech_to_text"]
    assert extended.to_tool_list()[0].call(text="hi").content == f"# hi via {emu.base_url}"
    assert issubclass(Extended, WenwenToolSpecBase)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_image_tools_return_image_blocks(spec: WenwenToolSpec, mode: str, tmp_path: Path) -> None:
    tools = {t.metadata.name: t for t in spec.to_tool_list()}

    def call(name: str, **kwargs: Any) -> Any:
        tool = tools[name]
        return tool.call(**kwargs) if mode == "sync" else asyncio.run(tool.acall(**kwargs))

    drawn = call("generate_image", prompt="a teal lighthouse", size="1024x1024")
    text, image = drawn.blocks
    assert isinstance(text, TextBlock) and text.text.startswith("Generated 1 image(s)")
    assert decode_png(image_bytes(image))[:2] == (1024, 1024)
    assert image.path is not None and image.path.parent == tmp_path
    source = tmp_path / "small.png"
    source.write_bytes(png_from_prompt("small", 24, 24))
    edited = call("edit_image", prompt="add stars", image_paths=[str(source)])
    assert decode_png(image_bytes(edited.blocks[1]))[:2] == (24, 24)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_audio_tools_speak_and_listen(spec: WenwenToolSpec, mode: str) -> None:
    tools = {t.metadata.name: t for t in spec.to_tool_list()}
    speak, listen = tools["text_to_speech"], tools["speech_to_text"]
    said = speak.call(text="Readers read.") if mode == "sync" else asyncio.run(
        speak.acall(text="Readers read.")
    )  # fmt: skip
    assert said.content.startswith("Spoke 13 characters as wav audio, saved to ")
    audio = said.raw_output.audio
    assert isinstance(audio, AudioBlock) and audio.format == "wav"
    info = read_wav(base64.b64decode(audio.audio or b""))
    assert info is not None and decode_speech(info) == "Readers read."
    path = str(audio.path)
    heard = listen.call(audio_path=path) if mode == "sync" else asyncio.run(
        listen.acall(audio_path=path)
    )  # fmt: skip
    assert heard.content == "Readers read."


def test_a_function_agent_draws_edits_and_speaks(spec: WenwenToolSpec, emu: Emulator) -> None:
    llm = Wenwen(model="gpt-4o-mini", api_key=emu.api_key, base_url=emu.base_url)
    agent = FunctionAgent(tools=spec.to_tool_list(), llm=llm, system_prompt="Use the tools.")

    async def step(request: str) -> ToolCallResult:
        handler = agent.run(request)
        results = [e async for e in handler.stream_events() if isinstance(e, ToolCallResult)]
        await handler
        assert len(results) == 1, [r.tool_name for r in results]
        return results[0]

    drawn = asyncio.run(step("Call generate_image with 'a red kite over the sea'."))
    assert drawn.tool_name == "generate_image"
    (image,) = [b for b in drawn.tool_output.blocks if isinstance(b, ImageBlock)]
    assert decode_png(image_bytes(image))[:2] == (1024, 1024)
    edited = asyncio.run(step(f"Call edit_image with 'add clouds' on '{image.path}'."))
    (changed,) = [b for b in edited.tool_output.blocks if isinstance(b, ImageBlock)]
    assert decode_png(image_bytes(changed))[3] != decode_png(image_bytes(image))[3]
    spoken = asyncio.run(step("Call text_to_speech with 'A red kite under clouds.'"))
    audio = spoken.tool_output.raw_output.audio
    info = read_wav(base64.b64decode(audio.audio or b""))
    assert info is not None and decode_speech(info) == "A red kite under clouds."


def test_audio_reader_makes_documents(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "memo.wav"
    path.write_bytes(speak_wav("Budget approved. Hiring starts in June."))
    reader = WenwenAudioReader(api_key=emu.api_key, base_url=emu.base_url, language="en")
    (doc,) = reader.load_data(path, extra_info={"team": "ops"})
    assert doc.text == "Budget approved. Hiring starts in June."
    assert doc.metadata == {
        "file_path": str(path), "file_name": "memo.wav", "model": "whisper-1", "team": "ops",
        "language": "en", "duration": pytest.approx(0.8, abs=0.01),
    }  # fmt: skip
    by_segment = WenwenAudioReader(api_key=emu.api_key, base_url=emu.base_url, by_segment=True)
    docs = asyncio.run(by_segment.aload_data(path))
    assert [d.text for d in docs] == ["Budget approved.", "Hiring starts in June."]
    assert docs[1].metadata["start"] >= docs[0].metadata["end"]


def test_chat_audio_replies_are_audio_blocks(emu: Emulator) -> None:
    llm = Wenwen(
        model="gpt-4o-audio-preview",
        api_key=emu.api_key,
        base_url=emu.base_url,
        additional_kwargs={
            "modalities": ["text", "audio"],
            "audio": {"voice": "alloy", "format": "wav"},
        },
    )
    messages = [ChatMessage(role="user", content="Say 'audio for llama'.")]
    reply = llm.chat(messages)
    (audio,) = [b for b in reply.message.blocks if isinstance(b, AudioBlock)]
    info = read_wav(base64.b64decode(audio.audio or b""))
    assert info is not None and audio.format == "wav"
    transcript = reply.message.additional_kwargs["audio"][0]["transcript"]
    assert decode_speech(info) == transcript
    chunks = list(llm.stream_chat(messages))
    final = chunks[-1]
    (streamed,) = [b for b in final.message.blocks if isinstance(b, AudioBlock)]
    assert streamed.audio == audio.audio


def test_audio_rag_example(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("WENWEN_API_KEY", "WENWEN_BASE_URL", "WENWEN_MODEL"):
        monkeypatch.delenv(name, raising=False)
    runpy.run_path(str(EXAMPLES / "llama_index_audio_rag.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "transcript support.wav: Customers report that invoices download slowly" in out
    assert "source: standup.wav" in out
    assert "answer: The launch of the harbour app moves to the second week of May." in out

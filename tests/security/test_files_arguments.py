"""Bad input named: every media, task and tool argument is checked before any request, and
the error is an ``InvalidArgumentError`` whose ``argument`` names it (or an
``InvalidFileError`` with its ``reason`` for files)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.load import dumps, loads

from langchain_wenwen import ChatWenwen, WenwenEmbeddings
from llama_index_wenwen.tools import WenwenToolSpec
from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.errors import InvalidArgumentError, InvalidFileError
from wenwen.tasks import WaitOptions
from wenwen_emulator import Emulator
from wenwen_emulator.png import png_from_prompt
from wenwen_emulator.speech import speak_wav

PNG_32 = png_from_prompt("args", 32, 32)
PNG_16 = png_from_prompt("args", 16, 16)
WAV = speak_wav("arguments")
SURROGATE = "a lone \ud83d half"

Call = Callable[[Any], Any]
CASES: dict[str, tuple[Call, str]] = {
    "speech speed of the wrong type": (lambda c: c.audio.speech("hi", speed="fast"), "speed"),
    "speech speed out of range": (lambda c: c.audio.speech("hi", speed=9), "speed"),
    "speech speed NaN": (lambda c: c.audio.speech("hi", speed=float("nan")), "speed"),
    "speech voice of the wrong type": (lambda c: c.audio.speech("hi", voice=5), "voice"),
    "speech format": (lambda c: c.audio.speech("hi", response_format="midi"), "response_format"),
    "speech text with a lone surrogate": (lambda c: c.audio.speech(SURROGATE), "text"),
    "speech instructions": (lambda c: c.audio.speech("hi", instructions=5), "instructions"),
    "transcription temperature type": (
        lambda c: c.audio.transcribe(WAV, temperature="warm"),
        "temperature",
    ),
    "transcription temperature bool": (
        lambda c: c.audio.transcribe(WAV, temperature=True),
        "temperature",
    ),
    "transcription prompt with a lone surrogate": (
        lambda c: c.audio.transcribe(WAV, prompt=SURROGATE),
        "prompt",
    ),
    "transcription language type": (lambda c: c.audio.transcribe(WAV, language=5), "language"),
    "transcription format": (
        lambda c: c.audio.transcribe(WAV, response_format="xml"),
        "response_format",
    ),
    "transcription granularities as a string": (
        lambda c: c.audio.transcribe(
            WAV, response_format="verbose_json", timestamp_granularities="word"
        ),
        "timestamp_granularities",
    ),
    "image size as an int": (lambda c: c.images.generate("x", size=123), "size"),
    "image size shape": (lambda c: c.images.generate("x", size="big"), "size"),
    "image n zero": (lambda c: c.images.generate("x", n=0), "n"),
    "image n bool": (lambda c: c.images.generate("x", n=True), "n"),
    "image quality": (lambda c: c.images.generate("x", quality="ultra"), "quality"),
    "image style": (lambda c: c.images.generate("x", style="noir"), "style"),
    "image response format": (
        lambda c: c.images.generate("x", response_format="gif"),
        "response_format",
    ),
    "image prompt with a lone surrogate": (lambda c: c.images.generate(SURROGATE), "prompt"),
    "image prompt of the wrong type": (lambda c: c.images.generate(["x"]), "prompt"),
    "edit prompt with a lone surrogate (multipart)": (
        lambda c: c.images.edit(SURROGATE, images=[PNG_32]),
        "prompt",
    ),
    "edit user with a lone surrogate (multipart)": (
        lambda c: c.images.edit("x", images=[PNG_32], user=SURROGATE),
        "user",
    ),
    "edit background": (
        lambda c: c.images.edit("x", images=[PNG_32], background="pink"),
        "background",
    ),
    "edit images of the wrong type": (lambda c: c.images.edit("x", images=5), "images"),
    "edit with no images": (lambda c: c.images.edit("x", images=[]), "images"),
    "mask of another size": (lambda c: c.images.edit("x", images=[PNG_32], mask=PNG_16), "mask"),
    "video seconds as a list": (lambda c: c.videos.create(prompt="x", seconds=[4]), "seconds"),
    "video seconds as text": (lambda c: c.videos.create(prompt="x", seconds="four"), "seconds"),
    "video seconds zero": (lambda c: c.videos.create(prompt="x", seconds=0), "seconds"),
    "video size as an int": (lambda c: c.videos.create(prompt="x", size=720), "size"),
    "video prompt with a lone surrogate (multipart)": (
        lambda c: c.videos.create(prompt=SURROGATE, image=PNG_32),
        "prompt",
    ),
    "video image of the wrong type": (lambda c: c.videos.create(prompt="x", image=5), "image"),
    "midjourney prompt with a lone surrogate": (
        lambda c: c.midjourney.imagine(SURROGATE),
        "prompt",
    ),
    "midjourney blend of one string": (lambda c: c.midjourney.blend("a.png"), "images"),
    "task wait timeout of the wrong type": (
        lambda c: c.videos.wait("video_1", options=WaitOptions(timeout="5")),
        "timeout",
    ),
    "task wait timeout override": (lambda c: c.videos.wait("video_1", timeout="5"), "timeout"),
    "task wait option misspelt": (lambda c: c.videos.wait("video_1", timout=5), "timout"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_argument_is_named_before_any_request(emu: Emulator, case: str) -> None:
    call, argument = CASES[case]
    with (
        WenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client,
        pytest.raises(InvalidArgumentError) as caught,
    ):
        call(client)
    assert caught.value.argument == argument
    assert emu.requests == []


ASYNC_CASES = ["speech speed of the wrong type", "edit prompt with a lone surrogate (multipart)",
               "video seconds as a list", "mask of another size"]  # fmt: skip


@pytest.mark.parametrize("case", ASYNC_CASES)
def test_the_async_client_checks_the_same(emu: Emulator, case: str) -> None:
    call, argument = CASES[case]

    async def main() -> None:
        async with AsyncWenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client:
            await call(client)

    with pytest.raises(InvalidArgumentError) as caught:
        asyncio.run(main())
    assert caught.value.argument == argument and emu.requests == []


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda c: c.images.edit("x", images=[b""]), "empty"),
        (lambda c: c.images.edit("x", images=[PNG_32], mask=b""), "empty"),
        (lambda c: c.audio.transcribe(b""), "empty"),
        (lambda c: c.audio.transcribe(b"plain text, not audio"), "wrong_kind"),
        (lambda c: c.videos.create(prompt="x", image=b""), "empty"),
        (lambda c: c.videos.create(prompt="x", image=b"%PDF-1.7"), "wrong_kind"),
        (lambda c: c.midjourney.blend([b"", PNG_32]), "empty"),
    ],
)
def test_empty_and_non_media_bytes_are_refused_unsent(
    emu: Emulator, call: Call, reason: str
) -> None:
    with (
        WenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client,
        pytest.raises(InvalidFileError) as caught,
    ):
        call(client)
    assert caught.value.reason == reason and emu.requests == []


def test_a_mask_of_the_image_size_is_sent(emu: Emulator) -> None:
    with WenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        client.images.edit("x", images=[PNG_16], mask=png_from_prompt("mask", 16, 16))
    assert [r.path for r in emu.requests] == ["/v1/images/edits"]


def test_tool_spec_functions_check_their_arguments(emu: Emulator) -> None:
    """LlamaIndex calls a spec function with the model's arguments as they are."""
    spec = WenwenToolSpec(api_key=emu.api_key, base_url=emu.base_url)
    tools = {t.metadata.name: t for t in spec.to_tool_list()}
    for name, args, argument in [
        ("generate_video", {"prompt": "x", "seconds": [4]}, "seconds"),
        ("generate_image", {"prompt": "x", "size": 123}, "size"),
        ("text_to_speech", {"text": "x", "voice": 5}, "voice"),
        ("edit_image", {"prompt": "x", "image_paths": "in.png"}, "image_paths"),
        ("midjourney_imagine", {"prompt": SURROGATE}, "prompt"),
    ]:
        with pytest.raises(InvalidArgumentError) as caught:
            tools[name].call(**args)
        assert caught.value.argument == argument, name
    assert emu.requests == []


@pytest.mark.parametrize(
    "tool",
    [
        {"type": "function", "function": {"description": "no name"}},
        {"type": "function", "function": {"name": "", "parameters": {}}},
        {"type": "function", "function": {"name": 5}},
        {"type": "function", "function": "lookup"},
        {"type": "function", "function": {"name": "f", "parameters": 5}},
    ],
)
def test_bind_tools_names_a_malformed_function_dict(tool: dict[str, Any]) -> None:
    model = ChatWenwen(model="gpt-4o-mini", api_key="sk-test", base_url="http://127.0.0.1:9")
    with pytest.raises(InvalidArgumentError) as caught:
        model.bind_tools([tool])
    assert caught.value.argument == "tools"


# langchain_core.load.loads announces itself as beta on every call (its notice, not ours)
@pytest.mark.filterwarnings("ignore:The function `loads` is in beta")
def test_wenwen_embeddings_serializes_with_the_key_kept_secret() -> None:
    embeddings = WenwenEmbeddings(
        api_key="sk-embed-secret", base_url="http://127.0.0.1:9", dimensions=64,
        default_headers={"X-Api-Key": "header-secret"},
    )  # fmt: skip
    serialized = embeddings.to_json()
    assert serialized["kwargs"]["api_key"] == {"lc": 1, "type": "secret", "id": ["WENWEN_API_KEY"]}
    text = dumps(embeddings)
    assert "sk-embed-secret" not in text and "header-secret" not in text
    assert json.loads(text)["id"] == ["langchain_wenwen", "embeddings", "WenwenEmbeddings"]
    back = loads(
        text,
        secrets_map={"WENWEN_API_KEY": "sk-embed-secret"},
        valid_namespaces=["langchain_wenwen"],
        allowed_objects=[WenwenEmbeddings],
    )
    assert isinstance(back, WenwenEmbeddings) and back.dimensions == 64
    assert back.api_key is not None and back.api_key.get_secret_value() == "sk-embed-secret"


@pytest.mark.parametrize(
    ("task_input", "argument"),
    [
        ({"promt": "a typo"}, "promt"),
        ({"prompt": SURROGATE}, "prompt"),
        ({"prompt": 5}, "prompt"),
        ({"seconds": 4}, "prompt"),
        ({"prompt": "x", "seconds": [4]}, "seconds"),
        ({"prompt": "x", "size": 720}, "size"),
        (["a", "list"], "input"),
    ],
)
def test_the_task_runnable_names_a_bad_input_key(
    emu: Emulator, task_input: Any, argument: str
) -> None:
    from langchain_wenwen.tasks import WenwenTaskRunnable

    job = WenwenTaskRunnable(api_key=emu.api_key, base_url=emu.base_url)
    with pytest.raises(InvalidArgumentError) as caught:
        job.invoke(task_input)
    assert caught.value.argument == argument and emu.requests == []


def test_the_midjourney_tool_names_a_missing_argument(emu: Emulator) -> None:
    from langchain_wenwen.tools import WenwenMidjourneyTool

    tool = WenwenMidjourneyTool(api_key=emu.api_key, base_url=emu.base_url)
    for args, argument in (
        ({"operation": "imagine"}, "prompt"),
        ({"operation": "action"}, "task_id"),
    ):
        with pytest.raises(InvalidArgumentError) as caught:
            tool.invoke({"type": "tool_call", "id": "1", "name": tool.name, "args": args})
        assert caught.value.argument == argument
    assert emu.requests == []

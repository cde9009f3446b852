"""``Wenwen`` on a Gemini model: the native Gemini protocol on the wire; images out and in
(generation and editing) as ``ImageBlock``s; thought signatures replayed across tool calls."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ImageBlock,
    MessageRole,
    TextBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool
from PIL import Image

from llama_index_wenwen import Wenwen
from wenwen_emulator import Emulator

GEMINI = "gemini-2.5-flash"
IMAGE_MODEL = "gemini-2.5-flash-image-preview"


def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


def gemini_requests(emu: Emulator) -> list[Any]:
    return [r for r in emu.requests if "generatecontent" in r.path.lower()]


def last_block(response: Any) -> ImageBlock:
    images = [b for b in response.message.blocks if isinstance(b, ImageBlock)]
    assert len(images) == 1
    return images[0]


def test_gemini_goes_native(make_llm: Callable[..., Wenwen], emu: Emulator) -> None:
    response = make_llm(model=GEMINI).chat([ChatMessage(role=MessageRole.USER, content="Hi")])
    assert response.raw["protocol"] == "gemini"
    (request,) = gemini_requests(emu)
    assert request.path == f"/v1beta/models/{GEMINI}:generateContent"
    assert request.headers["x-goog-api-key"] == emu.api_key
    assert "authorization" not in request.headers


@pytest.mark.parametrize("streamed", [False, True])
def test_image_generation_and_editing(
    make_llm: Callable[..., Wenwen], emu: Emulator, streamed: bool
) -> None:
    llm = make_llm(model=IMAGE_MODEL)

    def chat(messages: list[ChatMessage]) -> Any:
        if not streamed:
            return llm.chat(messages)
        return list(llm.stream_chat(messages))[-1]

    generated = chat([ChatMessage(role=MessageRole.USER, content="a red fox in the snow")])
    image = last_block(generated)
    assert image.image_mimetype == "image/png" and image.image is not None
    with Image.open(io.BytesIO(image.resolve_image().read())) as png:
        assert png.format == "PNG"
    edit = ChatMessage(role=MessageRole.USER, blocks=[TextBlock(text="make the fox blue"), image])
    edited = last_block(chat([edit]))
    assert edited.image != image.image
    sent = gemini_requests(emu)[-1].json["contents"][0]["parts"]
    assert "inlineData" in sent[1] and sent[1]["inlineData"]["mimeType"] == "image/png"


@pytest.mark.parametrize("streamed", [False, True])
def test_thought_signatures_across_a_tool_call(
    make_llm: Callable[..., Wenwen], emu: Emulator, streamed: bool
) -> None:
    llm = make_llm(model=GEMINI, reasoning_effort="low")
    tool = FunctionTool.from_defaults(fn=get_weather)
    if streamed:
        chunks = llm.stream_chat_with_tools([tool], user_msg="Use get_weather for Paris")
        first = list(chunks)[-1]
    else:
        first = llm.chat_with_tools([tool], user_msg="Use get_weather for Paris")
    assert first is not None
    (selection,) = llm.get_tool_calls_from_response(first)
    assert selection.tool_kwargs == {"city": "Paris"}
    assert any(isinstance(b, ToolCallBlock) for b in first.message.blocks)
    history = [
        ChatMessage(role=MessageRole.USER, content="Use get_weather for Paris"),
        first.message,
        ChatMessage(
            role=MessageRole.TOOL,
            content=get_weather(**selection.tool_kwargs),
            additional_kwargs={"tool_call_id": selection.tool_id, "name": "get_weather"},
        ),
    ]
    answer = llm.chat_with_tools([tool], chat_history=history)
    assert "sunny in Paris" in (answer.message.content or "")
    model_turn = gemini_requests(emu)[-1].json["contents"][1]["parts"]
    assert next(p for p in model_turn if "functionCall" in p)["thoughtSignature"]

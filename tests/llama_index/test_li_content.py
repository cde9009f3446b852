"""Content blocks in and out: images, audio, documents, cache points, reasoning replay."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.tools import FunctionTool

from llama_index_wenwen import Wenwen
from llama_index_wenwen._convert import to_wenwen_messages
from wenwen import errors
from wenwen.protocols import choose_protocol
from wenwen.types import (
    AudioPart,
    FilePart,
    ImagePart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
    VideoPart,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()


def test_images_by_bytes_path_and_url(
    llm: Wenwen, caller: Any, chat_bodies: Any, tmp_path: Path
) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[
            TextBlock(text="What is in these pictures?"),
            ImageBlock(image=PNG),
            ImageBlock(path=path),
            ImageBlock(url="https://example.com/cat.jpg", detail="low"),
        ],
    )
    response = caller.chat(llm, [message])
    assert (response.message.content or "").startswith("I see 3 images.")
    body = chat_bodies()[-1]
    sent = body["messages"][0]["content"] if "messages" in body else body["input"][0]["content"]
    if llm.protocol == "responses":
        data_url = f"data:image/png;base64,{PNG_B64}"
        assert [p["type"] for p in sent] == ["input_text", *["input_image"] * 3]
        assert sent[1]["image_url"] == sent[2]["image_url"] == data_url
        assert sent[3] == {
            "type": "input_image",
            "image_url": "https://example.com/cat.jpg",
            "detail": "low",
        }
    elif choose_protocol(llm.model) == "openai":
        assert [p["type"] for p in sent] == ["text", "image_url", "image_url", "image_url"]
        assert sent[1]["image_url"]["url"] == f"data:image/png;base64,{PNG_B64}"
        assert sent[2]["image_url"]["url"] == f"data:image/png;base64,{PNG_B64}"
        assert sent[3]["image_url"] == {"url": "https://example.com/cat.jpg", "detail": "low"}
    elif choose_protocol(llm.model) == "gemini":
        inline_data = {"mimeType": "image/png", "data": PNG_B64}
        assert sent[1] == sent[2] == {"inlineData": inline_data}
        assert sent[3] == {
            "fileData": {"fileUri": "https://example.com/cat.jpg", "mimeType": "image/jpeg"}
        }
    else:
        inline = {"type": "base64", "media_type": "image/png", "data": PNG_B64}
        assert [p["type"] for p in sent] == ["text", "image", "image", "image"]
        assert sent[1]["source"] == sent[2]["source"] == inline
        assert sent[3]["source"] == {"type": "url", "url": "https://example.com/cat.jpg"}


def test_audio_and_documents_reach_the_wire(openai_llm: Wenwen, chat_bodies: Any) -> None:
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[
            TextBlock(text="Summarise."),
            AudioBlock(audio=b"RIFF0000WAVEfmt ", format="wav"),
            DocumentBlock(
                data=b"%PDF-1.4 hello", document_mimetype="application/pdf", title="doc.pdf"
            ),
        ],
    )
    openai_llm.chat([message])
    sent = chat_bodies()[-1]["messages"][0]["content"]
    assert sent[1] == {
        "type": "input_audio",
        "input_audio": {"data": base64.b64encode(b"RIFF0000WAVEfmt ").decode(), "format": "wav"},
    }
    assert sent[2]["file"]["filename"] == "doc.pdf"
    assert sent[2]["file"]["file_data"].startswith("data:application/pdf;base64,")


def test_block_conversion() -> None:
    history = [
        ChatMessage(role=MessageRole.SYSTEM, content="Be brief."),
        ChatMessage(
            role=MessageRole.USER,
            blocks=[
                TextBlock(text="long document"),
                CachePoint(cache_control=CacheControl(type="ephemeral")),
                ImageBlock(url="data:image/png;base64," + PNG_B64),
                VideoBlock(url="https://example.com/v.mp4"),
            ],
        ),
        ChatMessage(
            role=MessageRole.ASSISTANT,
            blocks=[
                ThinkingBlock(content="hmm", additional_information={"signature": "sig=="}),
                ToolCallBlock(tool_call_id="c1", tool_name="f", tool_kwargs={"x": 1}),
            ],
        ),
        ChatMessage(
            role=MessageRole.TOOL,
            blocks=[
                TextBlock(text="42"),
                CachePoint(cache_control=CacheControl(type="ephemeral", ttl="1h")),
            ],
            additional_kwargs={"tool_call_id": "c1"},
        ),
    ]
    system, user, assistant, tool = to_wenwen_messages(history)
    assert system.role == "system" and system.text == "Be brief."
    assert user.parts[0] == TextPart(text="long document", cache_control={"type": "ephemeral"})
    assert user.parts[1] == ImagePart(data=PNG_B64, media_type="image/png")
    assert user.parts[2] == VideoPart(url="https://example.com/v.mp4", media_type="video/mp4")
    assert assistant.parts == [
        ThinkingPart(text="hmm", signature="sig=="),
        ToolCallPart(id="c1", name="f", arguments='{"x": 1}'),
    ]
    assert tool.parts == [
        ToolResultPart(
            tool_call_id="c1",
            content=[TextPart(text="42")],
            cache_control={"type": "ephemeral", "ttl": "1h"},
        )
    ]


def test_a_cache_point_first_in_a_message_marks_the_previous_one() -> None:
    history = [
        ChatMessage(role=MessageRole.SYSTEM, content="A very long system prompt."),
        ChatMessage(
            role=MessageRole.USER,
            blocks=[CachePoint(cache_control=CacheControl(type="ephemeral")), TextBlock(text="Q")],
        ),
    ]
    system, user = to_wenwen_messages(history)
    assert system.parts[0].cache_control == {"type": "ephemeral"}  # type: ignore[union-attr]
    assert user.parts == [TextPart(text="Q")]


def test_cache_points_are_accepted_on_the_openai_protocol(llm: Wenwen) -> None:
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[
            TextBlock(text="The sky is blue. What colour is the sky?"),
            CachePoint(cache_control=CacheControl(type="ephemeral")),
        ],
    )
    assert llm.chat([message]).message.content == "The sky is blue."


def test_legacy_assistant_tool_calls_and_files() -> None:
    message = ChatMessage(
        role=MessageRole.ASSISTANT,
        content="",
        additional_kwargs={
            "reasoning_content": "thinking...",
            "tool_calls": [
                {"id": "c9", "type": "function", "function": {"name": "g", "arguments": '{"a": 2}'}}
            ],
        },
    )
    (converted,) = to_wenwen_messages([message])
    assert [type(p) for p in converted.parts] == [ThinkingPart, TextPart, ToolCallPart]
    document = ChatMessage(
        role=MessageRole.USER,
        blocks=[
            DocumentBlock(url="https://example.com/a.pdf", document_mimetype="application/pdf")
        ],
    )
    (user,) = to_wenwen_messages([document])
    assert user.parts == [FilePart(url="https://example.com/a.pdf", media_type="application/pdf")]
    audio = ChatMessage(role=MessageRole.USER, blocks=[AudioBlock(url="https://x.test/a.mp3")])
    assert to_wenwen_messages([audio])[0].parts == [
        AudioPart(url="https://x.test/a.mp3", format="mp3")
    ]


def test_bad_messages_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(errors.ConfigurationError, match="tool_call_id"):
        to_wenwen_messages([ChatMessage(role=MessageRole.TOOL, content="42")])
    gone = tmp_path / "gone.png"
    gone.write_bytes(PNG)
    block = ImageBlock(path=gone)
    gone.unlink()
    with pytest.raises(errors.ConfigurationError, match="cannot read image file"):
        to_wenwen_messages([ChatMessage(role=MessageRole.USER, blocks=[block])])
    with pytest.raises(errors.UnsupportedFeatureError, match="AudioBlock"):
        to_wenwen_messages(
            [
                ChatMessage(
                    role=MessageRole.TOOL,
                    blocks=[AudioBlock(url="https://x.test/a.wav")],
                    additional_kwargs={"tool_call_id": "c1"},
                )
            ]
        )


def magic_function(input: int) -> int:
    """Applies a magic function to an input."""
    return input + 2


MAGIC = FunctionTool.from_defaults(fn=magic_function)
MAGIC_QUESTION = "What is the value of magic_function(3)? Use the tool."


def test_reasoning_is_a_thinking_block_and_streams_as_thinking_delta(
    make_llm: Callable[..., Wenwen], caller: Any
) -> None:
    llm = make_llm(model="deepseek-reasoner")
    chunks = caller.stream_chat(llm, [ChatMessage(role=MessageRole.USER, content="Hello there")])
    thinking = "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks)
    assert thinking.startswith("The user asks")
    final = chunks[-1]
    block = final.message.blocks[0]
    assert isinstance(block, ThinkingBlock) and block.content == thinking
    assert final.raw["usage"]["reasoning_tokens"] > 0
    whole = caller.chat(llm, [ChatMessage(role=MessageRole.USER, content="Hello there")])
    assert whole.message.blocks == final.message.blocks


def test_reasoning_is_replayed_with_tool_calls(
    make_llm: Callable[..., Wenwen], caller: Any, chat_bodies: Any
) -> None:
    # The emulator's deepseek-reasoner answers 400 when a tool-calling assistant turn comes
    # back without its reasoning_content, like DeepSeek's thinking mode.
    llm = make_llm(model="deepseek-reasoner")
    chunks = caller.stream_chat_with_tools(llm, [MAGIC], user_msg=MAGIC_QUESTION)
    first = chunks[-1]
    selection = llm.get_tool_calls_from_response(first)[0]
    history = [
        ChatMessage(role=MessageRole.USER, content=MAGIC_QUESTION),
        first.message,
        ChatMessage(
            role=MessageRole.TOOL,
            content="5",
            additional_kwargs={"tool_call_id": selection.tool_id},
        ),
    ]
    second = caller.chat_with_tools(llm, [MAGIC], chat_history=history)
    assert second.message.content == "The result of magic_function is 5."
    replayed = chat_bodies()[-1]["messages"][1]
    assert replayed["reasoning_content"].startswith("The user asks")

    without_thinking = ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=[b for b in first.message.blocks if isinstance(b, ToolCallBlock)],
    )
    with pytest.raises(errors.BadRequestError, match="reasoning_content"):
        caller.chat_with_tools(
            llm, [MAGIC], chat_history=[history[0], without_thinking, history[2]]
        )


def test_reasoning_effort_is_sent(make_llm: Callable[..., Wenwen], chat_bodies: Any) -> None:
    make_llm(model="o3-mini", reasoning_effort="low").chat(
        [ChatMessage(role=MessageRole.USER, content="Hi")]
    )
    assert chat_bodies()[-1]["reasoning_effort"] == "low"


def test_completion_keeps_thinking_visible(make_llm: Callable[..., Wenwen]) -> None:
    response = make_llm(model="deepseek-reasoner").complete("Hello there")
    assert response.additional_kwargs["thinking"].startswith("The user asks")

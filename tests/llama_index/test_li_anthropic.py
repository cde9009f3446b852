"""``Wenwen`` on a Claude model: the native Anthropic Messages protocol on the wire."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from llama_index_wenwen import Wenwen
from wenwen import errors

CLAUDE = "claude-sonnet-4-20250514"
CLAUDE_THINKING = "claude-sonnet-4-20250514-thinking"


def magic_function(input: int) -> int:
    """Applies a magic function to an input."""
    return input + 2


MAGIC = FunctionTool.from_defaults(fn=magic_function)
MAGIC_QUESTION = "What is the value of magic_function(3)? Use the tool."


@pytest.fixture
def claude(make_llm: Callable[..., Wenwen]) -> Wenwen:
    return make_llm(model=CLAUDE)


def messages_calls(emu: Any) -> list[Any]:
    return [r for r in emu.requests if r.path == "/v1/messages"]


def test_auto_protocol_sends_claude_over_messages(claude: Wenwen, emu: Any) -> None:
    response = claude.chat(
        [
            ChatMessage(role=MessageRole.SYSTEM, content="Rome is the capital of Italy."),
            ChatMessage(role=MessageRole.USER, content="What is the capital of Italy?"),
        ]
    )
    assert response.message.content == "Rome is the capital of Italy."
    (request,) = messages_calls(emu)
    assert request.headers["x-api-key"] == emu.api_key
    assert "authorization" not in request.headers
    assert response.raw["protocol"] == "anthropic"


def test_protocol_can_be_forced(make_llm: Callable[..., Wenwen], emu: Any) -> None:
    llm = make_llm(model=CLAUDE, protocol="openai")
    llm.chat([ChatMessage(role=MessageRole.USER, content="Hi")])
    assert [r.path for r in emu.requests if r.path.startswith("/v1/")] == ["/v1/chat/completions"]
    with pytest.raises(ValueError, match="unknown protocol"):
        make_llm(protocol="gemini-native")


def test_cache_points_become_cache_control(claude: Wenwen, chat_bodies: Any) -> None:
    long_context = "Rome is the capital of Italy. " * 60
    history = [
        ChatMessage(
            role=MessageRole.SYSTEM,
            blocks=[
                TextBlock(text=long_context),
                CachePoint(cache_control=CacheControl(type="ephemeral")),
            ],
        ),
        ChatMessage(role=MessageRole.USER, content="What is the capital of Italy?"),
    ]
    first = claude.chat(history)
    second = claude.chat(history)
    system = chat_bodies()[-1]["system"]
    assert system[-1]["cache_control"] == {"type": "ephemeral"}
    assert first.raw["usage"]["cache_creation_tokens"] > 0
    assert second.raw["usage"]["cache_read_tokens"] == first.raw["usage"]["cache_creation_tokens"]
    # input_tokens counts every prompt token, cached ones included
    assert second.raw["usage"]["prompt_tokens"] == first.raw["usage"]["prompt_tokens"]


def test_tool_choice_and_parallel_mapping(claude: Wenwen, chat_bodies: Any) -> None:
    claude.chat_with_tools([MAGIC], user_msg=MAGIC_QUESTION)
    assert chat_bodies()[-1]["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    claude.chat_with_tools(
        [MAGIC], user_msg="Hi", tool_required=True, allow_parallel_tool_calls=True
    )
    assert chat_bodies()[-1]["tool_choice"] == {"type": "any"}
    tool = chat_bodies()[-1]["tools"][0]
    assert tool["name"] == "magic_function"
    assert tool["input_schema"]["properties"]["input"]["type"] == "integer"


def test_thinking_signature_round_trip(
    make_llm: Callable[..., Wenwen], caller: Any, chat_bodies: Any
) -> None:
    llm = make_llm(model=CLAUDE_THINKING)
    chunks = caller.stream_chat_with_tools(llm, [MAGIC], user_msg=MAGIC_QUESTION)
    thinking = next(b for b in chunks[-1].message.blocks if isinstance(b, ThinkingBlock))
    signature = thinking.additional_information["signature"]
    assert signature and thinking.content
    assert (
        "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks) == thinking.content
    )
    call = next(b for b in chunks[-1].message.blocks if isinstance(b, ToolCallBlock))
    history = [
        ChatMessage(role=MessageRole.USER, content=MAGIC_QUESTION),
        chunks[-1].message,
        ChatMessage(
            role=MessageRole.TOOL,
            content="5",
            additional_kwargs={"tool_call_id": call.tool_call_id},
        ),
    ]
    answer = caller.chat_with_tools(llm, [MAGIC], chat_history=history)
    assert answer.message.content == "The result of magic_function is 5."
    replayed = chat_bodies()[-1]["messages"][1]["content"]
    assert replayed[0] == {"type": "thinking", "thinking": thinking.content, "signature": signature}
    assert replayed[1]["type"] == "tool_use" and replayed[1]["input"] == {"input": 3}


def test_thinking_budget_is_sent(make_llm: Callable[..., Wenwen], chat_bodies: Any) -> None:
    make_llm(model=CLAUDE, thinking=2048, max_tokens=4096).chat(
        [ChatMessage(role=MessageRole.USER, content="Hi")]
    )
    body = chat_bodies()[-1]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["max_tokens"] == 4096


class City(BaseModel):
    name: str
    population: int


def test_structured_output_is_native_output_config(
    claude: Wenwen, caller: Any, chat_bodies: Any
) -> None:
    prompt = PromptTemplate("Paris has 2100000 inhabitants. Describe {city}.")
    city = caller.structured_predict(claude, City, prompt, city="Paris")
    assert city == City(name="Paris", population=2100000)
    body = chat_bodies()[-1]
    assert body["output_config"]["format"]["type"] == "json_schema" and "tools" not in body
    streamed = caller.stream_structured_predict(claude, City, prompt, city="Paris")
    assert streamed[-1] == city


def test_structured_output_falls_back_to_a_forced_tool_once_refused(
    make_llm: Callable[..., Wenwen], caller: Any, chat_bodies: Any, emu: Any, request: Any
) -> None:
    # a dated name per test run: the fallback is remembered per model for the process
    model = f"claude-haiku-4-5-2099{zlib.crc32(request.node.nodeid.encode()) % 10000:04d}"
    emu.quirks.add("no_structured_outputs")
    prompt = PromptTemplate("Paris has 2100000 inhabitants. Describe {city}.")
    city = caller.structured_predict(make_llm(model=model), City, prompt, city="Paris")
    assert city == City(name="Paris", population=2100000)
    refused, retried = chat_bodies()[-2:]
    assert "output_config" in refused and "output_config" not in retried
    assert retried["tool_choice"]["type"] == "tool"
    streamed = caller.stream_structured_predict(make_llm(model=model), City, prompt, city="Paris")
    assert streamed[-1] == city
    assert chat_bodies()[-1]["tool_choice"]["type"] == "tool"  # remembered: one request


def test_audio_is_refused_with_a_clear_error(claude: Wenwen) -> None:
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[TextBlock(text="Listen"), AudioBlock(audio=b"RIFF0000WAVEfmt ", format="wav")],
    )
    with pytest.raises(errors.UnsupportedFeatureError, match="audio"):
        claude.chat([message])

"""ChatWenwen with Claude models over the Anthropic Messages protocol (emulator)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from lc_media import png_bytes

from langchain_wenwen import ChatWenwen
from wenwen.errors import AuthenticationError
from wenwen_emulator import Emulator

CLAUDE = "claude-sonnet-4-20250514"
THINKING_CLAUDE = "claude-sonnet-4-20250514-thinking"
LONG_CONTEXT = " ".join(f"Fact {i}: shelf {i} holds volume {i * 7}." for i in range(300))


@tool
def magic_function(input: int) -> int:
    """Applies a magic function to an input."""
    return input + 2


def claude(emu: Emulator, model: str = CLAUDE, **params: Any) -> ChatWenwen:
    return ChatWenwen(model=model, base_url=emu.base_url, api_key=emu.api_key, **params)


def stream_all(model: Any, prompt: Any) -> AIMessageChunk:
    full: AIMessageChunk | None = None
    for chunk in model.stream(prompt):
        full = chunk if full is None else full + chunk
    assert full is not None
    return full


def last_messages_request(emu: Emulator) -> Any:
    return [r for r in emu.requests if r.path == "/v1/messages"][-1].json


def test_claude_goes_over_the_messages_protocol(emu: Emulator) -> None:
    reply = claude(emu).invoke("Hello")
    assert reply.response_metadata["wenwen_protocol"] == "anthropic"
    assert reply.response_metadata["finish_reason"] == "stop"
    assert reply.response_metadata["stop_reason"] == "end_turn"
    assert [r.path for r in emu.requests] == ["/v1/messages"]
    forced = claude(emu, protocol="openai").invoke("Hello")
    assert forced.response_metadata["wenwen_protocol"] == "openai"


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_signed_thinking_round_trips(emu: Emulator, streamed: bool, output_version: str) -> None:
    """The emulator rejects a thinking block whose signature it did not issue for that text,
    so the second call only succeeds if text and signature came back unchanged."""
    model = claude(emu, THINKING_CLAUDE, output_version=output_version).bind_tools([magic_function])
    question = HumanMessage("What is the value of magic_function(3)? Use the tool.")
    first = stream_all(model, [question]) if streamed else model.invoke([question])
    reasoning = [b for b in first.content_blocks if b["type"] == "reasoning"]
    assert reasoning and reasoning[0]["extras"]["signature"]  # type: ignore[typeddict-item]
    assert first.additional_kwargs["reasoning_content"] == reasoning[0]["reasoning"]  # type: ignore[typeddict-item]
    history: list[BaseMessage] = [question, first, magic_function.invoke(first.tool_calls[0])]
    answer = model.invoke(history)
    assert "5" in answer.text
    sent = last_messages_request(emu)["messages"][1]["content"]
    assert sent[0] == {
        "type": "thinking",
        "thinking": reasoning[0]["reasoning"],  # type: ignore[typeddict-item]
        "signature": reasoning[0]["extras"]["signature"],  # type: ignore[typeddict-item]
    }
    assert sent[-1]["type"] == "tool_use" and sent[-1]["input"] == {"input": 3}


def test_standard_anthropic_inputs_with_an_emulator_signature(emu: Emulator) -> None:
    """langchain-tests' test_anthropic_inputs, with the thinking signature issued by the
    emulator rather than by Anthropic (which the emulator cannot verify)."""
    import base64

    thinking = claude(emu, THINKING_CLAUDE).invoke("Hello")
    block = thinking.content[0]
    assert isinstance(block, dict) and block["type"] == "thinking"
    color_picker = {
        "name": "color_picker",
        "input_schema": {
            "type": "object",
            "properties": {"fav_color": {"type": "string"}},
            "required": ["fav_color"],
        },
        "description": "Input your fav color and get a random fact about it.",
        "cache_control": {"type": "ephemeral"},
    }
    image = base64.b64encode(png_bytes()).decode()
    messages: list[BaseMessage] = [
        SystemMessage("you're a good assistant"),
        HumanMessage(
            [
                {
                    "type": "text",
                    "text": "what's your favorite color",
                    "cache_control": {"type": "ephemeral"},
                },
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": image},
                },
            ]
        ),
        AIMessage(
            [
                {"type": "text", "text": "Hmm let me think about that"},
                {
                    "type": "tool_use",
                    "input": {"fav_color": "purple"},
                    "id": "foo",
                    "name": "color_picker",
                },
            ],
            tool_calls=[
                {
                    "name": "color_picker",
                    "args": {"fav_color": "purple"},
                    "id": "foo",
                    "type": "tool_call",
                }
            ],
        ),
        ToolMessage("That's a great pick!", tool_call_id="foo"),
    ]
    assert isinstance(claude(emu).bind_tools([color_picker]).invoke(messages), AIMessage)
    sent = last_messages_request(emu)
    assert sent["tools"][0]["cache_control"] == {"type": "ephemeral"}
    assert sent["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral"}
    assert sent["messages"][0]["content"][1]["source"]["type"] == "base64"
    history = [
        HumanMessage([{"type": "text", "text": "Hello"}]),
        AIMessage([block, {"type": "text", "text": "Hello, how are you?"}]),
        HumanMessage([{"type": "text", "text": "Well, thanks."}]),
    ]
    assert isinstance(claude(emu, THINKING_CLAUDE).invoke(history), AIMessage)


@pytest.mark.parametrize("streamed", [False, True])
def test_prompt_caching_reports_cache_tokens(emu: Emulator, streamed: bool) -> None:
    model = claude(emu)
    prompt = [
        SystemMessage(
            [{"type": "text", "text": LONG_CONTEXT, "cache_control": {"type": "ephemeral"}}]
        ),
        HumanMessage("Which shelf holds volume 70?"),
    ]
    run = (lambda: stream_all(model, prompt)) if streamed else (lambda: model.invoke(prompt))
    written, read = run().usage_metadata, run().usage_metadata
    assert written is not None and read is not None
    assert written["input_token_details"]["cache_creation"] > 0  # type: ignore[typeddict-item]
    assert (
        read["input_token_details"]["cache_read"]
        == (
            written["input_token_details"]["cache_creation"]  # type: ignore[typeddict-item]
        )
    )
    # input_tokens counts every prompt token, cached ones included
    assert (
        read["input_tokens"] == written["input_tokens"] >= read["input_token_details"]["cache_read"]
    )  # type: ignore[typeddict-item]


def test_streamed_usage_matches_invoke(emu: Emulator) -> None:
    """ChatAnthropic reports input_tokens=0 in streams whose message_delta lacks them
    (anchor defect 13); the core merges message_start and message_delta usage."""
    model = claude(emu)
    invoked = model.invoke("Write me 2 haikus.").usage_metadata
    assert invoked is not None and invoked["input_tokens"] > 0
    assert stream_all(model, "Write me 2 haikus.").usage_metadata == invoked


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        ("required", {"type": "any"}),
        ("any", {"type": "any"}),
        (True, {"type": "any"}),
        ("magic_function", {"type": "tool", "name": "magic_function"}),
        ({"type": "tool", "name": "magic_function"}, {"type": "tool", "name": "magic_function"}),
    ],
)
def test_tool_choice_reaches_the_wire_as_anthropic_spells_it(
    emu: Emulator, choice: Any, wire: dict[str, Any]
) -> None:
    reply = claude(emu).bind_tools([magic_function], tool_choice=choice).invoke("Hello!")
    assert reply.tool_calls and reply.tool_calls[0]["name"] == "magic_function"
    assert last_messages_request(emu)["tool_choice"] == wire


def test_json_mode_over_anthropic_is_a_forced_json_tool(emu: Emulator) -> None:
    reply = (
        claude(emu)
        .with_structured_output(method="json_mode")
        .invoke("Tell me a joke. Return JSON with keys setup and punchline.")
    )
    assert isinstance(reply, dict)
    sent = last_messages_request(emu)
    assert sent["tool_choice"]["type"] == "tool"
    assert sent["tools"][0]["name"] == sent["tool_choice"]["name"]


def test_bad_key_is_typed_on_the_anthropic_protocol(emu: Emulator) -> None:
    model = ChatWenwen(model=CLAUDE, base_url=emu.base_url, api_key="sk-wrong-key")
    with pytest.raises(AuthenticationError):
        model.invoke("Hello")


@pytest.mark.parametrize("model_name", [CLAUDE, THINKING_CLAUDE])
def test_stream_content_has_the_shape_of_invoke(emu: Emulator, model_name: str) -> None:
    """Plain Claude streams text as strings (so token callbacks get strings); with thinking,
    content is blocks in both, the streamed ones carrying their merge index."""
    model = claude(emu, model_name)
    invoked = model.invoke("Hello")
    streamed = stream_all(model, "Hello")

    def without_index(content: Any) -> Any:
        if isinstance(content, str):
            return content
        return [{k: v for k, v in block.items() if k != "index"} for block in content]

    assert without_index(streamed.content) == invoked.content
    assert isinstance(invoked.content, str) == (model_name == CLAUDE)

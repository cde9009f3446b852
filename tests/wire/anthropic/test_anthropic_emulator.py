"""The Anthropic protocol end to end against the local emulator (real HTTP on 127.0.0.1),
through the sync and the async client. The emulator never imports ``wenwen.protocols``, so
these check the mapping against an independent reading of the wire format: it verifies
thinking signatures, enforces the thinking budget rule and counts prompt-cache tokens."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from tests._spec import validate_anthropic
from wenwen.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    StreamError,
)
from wenwen.types import (
    ChatRequest,
    ChatResponse,
    JsonSchemaFormat,
    Message,
    TextPart,
    ThinkingPart,
    Tool,
    ToolResultPart,
)
from wenwen_emulator import Emulator

CLAUDE = "claude-sonnet-4-5-20250929"
THINKING = "claude-sonnet-4-20250514-thinking"
MAGIC = Tool(
    name="magic_function",
    description="Applies a magic function to an input.",
    parameters={
        "type": "object",
        "properties": {"input": {"type": "integer"}},
        "required": ["input"],
    },
)
MAGIC_QUESTION = "What is the value of magic_function(3)? Use the tool."
PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


def ask(text: str, model: str = CLAUDE, **fields: Any) -> ChatRequest:
    return ChatRequest(model=model, messages=[Message.of("user", text)], **fields)


def sent_bodies(emu: Emulator) -> list[dict[str, Any]]:
    bodies = [r.json for r in emu.requests if r.path == "/v1/messages"]
    for body in bodies:
        validate_anthropic("CreateMessageParams", body)
    return bodies


def same_reply(streamed: ChatResponse, parsed: ChatResponse) -> None:
    """Stream and JSON answers to one request agree (ids differ: each call is new)."""
    keep = {"parts", "finish_reason", "stop_reason_raw", "model", "refusal"}
    assert streamed.model_dump(include=keep) == parsed.model_dump(include=keep)
    assert streamed.usage is not None and parsed.usage is not None
    fields = ("input_tokens", "output_tokens", "total_tokens", "cache_read_tokens")
    assert [getattr(streamed.usage, f) for f in fields] == [
        getattr(parsed.usage, f) for f in fields
    ]


def test_chat_and_stream_agree(client: Any, emu: Emulator) -> None:
    request = ask("The sky is blue today. What colour is the sky?")
    reply = client.chat(request, protocol="anthropic")
    events, streamed = client.stream(request, protocol="anthropic")
    assert reply.protocol == "anthropic" and reply.finish_reason == "stop"
    assert "blue" in reply.text
    assert reply.usage is not None and reply.usage.input_tokens > 0
    same_reply(streamed, reply)
    assert len(events) > 4  # the text arrives in pieces
    first, second = emu.requests
    assert first.path == second.path == "/v1/messages"
    assert first.headers["x-api-key"] == emu.api_key
    assert first.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in first.headers
    assert [b.get("stream") for b in sent_bodies(emu)] == [None, True]


@pytest.mark.parametrize("stream", [False, True])
def test_tool_call_then_result_round_trip(client: Any, emu: Emulator, stream: bool) -> None:
    request = ask(MAGIC_QUESTION, tools=[MAGIC])
    first = (
        client.stream(request, protocol="anthropic")[1]
        if stream
        else client.chat(request, protocol="anthropic")
    )
    (call,) = first.tool_calls
    assert (call.name, json.loads(call.arguments)) == ("magic_function", {"input": 3})
    assert first.finish_reason == "tool_calls"
    result = ToolResultPart(tool_call_id=call.id, content=[TextPart(text="5")])
    follow_up = request.model_copy(
        update={
            "messages": [
                *request.messages,
                first.message(),
                Message(role="tool", parts=[result]),
            ]
        }
    )
    answer = client.chat(follow_up, protocol="anthropic")
    assert "5" in answer.text and answer.finish_reason == "stop"
    assert sent_bodies(emu)[-1]["messages"][-1]["content"][0]["type"] == "tool_result"


def test_signed_thinking_round_trips_and_tampering_is_rejected(client: Any, emu: Emulator) -> None:
    request = ask(MAGIC_QUESTION, model=THINKING, tools=[MAGIC])
    _, first = client.stream(request, protocol="anthropic")
    thinking = first.thinking
    assert thinking and thinking[0].text and thinking[0].signature
    assert first.parts[0] == thinking[0]  # thinking comes first, as streamed
    (call,) = first.tool_calls
    result = Message(
        role="tool",
        parts=[ToolResultPart(tool_call_id=call.id, content=[TextPart(text="5")])],
    )
    history = [*request.messages, first.message(), result]
    answer = client.chat(request.model_copy(update={"messages": history}), protocol="anthropic")
    assert "5" in answer.text

    forged = first.message()
    forged.parts[0] = ThinkingPart(
        text=thinking[0].text + " (edited)", signature=thinking[0].signature
    )
    with pytest.raises(BadRequestError, match="signature"):
        client.chat(
            request.model_copy(update={"messages": [*request.messages, forged, result]}),
            protocol="anthropic",
        )


def test_explicit_thinking_budget_is_accepted_by_the_relay_rules(
    client: Any, emu: Emulator
) -> None:
    request = ask(
        "Think first. The answer is 42. What is the answer?",
        model="claude-3-7-sonnet-20250219",
        reasoning_effort="medium",
        temperature=0.2,
    )
    reply = client.chat(request, protocol="anthropic")
    assert reply.thinking and reply.thinking[0].signature
    (body,) = sent_bodies(emu)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 4096}
    assert body["max_tokens"] > 4096 and "temperature" not in body


@pytest.mark.parametrize("stream", [False, True])
def test_structured_output_through_the_synthetic_tool(
    client: Any, emu: Emulator, stream: bool
) -> None:
    request = ask(
        "Alice is 30 years old. Extract the person.",
        response_format=JsonSchemaFormat(name="person", schema=PERSON),
    )
    reply = (
        client.stream(request, protocol="anthropic")[1]
        if stream
        else client.chat(request, protocol="anthropic")
    )
    assert reply.tool_calls == [] and reply.finish_reason == "stop"
    jsonschema.validate(json.loads(reply.text), PERSON)
    (body,) = sent_bodies(emu)
    assert body["tool_choice"] == {"type": "tool", "name": "person"}


def test_prompt_cache_usage_and_delta_input_tokens(client: Any, emu: Emulator) -> None:
    system = Message(
        role="system",
        parts=[
            TextPart(
                text="You answer questions about the handbook. " * 60,
                cache_control={"type": "ephemeral"},
            )
        ],
    )
    request = ChatRequest(model=CLAUDE, messages=[system, Message.of("user", "Hello there.")])
    created = client.chat(request, protocol="anthropic")
    assert created.usage is not None and created.usage.cache_creation_tokens > 0
    read = client.chat(request, protocol="anthropic")
    assert (
        read.usage is not None
        and read.usage.cache_read_tokens == created.usage.cache_creation_tokens
    )
    # newer-API framing: message_delta repeats the input figures; they are not added twice
    quirky = request.model_copy(
        update={"extra_headers": {"x-emulator-quirks": "delta_input_tokens"}}
    )
    _, streamed = client.stream(quirky, protocol="anthropic")
    same_reply(streamed, read)
    assert streamed.usage is not None
    assert streamed.usage.input_tokens == read.usage.input_tokens
    assert streamed.usage.input_tokens > streamed.usage.cache_read_tokens > 0


def test_relay_framing_quirks_and_pings(client: Any, emu: Emulator) -> None:
    request = ask("Grass is green. What colour is grass?")
    plain = client.chat(request, protocol="anthropic")
    noisy = request.model_copy(
        update={
            "extra_headers": {
                "x-emulator-quirks": "claude_extra_newline",
                "x-emulator-fault": "ping,crlf",
            }
        }
    )
    _, streamed = client.stream(noisy, protocol="anthropic")
    same_reply(streamed, plain)


@pytest.mark.parametrize("fault", ["error_event:3", "midstream_close:3", "truncate:3"])
def test_broken_streams_raise_with_the_partial_reply(
    client: Any, emu: Emulator, fault: str
) -> None:
    emu.inject(fault)
    with pytest.raises(StreamError) as caught:
        client.stream(ask("The sea is deep and wide. How is the sea?"), protocol="anthropic")
    partial = caught.value.partial
    assert partial is not None and partial.protocol == "anthropic"
    assert partial.usage is not None and partial.usage.input_tokens > 0  # from message_start


def test_unknown_model_and_bad_key_are_status_errors(client_factory: Any, emu: Emulator) -> None:
    # new-api answers these from its middleware; the error class follows the body's shape
    with pytest.raises(APIStatusError) as missing:
        client_factory().chat(ask("hi", model="claude-nonexistent-1"), protocol="anthropic")
    assert missing.value.status_code == 503 and "claude-nonexistent-1" in missing.value.message
    with pytest.raises(AuthenticationError) as caught:
        client_factory(api_key="sk-wrong-key").chat(ask("hi"), protocol="anthropic")
    assert "sk-wrong-key" not in str(caught.value)

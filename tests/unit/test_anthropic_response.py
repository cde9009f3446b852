"""Parsing of non-streamed Anthropic replies: usage, stop reasons, blocks, error bodies."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from wenwen.errors import (
    APIStatusError,
    InternalServerError,
    ProtocolError,
    RateLimitError,
)
from wenwen.protocols import anthropic_messages as anthropic
from wenwen.types import (
    ChatRequest,
    JsonSchemaFormat,
    Message,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    Usage,
)

STRUCTURED = ChatRequest(
    model="claude-sonnet-4-5",
    messages=[Message.of("user", "Alice")],
    response_format=JsonSchemaFormat(name="person", schema={"type": "object"}),
)


def reply(*content: dict[str, Any], stop: str | None = "end_turn", **extra: Any) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": list(content),
        "stop_reason": stop,
        **extra,
    }


# --- usage -----------------------------------------------------------------------------------


def test_usage_counts_cached_tokens_in_the_input() -> None:
    raw = {
        "input_tokens": 3,
        "cache_creation_input_tokens": 100,
        "cache_read_input_tokens": 1869,
        "output_tokens": 93,
        "service_tier": "standard",
    }
    assert anthropic.usage_from(raw) == Usage(
        input_tokens=1972,
        output_tokens=93,
        total_tokens=2065,
        cache_read_tokens=1869,
        cache_creation_tokens=100,
        raw=raw,
    )


def test_usage_tolerates_nulls_and_missing_fields() -> None:
    raw = {"input_tokens": 7, "cache_read_input_tokens": None, "output_tokens": None}
    usage = anthropic.usage_from(raw)
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (7, 0, 7)
    assert anthropic.usage_from({}) == Usage(raw={})
    assert anthropic.usage_from(None) is None


def test_usage_reports_thinking_tokens_as_reasoning_detail() -> None:
    usage = anthropic.usage_from(
        {"input_tokens": 5, "output_tokens": 300, "output_tokens_details": {"thinking_tokens": 220}}
    )
    assert usage is not None
    assert (usage.output_tokens, usage.reasoning_tokens, usage.total_tokens) == (300, 220, 305)


def test_usage_with_a_non_number_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError) as caught:
        anthropic.usage_from({"input_tokens": 1, "output_tokens": "many"})
    assert caught.value.field == "usage.output_tokens"


def test_reply_without_usage_has_none() -> None:
    assert anthropic.parse_response(reply({"type": "text", "text": "hi"})).usage is None


# --- stop reasons ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("model_context_window_exceeded", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "refusal"),
        ("pause_turn", "pause"),
        ("something_new", "other"),
        (None, None),
    ],
)
def test_stop_reasons(raw: str | None, reason: str | None) -> None:
    response = anthropic.parse_response(reply({"type": "text", "text": "x"}, stop=raw))
    assert (response.finish_reason, response.stop_reason_raw) == (reason, raw)
    assert response.protocol == "anthropic"


def test_refusal_text_is_surfaced() -> None:
    response = anthropic.parse_response(reply({"type": "text", "text": "No."}, stop="refusal"))
    assert response.refusal == "No."
    empty = anthropic.parse_response(reply(stop="refusal"))
    assert empty.refusal is None and empty.finish_reason == "refusal"


# --- blocks ----------------------------------------------------------------------------------


def test_thinking_redacted_and_tool_blocks() -> None:
    response = anthropic.parse_response(
        reply(
            {"type": "thinking", "thinking": "hmm", "signature": "sig=="},
            {"type": "thinking", "thinking": "unsigned", "signature": ""},
            {"type": "redacted_thinking", "data": "opaque"},
            {"type": "tool_use", "id": "toolu_1", "name": "now", "input": None},
            {"type": "tool_use", "id": "toolu_2", "name": "say", "input": {"text": "héllo"}},
            stop="tool_use",
        )
    )
    assert response.parts == [
        ThinkingPart(text="hmm", signature="sig=="),
        ThinkingPart(text="unsigned"),
        ThinkingPart(redacted="opaque"),
        ToolCallPart(id="toolu_1", name="now", arguments="{}"),
        ToolCallPart(id="toolu_2", name="say", arguments='{"text": "héllo"}'),
    ]
    assert response.finish_reason == "tool_calls"


def test_unknown_blocks_stay_in_raw_only(caplog: pytest.LogCaptureFixture) -> None:
    body = reply(
        {
            "type": "server_tool_use",
            "id": "srvtoolu_1",
            "name": "web_search",
            "input": {"query": "x"},
        },
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
        {"type": "text", "text": "Found it."},
    )
    with caplog.at_level(logging.DEBUG, logger="wenwen"):
        response = anthropic.parse_response(body)
    assert response.parts == [TextPart(text="Found it.")]
    assert response.raw["content"][0]["type"] == "server_tool_use"
    assert "'web_search_tool_result'" in caplog.text


def test_odd_ids_and_models_are_taken_as_given() -> None:
    response = anthropic.parse_response(
        {"id": "chatcmpl-9", "model": "claude-3.5-sonnet", "content": [], "stop_reason": None}
    )
    assert (response.id, response.model, response.parts) == ("chatcmpl-9", "claude-3.5-sonnet", [])
    with pytest.raises(ProtocolError) as caught:  # one policy: another type is an error
        anthropic.parse_response({"id": 5, "content": []})
    assert caught.value.field == "id"


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ([], "JSON list, not an object"),
        ({"id": "x"}, "no 'content' list"),
        ({"content": "text"}, "no 'content' list"),
        ({"content": ["text"]}, r"content\[0\] is text"),
        ({"content": [{"type": "text", "text": 5}]}, r"content\[0\]\.text is a number"),
        (
            {"content": [{"type": "tool_use", "id": "t", "name": "n", "input": [1]}]},
            "not an object",
        ),
    ],
)
def test_malformed_replies_raise_protocol_errors(body: Any, match: str) -> None:
    with pytest.raises(ProtocolError, match=match):
        anthropic.parse_response(body)


# --- errors delivered with a success status ---------------------------------------------------


@pytest.mark.parametrize(
    ("error_type", "cls"),
    [
        ("overloaded_error", InternalServerError),
        ("rate_limit_error", RateLimitError),
        ("new_api_error", APIStatusError),
    ],
)
def test_error_body_at_200_raises_a_typed_error(error_type: str, cls: type[Exception]) -> None:
    body = {
        "type": "error",
        "error": {"type": error_type, "message": "busy (request id: r-1)"},
        "request_id": "req_1",
    }
    with pytest.raises(cls) as caught:
        anthropic.parse_response(body)
    error = caught.value
    assert isinstance(error, APIStatusError)
    assert (error.status_code, error.type, error.request_id) == (200, error_type, "req_1")
    assert "busy (request id: r-1)" in str(error)


# --- structured output ------------------------------------------------------------------------


def test_synthetic_tool_becomes_json_text_and_stop() -> None:
    body = reply(
        {"type": "tool_use", "id": "toolu_1", "name": "person", "input": {"name": "Alice"}},
        stop="tool_use",
    )
    response = anthropic.parse_response(body, STRUCTURED)
    assert response.parts == [TextPart(text='{"name": "Alice"}')]
    assert (response.finish_reason, response.stop_reason_raw) == ("stop", "tool_use")
    # without the request there is nothing to undo: it stays a tool call
    plain = anthropic.parse_response(body)
    assert plain.tool_calls[0].name == "person" and plain.finish_reason == "tool_calls"


def test_synthetic_tool_beside_a_real_call_keeps_tool_calls() -> None:
    body = reply(
        {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"q": "a"}},
        {"type": "tool_use", "id": "toolu_2", "name": "person", "input": {}},
        stop="tool_use",
    )
    response = anthropic.parse_response(body, STRUCTURED)
    assert response.parts == [
        ToolCallPart(id="toolu_1", name="lookup", arguments='{"q": "a"}'),
        TextPart(text="{}"),
    ]
    assert response.finish_reason == "tool_calls"


def test_finalize_response_is_idempotent() -> None:
    response = anthropic.parse_response(reply({"type": "text", "text": "No."}, stop="refusal"))
    assert anthropic.finalize_response(response) == response

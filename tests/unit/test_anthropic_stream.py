"""Edge cases of the Anthropic stream decoder, driven through the same SSE decoder and
accumulator the client uses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.wire.anthropic._drive import frames, run_stream
from wenwen._http.sse import ServerSentEvent
from wenwen.errors import StreamError
from wenwen.protocols import anthropic_messages as anthropic
from wenwen.types import (
    ChatRequest,
    Finished,
    JsonObjectFormat,
    Message,
    ResponseStarted,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallPart,
    UsageReport,
)

START_USAGE = {
    "input_tokens": 25,
    "cache_creation_input_tokens": 0,
    "cache_read_input_tokens": 100,
    "output_tokens": 1,
}


def start(usage: dict[str, Any] | None = None) -> dict[str, Any]:
    message = {
        "id": "msg_s",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [],
        "stop_reason": None,
        "usage": usage if usage is not None else START_USAGE,
    }
    return {"type": "message_start", "message": message}


def text_block(index: int, *pieces: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": "text", "text": ""},
        },
        *(
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "text_delta", "text": p},
            }
            for p in pieces
        ),
        {"type": "content_block_stop", "index": index},
    ]


def tool_block(
    index: int, tool_id: str, name: str, *fragments: str, given: Any = None
) -> list[dict[str, Any]]:
    block = {"type": "tool_use", "id": tool_id, "name": name, "input": given or {}}
    return [
        {"type": "content_block_start", "index": index, "content_block": block},
        *(
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "input_json_delta", "partial_json": f},
            }
            for f in fragments
        ),
        {"type": "content_block_stop", "index": index},
    ]


def end(reason: str = "end_turn", usage: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [
        {
            "type": "message_delta",
            "delta": {"stop_reason": reason, "stop_sequence": None},
            "usage": usage or {"output_tokens": 40},
        },
        {"type": "message_stop"},
    ]


# --- usage merging ---------------------------------------------------------------------------


def test_message_delta_without_input_keeps_message_start_input() -> None:
    # the ChatAnthropic defect: input_tokens lost when message_delta lacks them
    _, response = run_stream([frames(start(), *text_block(0, "hi"), *end())])
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.cache_read_tokens) == (125, 100)
    assert (response.usage.output_tokens, response.usage.total_tokens) == (40, 165)


def test_message_delta_repeating_input_is_not_doubled() -> None:
    final = {**START_USAGE, "output_tokens": 40}
    _, response = run_stream([frames(start(), *text_block(0, "hi"), *end(usage=final))])
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.total_tokens) == (125, 165)
    assert response.usage.raw == final


def test_zero_placeholders_in_message_delta_do_not_erase_counts() -> None:
    zeros = {"input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 40}
    _, response = run_stream([frames(start(), *text_block(0, "hi"), *end(usage=zeros))])
    assert response.usage is not None and response.usage.input_tokens == 125


def test_input_usage_arrives_as_soon_as_the_message_starts() -> None:
    decoder = anthropic.StreamDecoder()
    events = decoder.feed(ServerSentEvent(data=json.dumps(start()), event="message_start"))
    assert isinstance(events[0], ResponseStarted) and events[0].id == "msg_s"
    assert isinstance(events[1], UsageReport) and events[1].usage.input_tokens == 125


# --- framing ---------------------------------------------------------------------------------


def test_pings_comments_crlf_and_extra_blank_lines() -> None:
    events = [start(), {"type": "ping"}, *text_block(0, "a", "b"), {"type": "ping"}, *end()]
    plain = frames(*events)
    noisy = (
        b": PING\r\n\r\n"
        + plain.replace(b"\n\n", b"\n\n\n").replace(b"\n", b"\r\n")
        + b": PING\r\n\r\n"
    )
    assert run_stream([noisy]) == run_stream([plain])
    assert run_stream([plain])[1].text == "ab"


def test_events_without_event_lines_dispatch_on_type() -> None:
    events = [start(), *text_block(0, "x"), *end()]
    assert run_stream([frames(*events, named=False)]) == run_stream([frames(*events)])


def test_event_name_is_used_when_the_data_has_no_type() -> None:
    decoder = anthropic.StreamDecoder()
    assert decoder.feed(ServerSentEvent(data="{}", event="message_stop")) == []
    assert decoder.done


def test_unknown_events_and_deltas_are_ignored() -> None:
    citation = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {
            "type": "citations_delta",
            "citation": {"type": "char_location", "cited_text": "x"},
        },
    }
    events = [
        start(),
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": "A"}},
        citation,
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "B"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "future_event", "payload": 1},
        *end(),
    ]
    _, response = run_stream([frames(*events)])
    assert response.parts == [TextPart(text="AB")]


def test_server_tool_blocks_produce_no_tool_calls() -> None:
    server = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}
    events = [
        start(),
        {"type": "content_block_start", "index": 0, "content_block": server},
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": '{"q":1}'},
        },
        {"type": "content_block_stop", "index": 0},
        *text_block(1, "done"),
        *end(),
    ]
    _, response = run_stream([frames(*events)])
    assert response.parts == [TextPart(text="done")]


def test_empty_data_frames_are_skipped() -> None:
    assert anthropic.StreamDecoder().feed(ServerSentEvent(data="", event="ping")) == []


# --- ending ----------------------------------------------------------------------------------


def test_truncated_stream_raises_stream_error() -> None:
    with pytest.raises(StreamError, match="ended before message_stop"):
        run_stream([frames(start(), {"type": "ping"}, *text_block(0, "partial"))])


def test_missing_message_stop_is_tolerated_once_the_stop_reason_arrived() -> None:
    events = [start(), *text_block(0, "whole"), end()[0]]
    _, response = run_stream([frames(*events)])
    assert (response.text, response.finish_reason) == ("whole", "stop")


def test_events_after_message_stop_are_ignored() -> None:
    events = [start(), *text_block(0, "one"), *end(), *text_block(1, "two")]
    _, response = run_stream([frames(*events)])
    assert response.text == "one"


@pytest.mark.parametrize(
    "error",
    [
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        {"error": {"type": "overloaded_error", "message": "Overloaded"}},
    ],
)
def test_error_events_raise_with_type_and_message(error: dict[str, Any]) -> None:
    payload = frames(start(), *text_block(0, "par"), named=True) + frames(error, named=False)
    with pytest.raises(StreamError, match=r"\(overloaded_error\): Overloaded"):
        run_stream([payload])


def test_malformed_json_raises_stream_error() -> None:
    with pytest.raises(StreamError, match="content_block_delta is not valid JSON"):
        anthropic.StreamDecoder().feed(ServerSentEvent(data="{oops", event="content_block_delta"))
    with pytest.raises(StreamError, match="JSON list"):
        anthropic.StreamDecoder().feed(ServerSentEvent(data="[1]"))


# --- blocks ----------------------------------------------------------------------------------


def test_text_delta_without_its_block_start_is_kept() -> None:
    events = [
        start(),
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": "orphan"},
        },
        *end(),
    ]
    assert run_stream([frames(*events)])[1].text == "orphan"


def test_tool_json_without_its_block_start_is_an_error() -> None:
    events = [
        start(),
        {
            "type": "content_block_delta",
            "index": 3,
            "delta": {"type": "input_json_delta", "partial_json": "{"},
        },
    ]
    with pytest.raises(StreamError, match="'input_json_delta' for block:3 before its start"):
        run_stream([frames(*events)])


def test_tool_calls_get_ordinal_indexes_and_keep_ids() -> None:
    events = [
        start(),
        *text_block(0, "Checking."),
        *tool_block(1, "toolu_a", "get_weather", '{"city":', ' "Oslo"}'),
        *tool_block(2, "toolu_b", "get_time", given={"tz": "UTC"}),
        *end("tool_use"),
    ]
    decoded, response = run_stream([frames(*events)])
    starts = [e for e in decoded if isinstance(e, ToolCallDelta) and e.id]
    assert [(e.key, e.index, e.id, e.name, e.arguments) for e in starts] == [
        ("block:1", 0, "toolu_a", "get_weather", ""),
        ("block:2", 1, "toolu_b", "get_time", '{"tz": "UTC"}'),
    ]
    assert response.parts[1:] == [
        ToolCallPart(id="toolu_a", name="get_weather", arguments='{"city": "Oslo"}'),
        ToolCallPart(id="toolu_b", name="get_time", arguments='{"tz": "UTC"}'),
    ]
    assert response.finish_reason == "tool_calls"


def test_thinking_signature_and_redacted_blocks() -> None:
    events = [
        start(),
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "thinking", "thinking": ""},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "Let me"},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": " think."},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "signature_delta", "signature": "c2ln"},
        },
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "redacted_thinking", "data": "enc"},
        },
        {"type": "content_block_stop", "index": 1},
        *text_block(2, "Answer."),
        *end(),
    ]
    decoded, response = run_stream([frames(*events)])
    assert ThinkingDelta(key="block:0", signature="c2ln") in decoded
    assert ThinkingDelta(key="block:1", redacted="enc") in decoded
    thinking = response.thinking
    assert (thinking[0].text, thinking[0].signature) == ("Let me think.", "c2ln")
    assert (thinking[1].text, thinking[1].redacted) == ("", "enc")
    assert response.text == "Answer."


# --- structured output ------------------------------------------------------------------------

JSON_REQUEST = ChatRequest(
    model="claude-sonnet-4-5",
    messages=[Message.of("user", "x")],
    response_format=JsonObjectFormat(),
)


def test_synthetic_tool_streams_as_text_and_stops() -> None:
    events = [
        start(),
        *tool_block(0, "toolu_j", "json_output", '{"ok"', ": true}"),
        *end("tool_use"),
    ]
    decoded, response = run_stream([frames(*events)], JSON_REQUEST)
    assert [e.text for e in decoded if isinstance(e, TextDelta)] == ["", '{"ok"', ": true}"]
    assert not any(isinstance(e, ToolCallDelta) for e in decoded)
    assert Finished(reason="stop", raw_reason="tool_use") in decoded
    assert response.parts == [TextPart(text='{"ok": true}')]


def test_synthetic_tool_with_no_input_streams_an_empty_object() -> None:
    events = [start(), *tool_block(0, "toolu_j", "json_output"), *end("tool_use")]
    _, response = run_stream([frames(*events)], JSON_REQUEST)
    assert response.parts == [TextPart(text="{}")]


def test_synthetic_tool_input_given_at_block_start() -> None:
    events = [start(), *tool_block(0, "toolu_j", "json_output", given={"a": 1}), *end("tool_use")]
    _, response = run_stream([frames(*events)], JSON_REQUEST)
    assert response.parts == [TextPart(text='{"a": 1}')]


def test_synthetic_tool_beside_a_real_call_keeps_tool_calls() -> None:
    events = [
        start(),
        *tool_block(0, "toolu_r", "lookup", '{"q": 1}'),
        *tool_block(1, "toolu_j", "json_output", "{}"),
        *end("tool_use"),
    ]
    decoded, response = run_stream([frames(*events)], JSON_REQUEST)
    assert response.finish_reason == "tool_calls"
    assert response.parts == [
        ToolCallPart(id="toolu_r", name="lookup", arguments='{"q": 1}'),
        TextPart(text="{}"),
    ]
    assert [e.index for e in decoded if isinstance(e, ToolCallDelta)] == [0, 0]

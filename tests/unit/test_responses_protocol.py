"""The Responses protocol module alone: request mapping (checked against the spec's
``CreateResponse``), reply parsing and the named-event stream decoder."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests._spec import validate_openai, validate_responses_request
from wenwen._http.sse import SSEDecoder
from wenwen.errors import ConfigurationError, StreamError, UnsupportedFeatureError
from wenwen.protocols import choose_protocol, get_protocol
from wenwen.protocols import openai_responses as responses
from wenwen.stream import StreamAccumulator
from wenwen.types import (
    ChatRequest,
    ChatResponse,
    FilePart,
    ImagePart,
    JsonObjectFormat,
    JsonSchemaFormat,
    Message,
    NamedToolChoice,
    ServerToolCallPart,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolResultPart,
)

WEATHER = Tool(
    name="get_weather",
    description="Weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)


def history() -> list[Message]:
    return [
        Message.of("system", "Be brief."),
        Message(
            role="user",
            parts=[
                TextPart(text="Weather in this picture's city?"),
                ImagePart(url="https://example.com/a.png"),
                FilePart(data="JVBERi0=", media_type="application/pdf", filename="a.pdf"),
            ],
        ),
        Message(
            role="assistant",
            parts=[
                ThinkingPart(text="Call it.", signature="sealed", provider_data={"id": "rs_1"}),
                TextPart(text="Checking."),
                ToolCallPart(id="call_1", name="get_weather", arguments='{"city":"Paris"}'),
            ],
        ),
        Message(
            role="tool",
            parts=[ToolResultPart(tool_call_id="call_1", content=[TextPart(text="sunny")])],
        ),
    ]


def build(**fields: Any) -> dict[str, Any]:
    request = ChatRequest(model="gpt-5", messages=fields.pop("messages", history()), **fields)
    body = responses.build_request(request, stream=False).json
    assert body is not None
    validate_responses_request(body)
    return body


def test_registered_and_auto_rule() -> None:
    assert get_protocol("responses").module is responses  # behind the typed-error guard
    assert choose_protocol("gpt-5", "responses") == "responses"
    assert choose_protocol("gpt-5") == "openai"  # auto never switches by surprise
    for model in ("o1-pro", "o3-pro-2025-06-10", "openai/gpt-5-pro", "codex-mini-latest"):
        assert choose_protocol(model) == "responses"
    assert choose_protocol("gpt-5-proactive") == "openai"


def test_history_becomes_input_items() -> None:
    body = build()
    assert body["input"] == [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Weather in this picture's city?"},
                {"type": "input_image", "image_url": "https://example.com/a.png", "detail": "auto"},
                {
                    "type": "input_file",
                    "file_data": "data:application/pdf;base64,JVBERi0=",
                    "filename": "a.pdf",
                },
            ],
        },
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "Call it."}],
            "encrypted_content": "sealed",
        },
        {"type": "message", "role": "assistant", "content": "Checking."},
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"city":"Paris"}',
        },
        {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
    ]


def test_options_and_tools() -> None:
    body = build(
        tools=[WEATHER],
        server_tools=[{"type": "web_search_preview"}],
        tool_choice=NamedToolChoice(name="get_weather"),
        parallel_tool_calls=False,
        response_format=JsonSchemaFormat(name="w", schema={"type": "object"}, strict=True),
        reasoning_effort="low",
        reasoning_summary="auto",
        store=False,
        max_tokens=64,
        temperature=0.2,
        previous_response_id="resp_1",
        metadata={"a": "b"},
    )
    assert body["tools"] == [
        {
            "type": "function",
            "name": "get_weather",
            "parameters": WEATHER.parameters,
            "strict": False,
            "description": "Weather for a city",
        },
        {"type": "web_search_preview"},
    ]
    assert body["tool_choice"] == {"type": "function", "name": "get_weather"}
    assert body["text"] == {
        "format": {"type": "json_schema", "name": "w", "schema": {"type": "object"}, "strict": True}
    }
    assert body["reasoning"] == {"effort": "low", "summary": "auto"}
    assert body["include"] == ["reasoning.encrypted_content"]  # store=False needs it
    assert (body["store"], body["max_output_tokens"], body["previous_response_id"]) == (
        False,
        64,
        "resp_1",
    )
    assert body["parallel_tool_calls"] is False


def test_builtin_tool_choice_and_json_object() -> None:
    body = build(
        server_tools=[{"type": "web_search_preview"}],
        tool_choice=NamedToolChoice(name="web_search_preview"),
        response_format=JsonObjectFormat(),
    )
    assert body["tool_choice"] == {"type": "web_search_preview"}
    assert body["text"] == {"format": {"type": "json_object"}}
    for choice in ("auto", "none", "required"):
        assert build(tools=[WEATHER], tool_choice=choice)["tool_choice"] == choice


def test_unsupported_fields_are_named() -> None:
    with pytest.raises(UnsupportedFeatureError, match="seed, top_k"):
        build(seed=1, top_k=3)
    assert "stop" not in build(stop=["x"])  # enforced by the client (wenwen.stop)
    with pytest.raises(ConfigurationError, match="not among"):
        build(tools=[WEATHER], tool_choice=NamedToolChoice(name="nope"))


def test_reasoning_from_another_protocol_is_not_replayed() -> None:
    messages = [
        Message.of("user", "hi"),
        Message(role="assistant", parts=[ThinkingPart(text="x"), TextPart(text="ok")]),
    ]
    body = build(messages=messages)
    assert [item["role"] for item in body["input"]] == ["user", "assistant"]


# --- replies ------------------------------------------------------------------------------

REPLY: dict[str, Any] = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1,
    "status": "completed",
    "error": None,
    "incomplete_details": None,
    "instructions": None,
    "model": "gpt-5",
    "output": [
        {
            "id": "rs_1",
            "type": "reasoning",
            "summary": [
                {"type": "summary_text", "text": "A"},
                {"type": "summary_text", "text": "B"},
            ],
            "encrypted_content": "sealed",
        },
        {
            "id": "ws_1",
            "type": "web_search_call",
            "status": "completed",
            "action": {"type": "search", "query": "q"},
        },
        {
            "id": "msg_1",
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [
                {
                    "type": "output_text",
                    "text": "See [E](https://example.com/e).",
                    "annotations": [
                        {
                            "type": "url_citation",
                            "url": "https://example.com/e",
                            "title": "E",
                            "start_index": 4,
                            "end_index": 30,
                        }
                    ],
                    "logprobs": [],
                }
            ],
        },
        {
            "id": "fc_1",
            "type": "function_call",
            "status": "completed",
            "call_id": "call_1",
            "name": "f",
            "arguments": "{}",
        },
    ],
    "parallel_tool_calls": True,
    "metadata": {},
    "tool_choice": "auto",
    "tools": [],
    "temperature": 1.0,
    "top_p": 1.0,
    "usage": {
        "input_tokens": 10,
        "input_tokens_details": {"cached_tokens": 4, "cache_write_tokens": 0},
        "output_tokens": 20,
        "output_tokens_details": {"reasoning_tokens": 7},
        "total_tokens": 30,
    },
}


def test_parse_reply() -> None:
    validate_openai("Response", REPLY)
    reply = responses.parse_response(REPLY)
    thinking, server, text, call = reply.parts
    assert isinstance(thinking, ThinkingPart) and thinking.text == "A\n\nB"
    assert (thinking.signature, thinking.provider_data) == ("sealed", {"id": "rs_1"})
    assert isinstance(server, ServerToolCallPart) and server.name == "web_search"
    assert server.provider_data["item"] == REPLY["output"][1]
    assert isinstance(text, TextPart) and text.citations[0].url == "https://example.com/e"
    assert isinstance(call, ToolCallPart) and call.provider_data == {"id": "fc_1"}
    assert reply.finish_reason == "tool_calls" and reply.stop_reason_raw == "completed"
    assert reply.usage is not None
    assert (reply.usage.cache_read_tokens, reply.usage.reasoning_tokens) == (4, 7)
    assert reply.id == "resp_1"


def test_incomplete_maps_to_length_and_failed_raises() -> None:
    incomplete = {
        **REPLY,
        "status": "incomplete",
        "incomplete_details": {"reason": "max_output_tokens"},
    }
    assert responses.parse_response(incomplete).finish_reason == "length"
    failed = {**REPLY, "status": "failed", "error": {"code": "server_error", "message": "boom"}}
    with pytest.raises(Exception, match="boom"):
        responses.parse_response(failed)


# --- streams ------------------------------------------------------------------------------


def sse(events: list[dict[str, Any]], tail: str = "") -> bytes:
    text = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    return (text + tail).encode()


def run(data: bytes, chunk: int = 0) -> ChatResponse:
    decoder = responses.StreamDecoder()
    sse_decoder = SSEDecoder()
    accumulator = StreamAccumulator(responses.NAME, finalize=responses.finalize_response)
    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)] if chunk else [data]
    for piece in pieces:
        for event in sse_decoder.feed(piece):
            for delta in decoder.feed(event):
                accumulator.add(delta)
    for event in sse_decoder.flush():
        for delta in decoder.feed(event):
            accumulator.add(delta)
    for delta in decoder.close():
        accumulator.add(delta)
    return accumulator.response()


def stream_of(reply: dict[str, Any]) -> list[dict[str, Any]]:
    """A minimal event sequence for ``reply`` (deltas for text, summaries and arguments)."""
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {**reply, "output": []}}
    ]
    for index, item in enumerate(reply["output"]):
        events.append(
            {
                "type": "response.output_item.added",
                "output_index": index,
                "item": item | {"summary": [], "arguments": "", "content": []},
            }
        )
        at = {"item_id": item["id"], "output_index": index}
        if item["type"] == "reasoning":
            for s_index, part in enumerate(item["summary"]):
                events.append(
                    {
                        "type": "response.reasoning_summary_part.added",
                        **at,
                        "summary_index": s_index,
                    }
                )
                events.append(
                    {
                        "type": "response.reasoning_summary_text.delta",
                        **at,
                        "summary_index": s_index,
                        "delta": part["text"],
                    }
                )
        if item["type"] == "message":
            text = item["content"][0]["text"]
            for piece in (text[:5], text[5:]):
                events.append(
                    {"type": "response.output_text.delta", **at, "content_index": 0, "delta": piece}
                )
            for annotation in item["content"][0]["annotations"]:
                events.append(
                    {
                        "type": "response.output_text.annotation.added",
                        **at,
                        "content_index": 0,
                        "annotation": annotation,
                    }
                )
        if item["type"] == "function_call":
            events.append(
                {"type": "response.function_call_arguments.delta", **at, "delta": item["arguments"]}
            )
        events.append({"type": "response.some_future_event", **at})
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    events.append({"type": "response.completed", "response": reply})
    return events


def comparable(reply: ChatResponse) -> dict[str, Any]:
    return reply.model_dump(mode="json", exclude={"raw"})


@pytest.mark.parametrize("chunk", [0, 1, 7])
def test_stream_matches_parsed_reply(chunk: int) -> None:
    data = sse(stream_of(REPLY), tail="data: [DONE]\n\n")
    assert comparable(run(data, chunk)) == comparable(responses.parse_response(REPLY))


def test_stream_keeps_the_final_object_and_unknown_events_in_raw() -> None:
    reply = run(sse(stream_of(REPLY)))
    unknown = reply.raw.pop("unknown_events")
    assert {e["type"] for e in unknown} == {"response.some_future_event"}
    assert reply.raw == REPLY


def test_stream_without_deltas_fills_from_items() -> None:
    events = [e for e in stream_of(REPLY) if not e["type"].endswith(".delta")]
    assert comparable(run(sse(events))) == comparable(responses.parse_response(REPLY))


def test_stream_without_terminator_raises() -> None:
    events = stream_of(REPLY)[:-1]
    with pytest.raises(StreamError, match=r"response\.completed"):
        run(sse(events))


def test_stream_failed_and_error_events_raise() -> None:
    failed = {
        "type": "response.failed",
        "response": {
            **REPLY,
            "status": "failed",
            "error": {"code": "server_error", "message": "boom"},
        },
    }
    with pytest.raises(StreamError, match="boom"):
        run(sse([failed]))
    error = {"type": "error", "code": "rate_limit", "message": "slow down", "param": None}
    with pytest.raises(StreamError, match="slow down"):
        run(sse([error]))


def test_stream_incomplete_finishes_with_length() -> None:
    incomplete = {
        **REPLY,
        "status": "incomplete",
        "incomplete_details": {"reason": "max_output_tokens"},
        "output": [],
    }
    reply = run(sse([{"type": "response.incomplete", "response": incomplete}]))
    assert reply.finish_reason == "length"


def _tool_turn(*results: ToolResultPart) -> list[Message]:
    calls = [ToolCallPart(id=r.tool_call_id, name="render_badge", arguments="{}") for r in results]
    return [
        Message.of("user", "Draw a badge."),
        Message(role="assistant", parts=calls),
        Message(role="tool", parts=list(results)),
    ]


def test_tool_results_with_images_are_sent_as_content_parts() -> None:
    png = ImagePart(data="iVBORw0KGgo=", media_type="image/png")
    drawn = ToolResultPart(tool_call_id="c1", content=[TextPart(text="drawn"), png])
    failed = ToolResultPart(
        tool_call_id="c2",
        content=[TextPart(text="no ink"), ImagePart(url="https://example.com/x.png")],
        is_error=True,
    )
    body = build(messages=_tool_turn(drawn, failed))
    image = {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo="}
    assert body["input"][-2:] == [
        {
            "type": "function_call_output",
            "call_id": "c1",
            "output": [{"type": "input_text", "text": "drawn"}, {**image, "detail": "auto"}],
        },
        {
            "type": "function_call_output",
            "call_id": "c2",
            "output": [
                {"type": "input_text", "text": "[tool error]"},
                {"type": "input_text", "text": "no ink"},
                {
                    "type": "input_image",
                    "image_url": "https://example.com/x.png",
                    "detail": "auto",
                },
            ],
        },
    ]


def test_an_image_without_data_or_url_is_refused_not_dropped() -> None:
    empty = ToolResultPart(tool_call_id="c1", content=[ImagePart(media_type="image/png")])
    with pytest.raises(UnsupportedFeatureError, match=r"result of tool call 'c1'.*neither"):
        build(messages=_tool_turn(empty))
    user = Message(role="user", parts=[TextPart(text="hi"), ImagePart()])
    with pytest.raises(UnsupportedFeatureError, match="user message at position 0"):
        build(messages=[user])

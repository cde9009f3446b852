"""Gemini replies and stream chunks → neutral responses. Every fixture body is first parsed
strictly by the official ``GenerateContentResponse`` proto, so these are shapes Google can
really send."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.wire.gemini._proto import check_response
from wenwen._http.pipeline import StreamPipeline
from wenwen.errors import ContentBlockedError, StreamError
from wenwen.protocols import gemini
from wenwen.types import (
    AudioPart,
    ChatRequest,
    ImagePart,
    Message,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)

REQUEST = ChatRequest(model="gemini-2.5-flash", messages=[Message.of("user", "hi")])
USAGE = {
    "promptTokenCount": 100,
    "cachedContentTokenCount": 40,
    "candidatesTokenCount": 20,
    "thoughtsTokenCount": 30,
    "totalTokenCount": 150,
}


def reply(parts: list[dict[str, Any]], finish: str | None = "STOP", **extra: Any) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    body = {"candidates": [candidate], "modelVersion": "gemini-2.5-flash", "responseId": "r1"}
    body.update(extra)
    check_response(body)
    return body


def test_text_thoughts_calls_and_usage() -> None:
    body = reply(
        [
            {"text": "Let me think", "thought": True},
            {
                "functionCall": {"name": "get_weather", "args": {"city": "Paris"}},
                "thoughtSignature": "c2ln",
            },
            {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}}},
        ],
        usageMetadata=USAGE,
    )
    response = gemini.parse_response(body, REQUEST)
    assert response.protocol == "gemini"
    assert response.id == "r1" and response.model == "gemini-2.5-flash"
    thinking, first, second = response.parts
    assert thinking == ThinkingPart(text="Let me think")
    assert isinstance(first, ToolCallPart) and isinstance(second, ToolCallPart)
    assert first.parsed_arguments() == {"city": "Paris"}
    assert first.provider_data == {gemini.SIGNATURE_KEY: "c2ln"}
    assert second.provider_data == {}
    assert first.id.startswith("call_") and first.id != second.id
    assert gemini.parse_response(body, REQUEST).tool_calls[0].id == first.id  # deterministic
    assert response.finish_reason == "tool_calls"
    usage = response.usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (100, 50, 150)
    assert (usage.cache_read_tokens, usage.reasoning_tokens) == (40, 30)


def test_text_signature_follows_its_text_and_images_are_kept() -> None:
    body = reply(
        [
            {"text": "Here you go", "thoughtSignature": "c2ln"},
            {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
            {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
        ]
    )
    response = gemini.parse_response(body, REQUEST)
    assert response.parts == [
        TextPart(text="Here you go"),
        ThinkingPart(signature="c2ln"),
        ImagePart(data="iVBORw0KGgo=", media_type="image/png"),
        AudioPart(data="UklGRg==", format="wav"),
    ]
    assert response.finish_reason == "stop"
    # replayed, the signature goes back on the text that carried it
    spec = gemini.build_request(
        ChatRequest(
            model="gemini-2.5-flash", messages=[Message.of("user", "x"), response.message()]
        ),
        stream=False,
    )
    assert spec.json is not None
    assert spec.json["contents"][1]["parts"][0] == {
        "text": "Here you go",
        "thoughtSignature": "c2ln",
    }


@pytest.mark.parametrize("reason", ["SAFETY", "RECITATION", "PROHIBITED_CONTENT"])
def test_content_filter_keeps_the_partial_and_says_why(reason: str) -> None:
    response = gemini.parse_response(reply([{"text": "Once upon"}], reason), REQUEST)
    assert response.finish_reason == "content_filter"
    assert response.stop_reason_raw == reason
    assert response.text == "Once upon"
    assert response.refusal is not None and reason in response.refusal


def test_content_filter_without_any_part_is_not_an_empty_success() -> None:
    response = gemini.parse_response(reply([], "SAFETY"), REQUEST)
    assert response.finish_reason == "content_filter"
    assert response.refusal


def test_max_tokens_is_length() -> None:
    assert gemini.parse_response(reply([{"text": "a"}], "MAX_TOKENS")).finish_reason == "length"
    assert gemini.parse_response(reply([{"text": "a"}], "OTHER")).finish_reason == "other"


def test_a_blocked_prompt_raises_a_typed_error() -> None:
    body = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 5}}
    check_response(body)
    with pytest.raises(ContentBlockedError, match="SAFETY") as info:
        gemini.parse_response(body, REQUEST)
    assert info.value.reason == "SAFETY"


# --- streams -----------------------------------------------------------------------------


def sse(*chunks: dict[str, Any]) -> bytes:
    for chunk in chunks:
        check_response(chunk)
    return "".join(f"data: {json.dumps(c)}\r\n\r\n" for c in chunks).encode()


def run(payload: bytes, split: int = 7) -> tuple[list[Any], StreamPipeline]:
    pipeline = StreamPipeline(gemini.Gemini(), REQUEST)
    events: list[Any] = []
    for i in range(0, len(payload), split):
        events.extend(pipeline.feed(payload[i : i + split]))
    events.extend(pipeline.close())
    return events, pipeline


def chunk(
    parts: list[dict[str, Any]], finish: str | None = None, usage: dict[str, Any] | None = None
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    body: dict[str, Any] = {
        "candidates": [candidate],
        "responseId": "r9",
        "modelVersion": "gemini-2.5-flash",
    }
    if usage:
        body["usageMetadata"] = usage
    return body


def test_stream_accumulates_text_thoughts_calls_images_and_counts_usage_once() -> None:
    running = {"promptTokenCount": 100, "candidatesTokenCount": 3, "totalTokenCount": 103}
    payload = sse(
        chunk(
            [{"text": "Think", "thought": True}],
            usage={"promptTokenCount": 100, "totalTokenCount": 100},
        ),
        chunk([{"text": "ing", "thought": True}]),
        chunk([{"text": "Hel"}], usage=running),
        chunk([{"text": "lo", "thoughtSignature": "c2ln"}], usage=running),
        chunk([{"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}]),
        chunk([{"functionCall": {"name": "f", "args": {"a": 1}}, "thoughtSignature": "ZmM="}]),
        chunk([], "STOP", usage=USAGE),
    )
    events, pipeline = run(b": PING\n\n" + payload)
    response = pipeline.accumulator.response()
    assert pipeline.decoder.done
    assert [type(e).__name__ for e in events].count("UsageReport") == 3  # repeats skipped
    assert [type(p).__name__ for p in response.parts] == [
        "ThinkingPart",
        "TextPart",
        "ThinkingPart",
        "ImagePart",
        "ToolCallPart",
    ]
    assert response.parts[0] == ThinkingPart(text="Thinking")
    assert response.text == "Hello"
    assert response.parts[2] == ThinkingPart(signature="c2ln")
    assert response.tool_calls[0].provider_data == {gemini.SIGNATURE_KEY: "ZmM="}
    assert response.finish_reason == "tool_calls"
    assert response.usage is not None and response.usage.total_tokens == 150
    assert response.id == "r9"
    # the stream and the whole reply agree
    whole = gemini.parse_response(
        reply(
            [
                {"text": "Thinking", "thought": True},
                {"text": "Hello", "thoughtSignature": "c2ln"},
                {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
                {"functionCall": {"name": "f", "args": {"a": 1}}, "thoughtSignature": "ZmM="},
            ],
            responseId="r9",
            usageMetadata=USAGE,
        ),
        REQUEST,
    )
    assert [p.model_dump() for p in whole.parts] == [p.model_dump() for p in response.parts]


def test_stream_without_finish_reason_raises_with_the_partial() -> None:
    pipeline = StreamPipeline(gemini.Gemini(), REQUEST)
    pipeline.feed(sse(chunk([{"text": "Hel"}])))
    with pytest.raises(StreamError, match="finishReason") as info:
        pipeline.close()
    assert info.value.partial is not None and info.value.partial.text == "Hel"


def test_stream_content_filter_keeps_the_partial() -> None:
    _, pipeline = run(sse(chunk([{"text": "Once"}]), chunk([{"text": " upon"}], "SAFETY")))
    response = pipeline.accumulator.response()
    assert response.text == "Once upon"
    assert response.finish_reason == "content_filter" and response.refusal


def test_stream_error_chunk_and_blocked_prompt() -> None:
    error = {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}
    pipeline = StreamPipeline(gemini.Gemini(), REQUEST)
    with pytest.raises(StreamError, match="overloaded"):
        pipeline.feed(f"data: {json.dumps(error)}\n\n".encode())
    pipeline = StreamPipeline(gemini.Gemini(), REQUEST)
    with pytest.raises(ContentBlockedError):
        pipeline.feed(sse({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}}))


def test_a_json_array_stream_body_is_merged() -> None:
    body = [chunk([{"text": "Hel"}]), chunk([{"text": "lo"}], "STOP", usage=USAGE)]
    response = gemini.parse_response(body, REQUEST)
    assert response.text == "Hello"
    assert response.finish_reason == "stop"
    assert response.usage is not None and response.usage.total_tokens == 150


def test_a_streamed_file_part_is_a_typed_stream_error_not_a_silent_loss() -> None:
    pipeline = StreamPipeline(gemini.Gemini(), REQUEST)
    pipeline.feed(sse(chunk([{"text": "Here"}])))
    pdf = {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}}
    with pytest.raises(StreamError, match="application/pdf") as info:
        pipeline.feed(sse(chunk([pdf])))
    assert info.value.partial is not None and info.value.partial.text == "Here"
    whole = gemini.parse_response(reply([{"text": "Here"}, pdf]), REQUEST)
    assert whole.parts[1].type == "file"

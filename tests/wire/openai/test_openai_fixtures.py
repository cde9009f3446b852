"""Every fixture folder: the request we send, the reply we parse, the stream we decode.

A folder holds ``request.json`` (a neutral ``ChatRequest``) and ``wire_request.json`` (the
exact body to send), ``response.json`` and/or ``stream.sse`` (the relay's reply), and
``expected.json`` (the neutral ``ChatResponse`` without ``raw``).
"""

from __future__ import annotations

from typing import Any

import pytest
from openai_wire_support import (
    comparable,
    expected_response,
    load_json,
    load_request,
    load_stream,
    run_stream,
    scenarios,
    stream_chunks,
)

from tests._spec import validate_openai
from wenwen.protocols import openai_chat

# Wenwen's own documentation samples, kept verbatim: they leave out fields the OpenAI spec
# requires (``created``, ``logprobs``, ``message.refusal``), as relays do.
RELAY_SHAPED = {
    "audio_reply": "wenwen-api.md §2.11 sample: no created/logprobs/refusal",
    "image_via_chat": "wenwen-api.md §2.9 sample: no created/logprobs/refusal",
    "video_via_chat": "wenwen-api.md §2.12 sample: no created/logprobs/refusal",
    "reasoning_deepseek": "DeepSeek replies carry no message.refusal",
    "reasoning_replay": "DeepSeek replies carry no message.refusal",
    "gemini_thought_signature": "Gemini's OpenAI endpoint sends no message.refusal",
}

REQUESTS = scenarios("request.json", "wire_request.json")
RESPONSES = scenarios("response.json", "expected.json")
STREAMS = scenarios("stream.sse", "expected.json")
PAIRED = scenarios("stream.sse", "response.json")


def test_fixture_coverage() -> None:
    assert len(REQUESTS) >= 17
    assert len(STREAMS) >= 10
    assert set(PAIRED) == set(STREAMS)


@pytest.mark.parametrize("scenario", REQUESTS)
def test_build_request(scenario: str) -> None:
    http = openai_chat.build_request(load_request(scenario), stream=False)
    assert (http.method, http.path) == ("POST", "/v1/chat/completions")
    assert http.json == load_json(scenario, "wire_request.json")
    expected_headers = {}
    if load_request(scenario).extra_headers:
        expected_headers = load_json(scenario, "wire_headers.json")
    assert http.headers == expected_headers
    validate_openai("CreateChatCompletionRequest", http.json)


@pytest.mark.parametrize("scenario", REQUESTS)
def test_build_stream_request(scenario: str) -> None:
    request = load_request(scenario)
    http = openai_chat.build_request(request, stream=True)
    expected = load_json(scenario, "wire_request.json")
    expected["stream"] = True
    expected["stream_options"] = {"include_usage": True}
    assert http.json == expected
    validate_openai("CreateChatCompletionRequest", http.json)
    without_usage = request.model_copy(update={"stream_usage": False})
    body = openai_chat.build_request(without_usage, stream=True).json
    assert body is not None and body["stream"] is True and "stream_options" not in body


@pytest.mark.parametrize("scenario", RESPONSES)
def test_parse_response(scenario: str) -> None:
    body = load_json(scenario, "response.json")
    response = openai_chat.parse_response(body, load_request(scenario))
    assert comparable(response) == expected_response(scenario)
    assert response.raw == body
    assert response.protocol == "openai"
    if body.get("usage") is not None:
        assert response.usage is not None and response.usage.raw == body["usage"]


def _relay_filled(body: Any) -> Any:
    """The non-nullable field relays leave out (``created``), filled in; the nullable ones
    they omit are waived by the relay-tolerant validation."""
    return {"created": 0, **body} if isinstance(body, dict) else body


@pytest.mark.parametrize("scenario", RESPONSES)
def test_response_fixture_follows_the_spec(scenario: str) -> None:
    body = load_json(scenario, "response.json")
    if scenario in RELAY_SHAPED:
        # everything but what the relay omits (see RELAY_SHAPED) must still match the spec
        validate_openai("CreateChatCompletionResponse", _relay_filled(body), relay_tolerant=True)
    else:
        validate_openai("CreateChatCompletionResponse", body)


@pytest.mark.parametrize("scenario", STREAMS)
def test_stream_fixture_follows_the_spec(scenario: str) -> None:
    tolerant = scenario in RELAY_SHAPED
    for chunk in stream_chunks(load_stream(scenario)):
        chunk = _relay_filled(chunk) if tolerant else chunk
        validate_openai("CreateChatCompletionStreamResponse", chunk, relay_tolerant=tolerant)


@pytest.mark.parametrize("scenario", STREAMS)
def test_stream_accumulates_to_expected(scenario: str) -> None:
    _, response = run_stream([load_stream(scenario)], load_request(scenario))
    expected = expected_response(scenario)
    assert comparable(response) == expected


@pytest.mark.parametrize("scenario", STREAMS)
def test_stream_split_at_every_byte(scenario: str) -> None:
    raw = load_stream(scenario)
    request = load_request(scenario)
    whole_events, whole = run_stream([raw], request)
    for offset in range(1, len(raw)):
        events, response = run_stream([raw[:offset], raw[offset:]], request)
        assert comparable(response) == comparable(whole), f"split at byte {offset}"
        assert events == whole_events, f"split at byte {offset}"


@pytest.mark.parametrize("scenario", PAIRED)
def test_stream_and_reply_agree(scenario: str) -> None:
    """The parity rule: the stream accumulates to what the non-streamed body parses to."""
    request = load_request(scenario)
    _, streamed = run_stream([load_stream(scenario)], request)
    parsed = openai_chat.parse_response(load_json(scenario, "response.json"), request)
    assert (streamed.id, streamed.model) == (parsed.id, parsed.model)
    assert streamed.finish_reason == parsed.finish_reason
    assert streamed.stop_reason_raw == parsed.stop_reason_raw
    assert (streamed.usage is None) == (parsed.usage is None)
    if streamed.usage and parsed.usage:
        assert streamed.usage.model_dump(exclude={"raw"}) == parsed.usage.model_dump(
            exclude={"raw"}
        )
    assert streamed.parts == parsed.parts
    assert streamed.refusal == parsed.refusal


def test_streamed_refusal_is_kept_apart_from_text() -> None:
    _, response = run_stream([load_stream("refusal")], load_request("refusal"))
    assert response.refusal == load_json("refusal", "expected.json")["refusal"]
    assert response.text == ""

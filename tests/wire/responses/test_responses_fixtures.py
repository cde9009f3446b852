"""Every Responses fixture folder: the request we send, the reply we parse, the stream we
decode. Replies and every stream event are checked against the OpenAI spec's ``Response`` /
``ResponseStreamEvent`` schemas and, strictly, the openai SDK's models. A folder holds
``request.json`` (a neutral ``ChatRequest``), ``wire_request.json`` (the exact body),
``response.json``, ``stream.sse`` (named events) and ``expected.json`` (the neutral reply
without ``raw``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter

from tests._spec import validate_openai, validate_responses_request
from tests.wire._fixture_pipeline import (
    Fixtures,
    assert_splits_agree,
    comparable,
    run_stream,
    stream_chunks,
)
from wenwen.errors import APIStatusError, ProtocolError, StreamError
from wenwen.protocols import openai_responses
from wenwen.types import ChatResponse, ServerToolCallPart

FIXTURES = Fixtures(Path(__file__).parent)
SCENARIOS = FIXTURES.scenarios("request.json", "wire_request.json", "response.json")
STREAMS = FIXTURES.scenarios("stream.sse", "response.json")
_EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)


def test_fixture_coverage() -> None:
    names = {"function_call", "text", "reasoning_encrypted", "web_search_citations", "incomplete"}
    assert names <= set(SCENARIOS)
    assert set(STREAMS) == set(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_build_request(scenario: str) -> None:
    request = FIXTURES.request(scenario)
    http = openai_responses.build_request(request, stream=False)
    assert (http.method, http.path) == ("POST", "/v1/responses")
    assert http.json == FIXTURES.json(scenario, "wire_request.json")
    validate_responses_request(http.json)
    streamed = openai_responses.build_request(request, stream=True)
    assert streamed.json == {**FIXTURES.json(scenario, "wire_request.json"), "stream": True}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_fixture_bodies_follow_the_spec_and_the_sdk(scenario: str) -> None:
    body = FIXTURES.json(scenario, "response.json")
    validate_openai("Response", body)
    Response.model_validate(body, strict=True)
    for event, data in stream_chunks(FIXTURES.stream(scenario)):
        assert event == data["type"]
        validate_openai("ResponseStreamEvent", data)
        _EVENTS.validate_python(data, strict=True)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_parse_response(scenario: str) -> None:
    body = FIXTURES.json(scenario, "response.json")
    response = openai_responses.parse_response(body, FIXTURES.request(scenario))
    expected = ChatResponse.model_validate(FIXTURES.json(scenario, "expected.json"))
    assert comparable(response) == comparable(expected)
    assert response.raw == body
    assert response.usage is not None and response.usage.raw == body["usage"]


@pytest.mark.parametrize("scenario", STREAMS)
def test_stream_and_reply_agree(scenario: str) -> None:
    """The parity rule: the stream accumulates to what the non-streamed body parses to."""
    request = FIXTURES.request(scenario)
    _, streamed = run_stream("responses", [FIXTURES.stream(scenario)], request)
    parsed = openai_responses.parse_response(FIXTURES.json(scenario, "response.json"), request)
    assert comparable(streamed) == comparable(parsed)


@pytest.mark.parametrize("scenario", STREAMS)
def test_stream_split_at_every_byte(scenario: str) -> None:
    assert_splits_agree("responses", FIXTURES.stream(scenario), FIXTURES.request(scenario))


def test_what_the_scenarios_carry() -> None:
    """The points each scenario exists for, spelled out."""
    call = openai_responses.parse_response(FIXTURES.json("function_call", "response.json"))
    assert call.finish_reason == "tool_calls"
    assert call.tool_calls[0].id.startswith("call_") and call.tool_calls[0].name == "get_weather"
    cited = openai_responses.parse_response(FIXTURES.json("web_search_citations", "response.json"))
    assert isinstance(cited.parts[0], ServerToolCallPart) and cited.parts[0].name == "web_search"
    citations = [c for p in cited.parts if p.type == "text" for c in p.citations]
    assert [c.url for c in citations] == ["https://olympics.com/en/paris-2024"]
    reasoning = openai_responses.parse_response(
        FIXTURES.json("reasoning_encrypted", "response.json")
    )
    thought = reasoning.parts[0]
    assert thought.type == "thinking" and thought.signature and "\n\n**Answer**" in thought.text
    cut = openai_responses.parse_response(FIXTURES.json("incomplete", "response.json"))
    assert (cut.finish_reason, cut.stop_reason_raw) == ("length", "max_output_tokens")
    assert cut.text


CARRIERS = [
    ("function_call", ("output", 0, "name")),
    ("function_call", ("output", 0, "call_id")),
    ("function_call", ("output", 0, "arguments")),
    ("web_search_citations", ("output", 1, "content", 0, "text")),
    ("web_search_citations", ("output", 1, "content", 0, "annotations", 0, "url")),
    ("web_search_citations", ("output", 0, "action")),
    ("reasoning_encrypted", ("output", 0, "encrypted_content")),
    ("reasoning_encrypted", ("output", 0, "summary", 1, "text")),
    ("incomplete", ("incomplete_details", "reason")),
    ("text", ("usage", "input_tokens_details")),
]


@pytest.mark.parametrize(("scenario", "path"), CARRIERS, ids=lambda v: str(v))
@pytest.mark.parametrize("wrong", [123, ["a"], True])
def test_a_wrong_typed_carrier_is_a_protocol_error_not_an_empty_value(
    scenario: str, path: tuple[Any, ...], wrong: Any
) -> None:
    """A tool-call name, call id, arguments, text, citation, reasoning payload or count of
    another JSON type would otherwise read as "" or 0: the content would be lost silently."""
    body = FIXTURES.json(scenario, "response.json")
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = wrong
    with pytest.raises(ProtocolError) as caught:
        openai_responses.parse_response(body, FIXTURES.request(scenario))
    assert caught.value.field is not None and caught.value.field.endswith(path[-1])


@pytest.mark.parametrize(
    ("event_type", "field"),
    [
        ("response.output_text.delta", "delta"),
        ("response.function_call_arguments.delta", "delta"),
        ("response.reasoning_summary_text.delta", "delta"),
        ("response.completed", "response"),
    ],
)
def test_a_wrong_typed_stream_field_is_a_typed_error(event_type: str, field: str) -> None:
    scenario = next(s for s in STREAMS if f'"type":"{event_type}"'.encode() in FIXTURES.stream(s))
    raw = FIXTURES.stream(scenario).decode()
    blocks = raw.split("\n\n")
    index = next(i for i, b in enumerate(blocks) if f"event: {event_type}\n" in b)
    head, data = blocks[index].split("data: ", 1)
    payload = json.loads(data)
    payload[field] = 123
    blocks[index] = head + "data: " + json.dumps(payload)
    with pytest.raises((ProtocolError, StreamError)):
        run_stream("responses", ["\n\n".join(blocks).encode()], FIXTURES.request(scenario))


def test_a_relay_error_body_is_still_the_relay_error() -> None:
    with pytest.raises(APIStatusError, match="quota"):
        openai_responses.parse_response({"error": {"message": "quota exceeded", "code": "x"}})
    with pytest.raises(APIStatusError, match="no channel"):
        openai_responses.parse_response({"error": "no channel available"})
    body = FIXTURES.json("text", "response.json")
    with pytest.raises(ProtocolError, match="'error'"):
        openai_responses.parse_response({**body, "error": 123})

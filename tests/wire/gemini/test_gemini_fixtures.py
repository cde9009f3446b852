"""Every Gemini fixture folder: the request we send, the reply we parse, the stream we decode.

The bodies are checked strictly by the official ``generativelanguage`` protos (``_proto``),
so they are shapes Google can really send. A folder holds ``request.json`` (a neutral
``ChatRequest``), ``wire_request.json`` (the exact body), ``response.json`` and ``stream.sse``
(``data:`` chunks, no terminator) and ``expected.json`` (the neutral reply without ``raw``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wire._fixture_pipeline import (
    Fixtures,
    assert_splits_agree,
    comparable,
    run_stream,
    stream_chunks,
)
from tests.wire.gemini._proto import check_request, check_response
from wenwen.errors import ProtocolError
from wenwen.protocols import gemini
from wenwen.types import ChatResponse

FIXTURES = Fixtures(Path(__file__).parent)
SCENARIOS = FIXTURES.scenarios("request.json", "wire_request.json", "response.json")
STREAMS = FIXTURES.scenarios("stream.sse", "response.json")


def test_fixture_coverage() -> None:
    assert {"function_call", "text", "thinking", "image_output", "max_tokens"} <= set(SCENARIOS)
    assert set(STREAMS) == set(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_build_request(scenario: str) -> None:
    request = FIXTURES.request(scenario)
    http = gemini.build_request(request, stream=False)
    assert http.method == "POST"
    assert http.path == f"/v1beta/models/{request.model}:generateContent"
    assert http.json == FIXTURES.json(scenario, "wire_request.json")
    check_request(http.json)
    streamed = gemini.build_request(request, stream=True)
    assert streamed.path == f"/v1beta/models/{request.model}:streamGenerateContent?alt=sse"
    assert streamed.json == http.json


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_fixture_bodies_follow_the_protos(scenario: str) -> None:
    check_response(FIXTURES.json(scenario, "response.json"))
    for event, chunk in stream_chunks(FIXTURES.stream(scenario)):
        assert event is None
        check_response(chunk)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_parse_response(scenario: str) -> None:
    body = FIXTURES.json(scenario, "response.json")
    response = gemini.parse_response(body, FIXTURES.request(scenario))
    expected = ChatResponse.model_validate(FIXTURES.json(scenario, "expected.json"))
    assert comparable(response) == comparable(expected)
    assert response.raw == body
    assert response.usage is not None and response.usage.raw == body["usageMetadata"]


@pytest.mark.parametrize("scenario", STREAMS)
def test_stream_and_reply_agree(scenario: str) -> None:
    """The parity rule: the stream accumulates to what the non-streamed body parses to."""
    request = FIXTURES.request(scenario)
    _, streamed = run_stream("gemini", [FIXTURES.stream(scenario)], request)
    parsed = gemini.parse_response(FIXTURES.json(scenario, "response.json"), request)
    assert comparable(streamed) == comparable(parsed)


@pytest.mark.parametrize("scenario", STREAMS)
def test_stream_split_at_every_byte(scenario: str) -> None:
    assert_splits_agree("gemini", FIXTURES.stream(scenario), FIXTURES.request(scenario))


def test_what_the_scenarios_carry() -> None:
    """The points each scenario exists for, spelled out."""
    calls = gemini.parse_response(FIXTURES.json("function_call", "response.json"))
    assert [c.name for c in calls.tool_calls] == ["get_weather", "get_weather"]
    signed = calls.raw["candidates"][0]["content"]["parts"][0]["thoughtSignature"]
    assert calls.tool_calls[0].provider_data == {gemini.SIGNATURE_KEY: signed}
    assert calls.tool_calls[1].provider_data == {}
    assert calls.finish_reason == "tool_calls" and calls.usage and calls.usage.reasoning_tokens
    thinking = gemini.parse_response(FIXTURES.json("thinking", "response.json"))
    assert thinking.thinking[0].text and thinking.text.startswith("There are three")
    assert [p.type for p in thinking.parts] == ["thinking", "text", "thinking"]
    image = gemini.parse_response(FIXTURES.json("image_output", "response.json"))
    assert [p.type for p in image.parts] == ["text", "image"]
    text = gemini.parse_response(FIXTURES.json("text", "response.json"))
    assert text.usage is not None and text.usage.cache_read_tokens == 2048
    cut = gemini.parse_response(FIXTURES.json("max_tokens", "response.json"))
    assert cut.finish_reason == "length" and cut.text


@pytest.mark.parametrize("wrong", [123, ["image/png"], {"type": "png"}])
def test_a_wrong_typed_mime_type_is_refused_not_turned_into_a_file(wrong: object) -> None:
    body = FIXTURES.json("image_output", "response.json")
    body["candidates"][0]["content"]["parts"][1]["inlineData"]["mimeType"] = wrong
    with pytest.raises(ProtocolError, match="mimeType"):
        gemini.parse_response(body)

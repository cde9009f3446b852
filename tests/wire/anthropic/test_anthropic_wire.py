"""Fixture-driven tests of the Anthropic Messages protocol: every scenario under this folder
holds the neutral request, the exact wire request, a reply body and (mostly) its stream."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests._spec import validate_anthropic
from tests.wire.anthropic._drive import FIXTURES, comparable, load, run_stream
from wenwen.protocols import anthropic_messages as anthropic
from wenwen.protocols import get_protocol
from wenwen.types import ChatRequest, ChatResponse

SCENARIOS = sorted(p for p in FIXTURES.iterdir() if (p / "request.json").is_file())
STREAMS = [p for p in SCENARIOS if (p / "stream.sse").is_file()]


def _request(scenario: Path) -> ChatRequest:
    return ChatRequest.model_validate(load(scenario, "request.json"))


def _with_caller(node: Any) -> Any:
    """The spec (2026-05) requires ``tool_use.caller``, a field newer than the Wenwen samples
    and absent from relayed replies; it is added before validating."""
    if isinstance(node, dict):
        if node.get("type") == "tool_use":
            node.setdefault("caller", {"type": "direct"})
        for value in node.values():
            _with_caller(value)
    elif isinstance(node, list):
        for value in node:
            _with_caller(value)
    return node


def test_every_scenario_is_collected() -> None:
    assert len(SCENARIOS) >= 12
    assert len(STREAMS) >= 10
    assert isinstance(get_protocol("anthropic"), anthropic.AnthropicMessages)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_build_request_matches_the_wire_fixture(scenario: Path) -> None:
    built = anthropic.build_request(_request(scenario), stream=False)
    assert (built.method, built.path) == ("POST", "/v1/messages")
    assert built.json == load(scenario, "wire_request.json")
    assert built.headers == load(scenario, "wire_headers.json")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_streaming_request_only_adds_the_stream_flag(scenario: Path) -> None:
    built = anthropic.build_request(_request(scenario), stream=True)
    assert built.json == {**load(scenario, "wire_request.json"), "stream": True}


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_built_requests_follow_the_anthropic_spec(scenario: Path, stream: bool) -> None:
    validate_anthropic(
        "CreateMessageParams", anthropic.build_request(_request(scenario), stream=stream).json
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_reply_fixtures_are_spec_messages(scenario: Path) -> None:
    # relay-tolerant: the relay leaves out nullable fields such as stop_sequence (§7.1 sample)
    validate_anthropic(
        "Message", _with_caller(load(scenario, "response.json")), relay_tolerant=True
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_parse_response_matches_expected(scenario: Path) -> None:
    body = load(scenario, "response.json")
    response = anthropic.parse_response(body, _request(scenario))
    expected = ChatResponse.model_validate(load(scenario, "expected.json"))
    assert comparable(response, with_usage_raw=False) == comparable(expected, with_usage_raw=False)
    assert response.raw == body
    assert response.usage is not None and response.usage.raw == body["usage"]


@pytest.mark.parametrize("scenario", STREAMS, ids=lambda p: p.name)
def test_stream_frames_are_spec_events(scenario: Path) -> None:
    for block in (scenario / "stream.sse").read_text(encoding="utf-8").split("\n\n"):
        data = [line[len("data: ") :] for line in block.splitlines() if line.startswith("data: ")]
        if data:
            event = _with_caller(json.loads(data[0]))
            validate_anthropic("MessageStreamEvent", event, relay_tolerant=True)


@pytest.mark.parametrize("scenario", STREAMS, ids=lambda p: p.name)
def test_stream_accumulates_to_the_parsed_reply(scenario: Path) -> None:
    request = _request(scenario)
    _, streamed = run_stream([(scenario / "stream.sse").read_bytes()], request)
    parsed = anthropic.parse_response(load(scenario, "response.json"), request)
    assert comparable(streamed) == comparable(parsed)


@pytest.mark.parametrize("scenario", STREAMS, ids=lambda p: p.name)
def test_stream_split_at_every_byte_gives_the_same_result(scenario: Path) -> None:
    data = (scenario / "stream.sse").read_bytes()
    request = _request(scenario)
    whole_events, whole = run_stream([data], request)
    for offset in range(1, len(data)):
        events, response = run_stream([data[:offset], data[offset:]], request)
        assert events == whole_events, f"split at byte {offset}"
        assert response == whole, f"split at byte {offset}"

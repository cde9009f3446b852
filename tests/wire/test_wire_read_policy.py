"""One reading policy on every protocol: a reply field of another JSON type is a
``ProtocolError`` naming the field (in a stream: a ``StreamError`` that keeps the partial
reply, caused by that ``ProtocolError``), never a silent 0 or "" — and a missing or ``null``
field reads as empty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wenwen._http.pipeline import StreamPipeline
from wenwen.errors import ProtocolError, StreamError
from wenwen.protocols import PROTOCOL_NAMES, get_protocol
from wenwen.types import ChatRequest

WIRE = Path(__file__).parent

# protocol -> (a recorded scenario with a reply and a stream, the usage object's key, the
# key of its input-token count)
CASES = {
    "openai": ("tools_single", "usage", "prompt_tokens"),
    "anthropic": ("tools", "usage", "input_tokens"),
    "gemini": ("text", "usageMetadata", "promptTokenCount"),
    "responses": ("text", "usage", "input_tokens"),
}


def _folder(protocol: str) -> Path:
    return WIRE / protocol / CASES[protocol][0]


def _request(protocol: str) -> ChatRequest:
    return ChatRequest.model_validate_json((_folder(protocol) / "request.json").read_text())


def _with_input_tokens(node: Any, protocol: str, value: Any) -> bool:
    """Set the input-token count of every usage object in ``node``; whether one was found."""
    _, usage_key, count_key = CASES[protocol]
    found = False
    if isinstance(node, dict):
        usage = node.get(usage_key)
        if isinstance(usage, dict) and count_key in usage:
            usage[count_key] = value
            found = True
        for child in node.values():
            found = _with_input_tokens(child, protocol, value) or found
    elif isinstance(node, list):
        for child in node:
            found = _with_input_tokens(child, protocol, value) or found
    return found


def _reply(protocol: str, tokens: Any) -> Any:
    body = json.loads((_folder(protocol) / "response.json").read_text())
    assert _with_input_tokens(body, protocol, tokens)
    return body


def _stream(protocol: str, tokens: Any) -> bytes:
    """The recorded stream with the input-token count of its usage replaced."""
    out: list[str] = []
    found = False
    for line in (_folder(protocol) / "stream.sse").read_text().splitlines():
        if line.startswith("data:") and line[5:].strip().startswith("{"):
            document = json.loads(line[5:])
            if _with_input_tokens(document, protocol, tokens):
                found = True
                line = "data: " + json.dumps(document)
        out.append(line)
    assert found
    return ("\n".join(out) + "\n").encode()


def test_every_protocol_is_covered() -> None:
    assert set(CASES) == set(PROTOCOL_NAMES)


@pytest.mark.parametrize("protocol", sorted(CASES))
def test_a_count_sent_as_text_is_a_protocol_error_naming_the_field(protocol: str) -> None:
    _, usage_key, count_key = CASES[protocol]
    with pytest.raises(ProtocolError) as caught:
        get_protocol(protocol).parse_response(_reply(protocol, "12"), _request(protocol))
    assert caught.value.field == f"{usage_key}.{count_key}"


@pytest.mark.parametrize("protocol", sorted(CASES))
@pytest.mark.parametrize("wrong", [True, [12], {"n": 12}, 1.5])
def test_other_wrong_counts_are_protocol_errors_too(protocol: str, wrong: Any) -> None:
    _, usage_key, count_key = CASES[protocol]
    with pytest.raises(ProtocolError) as caught:
        get_protocol(protocol).parse_response(_reply(protocol, wrong), _request(protocol))
    assert caught.value.field == f"{usage_key}.{count_key}"


@pytest.mark.parametrize("protocol", sorted(CASES))
def test_a_missing_count_reads_as_zero_and_an_integral_float_as_its_integer(
    protocol: str,
) -> None:
    wire = get_protocol(protocol)
    for given, expected in ((None, 0), (12.0, 12), (12, 12)):
        response = wire.parse_response(_reply(protocol, given), _request(protocol))
        assert response.usage is not None
        # the neutral input count may add cached tokens; the given count is its floor
        assert response.usage.input_tokens >= expected


@pytest.mark.parametrize("protocol", sorted(CASES))
def test_in_a_stream_it_is_a_stream_error_that_keeps_the_partial(protocol: str) -> None:
    _, usage_key, count_key = CASES[protocol]
    pipeline = StreamPipeline(get_protocol(protocol), _request(protocol))
    with pytest.raises(StreamError) as caught:
        pipeline.feed(_stream(protocol, "12"))
        pipeline.close()
    assert caught.value.partial is not None
    cause = caught.value.__cause__
    assert isinstance(cause, ProtocolError) and cause.field == f"{usage_key}.{count_key}"

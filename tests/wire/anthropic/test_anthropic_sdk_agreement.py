"""The official ``anthropic`` SDK, which nobody here wrote, accumulates every stream fixture
into the same message as the matching JSON fixture: the fixtures describe one reply twice,
so the parity tests compare like with like."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.wire.anthropic._drive import FIXTURES, comparable, frames, load
from wenwen._http.sse import SSEDecoder
from wenwen.protocols import anthropic_messages as anthropic
from wenwen.types import ChatRequest

sdk = pytest.importorskip("anthropic")
try:  # anthropic 2.x sends through its own httpx fork
    import httpx2 as sdk_httpx  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - older SDKs use httpx
    import httpx as sdk_httpx

STREAMS = sorted(p for p in FIXTURES.iterdir() if (p / "stream.sse").is_file())


def _sdk_readable(raw: bytes) -> bytes:
    """The SDK ignores frames without ``event:`` lines (relay-and-wire.md §8); give it the
    same events with their names."""
    if b"event:" in raw:
        return raw
    events = [json.loads(e.data) for e in SSEDecoder().feed(raw) + SSEDecoder().flush()]
    return frames(*events)


def _sdk_final_message(scenario: Path) -> dict[str, Any]:
    content = _sdk_readable((scenario / "stream.sse").read_bytes())

    def handler(request: Any) -> Any:
        return sdk_httpx.Response(
            200, content=content, headers={"content-type": "text/event-stream"}
        )

    client = sdk.Anthropic(
        api_key="test-key",
        base_url="http://127.0.0.1:9",
        http_client=sdk_httpx.Client(transport=sdk_httpx.MockTransport(handler)),
    )
    wire = load(scenario, "wire_request.json")
    with client.messages.stream(
        model=wire["model"], messages=wire["messages"], max_tokens=wire["max_tokens"]
    ) as stream:
        message = stream.get_final_message()
    return message.model_dump(mode="json")


@pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")
@pytest.mark.parametrize("scenario", STREAMS, ids=lambda p: p.name)
def test_sdk_accumulates_each_stream_to_the_json_fixture(scenario: Path) -> None:
    request = ChatRequest.model_validate(load(scenario, "request.json"))
    from_sdk = anthropic.parse_response(_sdk_final_message(scenario), request)
    from_json = anthropic.parse_response(load(scenario, "response.json"), request)
    # the SDK fills the nullable usage fields the relay leaves out, so raw usage differs
    assert comparable(from_sdk, with_usage_raw=False) == comparable(from_json, with_usage_raw=False)

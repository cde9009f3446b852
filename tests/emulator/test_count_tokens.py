"""``POST /v1/messages/count_tokens``: the spec's reply shape, the SDK's call, and the same
number ``/v1/messages`` bills."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from tests._spec import validate_anthropic
from wenwen_emulator import Emulator

TOOLS = [
    {
        "name": "get_weather",
        "description": "The weather in a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
]


@pytest.fixture
def claude(emu: Emulator) -> Any:
    client = anthropic.Anthropic(base_url=emu.base_url, api_key=emu.api_key, max_retries=0)
    yield client
    client.close()


@pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")  # the SDK's
def test_the_count_is_what_messages_bills(claude: Any, emu: Emulator) -> None:
    request: dict[str, Any] = {
        "model": "claude-sonnet-4-5",
        "system": "You are terse.",
        "tools": TOOLS,
        "messages": [{"role": "user", "content": "What is the weather in Oslo?"}],
    }
    counted = claude.messages.count_tokens(**request)
    validate_anthropic("CountMessageTokensResponse", counted.model_dump())
    billed = claude.messages.create(max_tokens=100, **request).usage
    assert counted.input_tokens == billed.input_tokens > 0
    assert [r.path for r in emu.requests] == ["/v1/messages/count_tokens", "/v1/messages"]


def test_counting_validates_like_a_reply(claude: Any) -> None:
    with pytest.raises(anthropic.BadRequestError) as bad:
        claude.messages.count_tokens(
            model="claude-sonnet-4-5", messages=[{"role": "robot", "content": "hi"}]
        )
    assert bad.value.status_code == 400
    assert bad.value.body["error"]["type"] == "invalid_request_error"
    assert "role" in bad.value.body["error"]["message"]
    with pytest.raises(anthropic.APIStatusError) as unknown:
        claude.messages.count_tokens(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert unknown.value.status_code == 503
    assert unknown.value.body["error"]["code"] == "model_not_found"

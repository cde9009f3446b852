"""litellm's ``completion`` against the emulator through its OpenAI, Anthropic and Gemini
providers (``api_base`` points each at the emulator): chat, stream, tools, structured output."""

from __future__ import annotations

import json
from typing import Any

import litellm
import pytest
from compat_common import (
    ALICE,
    CLAUDE_MODEL,
    GEMINI_MODEL,
    OPENAI_MODEL,
    PERSON_PROMPT,
    WEATHER_PROMPT,
    Person,
)

from wenwen_emulator.pytest_plugin import EmulatorHandle

TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
PROVIDERS = {
    "openai": (f"openai/{OPENAI_MODEL}", "/v1"),
    "anthropic": (f"anthropic/{CLAUDE_MODEL}", ""),
    "gemini": (f"gemini/{GEMINI_MODEL}", "/v1beta"),
}


@pytest.fixture(params=sorted(PROVIDERS))
def call(request: pytest.FixtureRequest, wenwen_emulator: EmulatorHandle) -> Any:
    model, suffix = PROVIDERS[request.param]

    def completion(**kwargs: Any) -> Any:
        return litellm.completion(
            model=model,
            api_base=wenwen_emulator.base_url + suffix,
            api_key=wenwen_emulator.api_key,
            num_retries=0,
            **kwargs,
        )

    return completion


def test_chat_and_stream(call: Any, wenwen_emulator: EmulatorHandle) -> None:
    wenwen_emulator.script("Hello from the script.", "Streamed reply.")
    hi = [{"role": "user", "content": "Hi"}]
    assert call(messages=hi).choices[0].message.content == "Hello from the script."
    pieces = [c.choices[0].delta.content or "" for c in call(messages=hi, stream=True)]
    assert "".join(pieces) == "Streamed reply."
    assert wenwen_emulator.requests.last.stream


def test_tools(call: Any) -> None:
    messages: list[dict[str, Any]] = [{"role": "user", "content": WEATHER_PROMPT}]
    first = call(messages=messages, tools=[TOOL]).choices[0].message
    [tool_call] = first.tool_calls
    assert tool_call.function.name == "get_weather"
    assert json.loads(tool_call.function.arguments) == {"city": "Paris"}
    messages.append(first.model_dump(exclude_none=True))
    messages.append(
        {"role": "tool", "tool_call_id": tool_call.id, "content": "It is sunny in Paris."}
    )
    answer = call(messages=messages, tools=[TOOL]).choices[0].message
    assert answer.content == "The result of get_weather is It is sunny in Paris."


def test_structured_output(call: Any) -> None:
    reply = call(messages=[{"role": "user", "content": PERSON_PROMPT}], response_format=Person)
    assert Person.model_validate_json(reply.choices[0].message.content) == ALICE

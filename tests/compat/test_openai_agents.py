"""The OpenAI Agents SDK against the emulator, with both of its OpenAI model classes (chat
completions and Responses): a run, a streamed run, a function tool, and structured output."""

from __future__ import annotations

from typing import Any

import pytest
from agents import (
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from compat_common import ALICE, OPENAI_MODEL, PERSON_PROMPT, WEATHER_PROMPT, Person
from openai import AsyncOpenAI
from openai.types.responses import ResponseTextDeltaEvent

from wenwen_emulator.pytest_plugin import EmulatorHandle

set_tracing_disabled(True)  # traces would be sent to OpenAI's platform


@function_tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"It is sunny in {city}."


@pytest.fixture(params=["chat", "responses"])
def model(request: pytest.FixtureRequest, wenwen_emulator: EmulatorHandle) -> Any:
    client = AsyncOpenAI(base_url=wenwen_emulator.base_url + "/v1", api_key=wenwen_emulator.api_key)
    if request.param == "chat":
        return OpenAIChatCompletionsModel(model=OPENAI_MODEL, openai_client=client)
    return OpenAIResponsesModel(model=OPENAI_MODEL, openai_client=client)


async def test_run(model: Any, wenwen_emulator: EmulatorHandle) -> None:
    wenwen_emulator.script("Hello from the script.")
    result = await Runner.run(Agent(name="a", model=model), "Hi")
    assert result.final_output == "Hello from the script."


async def test_streamed_run(model: Any, wenwen_emulator: EmulatorHandle) -> None:
    wenwen_emulator.script("Streamed reply in pieces.")
    run = Runner.run_streamed(Agent(name="a", model=model), "Hi")
    pieces = [
        event.data.delta
        async for event in run.stream_events()
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent)
    ]
    assert "".join(pieces) == "Streamed reply in pieces."


async def test_function_tool(model: Any, wenwen_emulator: EmulatorHandle) -> None:
    agent = Agent(name="a", model=model, tools=[get_weather])
    result = await Runner.run(agent, WEATHER_PROMPT)
    assert result.final_output == "The result of get_weather is It is sunny in Paris."
    assert wenwen_emulator.requests.last.messages[-1]["role"] == "tool"


async def test_structured_output(model: Any) -> None:
    result = await Runner.run(Agent(name="a", model=model, output_type=Person), PERSON_PROMPT)
    assert result.final_output == ALICE

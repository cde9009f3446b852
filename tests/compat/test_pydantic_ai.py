"""pydantic-ai agents against the emulator on every protocol it speaks (OpenAI chat
completions and Responses, Anthropic, Gemini): chat, stream, tools, and structured output
through its output tool (a forced call that must end), native JSON schema and prompted JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from compat_common import (
    ALICE,
    CLAUDE_MODEL,
    GEMINI_MODEL,
    OPENAI_MODEL,
    PERSON_PROMPT,
    WEATHER_PROMPT,
    Person,
    get_weather,
)
from pydantic_ai import Agent, NativeOutput, PromptedOutput, ToolOutput
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.models.google import GoogleModel
from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
from pydantic_ai.providers.anthropic import AnthropicProvider
from pydantic_ai.providers.google import GoogleProvider
from pydantic_ai.providers.openai import OpenAIProvider

from wenwen_emulator.pytest_plugin import EmulatorHandle


def _openai(emu: EmulatorHandle) -> Any:
    provider = OpenAIProvider(base_url=emu.base_url + "/v1", api_key=emu.api_key)
    return OpenAIChatModel(OPENAI_MODEL, provider=provider)


def _responses(emu: EmulatorHandle) -> Any:
    provider = OpenAIProvider(base_url=emu.base_url + "/v1", api_key=emu.api_key)
    return OpenAIResponsesModel(OPENAI_MODEL, provider=provider)


def _anthropic(emu: EmulatorHandle) -> Any:
    provider = AnthropicProvider(base_url=emu.base_url, api_key=emu.api_key)
    return AnthropicModel(CLAUDE_MODEL, provider=provider)


def _gemini(emu: EmulatorHandle) -> Any:
    provider = GoogleProvider(base_url=emu.base_url, api_key=emu.api_key)
    return GoogleModel(GEMINI_MODEL, provider=provider)


MODELS: dict[str, Callable[[EmulatorHandle], Any]] = {
    "openai": _openai,
    "responses": _responses,
    "anthropic": _anthropic,
    "gemini": _gemini,
}


@pytest.fixture(params=sorted(MODELS))
def model(request: pytest.FixtureRequest, wenwen_emulator: EmulatorHandle) -> Any:
    return MODELS[request.param](wenwen_emulator)


def test_chat(model: Any, wenwen_emulator: EmulatorHandle) -> None:
    wenwen_emulator.script("Hello from the script.")
    assert Agent(model).run_sync("Hi").output == "Hello from the script."


async def test_stream(model: Any, wenwen_emulator: EmulatorHandle) -> None:
    wenwen_emulator.script("Streamed reply in pieces.")
    async with Agent(model).run_stream("Hi") as run:
        pieces = [piece async for piece in run.stream_text(delta=True)]
    assert "".join(pieces) == "Streamed reply in pieces."
    assert wenwen_emulator.requests.last.stream


def test_tools(model: Any, wenwen_emulator: EmulatorHandle) -> None:
    agent = Agent(model, tools=[get_weather])
    result = agent.run_sync(WEATHER_PROMPT)
    assert result.output == "The result of get_weather is It is sunny in Paris."
    assert wenwen_emulator.requests.last.messages[-1]["role"] == "tool"


def test_output_tool_ends(model: Any, wenwen_emulator: EmulatorHandle) -> None:
    """The default output mode: a forced output tool beside the user's tools; the mock model
    calls the user's tool, then the output tool, and the run ends."""
    agent = Agent(model, output_type=ToolOutput(Person), tools=[get_weather])
    result = agent.run_sync(PERSON_PROMPT + " Also check the weather in Paris with get_weather.")
    assert result.output == ALICE
    assert len(wenwen_emulator.requests.chat) <= 3


@pytest.mark.parametrize("mode", [NativeOutput, PromptedOutput])
def test_structured_output_modes(model: Any, mode: Any) -> None:
    result = Agent(model, output_type=mode(Person)).run_sync(PERSON_PROMPT)
    assert result.output == ALICE

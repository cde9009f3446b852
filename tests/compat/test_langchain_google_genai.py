"""langchain-google-genai's ChatGoogleGenerativeAI against the emulator's Gemini routes: chat,
stream, tools (the history replays calls with Google's dummy thought signature), structured
output."""

from __future__ import annotations

from typing import Any

import pytest
from compat_common import ALICE, GEMINI_MODEL, PERSON_PROMPT, WEATHER_PROMPT, Person, get_weather
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_google_genai import ChatGoogleGenerativeAI

from wenwen_emulator.pytest_plugin import EmulatorHandle


@pytest.fixture
def llm(wenwen_emulator: EmulatorHandle) -> ChatGoogleGenerativeAI:
    return ChatGoogleGenerativeAI(
        model=GEMINI_MODEL,
        google_api_key=wenwen_emulator.api_key,
        base_url=wenwen_emulator.base_url,
        max_retries=0,
    )


def _text(message: Any) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(b["text"] for b in content if isinstance(b, dict) and b.get("type") == "text")


def test_chat_and_stream(llm: ChatGoogleGenerativeAI, wenwen_emulator: EmulatorHandle) -> None:
    wenwen_emulator.script("Hello from the script.", "Streamed reply.")
    assert _text(llm.invoke("Hi")) == "Hello from the script."
    full: Any = None
    for chunk in llm.stream("Hi"):
        full = chunk if full is None else full + chunk
    assert _text(full) == "Streamed reply."
    assert wenwen_emulator.requests.last.stream


def test_tools_round_trip(llm: ChatGoogleGenerativeAI, wenwen_emulator: EmulatorHandle) -> None:
    bound = llm.bind_tools([get_weather])
    first = bound.invoke(WEATHER_PROMPT)
    [tool_call] = first.tool_calls
    assert (tool_call["name"], tool_call["args"]) == ("get_weather", {"city": "Paris"})
    result = ToolMessage(get_weather(**tool_call["args"]), tool_call_id=tool_call["id"])
    answer = bound.invoke([HumanMessage(WEATHER_PROMPT), first, result])
    assert _text(answer) == "The result of get_weather is It is sunny in Paris."


def test_a_call_it_did_not_receive_is_replayed(
    wenwen_emulator: EmulatorHandle,
) -> None:
    """A tool call written by hand (not from the model) goes out with Google's dummy
    signature (Gemini 3 models); the emulator accepts it."""
    gemini3 = ChatGoogleGenerativeAI(
        model="gemini-3-flash-preview",
        google_api_key=wenwen_emulator.api_key,
        base_url=wenwen_emulator.base_url,
        max_retries=0,
    )
    made_up = AIMessage(
        "", tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}, "id": "call_1"}]
    )
    result = ToolMessage("It is snowing in Oslo.", tool_call_id="call_1")
    answer = gemini3.bind_tools([get_weather]).invoke([HumanMessage("Weather?"), made_up, result])
    assert _text(answer) == "The result of get_weather is It is snowing in Oslo."
    model_turn = wenwen_emulator.requests.last.body["contents"][1]["parts"][0]
    assert "thoughtSignature" in model_turn  # the sentinel went out and was accepted


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_structured_output(llm: ChatGoogleGenerativeAI, method: str) -> None:
    structured = llm.with_structured_output(Person, method=method)  # type: ignore[arg-type]
    assert structured.invoke(PERSON_PROMPT) == ALICE

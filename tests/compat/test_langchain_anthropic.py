"""langchain-anthropic's ChatAnthropic against the emulator's /v1/messages: chat, stream,
tools, structured output (native json_schema and function calling)."""

from __future__ import annotations

from typing import Any

import pytest
from compat_common import ALICE, CLAUDE_MODEL, PERSON_PROMPT, WEATHER_PROMPT, Person, get_weather
from langchain_anthropic import ChatAnthropic
from langchain_core.messages import HumanMessage, ToolMessage

from wenwen_emulator.pytest_plugin import EmulatorHandle
from wenwen_emulator.script import call


@pytest.fixture
def llm(wenwen_emulator: EmulatorHandle) -> ChatAnthropic:
    return ChatAnthropic(  # type: ignore[call-arg]
        model=CLAUDE_MODEL,
        base_url=wenwen_emulator.base_url,
        api_key=wenwen_emulator.api_key,
        max_retries=0,
    )


def test_chat_and_stream(llm: ChatAnthropic, wenwen_emulator: EmulatorHandle) -> None:
    wenwen_emulator.script("Hello from the script.", "Streamed reply.")
    assert llm.invoke("Hi").content == "Hello from the script."
    chunks = list(llm.stream("Hi"))
    text = "".join(
        block["text"] if isinstance(block, dict) else block
        for c in chunks
        for block in (c.content if isinstance(c.content, list) else [c.content])
        if isinstance(block, str) or block.get("type") == "text"
    )
    assert text == "Streamed reply."
    assert wenwen_emulator.requests.last.stream


def test_tools_round_trip(llm: ChatAnthropic, wenwen_emulator: EmulatorHandle) -> None:
    bound = llm.bind_tools([get_weather])
    first = bound.invoke(WEATHER_PROMPT)
    [tool_call] = first.tool_calls
    assert (tool_call["name"], tool_call["args"]) == ("get_weather", {"city": "Paris"})
    result = ToolMessage(get_weather(**tool_call["args"]), tool_call_id=tool_call["id"])
    answer = bound.invoke([HumanMessage(WEATHER_PROMPT), first, result])
    assert answer.content == "The result of get_weather is It is sunny in Paris."
    assert wenwen_emulator.requests.last.messages[-1]["role"] == "tool"


def test_scripted_tool_call_streams(llm: ChatAnthropic, wenwen_emulator: EmulatorHandle) -> None:
    wenwen_emulator.script(call("get_weather", city="Rome"))
    chunks: Any = None
    for chunk in llm.bind_tools([get_weather]).stream("Anything"):
        chunks = chunk if chunks is None else chunks + chunk
    assert [(c["name"], c["args"]) for c in chunks.tool_calls] == [
        ("get_weather", {"city": "Rome"})
    ]


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_structured_output(
    llm: ChatAnthropic, wenwen_emulator: EmulatorHandle, method: str
) -> None:
    structured = llm.with_structured_output(Person, method=method)  # type: ignore[arg-type]
    assert structured.invoke(PERSON_PROMPT) == ALICE
    body = wenwen_emulator.requests.last.body
    assert ("output_config" in body) == (method == "json_schema")

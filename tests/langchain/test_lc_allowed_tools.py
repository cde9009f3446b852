"""``bind_tools(tools, tool_choice={"type": "allowed_tools", ...})`` over every protocol
(emulator): both OpenAI spellings are accepted; only the allowed tools are called while every
tool stays bound; Anthropic refuses before any request."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.tools import tool

from langchain_wenwen import ChatWenwen
from wenwen.errors import ConfigurationError, UnsupportedFeatureError
from wenwen_emulator import Emulator


@tool
def magic_function(input: int) -> int:
    """Applies a magic function to an input."""
    return input + 2


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


TOOLS = [magic_function, get_weather]
BOTH = "Apply magic_function to 3 and tell me the weather in Paris."
PROTOCOLS = {
    "openai": ("gpt-4o-mini", "auto"),
    "responses": ("gpt-4o-mini", "responses"),
    "gemini": ("gemini-2.5-flash", "auto"),
}


def responses_spelling(mode: str, *names: str) -> dict[str, Any]:
    tools = [{"type": "function", "name": name} for name in names]
    return {"type": "allowed_tools", "mode": mode, "tools": tools}


def chat_spelling(mode: str, *names: str) -> dict[str, Any]:
    tools = [{"type": "function", "function": {"name": name}} for name in names]
    return {"type": "allowed_tools", "allowed_tools": {"mode": mode, "tools": tools}}


def model(emu: Emulator, name: str, protocol: str) -> ChatWenwen:
    return ChatWenwen(model=name, protocol=protocol, base_url=emu.base_url, api_key=emu.api_key)


def run(bound: Any, prompt: str, *, streamed: bool) -> AIMessage:
    if not streamed:
        reply = bound.invoke(prompt)
        assert isinstance(reply, AIMessage)
        return reply
    full: AIMessageChunk | None = None
    for chunk in bound.stream(prompt):
        full = chunk if full is None else full + chunk
    assert full is not None
    return full


def bound_tool_count(body: dict[str, Any]) -> int:
    tools = body["tools"]
    return (
        len(tools[0]["functionDeclarations"]) if "functionDeclarations" in tools[0] else len(tools)
    )


def sent_allowlist(body: dict[str, Any]) -> list[str]:
    if "toolConfig" in body:
        return list(body["toolConfig"]["functionCallingConfig"]["allowedFunctionNames"])
    choice = body["tool_choice"]
    assert choice["type"] == "allowed_tools"
    entries = choice.get("allowed_tools", choice)["tools"]
    return [entry.get("name") or entry["function"]["name"] for entry in entries]


@pytest.mark.parametrize("spelling", [responses_spelling, chat_spelling], ids=["flat", "chat"])
@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize("protocol", list(PROTOCOLS))
def test_only_allowed_tools_are_called(
    emu: Emulator, protocol: str, streamed: bool, spelling: Any
) -> None:
    llm = model(emu, *PROTOCOLS[protocol])
    auto = llm.bind_tools(TOOLS, tool_choice=spelling("auto", "get_weather"))
    reply = run(auto, BOTH, streamed=streamed)
    assert [call["name"] for call in reply.tool_calls] == ["get_weather"]
    assert reply.tool_calls[0]["args"] == {"city": "Paris"}
    assert bound_tool_count(emu.requests[-1].json) == 2  # the tool list is unchanged
    assert sent_allowlist(emu.requests[-1].json) == ["get_weather"]
    assert run(auto, "Hello!", streamed=streamed).tool_calls == []
    required = llm.bind_tools(TOOLS, tool_choice=spelling("required", "get_weather"))
    forced = run(required, "Hello!", streamed=streamed)
    assert [call["name"] for call in forced.tool_calls] == ["get_weather"]


def test_unbound_allowed_name_is_refused_at_bind_time(emu: Emulator) -> None:
    llm = model(emu, "gpt-4o-mini", "auto")
    with pytest.raises(ConfigurationError, match="'nope', not among the bound tools"):
        llm.bind_tools(TOOLS, tool_choice=responses_spelling("auto", "get_weather", "nope"))
    with pytest.raises(ConfigurationError, match="allowed_tools"):
        llm.bind_tools(TOOLS, tool_choice={"type": "allowed_tools", "mode": "any", "tools": []})


def test_anthropic_refuses_before_any_request(emu: Emulator) -> None:
    llm = model(emu, "claude-sonnet-4-20250514", "auto")
    bound = llm.bind_tools(TOOLS, tool_choice=chat_spelling("required", "get_weather"))
    with pytest.raises(UnsupportedFeatureError, match="bind only the allowed tools"):
        bound.invoke(BOTH)
    assert emu.requests == []

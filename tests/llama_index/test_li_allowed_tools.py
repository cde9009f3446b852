"""``chat_with_tools(tools, tool_choice={"type": "allowed_tools", ...})`` on every protocol
(emulator), in both OpenAI spellings: only the allowed tools are called, every tool stays
bound; Anthropic refuses before any request."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.tools import FunctionTool

from llama_index_wenwen import Wenwen
from wenwen.errors import ConfigurationError, UnsupportedFeatureError
from wenwen_emulator import Emulator

BOTH_QUESTION = "Call magic_function with 3 and get_weather for 'Paris'."


def magic_function(input: int) -> int:
    """Applies a magic function to an input."""
    return input + 2


def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"It is sunny in {city}."


TOOLS = [FunctionTool.from_defaults(fn=magic_function), FunctionTool.from_defaults(fn=get_weather)]


def responses_spelling(mode: str, *names: str) -> dict[str, Any]:
    tools = [{"type": "function", "name": name} for name in names]
    return {"type": "allowed_tools", "mode": mode, "tools": tools}


def chat_spelling(mode: str, *names: str) -> dict[str, Any]:
    tools = [{"type": "function", "function": {"name": name}} for name in names]
    return {"type": "allowed_tools", "allowed_tools": {"mode": mode, "tools": tools}}


def called(llm: Wenwen, response: Any) -> list[str]:
    selections = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    return [s.tool_name for s in selections]


def streamed_calls(llm: Wenwen, chunks: list[Any]) -> list[str]:
    assert chunks
    return called(llm, chunks[-1])


@pytest.mark.parametrize("spelling", [responses_spelling, chat_spelling], ids=["flat", "chat"])
def test_only_allowed_tools_are_called(
    llm: Wenwen, caller: Any, emu: Emulator, spelling: Any
) -> None:
    auto = spelling("auto", "get_weather")
    required = spelling("required", "get_weather")
    if llm.model.startswith("claude"):
        with pytest.raises(UnsupportedFeatureError, match="bind only the allowed tools"):
            caller.chat_with_tools(llm, TOOLS, user_msg=BOTH_QUESTION, tool_choice=auto)
        assert emu.requests == []
        return
    reply = caller.chat_with_tools(llm, TOOLS, user_msg=BOTH_QUESTION, tool_choice=auto)
    assert called(llm, reply) == ["get_weather"]
    assert "magic_function" in str(emu.requests[-1].json)  # still bound
    quiet = caller.chat_with_tools(llm, TOOLS, user_msg="Hello!", tool_choice=auto)
    assert called(llm, quiet) == []
    forced = caller.chat_with_tools(llm, TOOLS, user_msg="Hello!", tool_choice=required)
    assert called(llm, forced) == ["get_weather"]
    chunks = caller.stream_chat_with_tools(llm, TOOLS, user_msg="Hello!", tool_choice=required)
    assert streamed_calls(llm, chunks) == ["get_weather"]


def test_an_unbound_allowed_name_is_refused(llm: Wenwen, emu: Emulator) -> None:
    choice = chat_spelling("auto", "get_weather", "nope")
    error = UnsupportedFeatureError if llm.model.startswith("claude") else ConfigurationError
    with pytest.raises(error, match="nope"):
        llm.chat_with_tools(TOOLS, user_msg="Hello!", tool_choice=choice)
    assert emu.requests == []

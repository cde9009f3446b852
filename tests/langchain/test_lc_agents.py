"""A LangGraph agent (``langchain.agents.create_agent``) with several steps on the emulator:
each step's tool call depends on the previous step's result."""

from __future__ import annotations

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool

from langchain_wenwen import ChatWenwen
from wenwen_emulator import Emulator


@tool
def lookup_population(city: str) -> str:
    """Look up the population of a city."""
    return {"Paris": "2100000"}.get(city, "unknown")


@tool
def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


@pytest.mark.parametrize("model", ["gpt-4o-mini", "claude-sonnet-4-5-20250929"])
def test_agent_chains_tool_calls_over_several_steps(emu: Emulator, model: str) -> None:
    llm = ChatWenwen(model=model, api_key=emu.api_key, base_url=emu.base_url)
    agent = create_agent(llm, tools=[lookup_population, multiply])
    state = agent.invoke(
        {"messages": [("user", "Look up the population of 'Paris', then multiply it by 2.")]}
    )
    messages = state["messages"]
    calls = [
        (c["name"], c["args"]) for m in messages if isinstance(m, AIMessage) for c in m.tool_calls
    ]
    assert calls == [
        ("lookup_population", {"city": "Paris"}),
        ("multiply", {"a": 2100000, "b": 2}),
    ]
    assert [m.content for m in messages if isinstance(m, ToolMessage)] == ["2100000", "4200000"]
    assert messages[-1].text == (
        "The result of lookup_population is 2100000. The result of multiply is 4200000."
    )
    assert len(emu.requests) == 3  # three model steps

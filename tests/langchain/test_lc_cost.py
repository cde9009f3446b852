"""Cost and budgets in LangChain: an agent's totals equal the relay's balance decrease, a
looping agent is stopped by its budget before the call that would overspend, and every
reply (streamed or not) carries its cost when asked."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessageChunk
from langchain_core.tools import tool

from langchain_wenwen import ChatWenwen, WenwenUsageCallbackHandler, wenwen_usage
from wenwen.errors import BudgetExceededError
from wenwen_emulator import Emulator


@tool
def lookup_population(city: str) -> str:
    """Look up the population of a city."""
    return {"Paris": "2100000"}.get(city, "unknown")


@tool
def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


@tool
def roll_dice(sides: int) -> int:
    """Roll a die with the given number of sides."""
    return sides


QUESTION = "Look up the population of 'Paris', then multiply it by 2."


def _llm(emu: Emulator, model: str = "gpt-4o-mini", **kwargs: Any) -> ChatWenwen:
    return ChatWenwen(model=model, api_key=emu.api_key, base_url=emu.base_url, **kwargs)


def _used(emu: Emulator) -> int:
    return emu.billing.account(emu.api_key).used


def _chats(emu: Emulator) -> int:
    return sum(r.path in ("/v1/chat/completions", "/v1/messages") for r in emu.requests)


@pytest.mark.parametrize("model", ["gpt-4o-mini", "claude-sonnet-4-5-20250929"])
def test_agent_totals_equal_the_balance_decrease(emu: Emulator, model: str) -> None:
    agent = create_agent(_llm(emu, model), tools=[lookup_population, multiply])
    with wenwen_usage() as usage:
        agent.invoke({"messages": [("user", QUESTION)]})
    totals = usage.summary()
    assert totals["calls"] == _chats(emu) == 3
    assert totals["quota"] == _used(emu) > 0
    assert totals["usd"] == _used(emu) / 500_000
    assert totals["by_model"][model]["input_tokens"] > 0 and totals["unpriced_calls"] == 0


def test_async_agent_and_streaming_totals(emu: Emulator) -> None:
    agent = create_agent(_llm(emu, streaming=True), tools=[lookup_population, multiply])

    async def run() -> None:
        async for _ in agent.astream({"messages": [("user", QUESTION)]}, stream_mode="messages"):
            pass

    with wenwen_usage() as usage:
        asyncio.run(run())
    assert usage.calls == _chats(emu) == 3 and usage.quota == _used(emu)


def test_a_looping_agent_stops_at_the_first_call_after_its_budget(emu: Emulator) -> None:
    forced = {"type": "function", "function": {"name": "roll_dice"}}
    llm = _llm(emu, model_kwargs={"tool_choice": forced})  # calls its tool forever
    agent = create_agent(llm, tools=[roll_dice])
    question = {"messages": [("user", "Roll a 6-sided die with roll_dice until you get a 7.")]}
    budget = 60 / 500_000  # a few calls' worth (each costs about 11 quota here)
    with wenwen_usage(max_cost=budget) as usage, pytest.raises(BudgetExceededError) as stop:
        agent.invoke(question, {"recursion_limit": 200})
    spent = stop.value.spent_usd
    last = usage.last_cost
    assert last is not None
    assert spent - last.usd < budget <= spent  # stopped by the first call after it was spent
    assert usage.calls == _chats(emu) >= 3  # the refused call sent nothing
    assert stop.value.spent_quota == usage.quota == _used(emu)
    assert usage.summary()["errors"] == 1  # the refused model run


def test_replies_carry_their_cost_when_asked(emu: Emulator) -> None:
    llm = _llm(emu, track_cost=True)
    message = llm.invoke("Hello there")
    cost = message.response_metadata["wenwen_cost"]
    assert cost["quota"] == _used(emu) and cost["usd"] == cost["quota"] / 500_000
    before = _used(emu)
    chunks = list(llm.stream("Tell me about the sea"))
    assert all("wenwen_cost" not in c.response_metadata for c in chunks[:-1])
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert isinstance(merged, AIMessageChunk)
    assert merged.response_metadata["wenwen_cost"]["quota"] == _used(emu) - before


def test_no_cost_metadata_and_no_pricing_request_by_default(emu: Emulator) -> None:
    message = _llm(emu).invoke("Hello there")
    assert "wenwen_cost" not in message.response_metadata
    assert [r.path for r in emu.requests] == ["/v1/chat/completions"]


def test_the_handler_as_a_plain_callback(emu: Emulator) -> None:
    handler = WenwenUsageCallbackHandler(max_cost=1.0)
    llm = _llm(emu, track_cost=True)
    for text in ("one", "two"):
        llm.invoke(text, {"callbacks": [handler]})
    assert handler.calls == 2 and handler.quota == _used(emu)
    last = handler.last_cost
    assert last is not None
    spent = WenwenUsageCallbackHandler(max_cost=last.usd)
    spent.record("gpt-4o-mini", None, last)  # exactly the budget, already spent
    with pytest.raises(BudgetExceededError):
        llm.invoke("three", {"callbacks": [spent]})
    assert _chats(emu) == 2

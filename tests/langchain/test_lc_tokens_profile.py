"""ChatWenwen's token counting (offline, or exact from the relay) and model profile."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import SummarizationMiddleware
from langchain_core.messages import (
    AIMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    trim_messages,
)
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_wenwen import ChatWenwen
from wenwen import tokens
from wenwen.errors import UnsupportedFeatureError
from wenwen_emulator import Emulator


@pytest.fixture(autouse=True)
def no_transformers_no_tiktoken_cache(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """LangChain's default counter imports ``transformers`` (and downloads GPT-2): make
    that import fail, and give tiktoken an empty cache, so only the offline path can work."""
    monkeypatch.setitem(sys.modules, "transformers", None)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    tokens._local_tiktoken.cache_clear()
    yield
    tokens._local_tiktoken.cache_clear()


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


CONVERSATION = [
    SystemMessage("You answer briefly."),
    HumanMessage("The library opens at nine. " * 30),
    AIMessage("Noted."),
    HumanMessage("When does the library open?"),
]


def test_trim_messages_uses_the_model_as_token_counter() -> None:
    llm = ChatWenwen(model="gpt-4o-mini", api_key="sk-test")
    assert llm.get_num_tokens("hello world") == 2
    assert llm.get_num_tokens_from_messages(CONVERSATION) > 150
    kept = trim_messages(
        CONVERSATION, max_tokens=40, token_counter=llm, strategy="last", include_system=True
    )
    assert [m.content for m in kept] == [
        "You answer briefly.",
        "Noted.",
        "When does the library open?",
    ]


def test_tool_calls_and_tools_are_counted() -> None:
    llm = ChatWenwen(model="gpt-4o-mini", api_key="sk-test")
    base = [HumanMessage("weather in Paris?")]
    call = AIMessage(
        "", tool_calls=[{"id": "c1", "name": "get_weather", "args": {"city": "Paris"}}]
    )
    with_call = [*base, call, ToolMessage("sunny", tool_call_id="c1")]
    assert llm.get_num_tokens_from_messages(with_call) > llm.get_num_tokens_from_messages(base) + 10
    with_tools = llm.get_num_tokens_from_messages(base, tools=[get_weather])
    assert with_tools > llm.get_num_tokens_from_messages(base) + 10


def test_exact_counts_come_from_the_relay_and_match_the_billed_input(emu: Emulator) -> None:
    llm = ChatWenwen(
        model="claude-sonnet-4-5-20250929",
        api_key=emu.api_key,
        base_url=emu.base_url,
        exact_token_counts=True,
    )
    counted = llm.get_num_tokens_from_messages(CONVERSATION)
    assert emu.requests[-1].path == "/v1/messages/count_tokens"
    billed = llm.invoke(CONVERSATION).usage_metadata
    assert billed is not None and counted == billed["input_tokens"]


def test_exact_counts_on_a_protocol_without_an_endpoint_fail_clearly(emu: Emulator) -> None:
    llm = ChatWenwen(
        model="gpt-4o-mini", api_key=emu.api_key, base_url=emu.base_url, exact_token_counts=True
    )
    with pytest.raises(UnsupportedFeatureError, match="'openai' protocol"):
        llm.get_num_tokens_from_messages(CONVERSATION)
    assert emu.requests == []


def test_profile_comes_from_the_core_table() -> None:
    profile = ChatWenwen(model="claude-sonnet-4-5-20250929", api_key="sk-test").profile
    assert profile is not None
    assert profile["max_input_tokens"] == 200_000 and profile["max_output_tokens"] == 64_000
    assert profile["tool_calling"] and profile["structured_output"] and profile["reasoning_output"]
    assert profile["image_inputs"] and profile["pdf_inputs"]


def test_unknown_models_get_a_conservative_profile() -> None:
    profile = ChatWenwen(model="acme-llm-7b", api_key="sk-test").profile
    assert profile is not None
    assert profile["max_input_tokens"] == 32_768 and profile["structured_output"] is False


def test_summarization_middleware_accepts_a_fraction_trigger() -> None:
    llm = ChatWenwen(model="gpt-4o-mini", api_key="sk-test")
    SummarizationMiddleware(model=llm, trigger=("fraction", 0.5))  # needs max_input_tokens
    without = ChatWenwen(model="gpt-4o-mini", api_key="sk-test", profile={})
    with pytest.raises(ValueError, match="profile"):
        SummarizationMiddleware(model=without, trigger=("fraction", 0.5))


class Weather(BaseModel):
    """A weather report."""

    city: str
    degrees: int


@pytest.mark.parametrize(("model", "strategy"), [("o3", "provider"), ("deepseek-chat", "tool")])
def test_create_agent_picks_its_structured_output_strategy_from_the_profile(
    emu: Emulator, model: str, strategy: str
) -> None:
    # "o3" is not among LangChain's fallback name patterns: only the profile says it can
    llm = ChatWenwen(model=model, api_key=emu.api_key, base_url=emu.base_url)
    agent = create_agent(llm, tools=[get_weather], response_format=Weather)
    agent.invoke({"messages": [("user", "Report the weather: 'Oslo', 3 degrees.")]})
    sent = emu.requests[0].json
    if strategy == "provider":  # native structured output: a json_schema response format
        assert sent["response_format"]["type"] == "json_schema"
    else:  # a tool carries the schema
        assert "response_format" not in sent
        assert "Weather" in [t["function"]["name"] for t in sent["tools"]]

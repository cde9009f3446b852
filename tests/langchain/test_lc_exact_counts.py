"""``ChatWenwen(exact_token_counts=True)`` over Gemini (``:countTokens``) and Responses
(``/v1/responses/input_tokens``): the count is the input the same messages are billed."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool

from langchain_wenwen import ChatWenwen
from wenwen_emulator import Emulator

CONVERSATION = [
    SystemMessage("You answer briefly."),
    HumanMessage("The library opens at nine."),
    AIMessage("Noted."),
    HumanMessage("When does the library open?"),
]


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


@pytest.mark.parametrize(
    ("model", "protocol", "path"),
    [
        ("gemini-2.5-flash", "auto", "/v1beta/models/gemini-2.5-flash:countTokens"),
        ("gpt-4o-mini", "responses", "/v1/responses/input_tokens"),
    ],
)
def test_exact_counts_match_the_billed_input(
    emu: Emulator, model: str, protocol: str, path: str
) -> None:
    llm = ChatWenwen(
        model=model,
        protocol=protocol,
        api_key=emu.api_key,
        base_url=emu.base_url,
        exact_token_counts=True,
    )
    counted = llm.get_num_tokens_from_messages(CONVERSATION)
    assert [r.path for r in emu.requests] == [path]
    billed = llm.invoke(CONVERSATION).usage_metadata
    assert billed is not None and counted == billed["input_tokens"]
    with_tools = llm.get_num_tokens_from_messages(CONVERSATION, tools=[get_weather])
    billed_with_tools = llm.bind_tools([get_weather]).invoke(CONVERSATION).usage_metadata
    assert billed_with_tools is not None
    assert with_tools == billed_with_tools["input_tokens"] > counted

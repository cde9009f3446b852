"""The ``allowed_tools`` tool choice: the neutral ``AllowedTools`` read from both OpenAI
spellings, and its mapping per protocol, each body checked by the vendor's own schema (the
OpenAI spec's ``CreateChatCompletionRequest`` / ``CreateResponse``, Gemini's strict proto)."""

from __future__ import annotations

from typing import Any

import pytest

from tests._spec import validate_openai, validate_responses_request
from tests.wire.gemini._proto import check_request
from wenwen.errors import ConfigurationError, UnsupportedFeatureError
from wenwen.protocols import anthropic_messages, gemini, openai_chat, openai_responses
from wenwen.types import AllowedTools, ChatRequest, Message, Tool

TOOLS = [
    Tool(name="get_weather", parameters={"type": "object", "properties": {"city": {}}}),
    Tool(name="get_time"),
    Tool(name="add"),
]
RESPONSES_SPELLING = {
    "type": "allowed_tools",
    "mode": "required",
    "tools": [{"type": "function", "name": "get_weather"}, {"type": "function", "name": "add"}],
}
CHAT_SPELLING = {
    "type": "allowed_tools",
    "allowed_tools": {
        "mode": "required",
        "tools": [
            {"type": "function", "function": {"name": "get_weather"}},
            {"type": "function", "function": {"name": "add"}},
        ],
    },
}


def ask(choice: AllowedTools, **fields: Any) -> ChatRequest:
    return ChatRequest(
        model=fields.pop("model", "gpt-5"),
        messages=[Message.of("user", "hi")],
        tools=fields.pop("tools", TOOLS),
        tool_choice=choice,
        **fields,
    )


def test_both_openai_spellings_read_the_same() -> None:
    expected = AllowedTools(mode="required", names=["get_weather", "add"])
    assert AllowedTools.from_openai(RESPONSES_SPELLING) == expected
    assert AllowedTools.from_openai(CHAT_SPELLING) == expected
    builtin = {"type": "allowed_tools", "mode": "auto", "tools": [{"type": "web_search"}]}
    assert AllowedTools.from_openai(builtin).names == ["web_search"]


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "allowed_tools", "mode": "any", "tools": [{"type": "function", "name": "a"}]},
        {"type": "allowed_tools", "mode": "auto", "tools": []},
        {"type": "allowed_tools", "mode": "auto", "tools": [{"type": "function"}]},
        {"type": "allowed_tools", "allowed_tools": "nope"},
    ],
)
def test_malformed_allowed_tools_are_named(bad: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="allowed_tools"):
        AllowedTools.from_openai(bad)


@pytest.mark.parametrize("mode", ["auto", "required"])
def test_chat_completions_mapping(mode: Any) -> None:
    body = openai_chat.build_request(
        ask(AllowedTools(mode=mode, names=["get_time"]), model="gpt-4o"), stream=False
    ).json
    assert body is not None
    validate_openai("CreateChatCompletionRequest", body)
    assert body["tool_choice"] == {
        "type": "allowed_tools",
        "allowed_tools": {
            "mode": mode,
            "tools": [{"type": "function", "function": {"name": "get_time"}}],
        },
    }
    assert [t["function"]["name"] for t in body["tools"]] == ["get_weather", "get_time", "add"]


@pytest.mark.parametrize("mode", ["auto", "required"])
def test_responses_mapping_with_a_builtin_tool(mode: Any) -> None:
    request = ask(
        AllowedTools(mode=mode, names=["add", "web_search_preview"]),
        server_tools=[{"type": "web_search_preview"}],
    )
    body = openai_responses.build_request(request, stream=False).json
    assert body is not None
    validate_responses_request(body)
    assert body["tool_choice"] == {
        "type": "allowed_tools",
        "mode": mode,
        "tools": [{"type": "function", "name": "add"}, {"type": "web_search_preview"}],
    }
    assert len(body["tools"]) == 4  # the tool list is unchanged


@pytest.mark.parametrize(("mode", "wire_mode"), [("auto", "VALIDATED"), ("required", "ANY")])
def test_gemini_mapping(mode: Any, wire_mode: str) -> None:
    request = ask(AllowedTools(mode=mode, names=["get_weather", "add"]), model="gemini-2.5-flash")
    body = gemini.build_request(request, stream=False).json
    assert body is not None
    parsed = check_request(body)
    assert body["toolConfig"] == {
        "functionCallingConfig": {"mode": wire_mode, "allowedFunctionNames": ["get_weather", "add"]}
    }
    assert list(parsed.tool_config.function_calling_config.allowed_function_names) == [
        "get_weather",
        "add",
    ]
    assert len(body["tools"][0]["functionDeclarations"]) == 3


@pytest.mark.parametrize("module", [openai_chat, openai_responses, gemini])
def test_an_allowed_name_must_be_a_bound_tool(module: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"'nope'.*not among"):
        module.build_request(ask(AllowedTools(names=["add", "nope"])), stream=False)
    with pytest.raises(ConfigurationError, match=r"needs tools|not among"):
        module.build_request(ask(AllowedTools(names=["add"]), tools=[]), stream=False)


def test_anthropic_refuses_before_any_request_and_names_the_alternative() -> None:
    request = ask(AllowedTools(mode="required", names=["add"]), model="claude-sonnet-4-5")
    with pytest.raises(UnsupportedFeatureError, match=r"bind only the allowed tools.*'add'"):
        anthropic_messages.build_request(request, stream=False)

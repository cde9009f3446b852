"""``allowed_tools`` sent by the official openai SDK to the emulator (chat completions and
Responses), and by raw Gemini bodies: only allowed tools are called, every tool stays bound,
mode ``required`` forces one of the allowed ones. Requests and replies validated by the spec
and the SDK's models."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests._spec import validate_openai, validate_responses_request

openai = pytest.importorskip("openai")
from openai.types.chat import ChatCompletion  # noqa: E402
from openai.types.responses import Response  # noqa: E402

_PARAMETERS = {
    "type": "object",
    "properties": {"location": {"type": "string"}},
    "required": ["location"],
    "additionalProperties": False,
}
_MAGIC_PARAMETERS = {
    "type": "object",
    "properties": {"input": {"type": "integer"}},
    "required": ["input"],
    "additionalProperties": False,
}
CHAT_TOOLS = [
    {"type": "function", "function": {"name": "magic_function", "parameters": _MAGIC_PARAMETERS}},
    {"type": "function", "function": {"name": "get_weather", "parameters": _PARAMETERS}},
]
RESPONSES_TOOLS = [
    {"type": "function", "name": "magic_function", "parameters": _MAGIC_PARAMETERS, "strict": True},
    {"type": "function", "name": "get_weather", "parameters": _PARAMETERS, "strict": True},
]
BOTH = "Apply magic_function to 3 and tell me the weather in Paris."


def chat_allowed(mode: str, *names: str) -> dict[str, Any]:
    tools = [{"type": "function", "function": {"name": name}} for name in names]
    return {"type": "allowed_tools", "allowed_tools": {"mode": mode, "tools": tools}}


def responses_allowed(mode: str, *names: str) -> dict[str, Any]:
    tools = [{"type": "function", "name": name} for name in names]
    return {"type": "allowed_tools", "mode": mode, "tools": tools}


def chat_calls(oai: Any, text: str, choice: str | dict[str, Any]) -> list[str]:
    kwargs = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": text}],
        "tools": CHAT_TOOLS,
        "tool_choice": choice,
    }
    validate_openai("CreateChatCompletionRequest", kwargs)
    reply = oai.chat.completions.with_raw_response.create(**kwargs)
    raw = json.loads(reply.http_response.text)
    validate_openai("CreateChatCompletionResponse", raw)
    completion = ChatCompletion.model_validate(raw, strict=True)
    calls = completion.choices[0].message.tool_calls or []
    return [call.function.name for call in calls]  # type: ignore[union-attr]


def responses_calls(oai: Any, text: str, choice: dict[str, Any], **extra: Any) -> list[str]:
    kwargs = {
        "model": "gpt-5",
        "input": text,
        "tools": RESPONSES_TOOLS + extra.pop("tools", []),
        "tool_choice": choice,
    }
    validate_responses_request(kwargs)
    reply = oai.responses.with_raw_response.create(**kwargs)
    raw = json.loads(reply.http_response.text)
    validate_openai("Response", raw)
    response = Response.model_validate(raw, strict=True)
    kinds: list[str] = [item.type for item in response.output if item.type != "reasoning"]
    names = [item.name for item in response.output if item.type == "function_call"]
    return names if "function_call" in kinds else kinds


def test_chat_completions_calls_only_allowed_tools(oai: Any) -> None:
    assert chat_calls(oai, BOTH, "auto") == ["magic_function", "get_weather"]
    assert chat_calls(oai, BOTH, chat_allowed("auto", "get_weather")) == ["get_weather"]
    assert chat_calls(oai, "Hello!", chat_allowed("auto", "get_weather")) == []
    # required forces an allowed tool, not the first bound one
    assert chat_calls(oai, "Hello!", chat_allowed("required", "get_weather")) == ["get_weather"]


def test_chat_completions_rejects_an_allowed_tool_that_is_not_bound(oai: Any) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        chat_calls(oai, "Hello!", chat_allowed("auto", "nope"))
    assert info.value.status_code == 400
    assert "no function named 'nope'" in info.value.body["message"]


def test_responses_calls_only_allowed_tools(oai: Any) -> None:
    assert responses_calls(oai, BOTH, responses_allowed("auto", "magic_function")) == [
        "magic_function"
    ]
    assert responses_calls(oai, "Hello!", responses_allowed("auto", "get_weather")) == ["message"]
    assert responses_calls(oai, "Hello!", responses_allowed("required", "get_weather")) == [
        "get_weather"
    ]


def test_responses_allowed_web_search_only(oai: Any) -> None:
    choice = {"type": "allowed_tools", "mode": "required", "tools": [{"type": "web_search"}]}
    output = responses_calls(oai, BOTH, choice, tools=[{"type": "web_search"}])
    assert output[0] == "web_search_call"
    assert "magic_function" not in output and "get_weather" not in output


def test_responses_rejects_an_allowed_tool_that_is_not_bound(oai: Any) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        responses_calls(oai, "Hello!", responses_allowed("required", "nope"))
    assert info.value.status_code == 400
    assert "not found in 'tools'" in info.value.body["message"]


def test_gemini_allowlist_keeps_every_declaration(http: Any) -> None:
    declarations = [
        {"name": "magic_function", "parameters": {"type": "OBJECT", "properties": {}}},
        {"name": "get_weather", "parameters": {"type": "OBJECT", "properties": {}}},
    ]

    def called(text: str, config: dict[str, Any]) -> list[str]:
        body = {
            "contents": [{"role": "user", "parts": [{"text": text}]}],
            "tools": [{"functionDeclarations": declarations}],
            "toolConfig": {"functionCallingConfig": config},
        }
        reply = http.post("/v1beta/models/gemini-2.5-flash:generateContent", json=body)
        assert reply.status_code == 200, reply.text
        parts = reply.json()["candidates"][0]["content"]["parts"]
        return [p["functionCall"]["name"] for p in parts if "functionCall" in p]

    validated = {"mode": "VALIDATED", "allowedFunctionNames": ["get_weather"]}
    assert called(BOTH, validated) == ["get_weather"]
    assert called("Hello!", validated) == []
    two = {"mode": "ANY", "allowedFunctionNames": ["get_weather", "magic_function"]}
    assert called("Hello!", two) == ["magic_function"]
    assert called("Hello!", {**two, "allowedFunctionNames": ["get_weather"]}) == ["get_weather"]

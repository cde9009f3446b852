"""Neutral requests → Gemini wire bodies; every body is parsed strictly by the official
``GenerateContentRequest`` proto."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from tests.wire.gemini._proto import check_request
from wenwen import WenwenClient
from wenwen.errors import APIConnectionError, ProtocolError, UnsupportedFeatureError
from wenwen.protocols import choose_protocol, gemini
from wenwen.redaction import MASK, redact_urls
from wenwen.types import (
    AudioPart,
    ChatRequest,
    FilePart,
    ImagePart,
    JsonObjectFormat,
    JsonSchemaFormat,
    Message,
    NamedToolChoice,
    TextPart,
    ThinkingConfig,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolResultPart,
)

MODEL = "gemini-2.5-flash"
WEATHER = Tool(
    name="get_weather",
    description="Weather for a city.",
    parameters={
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
        "required": ["city"],
        "additionalProperties": False,
    },
)


def body_of(request: ChatRequest, *, stream: bool = False) -> dict[str, Any]:
    spec = gemini.build_request(request, stream=stream)
    assert spec.json is not None
    check_request(spec.json)
    return spec.json


def test_auto_routes_gemini_models_natively() -> None:
    assert choose_protocol("gemini-2.5-flash") == "gemini"
    assert choose_protocol("google/gemini-2.5-pro") == "gemini"
    assert choose_protocol("gemini-2.5-flash", "openai") == "openai"
    assert choose_protocol("claude-sonnet-4-20250514") == "anthropic"
    assert choose_protocol("gpt-4o") == "openai"


def test_paths_and_auth() -> None:
    request = ChatRequest(model=MODEL, messages=[Message.of("user", "hi")])
    assert gemini.build_request(request, stream=False).path == (
        "/v1beta/models/gemini-2.5-flash:generateContent"
    )
    assert gemini.build_request(request, stream=True).path == (
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    )
    assert gemini.auth_headers("k") == {"x-goog-api-key": "k"}
    assert gemini.build_request(request, stream=False).query_key is None


def test_roles_system_and_sampling() -> None:
    request = ChatRequest(
        model=MODEL,
        messages=[
            Message.of("system", "Be brief."),
            Message.of("user", "Hi"),
            Message.of("assistant", "Hello"),
            Message.of("user", "Bye"),
        ],
        temperature=0.3,
        top_p=0.9,
        top_k=20,
        max_tokens=64,
        stop=["END"],
        seed=7,
    )
    body = body_of(request)
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    assert body["generationConfig"] == {
        "temperature": 0.3,
        "topP": 0.9,
        "topK": 20,
        "maxOutputTokens": 64,
        "stopSequences": ["END"],
        "seed": 7,
        "candidateCount": 1,
    }


def test_media_parts_inline_and_by_url() -> None:
    parts = [
        TextPart(text="Look"),
        ImagePart(data="iVBORw0KGgo=", media_type="image/png"),
        ImagePart(url="data:image/jpeg;base64,/9j/AA=="),
        ImagePart(url="https://example.com/cat.png"),
        AudioPart(data="UklGRg==", format="wav"),
        FilePart(data="JVBERi0=", media_type="application/pdf"),
        FilePart(url="https://example.com/a.pdf"),
    ]
    body = body_of(ChatRequest(model=MODEL, messages=[Message(role="user", parts=parts)]))
    assert body["contents"][0]["parts"] == [
        {"text": "Look"},
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
        {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/AA=="}},
        {"fileData": {"fileUri": "https://example.com/cat.png", "mimeType": "image/png"}},
        {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}},
        {"fileData": {"fileUri": "https://example.com/a.pdf", "mimeType": "application/pdf"}},
    ]


def test_tool_calls_results_and_signatures_replayed_where_they_came_from() -> None:
    call = ToolCallPart(
        id="call_1",
        name="get_weather",
        arguments='{"city": "Paris"}',
        provider_data={gemini.SIGNATURE_KEY: "c2ln"},
    )
    request = ChatRequest(
        model=MODEL,
        messages=[
            Message.of("user", "Weather in Paris?"),
            Message(
                role="assistant", parts=[ThinkingPart(text="I should call", signature="dA=="), call]
            ),
            Message(
                role="tool",
                parts=[ToolResultPart(tool_call_id="call_1", content=[TextPart(text="sunny")])],
            ),
            Message(
                role="assistant", parts=[TextPart(text="Sunny."), ThinkingPart(signature="eA==")]
            ),
            Message.of("user", "Thanks"),
        ],
        tools=[WEATHER],
        tool_choice=NamedToolChoice(name="get_weather"),
    )
    body = body_of(request)
    assert body["contents"][1]["parts"] == [
        {"text": "I should call", "thought": True, "thoughtSignature": "dA=="},
        {
            "functionCall": {"name": "get_weather", "args": {"city": "Paris"}},
            "thoughtSignature": "c2ln",
        },
    ]
    assert body["contents"][2] == {
        "role": "user",
        "parts": [{"functionResponse": {"name": "get_weather", "response": {"result": "sunny"}}}],
    }
    assert body["contents"][3]["parts"] == [{"text": "Sunny.", "thoughtSignature": "eA=="}]
    assert body["toolConfig"] == {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}
    }
    declaration = body["tools"][0]["functionDeclarations"][0]
    assert declaration["parameters"] == {
        "type": "OBJECT",
        "properties": {"city": {"type": "STRING"}, "days": {"type": "INTEGER", "minimum": 1}},
        "required": ["city"],
    }


def test_parallel_results_share_one_user_turn_and_json_results_stay_objects() -> None:
    calls = [
        ToolCallPart(id="a", name="get_weather", arguments='{"city": "Paris"}'),
        ToolCallPart(id="b", name="get_weather", arguments='{"city": "Rome"}'),
    ]
    request = ChatRequest(
        model=MODEL,
        messages=[
            Message.of("user", "Paris and Rome?"),
            Message(role="assistant", parts=calls),
            Message(
                role="tool",
                parts=[ToolResultPart(tool_call_id="a", content=[TextPart(text='{"t": 20}')])],
            ),
            Message(
                role="tool",
                parts=[
                    ToolResultPart(tool_call_id="b", content=[TextPart(text="boom")], is_error=True)
                ],
            ),
        ],
    )
    body = body_of(request)
    assert body["contents"][2]["parts"] == [
        {"functionResponse": {"name": "get_weather", "response": {"t": 20}}},
        {"functionResponse": {"name": "get_weather", "response": {"error": "boom"}}},
    ]


def test_a_result_without_its_call_needs_a_name() -> None:
    orphan = ToolResultPart(tool_call_id="zzz", content=[TextPart(text="1")])
    request = ChatRequest(model=MODEL, messages=[Message(role="tool", parts=[orphan])])
    with pytest.raises(ProtocolError, match="'zzz' matches no function call"):
        gemini.build_request(request, stream=False)
    named = orphan.model_copy(update={"name": "count"})
    body = body_of(ChatRequest(model=MODEL, messages=[Message(role="tool", parts=[named])]))
    assert body["contents"][0]["parts"][0]["functionResponse"]["name"] == "count"


@pytest.mark.parametrize(
    ("choice", "config"),
    [
        ("auto", {"mode": "AUTO"}),
        ("none", {"mode": "NONE"}),
        ("required", {"mode": "ANY"}),
    ],
)
def test_tool_choice(choice: Any, config: dict[str, Any]) -> None:
    request = ChatRequest(
        model=MODEL, messages=[Message.of("user", "x")], tools=[WEATHER], tool_choice=choice
    )
    assert body_of(request)["toolConfig"] == {"functionCallingConfig": config}


def test_structured_output_and_json_mode() -> None:
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"],
    }
    request = ChatRequest(
        model=MODEL,
        messages=[Message.of("user", "x")],
        response_format=JsonSchemaFormat(name="Answer", schema=schema),
    )
    config = body_of(request)["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"] == schema
    request = request.model_copy(update={"response_format": JsonObjectFormat()})
    assert body_of(request)["generationConfig"]["responseMimeType"] == "application/json"


def test_thinking_and_extras() -> None:
    request = ChatRequest(
        model=MODEL,
        messages=[Message.of("user", "x")],
        thinking=ThinkingConfig(budget_tokens=2048),
        extra_body={
            "response_modalities": ["text", "image"],
            "safety_settings": [
                {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}
            ],
        },
    )
    body = body_of(request)
    assert body["generationConfig"]["thinkingConfig"] == {
        "thinkingBudget": 2048,
        "includeThoughts": True,
    }
    assert body["generationConfig"]["responseModalities"] == ["TEXT", "IMAGE"]
    assert body["safetySettings"][0]["threshold"] == "BLOCK_NONE"
    off = ChatRequest(model=MODEL, messages=[Message.of("user", "x")], reasoning_effort="none")
    assert body_of(off)["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 0}


def test_schema_conversion() -> None:
    schema = {
        "type": "object",
        "$defs": {"Unit": {"type": "string", "enum": ["c", "f"]}},
        "properties": {
            "unit": {"$ref": "#/$defs/Unit", "description": "unit"},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
            "tags": {"type": "array", "items": {"type": ["string", "null"]}},
            "n": {"type": "integer", "exclusiveMinimum": 0},
            "extra": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    converted = gemini.to_gemini_schema(schema, owner="tool 't'")
    assert converted["properties"] == {
        "unit": {"type": "STRING", "enum": ["c", "f"], "format": "enum", "description": "unit"},
        "note": {"type": "STRING", "nullable": True, "default": None},
        "tags": {"type": "ARRAY", "items": {"type": "STRING", "nullable": True}},
        "n": {"type": "INTEGER", "minimum": 1},
        "extra": {"type": "OBJECT"},
    }
    tool = Tool(name="t", parameters=schema)
    check_request(
        body_of(ChatRequest(model=MODEL, messages=[Message.of("user", "x")], tools=[tool]))
    )


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "object", "properties": {"n": {"not": {"type": "null"}}}}, "'not'"),
        (
            {
                "$defs": {"N": {"type": "object", "properties": {"k": {"$ref": "#/$defs/N"}}}},
                "$ref": "#/$defs/N",
            },
            "recursive",
        ),
        ({"type": "object", "properties": {"n": {"enum": [1, 2]}}}, "non-string enum"),
        ({"type": "object", "properties": {"n": {"type": ["string", "integer"]}}}, "several types"),
    ],
)
def test_schemas_gemini_cannot_express_are_named(schema: dict[str, Any], problem: str) -> None:
    with pytest.raises(UnsupportedFeatureError, match=problem):
        gemini.to_gemini_schema(schema, owner="tool 't'")


def test_key_in_query_is_opt_in_and_redacted(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    client = WenwenClient(
        api_key="sk-secret-123",
        base_url="http://127.0.0.1:9",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    request = ChatRequest(
        model=MODEL, messages=[Message.of("user", "hi")], extra_body={"key_in_query": True}
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(APIConnectionError) as info:
        client.chat(request, protocol="gemini")
    assert seen[0].url.params["key"] == "sk-secret-123"
    assert "x-goog-api-key" not in seen[0].headers
    assert "sk-secret-123" not in str(info.value)
    assert "key=***" in str(info.value)
    assert "sk-secret-123" not in caplog.text
    assert "key_in_query" not in (seen[0].content.decode())
    assert redact_urls("https://h/x?alt=sse&key=abc&z=1") == f"https://h/x?alt=sse&key={MASK}&z=1"


def test_key_in_query_never_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        reply = {"candidates": [{"content": {"parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}
        return httpx.Response(200, json=reply)

    client = WenwenClient(
        api_key="sk-secret-456",
        base_url="http://127.0.0.1:9",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    request = ChatRequest(
        model=MODEL, messages=[Message.of("user", "hi")], extra_body={"key_in_query": True}
    )
    with caplog.at_level(logging.INFO, logger="httpx"):
        assert client.chat(request, protocol="gemini").text == "ok"
    assert "HTTP Request" in caplog.text and "key=***" in caplog.text
    assert "sk-secret-456" not in caplog.text


def test_header_auth_by_default() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}
            ]
        }
        return httpx.Response(200, json=reply)

    client = WenwenClient(
        api_key="sk-secret-123",
        base_url="http://127.0.0.1:9",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    reply = client.chat(
        ChatRequest(model=MODEL, messages=[Message.of("user", "hi")]), protocol="gemini"
    )
    assert reply.text == "ok"
    assert seen[0].headers["x-goog-api-key"] == "sk-secret-123"
    assert "key" not in seen[0].url.params
    assert "authorization" not in seen[0].headers


def test_images_a_tool_returned_follow_its_function_response() -> None:
    """A functionResponse holds JSON only: a result's images are inlineData (or fileData)
    parts right after it, in the same user turn; an error result keeps its images too."""
    calls = [
        ToolCallPart(id="a", name="render_badge", arguments="{}"),
        ToolCallPart(id="b", name="render_chart", arguments="{}"),
    ]
    drawn = ToolResultPart(
        tool_call_id="a",
        content=[TextPart(text="drawn"), ImagePart(data="iVBORw0KGgo=", media_type="image/png")],
    )
    failed = ToolResultPart(
        tool_call_id="b",
        content=[TextPart(text="no data"), ImagePart(url="data:image/jpeg;base64,/9j/AA==")],
        is_error=True,
    )
    request = ChatRequest(
        model=MODEL,
        messages=[
            Message.of("user", "Badge and chart?"),
            Message(role="assistant", parts=calls),
            Message(role="tool", parts=[drawn, failed]),
        ],
    )
    assert body_of(request)["contents"][2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "render_badge", "response": {"result": "drawn"}}},
            {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
            {"functionResponse": {"name": "render_chart", "response": {"error": "no data"}}},
            {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/AA=="}},
        ],
    }
    empty = ToolResultPart(tool_call_id="a", content=[ImagePart(media_type="image/png")])
    broken = request.model_copy(
        update={"messages": [*request.messages[:2], Message(role="tool", parts=[empty])]}
    )
    with pytest.raises(UnsupportedFeatureError, match="neither data nor a URL"):
        gemini.build_request(broken, stream=False)

"""The opt-in exact counters of Gemini (``:countTokens``) and Responses
(``/v1/responses/input_tokens``): our client (sync and async), the official SDKs, and the
emulator's agreement with what it bills for the same request."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from google import genai
from google.genai import types as gt

from tests._spec import validate_openai
from tests.wire.gemini._proto import parse_strict
from wenwen.errors import ProtocolError
from wenwen.protocols import gemini, openai_responses
from wenwen.types import ChatRequest, Message, TextPart, Tool
from wenwen_emulator import Emulator

WEATHER = Tool(
    name="get_weather",
    description="The weather in a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)
MODELS = {"gemini": "gemini-2.5-flash", "responses": "gpt-4o-mini"}


def conversation(protocol: str) -> ChatRequest:
    return ChatRequest(
        model=MODELS[protocol],
        messages=[
            Message(role="system", parts=[TextPart(text="You answer briefly.")]),
            Message(role="user", parts=[TextPart(text="The library opens at nine.")]),
            Message(role="assistant", parts=[TextPart(text="Noted.")]),
            Message(role="user", parts=[TextPart(text="When does the library open?")]),
        ],
        tools=[WEATHER],
    )


@pytest.mark.parametrize("protocol", ["gemini", "responses"])
def test_the_count_is_what_a_reply_bills(client: Any, emu: Emulator, protocol: str) -> None:
    request = conversation(protocol)
    counted = client._run(lambda c: c.count_tokens(request, protocol=protocol))
    billed = client.chat(request, protocol=protocol).usage
    assert billed is not None and counted == billed.input_tokens > 20
    paths = [r.path for r in emu.requests]
    expected = {
        "gemini": "/v1beta/models/gemini-2.5-flash:countTokens",
        "responses": "/v1/responses/input_tokens",
    }
    assert paths[0] == expected[protocol] and len(paths) == 2


def test_gemini_count_request_is_a_count_tokens_request() -> None:
    from google.ai import generativelanguage_v1beta as glm

    http = gemini.build_count_request(conversation("gemini"))
    assert http.path == "/v1beta/models/gemini-2.5-flash:countTokens"
    body = {"model": "models/gemini-2.5-flash", **(http.json or {})}
    parsed = parse_strict(glm.CountTokensRequest, body)
    assert parsed.generate_content_request.system_instruction.parts[0].text
    assert parsed.generate_content_request.tools[0].function_declarations[0].name == "get_weather"


def test_responses_count_request_follows_the_spec() -> None:
    request = conversation("responses").model_copy(update={"max_tokens": 50, "temperature": 0.2})
    http = openai_responses.build_count_request(request)
    assert http.path == "/v1/responses/input_tokens"
    assert http.json is not None
    assert "max_output_tokens" not in http.json and "temperature" not in http.json
    validate_openai("TokenCountsBody", http.json)


@pytest.mark.parametrize(
    ("parse", "body"),
    [
        (gemini.parse_token_count, {"totalTokens": "12"}),
        (gemini.parse_token_count, [12]),
        (openai_responses.parse_token_count, {"input_tokens": True}),
        (openai_responses.parse_token_count, {"object": "response.input_tokens"}),
    ],
)
def test_a_count_reply_without_an_integer_is_a_protocol_error(parse: Any, body: Any) -> None:
    with pytest.raises(ProtocolError):
        parse(body)


def test_google_genai_sdk_counts_what_generate_content_bills(emu: Emulator) -> None:
    options = gt.HttpOptions(base_url=emu.base_url, retry_options=gt.HttpRetryOptions(attempts=1))
    sdk = genai.Client(api_key=emu.api_key, http_options=options)
    contents = "How many legs does a spider have?"
    counted = sdk.models.count_tokens(model=MODELS["gemini"], contents=contents)
    billed = sdk.models.generate_content(model=MODELS["gemini"], contents=contents)
    assert billed.usage_metadata is not None
    assert counted.total_tokens == billed.usage_metadata.prompt_token_count
    assert emu.requests[0].headers.get("x-goog-api-key") == emu.api_key


def test_openai_sdk_input_tokens_count_is_what_responses_bill(emu: Emulator) -> None:
    oai = openai.OpenAI(api_key=emu.api_key, base_url=emu.base_url + "/v1", max_retries=0)
    request: dict[str, Any] = {
        "model": MODELS["responses"],
        "instructions": "You are terse.",
        "input": "What is the capital of France?",
    }
    raw = oai.responses.input_tokens.with_raw_response.count(**request)
    validate_openai("TokenCountsResource", raw.http_response.json())
    counted = raw.parse()
    billed = oai.responses.create(**request).usage
    assert billed is not None and counted.input_tokens == billed.input_tokens > 0


def test_counting_validates_like_a_reply(emu: Emulator) -> None:
    with httpx.Client(base_url=emu.base_url) as raw:
        bad_role = {"contents": [{"role": "robot", "parts": [{"text": "hi"}]}]}
        reply = raw.post(
            "/v1beta/models/gemini-2.5-flash:countTokens",
            json=bad_role,
            headers={"x-goog-api-key": emu.api_key},
        )
        assert reply.status_code == 400
        auth = {"Authorization": f"Bearer {emu.api_key}"}
        unknown = {"model": "no-such-model", "input": "hi"}
        counted = raw.post("/v1/responses/input_tokens", json=unknown, headers=auth)
        created = raw.post("/v1/responses", json=unknown, headers=auth)
        assert counted.status_code == created.status_code >= 400
        assert counted.json()["error"]["code"] == created.json()["error"]["code"]

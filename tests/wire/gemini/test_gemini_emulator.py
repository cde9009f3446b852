"""The emulator's Gemini routes, checked by what nobody here wrote: the official
``google-genai`` SDK pointed at the emulator, and the official ``generativelanguage`` protos
parsing every reply and stream chunk strictly. Our own client's requests are parsed as
``GenerateContentRequest`` too."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as gt
from PIL import Image

from tests.wire.gemini._proto import check_request, check_response
from wenwen import WenwenClient
from wenwen.errors import AuthenticationError, BadRequestError, StreamError
from wenwen.types import ChatRequest, Message, TextPart, Tool, ToolResultPart
from wenwen_emulator import Emulator

MODEL = "gemini-2.5-flash"
IMAGE_MODEL = "gemini-2.5-flash-image-preview"
WEATHER_DECL = {
    "name": "get_weather",
    "description": "Weather for a city.",
    "parameters": {
        "type": "OBJECT",
        "properties": {"city": {"type": "STRING"}, "unit": {"type": "STRING", "enum": ["c", "f"]}},
        "required": ["city", "unit"],
    },
}


@pytest.fixture
def sdk(emu: Emulator) -> genai.Client:
    options = gt.HttpOptions(base_url=emu.base_url, retry_options=gt.HttpRetryOptions(attempts=1))
    return genai.Client(api_key=emu.api_key, http_options=options)


@pytest.fixture
def raw(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.base_url, headers={"x-goog-api-key": emu.api_key}) as client:
        yield client


def gen(raw: httpx.Client, body: dict[str, Any], model: str = MODEL) -> dict[str, Any]:
    check_request(body)
    response = raw.post(f"/v1beta/models/{model}:generateContent", json=body)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    check_response(reply)
    return reply


def sse_chunks(raw: httpx.Client, body: dict[str, Any], model: str = MODEL) -> list[dict[str, Any]]:
    check_request(body)
    response = raw.post(f"/v1beta/models/{model}:streamGenerateContent?alt=sse", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    chunks = []
    for frame in response.text.split("\n\n"):
        if frame.strip():
            assert frame.startswith("data: ")
            chunk = json.loads(frame[len("data: ") :])
            check_response(chunk)
            chunks.append(chunk)
    return chunks


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


# --- the official SDK ----------------------------------------------------------------------


def test_sdk_generate_content(sdk: genai.Client) -> None:
    reply = sdk.models.generate_content(
        model=MODEL, contents="Paris is the capital of France. What is the capital of France?"
    )
    assert reply.text == "Paris is the capital of France."
    assert reply.usage_metadata is not None and reply.usage_metadata.total_token_count
    assert reply.candidates and reply.candidates[0].finish_reason == gt.FinishReason.STOP


def test_sdk_stream(sdk: genai.Client) -> None:
    chunks = list(
        sdk.models.generate_content_stream(model=MODEL, contents="Rome is in Italy. Where is Rome?")
    )
    assert len(chunks) > 1
    assert "".join(c.text or "" for c in chunks) == "Rome is in Italy."
    assert chunks[-1].candidates and chunks[-1].candidates[0].finish_reason == gt.FinishReason.STOP


def test_sdk_function_calling_with_schema_valid_args(sdk: genai.Client) -> None:
    config = gt.GenerateContentConfig(
        tools=[gt.Tool(function_declarations=[gt.FunctionDeclaration(**WEATHER_DECL)])],  # type: ignore[arg-type]
        tool_config=gt.ToolConfig(
            function_calling_config=gt.FunctionCallingConfig(mode=gt.FunctionCallingConfigMode.ANY)
        ),
    )
    reply = sdk.models.generate_content(
        model=MODEL, contents="What is the weather in Paris in c?", config=config
    )
    (call,) = reply.function_calls or []
    assert call.name == "get_weather"
    assert call.args == {"city": "Paris", "unit": "c"}


def test_sdk_json_schema_output(sdk: genai.Client) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["city", "population"],
    }
    config = gt.GenerateContentConfig(
        response_mime_type="application/json", response_json_schema=schema
    )
    reply = sdk.models.generate_content(
        model=MODEL, contents="Paris has 2100000 people. Describe Paris.", config=config
    )
    value = json.loads(reply.text or "")
    assert set(value) == {"city", "population"} and isinstance(value["population"], int)


def test_sdk_image_output_and_edit(sdk: genai.Client) -> None:
    reply = sdk.models.generate_content(model=IMAGE_MODEL, contents="a red fox in the snow")
    parts = (
        reply.candidates[0].content.parts
        if reply.candidates and reply.candidates[0].content
        else []
    )
    images = [p.inline_data for p in parts or [] if p.inline_data]
    assert len(images) == 1 and images[0].mime_type == "image/png"
    png = images[0].data or b""
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (64, 64)
    edit = sdk.models.generate_content(
        model=IMAGE_MODEL,
        contents=[
            gt.Part.from_text(text="make the fox blue"),
            gt.Part.from_bytes(data=png, mime_type="image/png"),
        ],
    )
    edited = [p.inline_data.data for p in edit.candidates[0].content.parts if p.inline_data]  # type: ignore[index,union-attr]
    assert edited and edited[0] != png
    assert edit.text and "edited" in edit.text


def test_sdk_sees_errors(emu: Emulator) -> None:
    bad = genai.Client(
        api_key="wrong",
        http_options=gt.HttpOptions(
            base_url=emu.base_url, retry_options=gt.HttpRetryOptions(attempts=1)
        ),
    )
    with pytest.raises(genai_errors.ClientError) as info:
        bad.models.generate_content(model=MODEL, contents="hi")
    assert info.value.code == 401


# --- raw wire: every reply and chunk parsed strictly ------------------------------------


def test_stream_chunks_are_strict_and_end_with_a_finish_reason(raw: httpx.Client) -> None:
    chunks = sse_chunks(raw, {"contents": [user("Hello there")]})
    finishes = [c["candidates"][0].get("finishReason") for c in chunks]
    assert finishes[-1] == "STOP" and not any(finishes[:-1])
    assert chunks[-1]["usageMetadata"]["candidatesTokenCount"] > 0


def test_stream_without_alt_is_a_json_array(raw: httpx.Client) -> None:
    response = raw.post(
        f"/v1beta/models/{MODEL}:streamGenerateContent", json={"contents": [user("Hello")]}
    )
    assert response.headers["content-type"].startswith("application/json")
    chunks = response.json()
    assert isinstance(chunks, list) and len(chunks) > 1
    for chunk in chunks:
        check_response(chunk)


def test_thought_signatures_are_signed_and_verified(raw: httpx.Client) -> None:
    body: dict[str, Any] = {
        "contents": [user("What is the weather in Paris in c?")],
        "tools": [{"functionDeclarations": [WEATHER_DECL]}],
        "generationConfig": {"thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024}},
    }
    reply = gen(raw, body)
    parts = reply["candidates"][0]["content"]["parts"]
    assert parts[0]["thought"] is True
    call = next(p for p in parts if "functionCall" in p)
    assert call["thoughtSignature"]
    assert reply["usageMetadata"]["thoughtsTokenCount"] > 0
    result = {"functionResponse": {"name": "get_weather", "response": {"result": "sunny"}}}
    history = [
        *body["contents"],
        {"role": "model", "parts": parts},
        {"role": "user", "parts": [result]},
    ]
    answer = gen(raw, {**body, "contents": history})
    assert "sunny" in json.dumps(answer)
    call["thoughtSignature"] = base64.b64encode(b"forged").decode()
    response = raw.post(
        f"/v1beta/models/{MODEL}:generateContent", json={**body, "contents": history}
    )
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "signature" in response.json()["error"]["message"].lower()


def test_auth_by_query_key_and_relay_shaped_401(emu: Emulator) -> None:
    with httpx.Client(base_url=emu.base_url) as client:
        path = f"/v1beta/models/{MODEL}:generateContent"
        ok = client.post(path, params={"key": emu.api_key}, json={"contents": [user("hi")]})
        assert ok.status_code == 200
        denied = client.post(path, params={"key": "nope"}, json={"contents": [user("hi")]})
        assert denied.status_code == 401
        assert denied.json()["error"]["type"] == "new_api_error"  # the relay's middleware


def test_google_error_shape_for_bad_requests(raw: httpx.Client) -> None:
    response = raw.post(f"/v1beta/models/{MODEL}:generateContent", json={"contents": []})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT" and error["message"]


def test_model_list(raw: httpx.Client) -> None:
    body = raw.get("/v1beta/models").json()
    names = [m["name"] for m in body["models"]]
    assert MODEL in names and IMAGE_MODEL in names
    assert "text-embedding-3-small" not in names


def test_response_modalities_ask_any_model_for_an_image(raw: httpx.Client) -> None:
    body = {
        "contents": [user("a lighthouse")],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]},
    }
    parts = gen(raw, body)["candidates"][0]["content"]["parts"]
    assert any("inlineData" in p for p in parts)


# --- our client against the emulator: every request strict -------------------------------


def test_our_requests_parse_as_generate_content_requests(emu: Emulator) -> None:
    client = WenwenClient(api_key=emu.api_key, base_url=emu.base_url)
    tool = Tool(
        name="get_weather",
        parameters={
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    )
    request = ChatRequest(
        model=MODEL,
        messages=[
            Message.of("system", "Be brief."),
            Message.of("user", "Use get_weather for Paris"),
        ],
        tools=[tool],
        reasoning_effort="low",
    )
    first = client.chat(request, protocol="gemini")
    result = Message(
        role="tool",
        parts=[
            ToolResultPart(tool_call_id=first.tool_calls[0].id, content=[TextPart(text="sunny")])
        ],
    )
    history = request.model_copy(update={"messages": [*request.messages, first.message(), result]})
    streamed = client.stream(history, protocol="gemini").until_done()
    assert "sunny" in streamed.text
    bodies = [
        r.json for r in emu.requests if "generateContent" in r.path or "GenerateContent" in r.path
    ]
    assert len(bodies) == 2
    for body in bodies:
        check_request(body)
    assert all(r.headers.get("x-goog-api-key") == emu.api_key for r in emu.requests)


def test_our_client_maps_google_errors(emu: Emulator) -> None:
    client = WenwenClient(api_key=emu.api_key, base_url=emu.base_url, max_retries=0)
    with pytest.raises(BadRequestError):
        client.chat(
            ChatRequest(
                model=MODEL, messages=[Message.of("user", "x")], extra_body={"contents": []}
            ),
            protocol="gemini",
        )
    with pytest.raises(AuthenticationError):
        WenwenClient(api_key="bad", base_url=emu.base_url, max_retries=0).chat(
            ChatRequest(model=MODEL, messages=[Message.of("user", "x")]), protocol="gemini"
        )


@pytest.mark.parametrize("fault", ["truncate:3", "midstream_close:3"])
def test_a_broken_gemini_stream_raises_with_the_partial(emu: Emulator, fault: str) -> None:
    client = WenwenClient(api_key=emu.api_key, base_url=emu.base_url, max_retries=0)
    emu.inject(fault, times=1)
    request = ChatRequest(
        model=MODEL, messages=[Message.of("user", "Rome is a large city in Italy. Where is Rome?")]
    )
    stream = client.stream(request, protocol="gemini")
    with pytest.raises(StreamError) as info:
        stream.until_done()
    partial = info.value.partial
    assert partial is not None and partial.protocol == "gemini"
    assert partial.text and "Rome is a large city in Italy.".startswith(partial.text)
    assert partial.finish_reason is None


def test_sdk_replays_thought_signatures(sdk: genai.Client) -> None:
    tools = [gt.Tool(function_declarations=[gt.FunctionDeclaration(**WEATHER_DECL)])]  # type: ignore[arg-type]
    config = gt.GenerateContentConfig(
        tools=tools,
        thinking_config=gt.ThinkingConfig(include_thoughts=True, thinking_budget=1024),
        automatic_function_calling=gt.AutomaticFunctionCallingConfig(disable=True),
    )
    question = gt.Content(role="user", parts=[gt.Part.from_text(text="Weather in Paris in c?")])
    first = sdk.models.generate_content(model=MODEL, contents=[question], config=config)
    assert first.candidates and first.candidates[0].content
    model_turn = first.candidates[0].content
    signed = [p for p in model_turn.parts or [] if p.thought_signature]
    assert signed and signed[0].function_call is not None
    answer = gt.Content(
        role="user",
        parts=[gt.Part.from_function_response(name="get_weather", response={"result": "sunny"})],
    )
    second = sdk.models.generate_content(
        model=MODEL, contents=[question, model_turn, answer], config=config
    )
    assert "sunny" in (second.text or "")

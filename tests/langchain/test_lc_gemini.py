"""ChatWenwen with Gemini models over the native Gemini protocol (emulator): routing,
images out and in (generation and editing), thought signatures across tool calls,
structured output, usage."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from PIL import Image
from pydantic import BaseModel

from langchain_wenwen import ChatWenwen
from wenwen.errors import ContentBlockedError
from wenwen_emulator import Emulator

GEMINI = "gemini-2.5-flash"
IMAGE_MODEL = "gemini-2.5-flash-image-preview"


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


def gemini(emu: Emulator, model: str = GEMINI, **params: Any) -> ChatWenwen:
    return ChatWenwen(model=model, base_url=emu.base_url, api_key=emu.api_key, **params)


def run(model: Any, prompt: Any, *, streamed: bool) -> AIMessage:
    if not streamed:
        reply = model.invoke(prompt)
        assert isinstance(reply, AIMessage)
        return reply
    full: AIMessageChunk | None = None
    for chunk in model.stream(prompt):
        full = chunk if full is None else full + chunk
    assert full is not None
    return full


def gemini_bodies(emu: Emulator) -> list[Any]:
    return [r.json for r in emu.requests if "generatecontent" in r.path.lower()]


def image_blocks(message: AIMessage) -> list[dict[str, Any]]:
    content = message.content if isinstance(message.content, list) else []
    return [b for b in content if isinstance(b, dict) and b.get("type") == "image"]


def test_gemini_goes_native_by_default_and_can_be_pinned(emu: Emulator) -> None:
    reply = gemini(emu).invoke("Hello")
    assert reply.response_metadata["wenwen_protocol"] == "gemini"
    assert reply.response_metadata["finish_reason"] == "stop"
    assert [r.path for r in emu.requests] == [f"/v1beta/models/{GEMINI}:generateContent"]
    assert emu.requests[0].headers["x-goog-api-key"] == emu.api_key
    pinned = gemini(emu, protocol="openai").invoke("Hello")
    assert pinned.response_metadata["wenwen_protocol"] == "openai"


@pytest.mark.parametrize("streamed", [False, True])
def test_image_generation_returns_a_png_image_block(emu: Emulator, streamed: bool) -> None:
    reply = run(gemini(emu, IMAGE_MODEL), "a red fox in the snow", streamed=streamed)
    (block,) = image_blocks(reply)
    assert block["mime_type"] == "image/png"
    with Image.open(io.BytesIO(base64.b64decode(block["base64"]))) as image:
        assert image.format == "PNG"
    assert reply.content_blocks[-1]["type"] == "image"
    assert "fox" in reply.text


@pytest.mark.parametrize("streamed", [False, True])
def test_image_editing_sends_the_image_and_returns_a_new_one(emu: Emulator, streamed: bool) -> None:
    model = gemini(emu, IMAGE_MODEL)
    (original,) = image_blocks(model.invoke("a red fox"))
    edit = HumanMessage(content=[{"type": "text", "text": "make the fox blue"}, original])
    reply = run(model, [edit], streamed=streamed)
    (edited,) = image_blocks(reply)
    assert edited["base64"] != original["base64"]
    sent = gemini_bodies(emu)[-1]["contents"][0]["parts"]
    assert sent[1] == {"inlineData": {"mimeType": "image/png", "data": original["base64"]}}


def test_response_modalities_ask_a_chat_model_for_images(emu: Emulator) -> None:
    with pytest.warns(UserWarning, match="response_modalities"):
        model = gemini(emu, response_modalities=["TEXT", "IMAGE"])
    assert image_blocks(model.invoke("a lighthouse at dusk"))
    assert gemini_bodies(emu)[-1]["generationConfig"]["responseModalities"] == ["TEXT", "IMAGE"]


@pytest.mark.parametrize("streamed", [False, True])
def test_thought_signatures_survive_a_tool_round_trip(emu: Emulator, streamed: bool) -> None:
    model = gemini(emu, reasoning_effort="low").bind_tools([get_weather])
    question = HumanMessage("Use get_weather for Paris")
    call = run(model, [question], streamed=streamed)
    (tool_call,) = call.tool_calls
    assert tool_call["name"] == "get_weather" and tool_call["args"] == {"city": "Paris"}
    assert call.additional_kwargs["reasoning_content"]
    result = ToolMessage(get_weather.invoke(tool_call["args"]), tool_call_id=tool_call["id"])
    answer = run(model, [question, call, result], streamed=streamed)
    assert "sunny in Paris" in answer.text
    replayed = gemini_bodies(emu)[-1]["contents"]
    call_part = next(p for p in replayed[1]["parts"] if "functionCall" in p)
    assert call_part["thoughtSignature"]  # the emulator verified it (else HTTP 400)
    assert replayed[2]["parts"] == [
        {"functionResponse": {"name": "get_weather", "response": {"result": "sunny in Paris"}}}
    ]
    usage = answer.usage_metadata
    assert usage is not None and usage["output_token_details"]["reasoning"] > 0


@pytest.mark.parametrize("streamed", [False, True])
def test_text_signature_goes_back_on_its_text(emu: Emulator, streamed: bool) -> None:
    model = gemini(emu, reasoning_effort="low")
    first = run(model, "Rome is in Italy. Where is Rome?", streamed=streamed)
    model.invoke([HumanMessage("Rome is in Italy. Where is Rome?"), first, HumanMessage("Thanks")])
    parts = gemini_bodies(emu)[-1]["contents"][1]["parts"]
    text_part = next(p for p in parts if not p.get("thought"))
    assert text_part["text"] == "Rome is in Italy."
    assert text_part["thoughtSignature"]


class City(BaseModel):
    name: str
    country: str


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_structured_output(emu: Emulator, method: str) -> None:
    model = gemini(emu).with_structured_output(City, method=method)
    city = model.invoke("Paris is a city in France. Describe Paris.")
    assert isinstance(city, City)
    body = gemini_bodies(emu)[-1]
    if method == "json_schema":
        assert body["generationConfig"]["responseMimeType"] == "application/json"
    else:
        assert body["toolConfig"]["functionCallingConfig"]["mode"] == "ANY"


def fake_gemini(reply: dict[str, Any]) -> ChatWenwen:
    """ChatWenwen over an in-process transport that answers every call with ``reply``."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=reply)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    return ChatWenwen(
        model=GEMINI, base_url="http://127.0.0.1:9", api_key="sk-test", http_client=client
    )


def test_a_content_filter_stop_keeps_the_partial_and_says_why() -> None:
    candidate = {"content": {"role": "model", "parts": [{"text": "Once upon"}]}}
    reply = fake_gemini({"candidates": [{**candidate, "finishReason": "SAFETY"}]}).invoke("x")
    assert reply.text == "Once upon"
    assert reply.response_metadata["finish_reason"] == "content_filter"
    assert reply.response_metadata["stop_reason"] == "SAFETY"
    assert "SAFETY" in reply.additional_kwargs["refusal"]


def test_a_blocked_prompt_raises_content_blocked_error() -> None:
    model = fake_gemini({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}})
    with pytest.raises(ContentBlockedError, match="PROHIBITED_CONTENT"):
        model.invoke("x")


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
def test_thought_text_is_replayed_from_a_streamed_answer_like_an_invoked_one(
    emu: Emulator, streamed: bool
) -> None:
    # A streamed Gemini answer keeps its thought text in reasoning_content and only a
    # signature-only block in content; replaying it must not drop the thought text.
    model = gemini(emu, "gemini-2.5-pro", thinking={"type": "enabled", "budget_tokens": 1024})
    answer = run(model, "Think about why the sky is blue", streamed=streamed)
    thought = answer.additional_kwargs["reasoning_content"]
    assert thought
    model.invoke([HumanMessage("Why is the sky blue?"), answer, HumanMessage("And at dusk?")])
    model_turn = gemini_bodies(emu)[-1]["contents"][1]["parts"]
    assert {"text": thought, "thought": True} in model_turn
    assert any(p.get("thoughtSignature") for p in model_turn)
    deepseek = ChatWenwen(
        model="deepseek-reasoner", protocol="openai", base_url=emu.base_url, api_key=emu.api_key
    )
    deepseek.invoke([HumanMessage("Why is the sky blue?"), answer, HumanMessage("And at dusk?")])
    assert emu.requests[-1].json["messages"][1]["reasoning_content"] == thought

"""The official openai SDK against the emulator; every reply validated twice (SDK + spec)."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from tests._spec import validate_openai

openai = pytest.importorskip("openai")
from openai.types import CreateEmbeddingResponse, Model  # noqa: E402
from openai.types.chat import ChatCompletion, ChatCompletionChunk  # noqa: E402

MAGIC = {
    "type": "function",
    "function": {
        "name": "magic_function",
        "description": "Applies a magic function to an input.",
        "parameters": {
            "type": "object",
            "properties": {"input": {"type": "integer"}},
            "required": ["input"],
        },
    },
}
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather at a location.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location", "unit"],
        },
    },
}


def check_completion(raw: dict[str, Any]) -> ChatCompletion:
    validate_openai("CreateChatCompletionResponse", raw)
    return ChatCompletion.model_validate(raw, strict=True)


def raw_create(oai: Any, **kwargs: Any) -> dict[str, Any]:
    response = oai.chat.completions.with_raw_response.create(**kwargs)
    body: dict[str, Any] = json.loads(response.http_response.text)
    check_completion(body)
    return body


def test_chat(oai: Any) -> None:
    messages = [
        {"role": "system", "content": "The sky is blue. Grass is green."},
        {"role": "user", "content": "What colour is the grass?"},
    ]
    completion = oai.chat.completions.create(model="gpt-4o", messages=messages)
    assert completion.choices[0].message.content == "Grass is green."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "gpt-4o"
    usage = completion.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens > 0
    raw_create(oai, model="gpt-4o", messages=messages)


def test_stream_with_usage(oai: Any) -> None:
    messages = [{"role": "user", "content": "Paris is in France. Where is Paris?"}]
    stream = oai.chat.completions.create(
        model="gpt-4o-mini",
        messages=messages,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    for chunk in chunks:
        dumped = chunk.model_dump(mode="json", exclude_unset=True)
        validate_openai("CreateChatCompletionStreamResponse", dumped)
        ChatCompletionChunk.model_validate(dumped, strict=True)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Paris is in France."
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    finish = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finish[-1] == "stop" and all(f is None for f in finish[:-1])
    plain = oai.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert plain.usage.model_dump() == chunks[-1].usage.model_dump()


def test_tool_call_single(oai: Any) -> None:
    body = raw_create(
        oai,
        model="gpt-4o",
        messages=[
            {"role": "user", "content": "What is the value of magic_function(3)? Use the tool."}
        ],
        tools=[MAGIC],
    )
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert call["id"].startswith("call_")
    assert call["function"]["name"] == "magic_function"
    assert json.loads(call["function"]["arguments"]) == {"input": 3}


def test_tool_calls_parallel_and_disabled(oai: Any) -> None:
    messages = [
        {
            "role": "user",
            "content": "Use get_weather for Boston in fahrenheit and magic_function for 7.",
        }
    ]
    body = raw_create(oai, model="gpt-4o", messages=messages, tools=[MAGIC, WEATHER])
    calls = body["choices"][0]["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["get_weather", "magic_function"]
    assert json.loads(calls[0]["function"]["arguments"]) == {
        "location": "Boston",
        "unit": "fahrenheit",
    }
    assert len({c["id"] for c in calls}) == 2
    single = raw_create(
        oai, model="gpt-4o", messages=messages, tools=[MAGIC, WEATHER], parallel_tool_calls=False
    )
    assert len(single["choices"][0]["message"]["tool_calls"]) == 1


def test_tool_choice_forced(oai: Any) -> None:
    messages = [{"role": "user", "content": "Hello!"}]
    auto = raw_create(oai, model="gpt-4o", messages=messages, tools=[MAGIC, WEATHER])
    assert "tool_calls" not in auto["choices"][0]["message"]
    required = raw_create(
        oai, model="gpt-4o", messages=messages, tools=[MAGIC, WEATHER], tool_choice="required"
    )
    assert required["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == (
        "magic_function"
    )
    named = raw_create(
        oai,
        model="gpt-4o",
        messages=messages,
        tools=[MAGIC, WEATHER],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    (call,) = named["choices"][0]["message"]["tool_calls"]
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"])["unit"] == "celsius"
    none = raw_create(
        oai,
        model="gpt-4o",
        tools=[MAGIC],
        tool_choice="none",
        messages=[{"role": "user", "content": "Call magic_function(2)."}],
    )
    assert "tool_calls" not in none["choices"][0]["message"]


def test_streamed_tool_calls_accumulate(oai: Any) -> None:
    messages = [
        {
            "role": "user",
            "content": "Use get_weather for Boston in fahrenheit and magic_function for 7.",
        }
    ]
    stream = oai.chat.completions.create(
        model="gpt-4o", messages=messages, tools=[MAGIC, WEATHER], stream=True
    )
    calls: dict[int, dict[str, str]] = {}
    fragments = 0
    for chunk in stream:
        validate_openai(
            "CreateChatCompletionStreamResponse", chunk.model_dump(mode="json", exclude_unset=True)
        )
        for delta in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            slot = calls.setdefault(delta.index, {"id": "", "name": "", "args": ""})
            slot["id"] += delta.id or ""
            slot["name"] += (delta.function.name or "") if delta.function else ""
            slot["args"] += (delta.function.arguments or "") if delta.function else ""
            fragments += 1
    plain = oai.chat.completions.create(model="gpt-4o", messages=messages, tools=[MAGIC, WEATHER])
    expected = {
        i: {"id": c.id, "name": c.function.name, "args": c.function.arguments}
        for i, c in enumerate(plain.choices[0].message.tool_calls)
    }
    assert calls == expected
    assert fragments > 4


def test_answer_after_tool_result(oai: Any) -> None:
    messages = [
        {"role": "user", "content": "What is the value of magic_function(3)? Use the tool."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "magic_function", "arguments": '{"input": 3}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "5"},
    ]
    body = raw_create(oai, model="gpt-4o", messages=messages, tools=[MAGIC])
    assert body["choices"][0]["message"]["content"] == "The result of magic_function is 5."


class Step(BaseModel):
    explanation: str
    output: str


class MathReasoning(BaseModel):
    steps: list[Step]
    final_answer: str
    confidence: Literal["low", "high"]
    score: int


def test_structured_output_parse(oai: Any) -> None:
    completion = oai.chat.completions.parse(
        model="gpt-4o-2024-08-06",
        messages=[
            {"role": "system", "content": "You are a helpful math tutor."},
            {"role": "user", "content": "How do I solve x + 7 = 12? Confidence high."},
        ],
        response_format=MathReasoning,
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, MathReasoning)
    assert parsed.confidence == "high"
    assert parsed.score == 7
    assert len(parsed.steps) == 1


def test_json_object_mode(oai: Any) -> None:
    body = raw_create(
        oai,
        model="gpt-4o",
        response_format={"type": "json_object"},
        messages=[
            {
                "role": "user",
                "content": "Tell me a joke about cats. Return the result as a JSON with 'setup' and "
                "'punchline' keys. Return nothing other than JSON.",
            }
        ],
    )
    value = json.loads(body["choices"][0]["message"]["content"])
    assert set(value) == {"setup", "punchline"}
    assert all(isinstance(v, str) and v for v in value.values())


def test_embeddings_float_and_base64(oai: Any) -> None:
    texts = ["The cat sat on the mat.", "A dog barked."]
    response = oai.embeddings.with_raw_response.create(
        model="text-embedding-3-small", input=texts, encoding_format="float"
    )
    raw = json.loads(response.http_response.text)
    validate_openai("CreateEmbeddingResponse", raw)
    parsed = CreateEmbeddingResponse.model_validate(raw, strict=True)
    assert [len(d.embedding) for d in parsed.data] == [1536, 1536]
    b64 = oai.embeddings.with_raw_response.create(
        model="text-embedding-3-small", input=texts, encoding_format="base64"
    )
    raw64 = json.loads(b64.http_response.text)
    first = base64.b64decode(raw64["data"][0]["embedding"])
    floats = struct.unpack(f"<{len(first) // 4}f", first)
    assert len(floats) == 1536
    assert floats == pytest.approx(raw["data"][0]["embedding"], abs=1e-6)
    # the SDK's default (base64 on the wire, decoded to floats by the SDK) also works
    sdk = oai.embeddings.create(model="text-embedding-3-large", input="hello", dimensions=256)
    assert len(sdk.data[0].embedding) == 256


def test_models_list_and_retrieve(oai: Any) -> None:
    response = oai.models.with_raw_response.list()
    raw = json.loads(response.http_response.text)
    validate_openai("ListModelsResponse", raw)
    ids = {m["id"] for m in raw["data"]}
    for must in (
        "gpt-4o",
        "claude-sonnet-4-20250514-thinking",
        "text-embedding-3-small",
        "deepseek-reasoner",
        "sora_video2",
        "veo3",
    ):
        assert must in ids
    for item in raw["data"]:
        Model.model_validate(item, strict=True)
    assert oai.models.retrieve("gpt-4o").id == "gpt-4o"
    with pytest.raises(openai.NotFoundError):
        oai.models.retrieve("no-such-model")


def test_reasoning_model_reports_reasoning(oai: Any) -> None:
    body = raw_create(
        oai,
        model="deepseek-reasoner",
        messages=[{"role": "user", "content": "Why is the sky blue?"}],
    )
    message = body["choices"][0]["message"]
    assert message["reasoning_content"].startswith("The user asks")
    details = body["usage"]["completion_tokens_details"]
    assert 0 < details["reasoning_tokens"] < body["usage"]["completion_tokens"]


def test_request_recorded(oai: Any, emu: Any) -> None:
    oai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
    recorded = emu.requests[-1]
    assert recorded.method == "POST" and recorded.path == "/v1/chat/completions"
    assert recorded.headers["authorization"] == f"Bearer {emu.api_key}"
    assert recorded.json["messages"] == [{"role": "user", "content": "Hi"}]


def test_raw_stream_chunks_validate(http: Any) -> None:
    body = {
        "model": "o4-mini",
        "stream": True,
        "stream_options": {"include_usage": True},
        "tools": [MAGIC, WEATHER],
        "messages": [
            {
                "role": "user",
                "content": "Use get_weather for Boston in fahrenheit and magic_function for 7.",
            }
        ],
    }
    response = http.post("/v1/chat/completions", json=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = [f for f in response.text.split("\n\n") if f]
    assert frames[-1] == "data: [DONE]"
    chunks = [json.loads(f[len("data: ") :]) for f in frames[:-1]]
    for chunk in chunks:
        validate_openai("CreateChatCompletionStreamResponse", chunk)
        ChatCompletionChunk.model_validate(chunk, strict=True)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    assert all(c["usage"] is None for c in chunks[:-1])
    assert len({c["id"] for c in chunks}) == 1

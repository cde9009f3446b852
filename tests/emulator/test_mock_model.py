"""Behaviour of the deterministic mock model, through the HTTP API."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, Field

from wenwen_emulator.mock_model import FALLBACK, GREETING, textutil

CHAT = "/v1/chat/completions"


def chat(http: httpx.Client, messages: list[dict[str, Any]] | str, **extra: Any) -> dict[str, Any]:
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    response = http.post(
        CHAT, json={"model": extra.pop("model", "gpt-4o"), "messages": messages, **extra}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def text_of(body: dict[str, Any]) -> str:
    return str(body["choices"][0]["message"]["content"])


def tool(
    name: str,
    properties: dict[str, Any] | None = None,
    required: list[str] | None = None,
    **schema: Any,
) -> dict[str, Any]:
    params = {"type": "object", "properties": properties or {}, **schema}
    if required is not None:
        params["required"] = required
    return {"type": "function", "function": {"name": name, "description": "", "parameters": params}}


def calls_of(body: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in body["choices"][0]["message"].get("tool_calls") or []
    ]


def sse_chunks(text: str) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in text.split("\n\n") if line.startswith("data: {")]


# ----------------------------------------------------------------- extractive answers
def test_extractive_answer_from_system_context(http: httpx.Client) -> None:
    messages = [
        {"role": "system", "content": "Alice lives in Paris. Bob lives in Rome. Carol is a chef."},
        {"role": "user", "content": "Where does Bob live?"},
    ]
    assert text_of(chat(http, messages)) == "Bob lives in Rome."


def test_ties_go_to_the_earliest_sentence(http: httpx.Client) -> None:
    messages = [
        {"role": "system", "content": "Red apples grow. Green apples grow."},
        {"role": "user", "content": "Do apples grow?"},
    ]
    assert text_of(chat(http, messages)) == "Red apples grow."


def test_fallback_and_greeting(http: httpx.Client) -> None:
    messages = [
        {"role": "system", "content": "The moon orbits Earth."},
        {"role": "user", "content": "What is a quasar?"},
    ]
    assert text_of(chat(http, messages)) == FALLBACK
    assert text_of(chat(http, "Hello")) == GREETING


def test_single_user_message_with_context_and_question(http: httpx.Client) -> None:
    text = "Water boils at 100 degrees. Ice melts at zero degrees. When does water boil?"
    assert text_of(chat(http, text)) == "Water boils at 100 degrees."


def test_llamaindex_rag_template(http: httpx.Client) -> None:
    prompt = (
        "Context information is below.\n---------------------\n"
        "file_path: notes.txt\n\nThe Eiffel Tower is in Paris. The Colosseum is in Rome.\n"
        "---------------------\nGiven the context information and not prior knowledge, "
        "answer the query.\nQuery: Where is the Colosseum?\nAnswer: "
    )
    assert text_of(chat(http, prompt)) == "The Colosseum is in Rome."


def test_langchain_rag_prompt_question_before_context(http: httpx.Client) -> None:
    prompt = (
        "You are an assistant for question-answering tasks. Use the following pieces of "
        "retrieved context to answer the question. If you don't know the answer, just say "
        "that you don't know.\nQuestion: What does Task Decomposition mean? \n"
        "Context: Task decomposition splits a big task into smaller steps. Memory stores "
        "facts. \nAnswer:"
    )
    assert text_of(chat(http, prompt)) == (
        "Task decomposition splits a big task into smaller steps."
    )


def test_multi_turn_memory(http: httpx.Client) -> None:
    messages = [
        {"role": "user", "content": "My name is Bob."},
        {"role": "assistant", "content": "Nice to meet you."},
        {"role": "user", "content": "What is my name?"},
    ]
    assert text_of(chat(http, messages)) == "My name is Bob."


def test_content_parts_and_images(http: httpx.Client) -> None:
    content = [
        {"type": "text", "text": "Lions roar. What do lions do?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
    ]
    body = chat(http, [{"role": "user", "content": content}])
    assert text_of(body) == "I see 2 images. Lions roar."


# ----------------------------------------------------------------- stop / max_tokens
def test_stop_sequence(http: httpx.Client) -> None:
    messages = [
        {"role": "system", "content": "Bob lives in Rome."},
        {"role": "user", "content": "Where does Bob live?"},
    ]
    body = chat(http, messages, stop=[" in", "zzz"])
    assert text_of(body) == "Bob lives"
    assert body["choices"][0]["finish_reason"] == "stop"


def test_max_tokens(http: httpx.Client) -> None:
    messages = [
        {"role": "system", "content": "Bob lives in a big house in Rome."},
        {"role": "user", "content": "Where does Bob live?"},
    ]
    body = chat(http, messages, max_tokens=3)
    assert text_of(body) == "Bob lives in"
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 3
    newer = chat(http, messages, max_completion_tokens=2)
    assert text_of(newer) == "Bob lives"


# ----------------------------------------------------------------- tools
def test_langchain_magic_function(http: httpx.Client) -> None:
    magic = tool("magic_function", {"input": {"type": "integer"}}, ["input"])
    body = chat(http, "What is the value of magic_function(3)? Use the tool.", tools=[magic])
    assert calls_of(body) == [("magic_function", {"input": 3})]
    no_args = tool("magic_function_no_args")
    body = chat(
        http, "What is the value of magic_function_no_args()? Use the tool.", tools=[magic, no_args]
    )
    assert calls_of(body) == [("magic_function_no_args", {})]


def test_unicode_quoted_argument(http: httpx.Client) -> None:
    customer = tool(
        "unicode_customer",
        {"customer_name": {"type": "string"}, "description": {"type": "string"}},
        ["customer_name", "description"],
    )
    body = chat(
        http,
        "Create a customer named '你好啊集团' (Hello Group) - a Chinese technology company",
        tools=[customer],
        tool_choice="required",
    )
    ((name, args),) = calls_of(body)
    assert name == "unicode_customer" and args["customer_name"] == "你好啊集团"
    raw = body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    assert "你好啊集团" in raw
    for quote in ("“東京タワー”", "「東京タワー」", '"東京タワー"'):
        body = chat(
            http, f"Create a customer named {quote}.", tools=[customer], tool_choice="required"
        )
        assert calls_of(body)[0][1]["customer_name"] == "東京タワー"


def test_agent_loop_decides_by_topic(http: httpx.Client) -> None:
    weather = tool("get_weather", {"location": {"type": "string"}}, ["location"])
    body = chat(http, "What is the weather in San Francisco, CA?", tools=[weather])
    assert calls_of(body) == [("get_weather", {"location": "San Francisco, CA"})]
    assert body["choices"][0]["finish_reason"] == "tool_calls"
    call = body["choices"][0]["message"]["tool_calls"][0]
    follow = chat(
        http,
        [
            {"role": "user", "content": "What is the weather in San Francisco, CA?"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": call["id"], "content": "It's sunny."},
        ],
        tools=[weather],
    )
    assert text_of(follow) == "The result of get_weather is It's sunny."


def test_several_tool_results(http: httpx.Client) -> None:
    calls = [
        {"id": f"c{i}", "type": "function", "function": {"name": n, "arguments": "{}"}}
        for i, n in enumerate(["add", "multiply"])
    ]
    body = chat(
        http,
        [
            {"role": "user", "content": "Use add and multiply."},
            {"role": "assistant", "content": None, "tool_calls": calls},
            {"role": "tool", "tool_call_id": "c0", "content": "3"},
            {"role": "tool", "tool_call_id": "c1", "content": "2"},
        ],
    )
    assert text_of(body) == "The result of add is 3. The result of multiply is 2."


def test_bind_runnables_style_keyword(http: httpx.Client) -> None:
    greeting = tool("greeting_generator", {"answer_style": {"type": "string"}}, ["answer_style"])
    body = chat(
        http,
        "Using the tool, generate a Pirate greeting.",
        tools=[greeting],
        tool_choice="required",
    )
    assert calls_of(body) == [("greeting_generator", {"answer_style": "Pirate"})]


def test_enum_boolean_numbers_and_optional(http: httpx.Client) -> None:
    props = {
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 5},
        "ratio": {"type": "number"},
        "detailed": {"type": "boolean"},
        "note": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
    }
    forecast = tool("forecast", props, ["unit", "days", "ratio", "detailed"])
    body = chat(http, "forecast for 9 days at 0.5 in fahrenheit", tools=[forecast])
    assert calls_of(body) == [
        ("forecast", {"unit": "fahrenheit", "days": 5, "ratio": 0.5, "detailed": True})
    ]


class Address(BaseModel):
    city: str
    zip_code: str | None = None


class Person(BaseModel):
    name: str = Field(description="full name")
    age: int
    addresses: list[Address]
    kind: str = "human"


def test_nested_pydantic_schema_is_valid(http: httpx.Client) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = Person.model_json_schema()
    spec = {"type": "function", "function": {"name": "Person", "parameters": schema}}
    body = chat(
        http,
        "Record 'Ann Lee', aged 41, who lives in Oslo.",
        tools=[spec],
        tool_choice={"type": "function", "function": {"name": "Person"}},
    )
    ((_, args),) = calls_of(body)
    jsonschema.validate(args, schema)
    person = Person.model_validate(args)
    assert person.name == "Ann Lee" and person.age == 41
    assert person.addresses[0].city == "Oslo"


def test_strict_json_schema_response_format(http: httpx.Client) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = {
        "type": "object",
        "properties": {
            "setup": {"type": "string"},
            "punchline": {"type": ["string", "null"]},
            "rating": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["pun", "dad"]}},
            "meta": {
                "type": "object",
                "properties": {"ok": {"type": "boolean"}},
                "required": ["ok"],
                "additionalProperties": False,
            },
        },
        "required": ["setup", "punchline", "rating", "tags", "meta"],
        "additionalProperties": False,
    }
    messages = [
        {"role": "system", "content": "Cats chase lasers. Dogs dig holes."},
        {"role": "user", "content": "Tell me a joke about cats."},
    ]
    fmt = {"type": "json_schema", "json_schema": {"name": "joke", "schema": schema, "strict": True}}
    value = json.loads(text_of(chat(http, messages, response_format=fmt)))
    jsonschema.validate(value, schema)
    assert value["setup"] == "Cats chase lasers."


def test_json_object_default_and_schema_in_prompt(http: httpx.Client) -> None:
    fmt = {"type": "json_object"}
    messages = [
        {"role": "system", "content": "Oslo is cold."},
        {"role": "user", "content": "Is Oslo cold? Reply in JSON."},
    ]
    assert json.loads(text_of(chat(http, messages, response_format=fmt))) == {
        "answer": "Oslo is cold."
    }
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "temp": {"type": "integer"}},
        "required": ["city", "temp"],
    }
    prompt = f"Here's a JSON schema to follow: {json.dumps(schema)} Weather in Oslo is 3."
    value = json.loads(text_of(chat(http, prompt, response_format=fmt)))
    assert value == {"city": "Oslo", "temp": 3}


# ----------------------------------------------------------------- reasoning and usage
def test_reasoning_streams_before_content(http: httpx.Client) -> None:
    body = {
        "model": "deepseek-reasoner",
        "stream": True,
        "messages": [
            {"role": "system", "content": "Bob lives in Rome."},
            {"role": "user", "content": "Where does Bob live?"},
        ],
    }
    chunks = sse_chunks(http.post(CHAT, json=body).text)
    kinds = [
        k
        for c in chunks
        for k in c["choices"][0]["delta"]
        if k in ("reasoning_content", "content") and c["choices"][0]["delta"][k]
    ]
    assert kinds[0] == "reasoning_content" and kinds[-1] == "content"
    first_content = kinds.index("content")
    assert "reasoning_content" not in kinds[first_content:]
    reasoning = "".join(c["choices"][0]["delta"].get("reasoning_content") or "" for c in chunks)
    plain = chat(http, body["messages"], model="deepseek-reasoner")
    assert reasoning == plain["choices"][0]["message"]["reasoning_content"]


@pytest.mark.parametrize("model", ["gpt-4o", "o4-mini", "qwen3-235b-a22b-thinking"])
def test_usage_identical_streamed_or_not(http: httpx.Client, model: str) -> None:
    weather = tool("get_weather", {"location": {"type": "string"}}, ["location"])
    for messages in ("Sun is hot. Is the sun hot?", "What is the weather in Oslo?"):
        msgs = [{"role": "user", "content": messages}]
        plain = chat(http, msgs, model=model, tools=[weather])
        streamed = http.post(
            CHAT,
            json={
                "model": model,
                "messages": msgs,
                "tools": [weather],
                "stream": True,
                "stream_options": {"include_usage": True},
            },
        )
        last = sse_chunks(streamed.text)[-1]
        assert last["choices"] == []
        assert last["usage"] == plain["usage"]
        again = chat(http, msgs, model=model, tools=[weather])
        assert again["usage"] == plain["usage"]


def test_token_counts_are_deterministic_values(http: httpx.Client) -> None:
    body = chat(http, "Hello")
    assert body["usage"]["prompt_tokens"] == 7  # 3 priming + 3 per message + 1 word
    assert body["usage"]["completion_tokens"] == 8  # "Hello! This is the Wenwen emulator."
    assert body["usage"]["prompt_tokens_details"] == {"cached_tokens": 0, "audio_tokens": 0}


def test_tool_call_ids_are_deterministic(http: httpx.Client) -> None:
    magic = tool("magic_function", {"input": {"type": "integer"}}, ["input"])
    ids = {
        chat(http, "Call magic_function(1).", tools=[magic])["choices"][0]["message"]["tool_calls"][
            0
        ]["id"]
        for _ in range(2)
    }
    assert len(ids) == 1 and next(iter(ids)).startswith("call_")


@pytest.mark.parametrize(
    ("model", "prefix", "suffix"),
    [
        ("gpt-4o-image", "![image](https://emulator.wenwen.local/images/", ".png)\n\n"),
        ("sora_image", "![image](https://emulator.wenwen.local/images/", ".png)\n\n"),
        # video links point at a real MP4 in the emulator's result-file store
        ("sora_video2", "[download video](http://127.0.0.1:", ".mp4)\n\n"),
        ("veo3", "[download video](http://127.0.0.1:", ".mp4)\n\n"),
    ],
)
def test_media_models(http: httpx.Client, model: str, prefix: str, suffix: str) -> None:
    body = chat(http, "画只猫", model=model)
    content = text_of(body)
    assert content.startswith(prefix) and content.endswith(suffix)
    assert content == text_of(chat(http, "画只猫", model=model))
    assert body["model"] == model


def test_numeric_questions_prefer_sentences_with_numbers(http: httpx.Client) -> None:
    messages = [
        {
            "role": "system",
            "content": "The Eiffel Tower is in Paris. It was built in 1889 for the fair.",
        },
        {"role": "user", "content": "When was the Eiffel Tower built?"},
    ]
    assert text_of(chat(http, messages)) == "It was built in 1889 for the fair."


def test_keyword_comes_from_the_question_part(http: httpx.Client) -> None:
    city = tool(
        "City", {"name": {"type": "string"}, "country": {"type": "string"}}, ["name", "country"]
    )
    body = chat(
        http, "Paris is in France. Extract the city: Paris", tools=[city], tool_choice="required"
    )
    assert calls_of(body) == [("City", {"name": "Paris", "country": "France"})]


def test_condense_prompt_reads_the_follow_up_input() -> None:
    from wenwen_emulator.mock_model.textutil import split_question

    prompt = (
        "Given a conversation (between Human and Assistant) and a follow up message from Human, "
        "rewrite the message to be a standalone question.\n\nChat History:\nuser: Hi\n"
        "assistant: Hello\n\nFollow Up Input: Where is the Eiffel Tower?\nStandalone question:"
    )
    question, _ = split_question(prompt)
    assert question == "Where is the Eiffel Tower?"


def test_keywords_keep_inner_apostrophes_but_not_closing_quotes() -> None:
    assert textutil.keyword("The weather in 'Paris' is mild") == "Paris"
    assert textutil.keyword("Ask O'Brien about it") == "O'Brien"

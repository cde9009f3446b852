"""Regression tests for the anchors' known defects (research/langchain-anchors.md §1j, §4),
run against the emulator and its relay quirks, plus loop safety, key hygiene and errors."""

from __future__ import annotations

import asyncio
import gc
import json
import warnings
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps, load
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.tools import tool

from langchain_wenwen import ChatWenwen
from wenwen.errors import APIConnectionError, AuthenticationError, ModelNotFoundError, StreamError
from wenwen_emulator import Emulator

QUESTION = "What is the value of magic_function(3)? Use the tool."


@tool
def magic_function(input: int) -> int:
    """Applies a magic function to an input."""
    return input + 2


@tool
def get_weather(location: str) -> str:
    """Get the weather at a location."""
    return "sunny"


def make_model(emu: Emulator, quirks: str = "", **params: Any) -> ChatWenwen:
    headers = {"x-emulator-quirks": quirks} if quirks else None
    params.setdefault("model", "gpt-4o-mini")
    return ChatWenwen(base_url=emu.base_url, api_key=emu.api_key, default_headers=headers, **params)


def stream_all(model: Any, prompt: Any) -> tuple[list[AIMessageChunk], AIMessageChunk]:
    chunks = list(model.stream(prompt))
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return chunks, full


def chat_requests(emu: Emulator) -> list[Any]:
    return [r for r in emu.requests if r.path == "/v1/chat/completions"]


# --- tool-call streaming quirks (anchor defect 5) ----------------------------------------


@pytest.mark.parametrize("quirks", ["no_tool_index", "multi_tool_chunk", "repeat_tool_id"])
def test_streamed_tool_calls_survive_relay_quirks(emu: Emulator, quirks: str) -> None:
    model = make_model(emu, quirks).bind_tools([magic_function], tool_choice="any")
    _, full = stream_all(model, QUESTION)
    assert full.tool_calls == [
        {
            "name": "magic_function",
            "args": {"input": 3},
            "id": full.tool_calls[0]["id"],
            "type": "tool_call",
        }
    ]
    assert full.tool_calls[0]["id"].startswith("call_")
    assert not full.invalid_tool_calls


# (no_tool_index together with multi_tool_chunk is left out: argument fragments that carry
# neither index nor id after two call headers cannot be attributed by anyone.)
@pytest.mark.parametrize("quirks", ["", "no_tool_index", "multi_tool_chunk", "repeat_tool_id"])
def test_two_streamed_tool_calls_stay_apart(emu: Emulator, quirks: str) -> None:
    model = make_model(emu, quirks).bind_tools([magic_function, get_weather])
    prompt = "Call magic_function with 3 and get_weather for 'Paris'."
    expected = model.invoke(prompt).tool_calls
    _, full = stream_all(model, prompt)
    assert [c["name"] for c in expected] == ["magic_function", "get_weather"]
    assert full.tool_calls == expected
    ids = [c["id"] for c in full.tool_calls]
    assert len(set(ids)) == 2


# --- usage (anchor defects 3 and 4) --------------------------------------------------------


def test_stream_usage_arrives_once_with_a_custom_base_url(emu: Emulator) -> None:
    model = make_model(emu)
    invoked = model.invoke("Write me 2 haikus.").usage_metadata
    chunks, full = stream_all(model, "Write me 2 haikus.")
    assert chat_requests(emu)[-1].json["stream_options"] == {"include_usage": True}
    with_usage = [c for c in chunks if c.usage_metadata]
    assert len(with_usage) == 1 and with_usage[0] is chunks[-1]
    assert full.usage_metadata == invoked
    assert invoked is not None and invoked["input_tokens"] > 0


def test_cumulative_usage_on_every_chunk_is_counted_once(emu: Emulator) -> None:
    model = make_model(emu, "cumulative_usage")
    invoked = model.invoke("Write me 2 haikus.").usage_metadata
    chunks, full = stream_all(model, "Write me 2 haikus.")
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert full.usage_metadata == invoked


def test_stream_usage_can_be_switched_off(emu: Emulator) -> None:
    _, full = stream_all(make_model(emu, stream_usage=False), "Hello")
    assert "stream_options" not in chat_requests(emu)[-1].json
    assert full.usage_metadata is None


# --- reasoning (anchor defects 1 and 2) ------------------------------------------------------


@pytest.mark.parametrize("quirks", ["", "reasoning_field"])
def test_reasoning_text_is_surfaced(emu: Emulator, quirks: str) -> None:
    model = make_model(emu, quirks, model="deepseek-reasoner")
    invoked = model.invoke("Why is the sky blue?")
    _, streamed = stream_all(model, "Why is the sky blue?")
    for message in (invoked, streamed):
        reasoning = message.additional_kwargs["reasoning_content"]
        assert reasoning
        assert message.content_blocks[0] == {"type": "reasoning", "reasoning": reasoning}
        assert message.usage_metadata["output_token_details"]["reasoning"] > 0  # type: ignore[index,typeddict-item]
    assert (
        streamed.additional_kwargs["reasoning_content"]
        == invoked.additional_kwargs["reasoning_content"]
    )


def test_reasoning_v1_blocks(emu: Emulator) -> None:
    model = make_model(emu, model="deepseek-reasoner", output_version="v1")
    invoked = model.invoke("Why is the sky blue?")
    _, streamed = stream_all(model, "Why is the sky blue?")
    for message in (invoked, streamed):
        kinds = [b["type"] for b in message.content_blocks]
        assert kinds == ["reasoning", "text"]


@pytest.mark.parametrize("streamed", [False, True])
def test_reasoning_is_replayed_with_tool_calls(emu: Emulator, streamed: bool) -> None:
    """deepseek-reasoner answers 400 when an assistant tool-call turn comes back without its
    reasoning_content (langchain#34166); the emulator enforces that rule."""
    model = make_model(emu, model="deepseek-reasoner").bind_tools([magic_function])
    history: list[BaseMessage] = [HumanMessage(QUESTION)]
    first = stream_all(model, history)[1] if streamed else model.invoke(history)
    assert isinstance(first, AIMessage) and first.tool_calls
    reasoning = first.additional_kwargs["reasoning_content"]
    history += [first, magic_function.invoke(first.tool_calls[0])]
    answer = model.invoke(history)
    assert "5" in answer.text
    replayed = chat_requests(emu)[-1].json["messages"][1]
    assert replayed["reasoning_content"] == reasoning
    assert replayed["tool_calls"][0]["function"]["arguments"] == '{"input": 3}'


# --- callbacks, invalid tool JSON ---------------------------------------------------------


class TokenCounter(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


def test_on_llm_new_token_fires_for_every_text_chunk(emu: Emulator) -> None:
    model = make_model(emu)
    chunks, full = stream_all(model, "Hello")
    text_chunks = [c.content for c in chunks if c.content]
    assert len(text_chunks) > 3
    for run in ("stream", "invoke"):
        counter = TokenCounter()
        if run == "stream":
            list(model.stream("Hello", config={"callbacks": [counter]}))
        else:
            make_model(emu, streaming=True).invoke("Hello", config={"callbacks": [counter]})
        assert [t for t in counter.tokens if t] == text_chunks
        assert "".join(counter.tokens) == full.text


def _fake_relay(tool_arguments: str) -> httpx.MockTransport:
    """An in-process relay whose reply calls a tool with the given argument text."""
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "magic_function", "arguments": tool_arguments},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if not body.get("stream"):
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
            choice = {"index": 0, "message": message, "finish_reason": "tool_calls"}
            return httpx.Response(
                200, json={"id": "x", "model": body["model"], "choices": [choice]}
            )
        delta = {"role": "assistant", "tool_calls": [{"index": 0, **call}]}
        frames = [
            {"id": "x", "model": body["model"], "choices": [{"index": 0, "delta": delta}]},
            {
                "id": "x",
                "model": body["model"],
                "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
            },
        ]
        text = "".join(f"data: {json.dumps(f)}\n\n" for f in frames) + "data: [DONE]\n\n"
        return httpx.Response(200, text=text, headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handler)


def test_invalid_tool_call_json_becomes_invalid_tool_calls() -> None:
    client = httpx.Client(transport=_fake_relay('{"input": 3,,}'))
    model = ChatWenwen(
        model="gpt-4o-mini", api_key="k", base_url="http://fake.test", http_client=client
    )
    invoked = model.invoke(QUESTION)
    assert invoked.tool_calls == []
    assert invoked.invalid_tool_calls[0]["args"] == '{"input": 3,,}'
    assert invoked.invalid_tool_calls[0]["name"] == "magic_function"
    assert "malformed JSON" in (invoked.invalid_tool_calls[0]["error"] or "")
    _, streamed = stream_all(model, QUESTION)
    assert streamed.tool_calls == []
    assert streamed.invalid_tool_calls[0]["args"] == '{"input": 3,,}'


# --- loop safety (anchor defect 15) --------------------------------------------------------


def test_asyncio_run_twice_with_one_model(emu: Emulator) -> None:
    model = make_model(emu)

    async def conversation() -> str:
        answer = await model.ainvoke("Hello")
        chunks = [chunk async for chunk in model.astream("Hello")]
        return answer.text + "|" + "".join(c.text for c in chunks)

    gc.collect()  # earlier tests' garbage is not this test's business
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        first = asyncio.run(conversation())
        second = asyncio.run(conversation())
        gc.collect()
    assert first == second and first.startswith("Hello")


async def test_concurrent_calls_share_one_loop_client(emu: Emulator) -> None:
    model = make_model(emu)
    answers = await model.abatch([f"Say {i}" for i in range(6)])
    assert len(answers) == 6 and all(a.text for a in answers)
    make = model._make_async_client
    client = await model._clients.for_running_loop(make)
    assert client is await model._clients.for_running_loop(make)
    await model.aclose()


# --- errors -------------------------------------------------------------------------------


def test_bad_key_raises_authentication_error(emu: Emulator) -> None:
    model = ChatWenwen(model="gpt-4o-mini", base_url=emu.base_url, api_key="sk-wrong-secret-key")
    with pytest.raises(AuthenticationError) as invoked:
        model.invoke("Hello")
    with pytest.raises(AuthenticationError):
        list(model.stream("Hello"))
    assert invoked.value.status_code == 401
    assert "sk-wrong-secret-key" not in str(invoked.value)
    assert "sk-wrong-secret-key" not in repr(invoked.value.__dict__)


async def test_unknown_model_raises_model_not_found(emu: Emulator) -> None:
    model = make_model(emu, model="no-such-model")
    with pytest.raises(ModelNotFoundError):
        await model.ainvoke("Hello")
    with pytest.raises(ModelNotFoundError):
        model.invoke("Hello")


def test_broken_stream_raises_stream_error_with_partial(emu: Emulator) -> None:
    emu.inject("midstream_close:4")
    with pytest.raises(StreamError) as raised:
        list(make_model(emu).stream("Hello"))
    assert raised.value.partial is not None and raised.value.partial.text


def test_rate_limit_is_retried(emu: Emulator) -> None:
    emu.inject("status:429;retry_after_ms=10")
    assert make_model(emu).invoke("Hello").text
    assert len(chat_requests(emu)) == 2


# --- key hygiene and construction -----------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The function `load` is in beta")
def test_api_key_never_leaks(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-very-secret-0123456789"
    model = ChatWenwen(model="gpt-4o-mini", api_key=secret)
    bound = model.bind_tools([magic_function], tool_choice="any")
    texts = [
        repr(model),
        str(model),
        dumps(model),
        json.dumps(dumpd(model)),
        repr(bound),
        repr(model._get_ls_params()),
        repr(model._get_invocation_params()),
        repr(model.asdict()),
        repr(model.model_dump()),
    ]
    for text in texts:
        assert secret not in text
    monkeypatch.setenv("WENWEN_API_KEY", secret)
    restored = load(
        dumpd(model),
        allowed_objects=[ChatWenwen],
        secrets_from_env=True,
        valid_namespaces=["langchain_wenwen"],
    )
    assert isinstance(restored, ChatWenwen)
    assert restored.api_key is not None and restored.api_key.get_secret_value() == secret


def test_construction_opens_no_connection(socket_disabled: None) -> None:
    model = ChatWenwen(model="claude-sonnet-4-20250514", api_key="k")
    model.bind_tools([magic_function], tool_choice="any")
    model.with_structured_output({"title": "Joke", "type": "object", "properties": {}})
    assert model._clients._sync is None


def test_copies_use_their_own_settings(emu: Emulator) -> None:
    import copy

    original = make_model(emu)
    assert original.invoke("Hello").text
    moved = original.model_copy(update={"base_url": "http://127.0.0.1:9"})
    assert moved._clients is not original._clients
    with pytest.raises(APIConnectionError):
        moved.invoke("Hello")
    deep = copy.deepcopy(original)
    assert deep.invoke("Hello").text and deep._clients._sync is not original._clients._sync


def test_missing_key_is_reported_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from wenwen.errors import ConfigurationError

    monkeypatch.delenv("WENWEN_API_KEY", raising=False)
    model = ChatWenwen(model="gpt-4o-mini", base_url="http://127.0.0.1:9")
    with pytest.raises(ConfigurationError, match="WENWEN_API_KEY"):
        model.invoke("Hello")

"""``/v1/messages`` with the official anthropic SDK and raw httpx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests._spec import validate_anthropic
from wenwen_emulator import Emulator

anthropic = pytest.importorskip("anthropic")
from anthropic.types import Message  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")

MODEL = "claude-sonnet-4-5-20250929"
MSG = "/v1/messages"
CONTEXT = "Bob lives in Rome. Alice lives in Paris."
WEATHER = {
    "name": "get_weather",
    "description": "Get the weather at a location.",
    "input_schema": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
}
MAGIC = {
    "name": "magic_function",
    "description": "Magic.",
    "input_schema": {
        "type": "object",
        "properties": {"input": {"type": "integer"}},
        "required": ["input"],
    },
}


@pytest.fixture(scope="module")
def claude(emu: Emulator) -> Iterator[Any]:
    client = anthropic.Anthropic(base_url=emu.base_url, api_key=emu.api_key, max_retries=0)
    yield client
    client.close()


def create_raw(claude: Any, **kwargs: Any) -> dict[str, Any]:
    response = claude.messages.with_raw_response.create(**kwargs)
    body: dict[str, Any] = json.loads(response.http_response.text)
    validate_anthropic("Message", body)
    Message.model_validate(body, strict=True)
    return body


def sse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for frame in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.strip().split("\n") if ": " in line)
        if "event" in lines:
            out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_create(claude: Any) -> None:
    body = create_raw(
        claude,
        model=MODEL,
        max_tokens=100,
        system=CONTEXT,
        messages=[{"role": "user", "content": "Where does Alice live?"}],
    )
    assert body["content"] == [{"type": "text", "text": "Alice lives in Paris.", "citations": None}]
    assert body["stop_reason"] == "end_turn" and body["id"].startswith("msg_")
    usage = body["usage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] == 5
    assert usage["cache_creation_input_tokens"] == usage["cache_read_input_tokens"] == 0


def test_stream_helper_matches_create(claude: Any) -> None:
    kwargs: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 3000,
        "system": [{"type": "text", "text": CONTEXT}],
        "thinking": {"type": "enabled", "budget_tokens": 2000},
        "messages": [{"role": "user", "content": "Where does Bob live?"}],
    }
    with claude.messages.stream(**kwargs) as stream:
        texts = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(texts) > 1 and "".join(texts) == "Bob lives in Rome."
    plain = create_raw(claude, **kwargs)
    assert [b.model_dump() for b in final.content] == [
        Message.model_validate(plain).content[i].model_dump() for i in range(2)
    ]
    assert final.usage.output_tokens == plain["usage"]["output_tokens"]
    assert final.usage.input_tokens == plain["usage"]["input_tokens"]
    assert final.stop_reason == "end_turn"


def test_stream_events_validate(http: httpx.Client) -> None:
    body = {
        "model": MODEL,
        "max_tokens": 3000,
        "stream": True,
        "tools": [WEATHER],
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "messages": [{"role": "user", "content": "What is the weather in Oslo?"}],
    }
    response = http.post(MSG, json=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    names = [name for name, _ in events]
    assert names[:2] == ["message_start", "ping"]
    assert names[-2:] == ["message_delta", "message_stop"]
    for name, data in events:
        assert data["type"] == name
        validate_anthropic("MessageStreamEvent", data, relay_tolerant=name == "message_delta")
    start = events[0][1]["message"]
    assert start["content"] == [] and start["usage"]["output_tokens"] == 1
    delta_types = [d["delta"]["type"] for n, d in events if n == "content_block_delta"]
    assert delta_types.index("thinking_delta") < delta_types.index("signature_delta")
    assert "input_json_delta" in delta_types
    final = events[-2][1]
    assert final["delta"]["stop_reason"] == "tool_use"
    assert set(final["usage"]) == {"output_tokens"}
    partial = "".join(
        d["delta"].get("partial_json", "") for n, d in events if n == "content_block_delta"
    )
    assert json.loads(partial) == {"location": "Oslo"}


def test_tools_and_result_round_trip(claude: Any) -> None:
    question = {"role": "user", "content": "What is the weather in Oslo?"}
    body = create_raw(claude, model=MODEL, max_tokens=200, tools=[WEATHER], messages=[question])
    assert body["stop_reason"] == "tool_use"
    (block,) = body["content"]
    assert block["type"] == "tool_use" and block["id"].startswith("toolu_")
    assert block["name"] == "get_weather" and block["input"] == {"location": "Oslo"}
    follow = create_raw(
        claude,
        model=MODEL,
        max_tokens=200,
        tools=[WEATHER],
        messages=[
            question,
            {"role": "assistant", "content": body["content"]},
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": block["id"],
                        "content": [{"type": "text", "text": "Snowing."}],
                    }
                ],
            },
        ],
    )
    assert follow["content"][0]["text"] == "The result of get_weather is Snowing."
    assert follow["stop_reason"] == "end_turn"


def test_tool_choice_any_tool_and_parallel(claude: Any) -> None:
    hello = [{"role": "user", "content": "Hello!"}]
    forced = create_raw(
        claude,
        model=MODEL,
        max_tokens=100,
        tools=[WEATHER, MAGIC],
        tool_choice={"type": "any"},
        messages=hello,
    )
    assert [b["name"] for b in forced["content"]] == ["get_weather"]
    named = create_raw(
        claude,
        model=MODEL,
        max_tokens=100,
        tools=[WEATHER, MAGIC],
        tool_choice={"type": "tool", "name": "magic_function"},
        messages=hello,
    )
    assert named["content"][0]["input"] == {"input": 0}
    both = [{"role": "user", "content": "Use get_weather for Oslo and magic_function(4)."}]
    parallel = create_raw(
        claude, model=MODEL, max_tokens=100, tools=[WEATHER, MAGIC], messages=both
    )
    assert [b["name"] for b in parallel["content"]] == ["get_weather", "magic_function"]
    single = create_raw(
        claude,
        model=MODEL,
        max_tokens=100,
        tools=[WEATHER, MAGIC],
        tool_choice={"type": "auto", "disable_parallel_tool_use": True},
        messages=both,
    )
    assert len(single["content"]) == 1


def test_thinking_signature_checked(claude: Any) -> None:
    first = [{"role": "user", "content": "What is the weather in Oslo?"}]
    kwargs: dict[str, Any] = {
        "model": "claude-sonnet-4-5-20250929-thinking",
        "max_tokens": 2000,
        "tools": [WEATHER],
    }
    body = create_raw(claude, messages=first, **kwargs)
    thinking, tool_use = body["content"]
    assert thinking["type"] == "thinking" and thinking["signature"]
    result = {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": tool_use["id"], "content": "Sunny."}],
    }
    ok = create_raw(
        claude,
        messages=[*first, {"role": "assistant", "content": body["content"]}, result],
        **kwargs,
    )
    assert ok["content"][-1]["text"] == "The result of get_weather is Sunny."
    tampered = [{**thinking, "thinking": thinking["thinking"] + "!"}, tool_use]
    with pytest.raises(anthropic.BadRequestError) as info:
        claude.messages.create(
            messages=[*first, {"role": "assistant", "content": tampered}, result], **kwargs
        )
    assert info.value.status_code == 400
    assert "signature" in info.value.body["error"]["message"]
    with pytest.raises(anthropic.BadRequestError) as missing:
        claude.messages.create(
            messages=[*first, {"role": "assistant", "content": [tool_use]}, result], **kwargs
        )
    assert "Expected `thinking`" in missing.value.body["error"]["message"]


def test_prompt_cache_accounting(claude: Any, emu: Emulator) -> None:
    system = [
        {
            "type": "text",
            "text": "A long policy document. " * 20,
            "cache_control": {"type": "ephemeral"},
        }
    ]
    kwargs: dict[str, Any] = {"model": MODEL, "max_tokens": 100, "system": system}
    first = create_raw(claude, messages=[{"role": "user", "content": "Hi"}], **kwargs)["usage"]
    second = create_raw(claude, messages=[{"role": "user", "content": "Hello there"}], **kwargs)[
        "usage"
    ]
    assert first["cache_creation_input_tokens"] > 0 and first["cache_read_input_tokens"] == 0
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert second["cache_creation_input_tokens"] == 0
    assert second["input_tokens"] == first["input_tokens"] + 1  # "Hello there" vs "Hi"
    assert (
        first["cache_creation"]["ephemeral_5m_input_tokens"]
        == (first["cache_creation_input_tokens"])
    )
    emu.reset()
    again = create_raw(claude, messages=[{"role": "user", "content": "Hi"}], **kwargs)["usage"]
    assert again == first


def test_cache_breakpoint_on_message_block(claude: Any) -> None:
    doc = {
        "type": "text",
        "text": "Chapter one text. " * 10,
        "cache_control": {"type": "ephemeral"},
    }
    turn1 = [{"role": "user", "content": [doc, {"type": "text", "text": "Summarise."}]}]
    turn2 = [{"role": "user", "content": [doc, {"type": "text", "text": "List names."}]}]
    u1 = create_raw(claude, model=MODEL, max_tokens=50, messages=turn1)["usage"]
    u2 = create_raw(claude, model=MODEL, max_tokens=50, messages=turn2)["usage"]
    assert u1["cache_creation_input_tokens"] == u2["cache_read_input_tokens"] > 0


def test_stop_sequence_and_max_tokens(claude: Any) -> None:
    ask = [{"role": "user", "content": "Where does Bob live?"}]
    stopped = create_raw(
        claude, model=MODEL, max_tokens=100, system=CONTEXT, messages=ask, stop_sequences=[" in"]
    )
    assert stopped["content"][0]["text"] == "Bob lives"
    assert (stopped["stop_reason"], stopped["stop_sequence"]) == ("stop_sequence", " in")
    limited = create_raw(claude, model=MODEL, max_tokens=2, system=CONTEXT, messages=ask)
    assert limited["stop_reason"] == "max_tokens" and limited["usage"]["output_tokens"] == 2


@pytest.mark.parametrize("header", ["x-api-key", "authorization"])
def test_both_auth_headers(emu: Emulator, header: str) -> None:
    value = emu.api_key if header == "x-api-key" else f"Bearer {emu.api_key}"
    body = {"model": MODEL, "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]}
    response = httpx.post(
        emu.base_url + MSG, json=body, headers={header: value, "anthropic-version": "2023-06-01"}
    )
    assert response.status_code == 200


def test_claude_error_shapes(emu: Emulator, http: httpx.Client) -> None:
    body = {"model": MODEL, "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]}
    # auth and channel errors come from new-api's middleware: OpenAI-shaped on every route
    bad_key = httpx.post(emu.base_url + MSG, json=body, headers={"x-api-key": "nope"})
    assert bad_key.status_code == 401
    data = bad_key.json()
    assert "type" not in data and data["error"]["type"] == "new_api_error"
    assert data["error"]["message"].endswith(
        f"(request id: {bad_key.headers['x-oneapi-request-id']})"
    )
    for model in ("claude-nope", "gpt-4o"):
        missing = http.post(MSG, json={**body, "model": model})
        assert missing.status_code == 503
        assert missing.json()["error"]["code"] == "model_not_found"
    # the relay's own errors on /v1/messages are Claude-shaped
    no_max = http.post(MSG, json={"model": MODEL, "messages": body["messages"]})
    assert no_max.status_code == 400
    assert no_max.json()["type"] == "error"
    assert no_max.json()["error"]["type"] == "invalid_request_error"
    limited = http.post(MSG, json=body, headers={"x-emulator-fault": "status:429"})
    assert limited.status_code == 429
    assert limited.json()["error"]["type"] == "rate_limit_error"


def test_sdk_error_mapping(claude: Any, emu: Emulator) -> None:
    kwargs: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    with pytest.raises(anthropic.ServiceUnavailableError):
        claude.messages.create(**{**kwargs, "model": "claude-nope"})
    emu.inject("error_event:3", path=MSG)
    with pytest.raises(anthropic.APIStatusError), claude.messages.stream(**kwargs) as stream:
        list(stream)


def test_stream_quirks_and_faults_with_sdk(claude: Any, emu: Emulator) -> None:
    emu.quirks.update({"delta_input_tokens", "claude_extra_newline"})
    emu.inject("ping,crlf", path=MSG)
    kwargs: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 50,
        "system": CONTEXT,
        "messages": [{"role": "user", "content": "Where does Bob live?"}],
    }
    with claude.messages.stream(**kwargs) as stream:
        final = stream.get_final_message()
    assert final.content[0].text == "Bob lives in Rome."
    assert final.usage.input_tokens > 0


def test_models_list_anthropic_shape(emu: Emulator) -> None:
    headers = {"x-api-key": emu.api_key, "anthropic-version": "2023-06-01"}
    body = httpx.get(emu.base_url + "/v1/models", headers=headers).json()
    assert body["has_more"] is False
    assert {"type", "id", "display_name", "created_at"} <= set(body["data"][0])


def test_midstream_close_surfaces_as_connection_error(claude: Any, emu: Emulator) -> None:
    emu.inject("midstream_close:4", path=MSG)
    kwargs: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 50,
        "system": CONTEXT,
        "messages": [{"role": "user", "content": "Where does Bob live?"}],
    }
    with pytest.raises(Exception) as info, claude.messages.stream(**kwargs) as stream:
        list(stream)
    # the SDK may use its own httpx fork (httpx2), so match by name
    assert type(info.value).__name__ in ("RemoteProtocolError", "APIConnectionError")

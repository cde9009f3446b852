"""The core client against the emulator over real HTTP, sync and async."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests._clock import RecordedWaits
from wenwen import errors
from wenwen.types import (
    ChatRequest,
    Finished,
    ImagePart,
    JsonSchemaFormat,
    Message,
    NamedToolChoice,
    TextDelta,
    TextPart,
    Tool,
    ToolResultPart,
    VideoPart,
)
from wenwen_emulator import Emulator

WEATHER = Tool(
    name="get_weather",
    description="Weather for a city",
    parameters={
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
        "required": ["city", "unit"],
    },
)
MAGIC = Tool(
    name="magic_function",
    description="Applies a magic function to an input.",
    parameters={
        "type": "object",
        "properties": {"input": {"type": "integer"}},
        "required": ["input"],
    },
)


def ask(text: str, model: str = "gpt-4o-mini", **kwargs: Any) -> ChatRequest:
    return ChatRequest(model=model, messages=[Message.of("user", text)], **kwargs)


def test_chat_answers_from_context(client: Any) -> None:
    request = ChatRequest(
        model="gpt-4o-mini",
        messages=[
            Message.of("system", "The capital of France is Paris. Bananas are yellow."),
            Message.of("user", "What is the capital of France?"),
        ],
    )
    reply = client.chat(request)
    assert "Paris" in reply.text
    assert reply.finish_reason == "stop"
    assert reply.usage is not None and reply.usage.input_tokens > 0
    assert reply.usage.total_tokens == reply.usage.input_tokens + reply.usage.output_tokens
    assert reply.protocol == "openai"


def test_stream_matches_non_stream(client: Any) -> None:
    request = ChatRequest(
        model="gpt-4o-mini",
        messages=[
            Message.of("system", "Rust was first released in 2015. Python is older than Rust."),
            Message.of("user", "When was Rust first released?"),
        ],
    )
    whole = client.chat(request)
    events, streamed = client.stream(request)
    assert sum(isinstance(e, TextDelta) for e in events) > 1
    assert any(isinstance(e, Finished) for e in events)
    assert streamed.parts == whole.parts
    assert streamed.usage is not None and whole.usage is not None
    assert streamed.usage.model_dump(exclude={"raw"}) == whole.usage.model_dump(exclude={"raw"})


def test_tool_call_round_trip(client: Any) -> None:
    request = ask("What is the value of magic_function(3)? Use the tool.", tools=[MAGIC])
    reply = client.chat(request)
    [call] = reply.tool_calls
    assert (call.name, call.parsed_arguments()) == ("magic_function", {"input": 3})
    assert reply.finish_reason == "tool_calls"
    follow_up = request.model_copy(
        update={
            "messages": [
                *request.messages,
                reply.message(),
                Message(
                    role="tool",
                    parts=[ToolResultPart(tool_call_id=call.id, content=[TextPart(text="5")])],
                ),
            ]
        }
    )
    answer = client.chat(follow_up)
    assert "5" in answer.text


def test_parallel_tool_calls_streamed(client: Any) -> None:
    request = ask("Call get_weather for 'Paris' and magic_function with 7.", tools=[WEATHER, MAGIC])
    _, streamed = client.stream(request)
    names = [c.name for c in streamed.tool_calls]
    assert names == ["get_weather", "magic_function"]
    assert streamed.tool_calls[1].parsed_arguments() == {"input": 7}


@pytest.mark.parametrize("quirk", ["no_tool_index", "multi_tool_chunk", "repeat_tool_id"])
def test_tool_call_stream_quirks(client_factory: Any, quirk: str) -> None:
    client = client_factory(default_headers={"x-emulator-quirks": quirk})
    request = ask("Call get_weather for 'Paris' and magic_function with 7.", tools=[WEATHER, MAGIC])
    reference = client_factory().chat(request)
    _, streamed = client.stream(request)
    assert [(c.name, c.parsed_arguments()) for c in streamed.tool_calls] == [
        (c.name, c.parsed_arguments()) for c in reference.tool_calls
    ]
    assert len({c.id for c in streamed.tool_calls}) == 2


def test_cumulative_usage_is_counted_once(client_factory: Any) -> None:
    request = ask("Hello there, how are you?")
    plain = client_factory().chat(request)
    _, streamed = client_factory(default_headers={"x-emulator-quirks": "cumulative_usage"}).stream(
        request
    )
    assert streamed.usage is not None and plain.usage is not None
    assert streamed.usage.input_tokens == plain.usage.input_tokens
    assert streamed.usage.output_tokens == plain.usage.output_tokens


def test_forced_tool_choice(client: Any) -> None:
    reply = client.chat(
        ask("Hello!", tools=[WEATHER, MAGIC], tool_choice=NamedToolChoice(name="get_weather"))
    )
    [call] = reply.tool_calls
    assert call.name == "get_weather"
    assert set(call.parsed_arguments()) == {"city", "unit"}


def test_structured_output_json_schema(client: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"setup": {"type": "string"}, "punchline": {"type": "string"}},
        "required": ["setup", "punchline"],
        "additionalProperties": False,
    }
    reply = client.chat(
        ask(
            "Tell me a joke about cats",
            response_format=JsonSchemaFormat(name="Joke", schema=schema, strict=True),
        )
    )
    value = json.loads(reply.text)
    assert set(value) == {"setup", "punchline"}


def test_reasoning_streams_first_and_is_replayed(client: Any) -> None:
    request = ask(
        "What is the value of magic_function(3)? Use the tool.",
        model="deepseek-reasoner",
        tools=[MAGIC],
    )
    _, streamed = client.stream(request)
    assert streamed.thinking and streamed.thinking[0].text
    assert type(streamed.parts[0]).__name__ == "ThinkingPart"
    [call] = streamed.tool_calls
    history = [
        *request.messages,
        streamed.message(),
        Message(
            role="tool", parts=[ToolResultPart(tool_call_id=call.id, content=[TextPart(text="5")])]
        ),
    ]
    # the emulator, like DeepSeek, rejects a tool-calling turn whose reasoning was not sent back
    answer = client.chat(request.model_copy(update={"messages": history}))
    assert "5" in answer.text
    assert answer.usage is not None and answer.usage.reasoning_tokens > 0


def test_image_and_video_models_answer_with_media_parts(client: Any) -> None:
    image = client.chat(ask("draw a cat", model="gpt-4o-image"))
    assert any(isinstance(p, ImagePart) and p.url for p in image.parts)
    video = client.chat(ask("a cat dancing", model="sora_video2"))
    assert any(isinstance(p, VideoPart) and p.url.endswith(".mp4") for p in video.parts)


def test_vision_input_is_accepted(client: Any, emu: Emulator) -> None:
    message = Message(
        role="user",
        parts=[
            TextPart(text="What is in this image?"),
            ImagePart(data="iVBORw0KGgo=", media_type="image/png"),
        ],
    )
    reply = client.chat(ChatRequest(model="gpt-4o", messages=[message]))
    assert reply.text == "I see 1 image. Hello! This is the Wenwen emulator."
    sent = emu.requests[-1].json["messages"][0]["content"]
    assert sent[1] == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="},
    }


def test_unknown_model_and_bad_key(client_factory: Any) -> None:
    with pytest.raises(errors.ModelNotFoundError) as info:
        client_factory().chat(ask("hi", model="no-such-model"))
    assert info.value.request_id
    with pytest.raises(errors.AuthenticationError):
        client_factory(api_key="sk-wrong").chat(ask("hi"))


def test_rate_limit_then_success(client_factory: Any, emu: Emulator) -> None:
    waits = RecordedWaits()
    emu.inject("status:429;retry_after=1", times=1)
    assert client_factory(clock=waits.clock).chat(ask("Hello")).text
    assert waits == [1.0]


def test_connection_closed_mid_stream_keeps_what_arrived(client_factory: Any) -> None:
    prompt = ask("Tell me something long about the history of the Roman empire please")
    whole = client_factory().chat(prompt).text
    client = client_factory(
        default_headers={"x-emulator-fault": "midstream_close:6"}, max_retries=0
    )
    with pytest.raises(errors.StreamError) as info:
        client.stream(prompt)
    partial = info.value.partial
    assert partial is not None
    # what arrived before the close: a non-empty, strict prefix of the whole answer
    assert partial.text and whole.startswith(partial.text) and partial.text != whole
    assert partial.finish_reason is None


def test_stream_that_just_stops_is_an_error(client_factory: Any) -> None:
    client = client_factory(default_headers={"x-emulator-fault": "truncate:4"})
    with pytest.raises(errors.StreamError, match="finish"):
        client.stream(ask("Tell me about the weather in Paris today"))


def test_error_event_mid_stream(client_factory: Any) -> None:
    whole = client_factory().chat(ask("Tell me about the weather in Paris today")).text
    client = client_factory(default_headers={"x-emulator-fault": "error_event:3"})
    with pytest.raises(errors.StreamError, match="upstream error") as info:
        client.stream(ask("Tell me about the weather in Paris today"))
    partial = info.value.partial
    assert partial is not None
    assert partial.text and whole.startswith(partial.text) and partial.text != whole


def test_stalled_stream_times_out(client_factory: Any) -> None:
    client = client_factory(default_headers={"x-emulator-fault": "stall:3"}, timeout=0.5)
    with pytest.raises(errors.StreamError, match="stalled"):
        client.stream(ask("Tell me about the weather in Paris today"))


def test_keepalive_pings_and_crlf_are_harmless(client_factory: Any) -> None:
    request = ask("Hello there, how are you?")
    reference = client_factory().chat(request)
    _, streamed = client_factory(default_headers={"x-emulator-fault": "ping"}).stream(request)
    assert streamed.text == reference.text
    _, streamed = client_factory(default_headers={"x-emulator-fault": "crlf"}).stream(request)
    assert streamed.text == reference.text


def test_malformed_json_reply(client_factory: Any) -> None:
    client = client_factory(default_headers={"x-emulator-fault": "malformed_json"})
    with pytest.raises(errors.ProtocolError, match="not valid JSON"):
        client.chat(ask("hi"))


def test_embeddings_similarity_and_dimensions(client: Any) -> None:
    texts = ["the cat sat on the mat", "a cat on a mat", "quantum chromodynamics lecture"]
    result = client.embed(texts, model="text-embedding-3-small")
    assert [len(v) for v in result.vectors] == [1536] * 3

    def cos(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    v = result.vectors
    assert cos(v[0], v[1]) > cos(v[0], v[2])
    small = client.embed(texts, model="text-embedding-3-large", dimensions=256, batch_size=2)
    assert [len(x) for x in small.vectors] == [256] * 3


def test_models_list(client: Any) -> None:
    ids = {m.id for m in client.list_models()}
    assert {"gpt-4o", "text-embedding-3-small"} <= ids
    assert any("claude" in i for i in ids)


CLAUDE = "claude-sonnet-4-20250514"


def test_anthropic_protocol_stream_parity_and_typed_errors(client_factory: Any) -> None:
    client = client_factory()
    request = ChatRequest(
        model=CLAUDE,
        messages=[
            Message.of("system", "The Nile is the longest river. The Sahara is a desert."),
            Message.of("user", "Which is the longest river?"),
        ],
    )
    whole = client.chat(request, protocol="anthropic")
    assert "Nile" in whole.text and whole.protocol == "anthropic"
    _, streamed = client.stream(request, protocol="anthropic")
    assert streamed.parts == whole.parts
    assert streamed.usage is not None and whole.usage is not None
    assert streamed.usage.input_tokens == whole.usage.input_tokens > 0
    with pytest.raises(errors.ModelNotFoundError):
        client.chat(ask("hi", model="claude-nope"), protocol="anthropic")
    with pytest.raises(errors.AuthenticationError):
        client_factory(api_key="sk-wrong").chat(ask("hi", model=CLAUDE), protocol="anthropic")

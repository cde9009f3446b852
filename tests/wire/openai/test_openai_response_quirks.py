"""Reply bodies beyond the fixtures: broken envelopes, errors inside HTTP 200, the nulls and
alternative field shapes relays send, usage variants, and media links in text."""

from __future__ import annotations

from typing import Any

import pytest

from wenwen.errors import APIStatusError, ModelNotFoundError, ProtocolError
from wenwen.protocols import openai_chat
from wenwen.types import (
    ChatResponse,
    ImagePart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    VideoPart,
)


def reply(message: Any = None, finish: Any = "stop", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id": "chatcmpl-r", "object": "chat.completion", "model": "m"}
    body["choices"] = [{"index": 0, "message": message, "finish_reason": finish}]
    body.update(extra)
    return body


def parse(body: Any) -> ChatResponse:
    return openai_chat.parse_response(body)


# --- envelopes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([{"choices": []}], "reply is list, not a JSON object"),
        ("upstream error", "reply is str, not a JSON object"),
        ({"id": "x", "object": "chat.completion"}, "has no 'choices' list"),
        ({"choices": None}, "has no 'choices' list"),
        ({"choices": {"0": {}}}, "has no 'choices' list"),
        ({"choices": []}, "empty 'choices' list"),
    ],
)
def test_broken_envelopes_raise_protocol_error(body: Any, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse(body)


def test_error_body_at_http_200_raises_the_typed_error() -> None:
    body = {
        "error": {
            "message": "upstream quota hiccup (request id: 2025x)",
            "type": "upstream_error",
            "code": "bad_response",
        }
    }
    with pytest.raises(APIStatusError) as info:
        parse(body)
    error = info.value
    assert (error.status_code, error.code, error.type) == (200, "bad_response", "upstream_error")
    assert error.message.startswith("upstream quota hiccup")
    assert error.request_id == "2025x"


def test_error_body_at_http_200_is_typed_by_its_code() -> None:
    body = {
        "error": {
            "message": "no channel for model x",
            "type": "new_api_error",
            "code": "model_not_found",
        }
    }
    with pytest.raises(ModelNotFoundError):
        parse(body)


def test_nulls_everywhere() -> None:
    body = reply(None, None, usage=None, id=None, model=None)
    response = parse(body)
    assert response.parts == [] and response.usage is None
    assert (response.finish_reason, response.stop_reason_raw) == (None, None)
    assert (response.id, response.model) == (None, None)
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": None,
        "audio": None,
        "reasoning_content": None,
        "images": None,
        "refusal": None,
    }
    usage = {
        "prompt_tokens": None,
        "completion_tokens": 3,
        "total_tokens": None,
        "prompt_tokens_details": None,
        "completion_tokens_details": None,
    }
    response = parse(reply(message, usage=usage))
    assert response.parts == [] and response.refusal is None
    assert response.usage is not None
    assert (
        response.usage.input_tokens,
        response.usage.output_tokens,
        response.usage.total_tokens,
    ) == (0, 3, 3)


# --- message fields -------------------------------------------------------------------------


def test_content_as_a_list_of_parts() -> None:
    content = [
        {"type": "text", "text": "Hello "},
        {"type": "text", "text": "world"},
        {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
    ]
    response = parse(reply({"role": "assistant", "content": content}))
    assert response.parts == [TextPart(text="Hello world"), ImagePart(url="https://x.test/a.png")]


def test_refusal_content_part() -> None:
    content = [{"type": "refusal", "refusal": "I can't help with that."}]
    response = parse(reply({"role": "assistant", "content": content}))
    assert response.parts == [] and response.refusal == "I can't help with that."


def test_tool_calls_with_object_arguments_missing_ids_and_extras() -> None:
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"type": "function", "function": {"name": "f", "arguments": {"a": [1, 2]}}},
            {"function": {"name": "g", "arguments": None}, "extra_content": {"k": "v"}},
            {"id": "own", "type": "custom", "function": {"name": "h", "arguments": '{"z":0}'}},
        ],
    }
    response = parse(reply(message, "tool_calls"))
    assert response.tool_calls == [
        ToolCallPart(id="call_0", name="f", arguments='{"a":[1,2]}'),
        ToolCallPart(
            id="call_1", name="g", arguments="{}", provider_data={"extra_content": {"k": "v"}}
        ),
        ToolCallPart(id="own", name="h", arguments='{"z":0}', provider_data={"type": "custom"}),
    ]


def test_legacy_function_call() -> None:
    message = {
        "role": "assistant",
        "content": None,
        "function_call": {"name": "f", "arguments": '{"a":1}'},
    }
    response = parse(reply(message, "function_call"))
    assert response.tool_calls == [ToolCallPart(id="call_0", name="f", arguments='{"a":1}')]
    assert (response.finish_reason, response.stop_reason_raw) == ("tool_calls", "function_call")


def test_stop_with_tool_calls_reads_as_tool_calls() -> None:
    message = {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "{}"}}],
    }
    response = parse(reply(message, "stop"))
    assert (response.finish_reason, response.stop_reason_raw) == ("tool_calls", "stop")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("stop", "stop"),
        ("length", "length"),
        ("tool_calls", "tool_calls"),
        ("content_filter", "content_filter"),
        ("function_call", "tool_calls"),
        ("MAX_TOKENS", "other"),
        ("", None),
        (None, None),
    ],
)
def test_finish_reason_mapping(raw: Any, reason: str | None) -> None:
    response = parse(reply({"role": "assistant", "content": "x"}, raw))
    assert response.finish_reason == reason
    assert response.stop_reason_raw == (raw or None)


def test_reasoning_precedence_and_details() -> None:
    message = {
        "role": "assistant",
        "content": "ok",
        "reasoning": "plain",
        "reasoning_details": [{"type": "reasoning.text", "text": "plain"}],
    }
    assert parse(reply(message)).thinking == [ThinkingPart(text="plain")]
    message = {
        "role": "assistant",
        "content": "ok",
        "reasoning_details": [
            {"type": "reasoning.text", "text": "step 1. ", "signature": "sig"},
            {"type": "reasoning.summary", "summary": "step 2."},
            {"type": "reasoning.encrypted", "data": "opaque"},
        ],
    }
    assert parse(reply(message)).parts[0] == ThinkingPart(
        text="step 1. step 2.", signature="sig", redacted="opaque"
    )


def test_audio_format_comes_from_the_request() -> None:
    from wenwen.types import ChatRequest, Message

    message = {
        "role": "assistant",
        "content": None,
        "audio": {"id": "a1", "data": "UklG", "transcript": "hi"},
    }
    request = ChatRequest(
        model="m",
        messages=[Message.of("user", "x")],
        extra_body={"audio": {"format": "mp3", "voice": "alloy"}},
    )
    with_request = openai_chat.parse_response(reply(message), request)
    assert with_request.parts[0].format == "mp3"  # type: ignore[union-attr]
    assert parse(reply(message)).parts[0].format is None  # type: ignore[union-attr]


# --- usage ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ({"prompt_tokens": 10, "completion_tokens": 5}, {"total_tokens": 15}),
        (  # DeepSeek
            {
                "prompt_tokens": 10,
                "completion_tokens": 5,
                "total_tokens": 15,
                "prompt_cache_hit_tokens": 8,
                "prompt_cache_miss_tokens": 2,
            },
            {"cache_read_tokens": 8},
        ),
        (  # new-api, Claude channel behind the OpenAI format
            {
                "prompt_tokens": 100,
                "completion_tokens": 5,
                "total_tokens": 105,
                "prompt_tokens_details": {"cached_tokens": 60, "cached_creation_tokens": 30},
            },
            {"cache_read_tokens": 60, "cache_creation_tokens": 30},
        ),
        (  # OpenRouter / current OpenAI schema
            {
                "prompt_tokens": 100,
                "completion_tokens": 5,
                "total_tokens": 105,
                "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 90},
            },
            {"cache_creation_tokens": 90},
        ),
        (
            {"prompt_tokens": 100, "completion_tokens": 5, "cache_creation_input_tokens": 40},
            {"cache_creation_tokens": 40, "total_tokens": 105},
        ),
        (
            {
                "prompt_tokens": 50,
                "completion_tokens": 70,
                "total_tokens": 120,
                "prompt_tokens_details": {"audio_tokens": 20},
                "completion_tokens_details": {"audio_tokens": 40, "reasoning_tokens": 12},
            },
            {"audio_input_tokens": 20, "audio_output_tokens": 40, "reasoning_tokens": 12},
        ),
    ],
)
def test_usage_variants(usage: dict[str, Any], expected: dict[str, int]) -> None:
    parsed = openai_chat.parse_usage(usage)
    assert parsed.input_tokens == usage["prompt_tokens"]
    assert parsed.output_tokens == usage["completion_tokens"]
    assert parsed.raw == usage
    for field, value in expected.items():
        assert getattr(parsed, field) == value, field


# --- media links ----------------------------------------------------------------------------


def media_of(text: str) -> list[Any]:
    response = parse(reply({"role": "assistant", "content": text}))
    assert response.parts[0] == TextPart(text=text)  # the text itself is kept
    return response.parts[1:]


def test_several_images_and_a_repeated_link() -> None:
    text = "![a](https://x.test/1.png) and ![b](https://x.test/2.jpg)\n![a again](https://x.test/1.png)"
    assert media_of(text) == [
        ImagePart(url="https://x.test/1.png"),
        ImagePart(url="https://x.test/2.jpg"),
    ]


@pytest.mark.parametrize(
    ("text", "url", "media_type"),
    [
        ("[下载视频](https://x.test/v/clip.mp4)", "https://x.test/v/clip.mp4", "video/mp4"),
        (
            "[dl](https://x.test/clip.MOV?sig=abc&e=1)",
            "https://x.test/clip.MOV?sig=abc&e=1",
            "video/quicktime",
        ),
        ("![preview](https://x.test/clip.webm)", "https://x.test/clip.webm", "video/webm"),
        (
            "[live](https://x.test/index.m3u8)",
            "https://x.test/index.m3u8",
            "application/vnd.apple.mpegurl",
        ),
    ],
)
def test_video_links(text: str, url: str, media_type: str) -> None:
    assert media_of(text) == [VideoPart(url=url, media_type=media_type)]


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ('![cat](https://x.test/cat.png "a cat")', "https://x.test/cat.png"),
        ("![cat](<https://x.test/my cat.png>)", "https://x.test/my cat.png"),
        ("![](data:image/png;base64,iVBORw0K)", "data:image/png;base64,iVBORw0K"),
    ],
)
def test_image_link_forms(text: str, url: str) -> None:
    assert media_of(text) == [ImagePart(url=url)]


def test_plain_links_are_not_media() -> None:
    assert (
        media_of("see [the docs](https://x.test/guide.html) or [mp4 page](https://x.test/mp4)")
        == []
    )


def test_finalize_is_idempotent_and_keeps_existing_parts() -> None:
    url = "https://x.test/a.png"
    response = ChatResponse(parts=[TextPart(text=f"![x]({url})"), ImagePart(url=url)])
    once = openai_chat.finalize_response(response)
    assert once.parts == response.parts
    twice = openai_chat.finalize_response(
        openai_chat.finalize_response(ChatResponse(parts=[TextPart(text=f"![x]({url})")]))
    )
    assert twice.parts == [TextPart(text=f"![x]({url})"), ImagePart(url=url)]

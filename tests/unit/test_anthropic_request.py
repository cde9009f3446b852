"""Request mapping of the Anthropic Messages protocol, case by case. Every body built here
is also validated against the spec's ``CreateMessageParams``."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest

from tests._spec import validate_anthropic
from wenwen.errors import ConfigurationError, ProtocolError, UnsupportedFeatureError
from wenwen.protocols import anthropic_messages as anthropic
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
    VideoPart,
)

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
PDF = base64.b64encode(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF").decode()
WEATHER = Tool(
    name="get_weather",
    description="Weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
TIME = Tool(name="get_time", parameters={"type": "object", "properties": {}})


def make(**fields: Any) -> ChatRequest:
    fields.setdefault("model", "claude-sonnet-4-5")
    fields.setdefault("messages", [Message.of("user", "hi")])
    return ChatRequest(**fields)


def body(request: ChatRequest, *, stream: bool = False) -> dict[str, Any]:
    built = anthropic.build_request(request, stream=stream)
    assert built.json is not None
    validate_anthropic("CreateMessageParams", built.json)
    return built.json


def user_blocks(*parts: Any) -> list[dict[str, Any]]:
    return body(make(messages=[Message(role="user", parts=list(parts))]))["messages"][0]["content"]


# --- tool_choice ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        ("auto", {"type": "auto"}),
        ("required", {"type": "any"}),
        ("none", {"type": "none"}),
        (NamedToolChoice(name="get_time"), {"type": "tool", "name": "get_time"}),
        (None, None),
    ],
)
def test_tool_choice_variants(choice: Any, wire: dict[str, Any] | None) -> None:
    sent = body(make(tools=[WEATHER, TIME], tool_choice=choice))
    assert sent.get("tool_choice") == wire
    assert [t["name"] for t in sent["tools"]] == ["get_weather", "get_time"]


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        (None, {"type": "auto", "disable_parallel_tool_use": True}),
        ("auto", {"type": "auto", "disable_parallel_tool_use": True}),
        ("required", {"type": "any", "disable_parallel_tool_use": True}),
        (
            NamedToolChoice(name="get_weather"),
            {"type": "tool", "name": "get_weather", "disable_parallel_tool_use": True},
        ),
        ("none", {"type": "none"}),
    ],
)
def test_parallel_tool_calls_false_disables_parallel_use(choice: Any, wire: dict[str, Any]) -> None:
    sent = body(make(tools=[WEATHER], tool_choice=choice, parallel_tool_calls=False))
    assert sent["tool_choice"] == wire


def test_parallel_tool_calls_true_sends_nothing_extra() -> None:
    assert "tool_choice" not in body(make(tools=[WEATHER], parallel_tool_calls=True))


@pytest.mark.parametrize("choice", ["required", NamedToolChoice(name="get_weather")])
def test_forcing_a_tool_without_tools_is_a_configuration_error(choice: Any) -> None:
    with pytest.raises(ConfigurationError, match="needs tools"):
        anthropic.build_request(make(tool_choice=choice), stream=False)


def test_auto_or_none_without_tools_is_left_out() -> None:
    for choice in ("auto", "none"):
        sent = body(make(tool_choice=choice, parallel_tool_calls=False))
        assert "tool_choice" not in sent and "tools" not in sent


def test_named_choice_must_name_a_given_tool() -> None:
    request = make(tools=[WEATHER], tool_choice=NamedToolChoice(name="nope"))
    with pytest.raises(ConfigurationError, match=r"'nope'.*get_weather"):
        anthropic.build_request(request, stream=False)


def test_tool_schema_strict_and_cache_control() -> None:
    tool = Tool(
        name="lookup",
        parameters={"properties": {"q": {"type": "string"}}},
        strict=True,
        cache_control={"type": "ephemeral", "ttl": "1h"},
    )
    (sent,) = body(make(tools=[tool]))["tools"]
    # no description given -> none sent; missing "type" completed; strict not sent
    assert sent == {
        "name": "lookup",
        "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
        "cache_control": {"type": "ephemeral", "ttl": "1h"},
    }


def test_tool_schema_that_is_not_an_object_is_rejected() -> None:
    tool = Tool(name="listy", parameters={"type": "array", "items": {"type": "string"}})
    with pytest.raises(UnsupportedFeatureError, match=r"'listy'.*'array'"):
        anthropic.build_request(make(tools=[tool]), stream=False)


def test_invalid_tool_name_is_rejected_with_the_rule() -> None:
    with pytest.raises(ConfigurationError, match="'get weather'"):
        anthropic.build_request(make(tools=[Tool(name="get weather")]), stream=False)


# --- max_tokens and thinking ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-3-haiku-20240307", 4096),
        ("claude-3-opus-20240229", 4096),
        ("claude-3-sonnet-20240229", 4096),
        ("claude-3-5-sonnet-20241022", 8192),
        ("claude-3.5-sonnet", 8192),
        ("claude-3-5-haiku-20241022", 8192),
        ("claude-3-7-sonnet-20250219", 16384),
        ("claude-sonnet-4-20250514", 16384),
        ("claude-sonnet-4-20250514-thinking", 16384),
        ("claude-opus-4-1-20250805", 16384),
        ("claude-sonnet-4-5", 16384),
        ("claude-haiku-4.5", 16384),
        ("claude-4-opus", 16384),
        ("Claude-Opus-4-5", 16384),
        ("claude-2.1", 4096),
        ("some-relay-alias", 4096),
    ],
)
def test_default_max_tokens_by_family(model: str, expected: int) -> None:
    assert anthropic.default_max_tokens(model) == expected
    assert body(make(model=model))["max_tokens"] == expected


def test_explicit_max_tokens_wins() -> None:
    assert body(make(max_tokens=77))["max_tokens"] == 77


@pytest.mark.parametrize(
    ("model", "budget", "expected"),
    [
        ("claude-sonnet-4-5", 2048, 16384),  # the default already leaves room
        ("claude-sonnet-4-5", 20000, 21024),  # budget + 1024
        ("claude-3-haiku-20240307", 4096, 5120),
    ],
)
def test_default_max_tokens_exceeds_the_thinking_budget(
    model: str, budget: int, expected: int
) -> None:
    sent = body(make(model=model, thinking=ThinkingConfig(budget_tokens=budget)))
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert sent["max_tokens"] == expected


def test_explicit_max_tokens_not_above_the_budget_is_an_error() -> None:
    request = make(max_tokens=2048, thinking=ThinkingConfig(budget_tokens=2048))
    with pytest.raises(ConfigurationError, match=r"max_tokens \(2048\).*budget \(2048\)"):
        anthropic.build_request(request, stream=False)


def test_budget_below_the_minimum_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match="at least 1024, got 500"):
        anthropic.build_request(make(thinking=ThinkingConfig(budget_tokens=500)), stream=False)


@pytest.mark.parametrize(
    ("effort", "budget"), [("minimal", 1024), ("low", 1024), ("medium", 4096), ("HIGH", 16384)]
)
def test_reasoning_effort_maps_to_a_thinking_budget(effort: str, budget: int) -> None:
    sent = body(make(reasoning_effort=effort))
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert "reasoning_effort" not in sent


def test_reasoning_effort_none_leaves_thinking_off() -> None:
    assert "thinking" not in body(make(reasoning_effort="none"))


def test_unknown_reasoning_effort_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match="'extreme'"):
        anthropic.build_request(make(reasoning_effort="extreme"), stream=False)


def test_thinking_config_wins_over_reasoning_effort() -> None:
    sent = body(make(reasoning_effort="high", thinking=ThinkingConfig(budget_tokens=1500)))
    assert sent["thinking"]["budget_tokens"] == 1500


def test_thinking_drops_forbidden_sampling_with_warnings(caplog: pytest.LogCaptureFixture) -> None:
    request = make(thinking=ThinkingConfig(), temperature=0.3, top_k=5, top_p=0.5)
    with caplog.at_level(logging.WARNING, logger="wenwen"):
        sent = body(request)
    assert not {"temperature", "top_k", "top_p"} & sent.keys()
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "temperature 0.3" in warned and "top_k 5" in warned and "top_p 0.5" in warned


def test_thinking_keeps_sampling_it_allows(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="wenwen"):
        sent = body(make(thinking=ThinkingConfig(), temperature=1.0, top_p=0.97))
    assert (sent["temperature"], sent["top_p"]) == (1.0, 0.97)
    assert not caplog.records


def test_sampling_without_thinking_is_sent_as_given() -> None:
    sent = body(make(temperature=0.0, top_p=0.5, top_k=3, stop=["X", "Y"]))
    assert (sent["temperature"], sent["top_p"], sent["top_k"]) == (0.0, 0.5, 3)
    assert sent["stop_sequences"] == ["X", "Y"]


def test_thinking_downgrades_a_forced_tool_choice(caplog: pytest.LogCaptureFixture) -> None:
    request = make(
        tools=[WEATHER],
        tool_choice="required",
        thinking=ThinkingConfig(),
        parallel_tool_calls=False,
    )
    with caplog.at_level(logging.WARNING, logger="wenwen"):
        sent = body(request)
    assert sent["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert "'required'" in caplog.text


def test_seed_is_not_supported() -> None:
    with pytest.raises(UnsupportedFeatureError, match="seed"):
        anthropic.build_request(make(seed=7), stream=False)


# --- structured output ---------------------------------------------------------------------

PERSON = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}


def test_json_schema_becomes_a_forced_tool() -> None:
    fmt = JsonSchemaFormat(name="person", schema=PERSON, description="A person.")
    sent = body(make(response_format=fmt))
    assert sent["tools"] == [
        {
            "name": "person",
            "description": "Respond with the final answer as this tool's input. A person.",
            "input_schema": PERSON,
        }
    ]
    assert sent["tool_choice"] == {"type": "tool", "name": "person"}
    assert "system" not in sent


def test_json_object_becomes_the_json_output_tool() -> None:
    sent = body(make(response_format=JsonObjectFormat()))
    assert sent["tools"][0]["name"] == "json_output"
    assert sent["tools"][0]["input_schema"] == {"type": "object"}
    assert sent["tool_choice"] == {"type": "tool", "name": "json_output"}


@pytest.mark.parametrize(
    ("name", "tool_name"),
    [("Person Info!", "Person_Info_"), ("x" * 80, "x" * 64), ("名字", "__"), ("", "json_output")],
)
def test_format_names_are_sanitised_into_tool_names(name: str, tool_name: str) -> None:
    sent = body(make(response_format=JsonSchemaFormat(name=name, schema=PERSON)))
    assert sent["tools"][0]["name"] == tool_name
    assert sent["tool_choice"]["name"] == tool_name


def test_structured_output_with_the_callers_tools_lets_the_model_pick_any() -> None:
    fmt = JsonSchemaFormat(name="person", schema=PERSON)
    sent = body(make(tools=[WEATHER], response_format=fmt))
    assert [t["name"] for t in sent["tools"]] == ["get_weather", "person"]
    assert sent["tool_choice"] == {"type": "any"}
    sent = body(make(tools=[WEATHER], tool_choice="none", response_format=fmt))
    assert sent["tool_choice"] == {"type": "tool", "name": "person"}
    named = NamedToolChoice(name="get_weather")
    sent = body(make(tools=[WEATHER], tool_choice=named, response_format=fmt))
    assert sent["tool_choice"] == {"type": "tool", "name": "get_weather"}


@pytest.mark.parametrize(
    "fields",
    [
        {"thinking": ThinkingConfig(budget_tokens=2048)},
        {"model": "claude-sonnet-4-20250514-thinking"},
        {"extra_body": {"thinking": {"type": "enabled", "budget_tokens": 2048}}},
    ],
)
def test_structured_output_while_thinking_asks_in_the_system_prompt(
    fields: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    request = make(
        messages=[Message.of("system", "Be exact."), Message.of("user", "Alice")],
        response_format=JsonSchemaFormat(name="person", schema=PERSON),
        **fields,
    )
    with caplog.at_level(logging.WARNING, logger="wenwen"):
        sent = body(request)
    assert sent["tool_choice"] == {"type": "auto"}
    assert sent["system"][0] == {"type": "text", "text": "Be exact."}
    assert "call the tool `person`" in sent["system"][1]["text"]
    assert not caplog.records  # the forced choice was ours, not the caller's


def test_structured_output_name_clash_with_a_tool_is_reported() -> None:
    request = make(
        tools=[WEATHER], response_format=JsonSchemaFormat(name="get_weather", schema=PERSON)
    )
    with pytest.raises(UnsupportedFeatureError, match="'get_weather'"):
        anthropic.build_request(request, stream=False)


# --- messages --------------------------------------------------------------------------------


def test_system_messages_anywhere_become_system_blocks() -> None:
    messages = [
        Message.of("system", "First."),
        Message.of("user", "hi"),
        Message(
            role="system", parts=[TextPart(text="Later.", cache_control={"type": "ephemeral"})]
        ),
    ]
    sent = body(make(messages=messages))
    assert sent["system"] == [
        {"type": "text", "text": "First."},
        {"type": "text", "text": "Later.", "cache_control": {"type": "ephemeral"}},
    ]
    assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]


def test_non_text_system_part_is_unsupported() -> None:
    system = Message(role="system", parts=[ImagePart(url="https://x/y.png")])
    with pytest.raises(UnsupportedFeatureError, match="system message 0 has a image part"):
        anthropic.build_request(make(messages=[system, Message.of("user", "hi")]), stream=False)


def test_consecutive_roles_merge_and_empty_text_is_skipped() -> None:
    messages = [
        Message.of("user", "one"),
        Message(role="user", parts=[TextPart(text=""), TextPart(text="two")]),
        Message.of("assistant", "three"),
        Message.of("assistant", "four"),
    ]
    sent = body(make(messages=messages))
    assert sent["messages"] == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}],
        },
        {
            "role": "assistant",  # a final assistant turn is a prefill
            "content": [{"type": "text", "text": "three"}, {"type": "text", "text": "four"}],
        },
    ]


def test_unsigned_thinking_is_omitted_and_only_that(caplog: pytest.LogCaptureFixture) -> None:
    messages = [
        Message.of("user", "q1"),
        Message(role="assistant", parts=[ThinkingPart(text="deepseek reasoning")]),
        Message.of("user", "q2"),
        Message(
            role="assistant",
            parts=[ThinkingPart(text="from another model"), TextPart(text="a2")],
        ),
        Message.of("user", "q3"),
    ]
    with caplog.at_level(logging.DEBUG, logger="wenwen"):
        sent = body(make(messages=messages))
    # the assistant turn that held only unsigned thinking vanishes; its neighbours merge
    assert sent["messages"] == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "q1"}, {"type": "text", "text": "q2"}],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "a2"}]},
        {"role": "user", "content": [{"type": "text", "text": "q3"}]},
    ]
    assert "unsigned thinking omitted" in caplog.text


def test_tool_results_lead_their_user_turn() -> None:
    messages = [
        Message.of("user", "weather?"),
        Message(
            role="assistant",
            parts=[ToolCallPart(id="toolu_1", name="get_weather", arguments='{"city":"Oslo"}')],
        ),
        Message.of("user", "and be quick"),
        Message(
            role="tool",
            parts=[ToolResultPart(tool_call_id="toolu_1", content=[TextPart(text="-3C")])],
        ),
    ]
    sent = body(make(messages=messages, tools=[WEATHER]))
    assert sent["messages"][2] == {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "toolu_1",
                "content": [{"type": "text", "text": "-3C"}],
            },
            {"type": "text", "text": "and be quick"},
        ],
    }


def test_empty_tool_result_and_cache_control() -> None:
    messages = [
        Message(role="assistant", parts=[ToolCallPart(id="toolu_1", name="get_time")]),
        Message(
            role="tool",
            parts=[
                ToolResultPart(
                    tool_call_id="toolu_1", is_error=True, cache_control={"type": "ephemeral"}
                )
            ],
        ),
    ]
    sent = body(make(messages=messages, tools=[TIME]))
    assert sent["messages"][0]["content"] == [
        {"type": "tool_use", "id": "toolu_1", "name": "get_time", "input": {}}
    ]
    assert sent["messages"][1]["content"] == [
        {
            "type": "tool_result",
            "tool_use_id": "toolu_1",
            "is_error": True,
            "cache_control": {"type": "ephemeral"},
        }
    ]


def test_tool_ids_from_other_protocols_are_made_valid_consistently() -> None:
    messages = [
        Message(role="assistant", parts=[ToolCallPart(id="call:0/abc", name="get_time")]),
        Message(
            role="tool",
            parts=[ToolResultPart(tool_call_id="call:0/abc", content=[TextPart(text="noon")])],
        ),
    ]
    sent = body(make(messages=messages, tools=[TIME]))
    assert sent["messages"][0]["content"][0]["id"] == "call_0_abc"
    assert sent["messages"][1]["content"][0]["tool_use_id"] == "call_0_abc"


def test_malformed_tool_arguments_raise_protocol_error_naming_the_tool() -> None:
    call = ToolCallPart(id="toolu_1", name="get_weather", arguments='{"city": ')
    messages = [Message.of("user", "hi"), Message(role="assistant", parts=[call])]
    with pytest.raises(ProtocolError, match="'get_weather'") as caught:
        anthropic.build_request(make(messages=messages), stream=False)
    assert not isinstance(caught.value, UnsupportedFeatureError)


@pytest.mark.parametrize(
    ("role", "part"),
    [
        ("user", ToolCallPart(id="t", name="get_time")),
        ("assistant", ToolResultPart(tool_call_id="t")),
        ("user", ThinkingPart(text="x", signature="s")),
    ],
)
def test_parts_in_the_wrong_role_are_rejected(role: Any, part: Any) -> None:
    with pytest.raises(UnsupportedFeatureError, match=f"{part.type} part belongs"):
        anthropic.build_request(make(messages=[Message(role=role, parts=[part])]), stream=False)


@pytest.mark.parametrize(
    "part", [AudioPart(data="UklGR", format="wav"), VideoPart(url="https://x/v.mp4")]
)
def test_audio_and_video_are_unsupported(part: Any) -> None:
    with pytest.raises(UnsupportedFeatureError, match=f"message 0 has a {part.type} part"):
        anthropic.build_request(make(messages=[Message(role="user", parts=[part])]), stream=False)


def test_message_name_is_not_sent(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="wenwen"):
        sent = body(make(messages=[Message(role="user", parts=[TextPart(text="hi")], name="bob")]))
    assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    assert "'bob' not sent" in caplog.text


# --- images and documents ---------------------------------------------------------------------


def test_image_media_type_is_sniffed_from_inline_data() -> None:
    (block,) = user_blocks(ImagePart(data=PNG, cache_control={"type": "ephemeral"}))
    assert block == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": PNG},
        "cache_control": {"type": "ephemeral"},
    }


def test_data_url_without_media_type_is_sniffed() -> None:
    (block,) = user_blocks(ImagePart(url="data:;base64," + PNG))
    assert block["source"] == {"type": "base64", "media_type": "image/png", "data": PNG}


def test_image_of_unknown_type_asks_for_a_media_type() -> None:
    with pytest.raises(ProtocolError, match="set its media_type"):
        user_blocks(ImagePart(data="AAAA"))


def test_image_with_an_unaccepted_media_type_is_unsupported() -> None:
    with pytest.raises(UnsupportedFeatureError, match="'image/bmp'"):
        user_blocks(ImagePart(data="Qk0", media_type="image/bmp"))


def test_non_base64_data_url_is_unsupported() -> None:
    with pytest.raises(UnsupportedFeatureError, match="not base64"):
        user_blocks(ImagePart(url="data:image/svg+xml,<svg/>"))


def test_image_without_source_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="neither url nor data"):
        user_blocks(ImagePart())


def test_pdf_documents_inline_and_by_url() -> None:
    blocks = user_blocks(
        FilePart(data=PDF, media_type="application/pdf", filename="report.pdf"),
        FilePart(data=PDF, cache_control={"type": "ephemeral"}),  # sniffed
        FilePart(url="https://example.com/a.pdf"),
        FilePart(url="data:application/pdf;base64," + PDF),
    )
    assert blocks == [
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
            "title": "report.pdf",
        },
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
            "cache_control": {"type": "ephemeral"},
        },
        {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
        },
    ]


def test_plain_text_documents_are_decoded() -> None:
    data = base64.b64encode("notes: ünïcode".encode()).decode()
    (block,) = user_blocks(FilePart(data=data, media_type="text/plain"))
    assert block["source"] == {"type": "text", "media_type": "text/plain", "data": "notes: ünïcode"}


@pytest.mark.parametrize(
    ("part", "error", "match"),
    [
        (FilePart(file_id="file_123"), UnsupportedFeatureError, "file ids"),
        (FilePart(data="UEsDBA==", media_type="application/zip"), UnsupportedFeatureError, "zip"),
        (FilePart(data="not base64!", media_type="text/plain"), ProtocolError, "base64"),
        (FilePart(), ProtocolError, "neither data"),
    ],
)
def test_documents_that_cannot_be_sent(part: FilePart, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        user_blocks(part)


# --- headers, metadata, extra_body -----------------------------------------------------------


def test_betas_in_extra_body_become_the_beta_header() -> None:
    request = make(
        extra_body={"betas": ["prompt-caching-2024-07-31", "b2"], "service_tier": "auto"},
        extra_headers={"Anthropic-Beta": "b1", "X-Trace": "t"},
    )
    built = anthropic.build_request(request, stream=False)
    assert built.headers == {
        "anthropic-version": "2023-06-01",
        "X-Trace": "t",
        "anthropic-beta": "b1,prompt-caching-2024-07-31,b2",
    }
    assert built.json is not None
    validate_anthropic("CreateMessageParams", built.json)
    assert "betas" not in built.json and built.json["service_tier"] == "auto"
    assert request.extra_body["betas"] == ["prompt-caching-2024-07-31", "b2"]  # not mutated


def test_extra_headers_may_override_the_version_whatever_the_case() -> None:
    built = anthropic.build_request(
        make(extra_headers={"Anthropic-Version": "2024-01-01"}), stream=False
    )
    assert built.headers == {"Anthropic-Version": "2024-01-01"}
    validate_anthropic("CreateMessageParams", built.json)


@pytest.mark.parametrize("betas", ["one", 3, ["ok", 4]])
def test_betas_must_be_a_list_of_names(betas: Any) -> None:
    with pytest.raises(ConfigurationError, match="betas"):
        anthropic.build_request(make(extra_body={"betas": betas}), stream=False)


def test_extra_body_is_merged_last_and_metadata_passes_through() -> None:
    sent = body(make(max_tokens=10, metadata={"user_id": "u-1"}, extra_body={"max_tokens": 20}))
    assert sent["max_tokens"] == 20
    assert sent["metadata"] == {"user_id": "u-1"}


def test_stream_flag_and_no_stream_options() -> None:
    sent = body(make(stream_usage=True), stream=True)
    assert sent["stream"] is True and "stream_options" not in sent


def test_auth_uses_the_documented_header() -> None:
    assert anthropic.auth_headers("sk-test") == {"x-api-key": "sk-test"}


def test_thinking_from_extra_body_also_drops_forbidden_sampling() -> None:
    thinking = {"type": "enabled", "budget_tokens": 2048}
    sent = body(make(temperature=0.2, extra_body={"thinking": thinking}))
    assert "temperature" not in sent and sent["thinking"] == thinking


def test_thinking_model_names_leave_sampling_to_the_relay() -> None:
    # the relay's thinking adapter sets temperature itself for *-thinking models
    sent = body(make(model="claude-sonnet-4-20250514-thinking", temperature=0.2))
    assert sent["temperature"] == 0.2 and "thinking" not in sent

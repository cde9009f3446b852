"""Pure mapping tests: LangChain messages ↔ wenwen.types, tools, request building."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import BaseModel

from langchain_wenwen import ChatWenwen
from langchain_wenwen._convert import to_wenwen_messages
from langchain_wenwen._output import ChunkConverter, to_ai_message, usage_metadata
from langchain_wenwen._tools import format_tool, normalize_tool_choice, to_wenwen_response_format
from wenwen.errors import ConfigurationError, UnsupportedFeatureError
from wenwen.types import (
    AudioPart,
    ChatResponse,
    FilePart,
    Finished,
    ImagePart,
    JsonObjectFormat,
    JsonSchemaFormat,
    NamedToolChoice,
    ResponseStarted,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolResultPart,
    Usage,
    UsageReport,
    VideoPart,
)

PNG = "iVBORw0KGgo="


def user_parts(content: Any) -> list[Any]:
    [message] = to_wenwen_messages([HumanMessage(content=content)])
    return message.parts


# --- user content dialects -------------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        {"type": "image_url", "image_url": f"data:image/png;base64,{PNG}"},
        {"type": "image", "base64": PNG, "mime_type": "image/png"},
        {"type": "image", "source_type": "base64", "data": PNG, "mime_type": "image/png"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
        {"type": "image", "url": f"data:image/png;base64,{PNG}"},
    ],
)
def test_inline_images_in_every_dialect(block: dict[str, Any]) -> None:
    assert user_parts([block]) == [ImagePart(data=PNG, media_type="image/png")]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
        {"type": "image", "url": "https://x.test/a.png"},
        {"type": "image", "source_type": "url", "url": "https://x.test/a.png"},
        {"type": "image", "source": {"type": "url", "url": "https://x.test/a.png"}},
    ],
)
def test_image_urls_in_every_dialect(block: dict[str, Any]) -> None:
    assert user_parts([block]) == [ImagePart(url="https://x.test/a.png")]


def test_image_detail_and_cache_control_are_kept() -> None:
    parts = user_parts(
        [
            {"type": "text", "text": "look", "cache_control": {"type": "ephemeral"}},
            {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "low"}},
        ]
    )
    assert parts == [
        TextPart(text="look", cache_control={"type": "ephemeral"}),
        ImagePart(url="https://x.test/a.png", detail="low"),
    ]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "file", "base64": "JVBERi0=", "mime_type": "application/pdf"},
        {
            "type": "file",
            "file": {"filename": None, "file_data": "data:application/pdf;base64,JVBERi0="},
        },
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="},
        },
        {
            "type": "file",
            "source_type": "base64",
            "data": "JVBERi0=",
            "mime_type": "application/pdf",
        },
    ],
)
def test_pdf_documents_in_every_dialect(block: dict[str, Any]) -> None:
    assert user_parts([block]) == [FilePart(data="JVBERi0=", media_type="application/pdf")]


def test_audio_and_video_blocks() -> None:
    assert user_parts(
        [
            {"type": "audio", "base64": "UklG", "mime_type": "audio/wav"},
            {"type": "input_audio", "input_audio": {"data": "UklG", "format": "mp3"}},
            {"type": "audio", "base64": "UklG", "mime_type": "audio/mpeg"},
            {"type": "video", "url": "https://x.test/v.mp4", "mime_type": "video/mp4"},
        ]
    ) == [
        AudioPart(data="UklG", format="wav"),
        AudioPart(data="UklG", format="mp3"),
        AudioPart(data="UklG", format="mp3"),
        VideoPart(url="https://x.test/v.mp4", media_type="video/mp4"),
    ]


def test_unknown_block_names_itself() -> None:
    with pytest.raises(UnsupportedFeatureError, match="'hologram'"):
        user_parts([{"type": "hologram", "data": "?"}])
    with pytest.raises(UnsupportedFeatureError, match="file id"):
        user_parts([{"type": "image", "file_id": "file-123"}])


def test_anthropic_tool_result_in_a_user_message() -> None:
    parts = user_parts(
        [
            {"type": "tool_result", "tool_use_id": "t1", "content": "42", "is_error": True},
            {"type": "text", "text": "and now?"},
        ]
    )
    assert parts == [
        ToolResultPart(tool_call_id="t1", content=[TextPart(text="42")], is_error=True),
        TextPart(text="and now?"),
    ]


def test_roles_and_names() -> None:
    messages = to_wenwen_messages(
        [
            SystemMessage("be brief"),
            ChatMessage(role="developer", content="really"),
            HumanMessage("hi", name="ann"),
        ]
    )
    assert [(m.role, m.text, m.name) for m in messages] == [
        ("system", "be brief", None),
        ("system", "really", None),
        ("user", "hi", "ann"),
    ]
    with pytest.raises(UnsupportedFeatureError, match="FunctionMessage"):
        to_wenwen_messages([FunctionMessage(name="f", content="x")])


# --- tool results --------------------------------------------------------------------------


def test_tool_messages_merge_and_keep_status_and_images() -> None:
    messages = to_wenwen_messages(
        [
            ToolMessage("3", tool_call_id="a", name="adder"),
            ToolMessage(
                [{"type": "image", "base64": PNG, "mime_type": "image/png"}],
                tool_call_id="b",
                status="error",
            ),
        ]
    )
    assert len(messages) == 1 and messages[0].role == "tool"
    assert messages[0].parts == [
        ToolResultPart(tool_call_id="a", content=[TextPart(text="3")], name="adder"),
        ToolResultPart(
            tool_call_id="b", content=[ImagePart(data=PNG, media_type="image/png")], is_error=True
        ),
    ]


def test_pdf_in_a_tool_result_is_refused_by_name() -> None:
    message = ToolMessage(
        [{"type": "file", "base64": "JVBERi0=", "mime_type": "application/pdf"}], tool_call_id="a"
    )
    with pytest.raises(UnsupportedFeatureError, match="FilePart"):
        to_wenwen_messages([message])


# --- assistant turns ---------------------------------------------------------------------


def assistant(message: AIMessage) -> list[Any]:
    return to_wenwen_messages([message])[0].parts


def test_tool_use_blocks_take_their_place_and_args_come_from_tool_calls() -> None:
    message = AIMessage(
        [
            {"type": "text", "text": "let me check"},
            {"type": "tool_use", "id": "t1", "name": "add", "input": {"a": 1}},
        ],
        tool_calls=[
            {"name": "add", "args": {"a": 1, "b": 2}, "id": "t1", "type": "tool_call"},
            {"name": "mul", "args": {}, "id": "t2", "type": "tool_call"},
        ],
    )
    assert assistant(message) == [
        TextPart(text="let me check"),
        ToolCallPart(id="t1", name="add", arguments='{"a": 1, "b": 2}'),
        ToolCallPart(id="t2", name="mul", arguments="{}"),
    ]


def test_reasoning_content_comes_first_and_signed_thinking_round_trips() -> None:
    unsigned = AIMessage("4", additional_kwargs={"reasoning_content": "2+2"})
    assert assistant(unsigned) == [ThinkingPart(text="2+2"), TextPart(text="4")]
    signed = AIMessage(
        [
            {"type": "thinking", "thinking": "hmm", "signature": "sig=="},
            {"type": "redacted_thinking", "data": "opaque"},
            {"type": "text", "text": "hi"},
        ],
        additional_kwargs={"reasoning_content": "hmm"},
    )
    assert assistant(signed) == [
        ThinkingPart(text="hmm", signature="sig=="),
        ThinkingPart(redacted="opaque"),
        TextPart(text="hi"),
    ]
    v1 = AIMessage(
        [{"type": "reasoning", "reasoning": "hmm", "extras": {"signature": "sig=="}}],
        response_metadata={"output_version": "v1"},
    )
    assert assistant(v1) == [ThinkingPart(text="hmm", signature="sig==")]


def test_invalid_tool_calls_and_provider_data_are_replayed() -> None:
    message = AIMessage(
        "",
        tool_calls=[{"name": "f", "args": {}, "id": "c1", "type": "tool_call"}],
        invalid_tool_calls=[
            {"name": "g", "args": '{"x": ', "id": "c2", "error": "bad", "type": "invalid_tool_call"}
        ],
        additional_kwargs={"wenwen_tool_call_data": {"c1": {"extra_content": {"sig": "s"}}}},
    )
    assert assistant(message) == [
        ToolCallPart(
            id="c1", name="f", arguments="{}", provider_data={"extra_content": {"sig": "s"}}
        ),
        ToolCallPart(id="c2", name="g", arguments='{"x": '),
    ]


# --- replies -------------------------------------------------------------------------------


def reply(*parts: Any, usage: Usage | None = None) -> ChatResponse:
    return ChatResponse(id="r1", model="m", parts=list(parts), finish_reason="stop", usage=usage)


def test_text_reply_is_a_string_with_metadata() -> None:
    message = to_ai_message(
        reply(ThinkingPart(text="why"), TextPart(text="because")), "openai", v1=False
    )
    assert message.content == "because"
    assert message.additional_kwargs == {"reasoning_content": "why"}
    assert message.response_metadata == {
        "model_provider": "wenwen",
        "model_name": "m",
        "finish_reason": "stop",
        "wenwen_protocol": "openai",
        "id": "r1",
    }
    assert [b["type"] for b in message.content_blocks] == ["reasoning", "text"]


def test_signed_thinking_makes_block_content_and_survives_a_round_trip() -> None:
    response = reply(
        ThinkingPart(text="hmm", signature="sig=="),
        TextPart(text="hi"),
        ToolCallPart(id="t1", name="f", arguments='{"a": 1}'),
    )
    message = to_ai_message(response, "anthropic", v1=False)
    assert message.content == [
        {"type": "thinking", "thinking": "hmm", "signature": "sig=="},
        {"type": "text", "text": "hi"},
    ]
    assert message.content_blocks[0] == {
        "type": "reasoning",
        "reasoning": "hmm",
        "extras": {"signature": "sig=="},
    }
    assert assistant(message) == response.parts


def test_v1_reply_blocks() -> None:
    response = reply(
        ThinkingPart(text="hmm"),
        TextPart(text="hi"),
        ToolCallPart(id="t1", name="f", arguments='{"a": 1}'),
        ToolCallPart(id="t2", name="g", arguments="{oops"),
        ImagePart(url="https://x.test/i.png"),
    )
    message = to_ai_message(response, "openai", v1=True)
    assert [b["type"] for b in message.content] == [  # type: ignore[index]
        "reasoning",
        "text",
        "tool_call",
        "invalid_tool_call",
        "image",
    ]
    assert message.tool_calls[0]["args"] == {"a": 1}
    assert message.invalid_tool_calls[0]["args"] == "{oops"


def test_usage_details() -> None:
    usage = Usage(
        input_tokens=100,
        output_tokens=20,
        cache_read_tokens=60,
        cache_creation_tokens=10,
        reasoning_tokens=5,
    )
    assert usage_metadata(usage) == {
        "input_tokens": 100,
        "output_tokens": 20,
        "total_tokens": 120,
        "input_token_details": {"cache_read": 60, "cache_creation": 10},
        "output_token_details": {"reasoning": 5},
    }


def merge(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def anthropic_like_events() -> list[Any]:
    return [
        ResponseStarted(id="msg_1", model="claude"),
        ThinkingDelta(key="0", text="let me "),
        ThinkingDelta(key="0", text="think"),
        ThinkingDelta(key="0", signature="sig=="),
        TextDelta(key="1", text="Hello"),
        TextDelta(key="1", text=" there"),
        ToolCallDelta(key="2", index=0, id="t1", name="f", arguments=""),
        ToolCallDelta(key="2", index=0, id="t1", name="f", arguments='{"a":'),
        ToolCallDelta(key="2", index=0, arguments=" 1}"),
        UsageReport(usage=Usage(input_tokens=10, output_tokens=1)),
        UsageReport(usage=Usage(input_tokens=10, output_tokens=7)),
        Finished(reason="tool_calls", raw_reason="tool_use"),
    ]


@pytest.mark.parametrize("v1", [False, True])
def test_stream_chunks_merge_into_one_block_per_part(v1: bool) -> None:
    converter = ChunkConverter("anthropic", v1=v1)
    chunks = [c for e in anthropic_like_events() if (c := converter.convert(e)) is not None]
    final = reply(
        ThinkingPart(text="let me think", signature="sig=="),
        TextPart(text="Hello there"),
        ToolCallPart(id="t1", name="f", arguments='{"a": 1}'),
        usage=Usage(input_tokens=10, output_tokens=7),
    )
    chunks.append(converter.final(final))
    full = merge(chunks)
    assert full.tool_calls == [{"name": "f", "args": {"a": 1}, "id": "t1", "type": "tool_call"}]
    assert full.usage_metadata == {"input_tokens": 10, "output_tokens": 7, "total_tokens": 17}
    assert full.additional_kwargs["reasoning_content"] == "let me think"
    assert full.text == "Hello there"
    if v1:
        blocks = full.content_blocks
        assert [b["type"] for b in blocks] == ["reasoning", "text", "tool_call"]
        assert blocks[0]["extras"] == {"signature": "sig=="}  # type: ignore[typeddict-item]
    else:
        assert [
            ThinkingPart(text="let me think", signature="sig=="),
            TextPart(text="Hello there"),
        ] == (assistant(AIMessage(content=full.content, tool_calls=full.tool_calls))[:2])


def test_openai_stream_keeps_string_content_and_sends_ids_once() -> None:
    converter = ChunkConverter("openai", v1=False)
    events = [
        ThinkingDelta(text="r1"),
        TextDelta(text="a"),
        ToolCallDelta(key="t", index=0, id="c1", name="f", arguments='{"x"'),
        ToolCallDelta(key="t", index=0, id="c1", name="f", arguments=": 1}"),
    ]
    chunks = [c for e in events if (c := converter.convert(e)) is not None]
    chunks.append(converter.final(reply(TextPart(text="a"))))
    full = merge(chunks)
    assert full.content == "a"
    assert full.additional_kwargs == {"reasoning_content": "r1"}
    assert full.tool_calls == [{"name": "f", "args": {"x": 1}, "id": "c1", "type": "tool_call"}]
    assert chunks[-1].chunk_position == "last"


# --- tools and formats ---------------------------------------------------------------------


class Person(BaseModel):
    """A person."""

    name: str


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, None),
        (False, None),
        (True, "required"),
        ("any", "required"),
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("Person", {"type": "function", "function": {"name": "Person"}}),
        (
            {"type": "function", "function": {"name": "Person"}},
            {"type": "function", "function": {"name": "Person"}},
        ),
        ({"type": "tool", "name": "Person"}, {"type": "function", "function": {"name": "Person"}}),
        ({"type": "any"}, "required"),
        ({"type": "auto", "disable_parallel_tool_use": True}, "auto"),
    ],
)
def test_tool_choice_spellings(choice: Any, expected: Any) -> None:
    assert normalize_tool_choice(choice, ["Person"]) == expected


def test_tool_choice_errors_name_the_problem() -> None:
    with pytest.raises(ConfigurationError, match="'Robot'"):
        normalize_tool_choice("Robot", ["Person"])
    with pytest.raises(ConfigurationError, match="unrecognised"):
        normalize_tool_choice({"type": "web"}, ["Person"])


def test_anthropic_tool_dict_keeps_cache_control_and_builtins_are_refused() -> None:
    tool = {
        "name": "pick",
        "description": "Pick a colour.",
        "input_schema": {"type": "object", "properties": {"c": {"type": "string"}}},
        "cache_control": {"type": "ephemeral"},
    }
    assert format_tool(tool) == {
        "type": "function",
        "function": {
            "name": "pick",
            "description": "Pick a colour.",
            "parameters": {"type": "object", "properties": {"c": {"type": "string"}}},
        },
        "cache_control": {"type": "ephemeral"},
    }
    assert format_tool(Person, strict=True)["function"]["strict"] is True
    with pytest.raises(UnsupportedFeatureError, match="web_search"):
        format_tool({"type": "web_search_20250305", "name": "web_search"})


def test_response_formats() -> None:
    assert to_wenwen_response_format({"type": "json_object"}) == JsonObjectFormat()
    converted = to_wenwen_response_format(Person)
    assert isinstance(converted, JsonSchemaFormat) and converted.name == "Person"
    assert converted.schema_["properties"] == {"name": {"type": "string"}}


# --- request building --------------------------------------------------------------------


def request_for(chat: ChatWenwen, **kwargs: Any) -> Any:
    return chat._chat_request([HumanMessage("hi")], None, kwargs)


def test_request_options_and_pass_through_body() -> None:
    with pytest.warns(UserWarning, match="frequency_penalty"):
        model = ChatWenwen(
            model="gpt-4o-mini",
            api_key="k",
            temperature=0.2,
            max_tokens=50,
            stop=["END"],
            model_kwargs={"user": "u1", "logit_bias": {"50256": -100}},
            top_k=3,
            extra_body={"user": "u2"},
            frequency_penalty=0.5,
            reasoning_effort="low",
        )
    request, protocol = request_for(model, extra_body={"service_tier": "flex"}, seed=7)
    assert protocol == "openai"
    assert (request.temperature, request.max_tokens, request.stop, request.seed) == (
        0.2,
        50,
        ["END"],
        7,
    )
    assert (request.reasoning_effort, request.top_k) == ("low", 3)
    assert request.extra_body == {
        "user": "u2",
        "logit_bias": {"50256": -100},
        "frequency_penalty": 0.5,
        "service_tier": "flex",
    }


def test_extra_body_nested_in_model_kwargs_is_merged() -> None:
    model = ChatWenwen(model="m", api_key="k", model_kwargs={"a": 1, "extra_body": {"b": 2}})
    assert request_for(model)[0].extra_body == {"a": 1, "b": 2}


def test_protocol_selection_and_model_override() -> None:
    model = ChatWenwen(model="gpt-4o-mini", api_key="k")
    assert request_for(model, model="claude-sonnet-4-20250514")[1] == "anthropic"
    request, protocol = request_for(
        ChatWenwen(model="claude-sonnet-4-20250514", api_key="k", protocol="openai")
    )
    assert protocol == "openai" and request.model == "claude-sonnet-4-20250514"


def test_thinking_and_tools_in_requests() -> None:
    model = ChatWenwen(
        model="claude-sonnet-4-20250514",
        api_key="k",
        thinking={"type": "enabled", "budget_tokens": 2048},
    )
    bound = model.bind_tools(
        [Person], tool_choice={"type": "tool", "name": "Person"}, parallel_tool_calls=False
    )
    request, _ = model._chat_request([HumanMessage("hi")], None, dict(bound.kwargs))  # type: ignore[attr-defined]
    assert request.thinking is not None and request.thinking.budget_tokens == 2048
    assert request.tool_choice == NamedToolChoice(name="Person")
    assert request.parallel_tool_calls is False
    assert [t.name for t in request.tools] == ["Person"]
    with pytest.raises(ValueError, match="adaptive"):
        ChatWenwen(model="m", api_key="k", thinking={"type": "adaptive"})


def test_structured_output_bindings() -> None:
    model = ChatWenwen(model="gpt-4o-mini", api_key="k")
    chain = model.with_structured_output(Person, strict=True)
    bound = chain.first.kwargs  # type: ignore[attr-defined]
    assert bound["response_format"]["json_schema"]["strict"] is True
    assert bound["ls_structured_output_format"] == {
        "kwargs": {"method": "json_schema", "strict": True},
        "schema": Person,
    }
    tools = model.with_structured_output(Person, method="function_calling").first.kwargs  # type: ignore[attr-defined]
    assert tools["tool_choice"] == {"type": "function", "function": {"name": "Person"}}
    assert tools["parallel_tool_calls"] is False
    with pytest.raises(ConfigurationError, match="strict"):
        model.with_structured_output(Person, method="json_mode", strict=True)
    assert json.loads(json.dumps(bound["response_format"]))  # traces stay JSON-friendly

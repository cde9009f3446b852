"""Request mapping beyond the fixtures: which token-limit field each family gets, the fields
that appear only when set, typed errors for parts this wire cannot carry, and replies sent
back as history (reasoning, signatures, media)."""

from __future__ import annotations

from typing import Any

import pytest
from openai_wire_support import load_json, load_request

from tests._spec import validate_openai
from wenwen.errors import ConfigurationError, UnsupportedFeatureError
from wenwen.protocols import openai_chat
from wenwen.types import (
    AudioPart,
    ChatRequest,
    FilePart,
    ImagePart,
    Message,
    NamedToolChoice,
    Part,
    TextPart,
    ThinkingConfig,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolResultPart,
    VideoPart,
)

TOOL = Tool(name="lookup", parameters={"type": "object", "properties": {"q": {"type": "string"}}})


def body_of(request: ChatRequest, *, stream: bool = False) -> dict[str, Any]:
    body = openai_chat.build_request(request, stream=stream).json
    assert body is not None
    validate_openai("CreateChatCompletionRequest", body)
    return body


def ask(*messages: Message, **fields: Any) -> ChatRequest:
    return ChatRequest(model=fields.pop("model", "gpt-4o"), messages=list(messages), **fields)


def user(*parts: Part) -> Message:
    return Message(role="user", parts=list(parts))


# --- top-level fields -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "o1",
        "o1-mini",
        "o1-preview-2024-09-12",
        "o3",
        "o3-mini",
        "O3-Mini",
        "o4-mini",
        "gpt-5",
        "gpt-5-mini",
        "gpt-5.1-codex",
        "openai/gpt-5",
        "openai/o3-pro",
        "azure/openai/o4-mini",
    ],
)
def test_reasoning_families_get_max_completion_tokens(model: str) -> None:
    body = body_of(ask(Message.of("user", "hi"), model=model, max_tokens=100))
    assert body["max_completion_tokens"] == 100 and "max_tokens" not in body


@pytest.mark.parametrize(
    "model",
    [
        "gpt-4o",
        "gpt-4.1-mini",
        "gpt-3.5-turbo",
        "deepseek-reasoner",
        "claude-sonnet-4-20250514-thinking",
        "qwen3-235b-a22b",
        "gemini-2.5-pro",
        "omni-moderation-latest",
        "o1x-custom",
        "yi-o3",
        "chatgpt-4o-latest",
    ],
)
def test_other_models_get_max_tokens(model: str) -> None:
    body = body_of(ask(Message.of("user", "hi"), model=model, max_tokens=100))
    assert body["max_tokens"] == 100 and "max_completion_tokens" not in body


def test_unset_fields_are_left_out() -> None:
    body = body_of(ask(Message.of("user", "hi")))
    assert body == {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def test_thinking_config_travels_as_anthropic_style_thinking() -> None:
    body = body_of(
        ask(
            Message.of("user", "hi"),
            model="claude-sonnet-4-20250514",
            thinking=ThinkingConfig(budget_tokens=2048),
        )
    )
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}


def test_extra_body_wins() -> None:
    body = body_of(
        ask(
            Message.of("user", "hi"),
            max_tokens=10,
            temperature=0.5,
            extra_body={"max_tokens": 20, "temperature": None, "user": "u-1"},
        ),
        stream=True,
    )
    assert (body["max_tokens"], body["temperature"], body["user"]) == (20, None, "u-1")


def test_parallel_tool_calls_only_with_tools() -> None:
    assert "parallel_tool_calls" not in body_of(
        ask(Message.of("user", "hi"), parallel_tool_calls=False)
    )
    body = body_of(ask(Message.of("user", "hi"), tools=[TOOL], parallel_tool_calls=False))
    assert body["parallel_tool_calls"] is False
    assert "parallel_tool_calls" not in body_of(ask(Message.of("user", "hi"), tools=[TOOL]))


def test_tool_fields_strict_and_description_only_when_set() -> None:
    body = body_of(
        ask(Message.of("user", "hi"), tools=[TOOL, Tool(name="t2", description="d", strict=False)])
    )
    assert body["tools"] == [
        {"type": "function", "function": {"name": "lookup", "parameters": TOOL.parameters}},
        {
            "type": "function",
            "function": {
                "name": "t2",
                "description": "d",
                "parameters": {"type": "object", "properties": {}},
                "strict": False,
            },
        },
    ]


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        (NamedToolChoice(name="lookup"), {"type": "function", "function": {"name": "lookup"}}),
    ],
)
def test_tool_choice(choice: Any, wire: Any) -> None:
    assert (
        body_of(ask(Message.of("user", "hi"), tools=[TOOL], tool_choice=choice))["tool_choice"]
        == wire
    )


@pytest.mark.parametrize("choice", ["auto", "none"])
def test_harmless_tool_choice_without_tools_is_left_out(choice: str) -> None:
    assert "tool_choice" not in body_of(ask(Message.of("user", "hi"), tool_choice=choice))


@pytest.mark.parametrize(
    ("tools", "choice", "message"),
    [
        ([], "required", "needs tools"),
        ([], NamedToolChoice(name="x"), "needs tools"),
        ([TOOL], NamedToolChoice(name="missing"), "'missing'.*not among"),
    ],
)
def test_tool_choice_that_cannot_work(tools: list[Tool], choice: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        openai_chat.build_request(
            ask(Message.of("user", "hi"), tools=tools, tool_choice=choice), stream=False
        )


def test_auth_header_and_path() -> None:
    assert openai_chat.auth_headers("sk-test") == {"Authorization": "Bearer sk-test"}
    http = openai_chat.build_request(
        ask(Message.of("user", "hi"), extra_headers={"X-A": "1"}), stream=False
    )
    assert (http.method, http.path, http.headers) == ("POST", "/v1/chat/completions", {"X-A": "1"})


# --- parts this wire cannot carry -----------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "named"),
    [
        (
            user(TextPart(text="x"), VideoPart(url="https://x.test/v.mp4")),
            "VideoPart in the user message at position 0",
        ),
        (user(AudioPart(url="https://x.test/a.wav", format="wav")), "AudioPart.*inline base64"),
        (user(AudioPart(data="UklG")), "AudioPart.*needs a format"),
        (user(FilePart(url="https://x.test/doc.pdf")), "FilePart.*base64.*file_id"),
        (user(ThinkingPart(text="hmm")), "ThinkingPart in the user message"),
        (user(ToolCallPart(id="c", name="f")), "ToolCallPart in the user message"),
        (
            Message(role="system", parts=[ImagePart(url="https://x.test/a.png")]),
            "ImagePart in the system message.*text only",
        ),
        (
            Message(role="assistant", parts=[AudioPart(data="UklG", format="wav")]),
            "AudioPart in the assistant.*audio id",
        ),
        (
            Message(role="assistant", parts=[VideoPart(url="https://x.test/v.mp4")]),
            "VideoPart in the assistant",
        ),
        (Message(role="assistant", parts=[FilePart(file_id="f")]), "FilePart in the assistant"),
        (
            Message(role="tool", parts=[TextPart(text="orphan")]),
            "TextPart in the tool message.*ToolResultParts",
        ),
    ],
)
def test_parts_the_wire_cannot_carry_raise(message: Message, named: str) -> None:
    with pytest.raises(UnsupportedFeatureError, match=named) as info:
        openai_chat.build_request(ask(message), stream=False)
    assert "OpenAI chat completions" in str(info.value)


# --- messages -------------------------------------------------------------------------------


def test_message_provider_data_and_name() -> None:
    message = Message(
        role="user", parts=[TextPart(text="hi")], name="bob", provider_data={"x_tag": 1}
    )
    assert body_of(ask(message))["messages"] == [
        {"role": "user", "content": "hi", "name": "bob", "x_tag": 1}
    ]


def test_assistant_without_text_or_calls_sends_empty_content() -> None:
    thinking_only = Message(role="assistant", parts=[ThinkingPart(text="pondering")])
    messages = body_of(ask(Message.of("user", "a"), thinking_only, Message.of("user", "b")))[
        "messages"
    ]
    assert messages[1] == {"role": "assistant", "content": "", "reasoning_content": "pondering"}


def test_assistant_audio_is_referenced_by_id() -> None:
    audio = AudioPart(
        data="UklG", format="wav", transcript="hi", provider_data={"id": "audio_1", "expires_at": 1}
    )
    messages = body_of(
        ask(
            Message.of("user", "a"),
            Message(role="assistant", parts=[audio]),
            Message.of("user", "b"),
        )
    )["messages"]
    assert messages[1] == {"role": "assistant", "content": None, "audio": {"id": "audio_1"}}


def test_tool_results_in_a_user_message_become_tool_messages() -> None:
    call = Message(role="assistant", parts=[ToolCallPart(id="c1", name="lookup", arguments="{}")])
    result = ToolResultPart(
        tool_call_id="c1", content=[TextPart(text="found"), ImagePart(url="https://x.test/r.png")]
    )
    anthropic_style = Message(role="user", parts=[result, TextPart(text="and now?")])
    messages = body_of(ask(Message.of("user", "go"), call, anthropic_style, tools=[TOOL]))[
        "messages"
    ]
    assert messages[2:] == [
        {"role": "tool", "tool_call_id": "c1", "content": "found"},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "https://x.test/r.png"}},
                {"type": "text", "text": "and now?"},
            ],
        },
    ]


def test_tool_images_join_the_next_user_turn() -> None:
    call = Message(role="assistant", parts=[ToolCallPart(id="c1", name="lookup", arguments="{}")])
    result = Message(
        role="tool",
        parts=[
            ToolResultPart(
                tool_call_id="c1",
                content=[ImagePart(data="iVBO", media_type="image/png")],
                is_error=True,
            )
        ],
    )
    messages = body_of(
        ask(Message.of("user", "go"), call, result, Message.of("user", "what is it?"), tools=[TOOL])
    )["messages"]
    assert messages[2:] == [
        {"role": "tool", "tool_call_id": "c1", "content": "[tool error] [image result follows]"},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBO"}},
                {"type": "text", "text": "what is it?"},
            ],
        },
    ]


def test_tool_images_before_an_assistant_turn_get_their_own_user_message() -> None:
    call = Message(role="assistant", parts=[ToolCallPart(id="c1", name="lookup", arguments="{}")])
    result = Message(
        role="tool",
        parts=[
            ToolResultPart(
                tool_call_id="c1",
                content=[TextPart(text="see"), ImagePart(url="https://x.test/i.png")],
            )
        ],
    )
    messages = body_of(
        ask(Message.of("user", "go"), call, result, Message.of("assistant", "ok"), tools=[TOOL])
    )["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "user", "assistant"]
    assert messages[3]["content"] == [
        {"type": "image_url", "image_url": {"url": "https://x.test/i.png"}}
    ]


# --- replies sent back as history ------------------------------------------------------------


def replay(scenario: str) -> dict[str, Any]:
    """Parse a fixture reply and send it back as the assistant turn of a new request."""
    request = load_request(scenario)
    reply = openai_chat.parse_response(load_json(scenario, "response.json"), request)
    history = [*request.messages, reply.message(), Message.of("user", "thanks")]
    follow_up = request.model_copy(update={"messages": history})
    return body_of(follow_up)["messages"][-2]


def test_gemini_thought_signature_round_trips() -> None:
    assistant = replay("gemini_thought_signature")
    assert (
        assistant["tool_calls"]
        == load_json("gemini_thought_signature", "response.json")["choices"][0]["message"][
            "tool_calls"
        ]
    )


def test_deepseek_reasoning_round_trips() -> None:
    assistant = replay("reasoning_deepseek")
    assert assistant == {
        "role": "assistant",
        "content": "9.8 is greater than 9.11.",
        "reasoning_content": load_json("reasoning_deepseek", "response.json")["choices"][0][
            "message"
        ]["reasoning_content"],
    }


def test_markdown_media_are_not_sent_twice() -> None:
    content = load_json("image_via_chat", "response.json")["choices"][0]["message"]["content"]
    assert replay("image_via_chat") == {"role": "assistant", "content": content}
    content = load_json("video_via_chat", "response.json")["choices"][0]["message"]["content"]
    assert replay("video_via_chat") == {"role": "assistant", "content": content}


def test_relay_images_go_back_in_images() -> None:
    assistant = replay("relay_reasoning_images")
    message = load_json("relay_reasoning_images", "response.json")["choices"][0]["message"]
    assert assistant == {
        "role": "assistant",
        "content": message["content"],
        "reasoning_content": message["reasoning"],
        "images": [
            {"type": "image_url", "image_url": {"url": message["images"][0]["image_url"]["url"]}}
        ],
    }


def test_audio_reply_round_trips_by_id() -> None:
    assert replay("audio_reply") == {
        "role": "assistant",
        "content": None,
        "audio": {"id": "audio_686b"},
    }


def test_empty_user_message_is_sent_not_dropped() -> None:
    messages = body_of(ask(Message(role="user", parts=[])))["messages"]
    assert messages == [{"role": "user", "content": ""}]


def test_media_part_before_its_linking_text_is_not_duplicated() -> None:
    url = "https://x.test/cat.png"
    assistant = Message(
        role="assistant", parts=[ImagePart(url=url), TextPart(text=f"![cat]({url})")]
    )
    messages = body_of(ask(Message.of("user", "draw"), assistant, Message.of("user", "again")))[
        "messages"
    ]
    assert messages[1] == {"role": "assistant", "content": f"![cat]({url})"}

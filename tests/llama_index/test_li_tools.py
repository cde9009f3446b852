"""Tool calling: single, parallel, streamed, relay quirks, and the FunctionCallingLLM hooks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    MessageRole,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool

from llama_index_wenwen import Wenwen

MAGIC_QUESTION = "What is the value of magic_function(3)? Use the tool."
BOTH_QUESTION = "Call magic_function with 3 and get_weather for 'Paris'."


def magic_function(input: int) -> int:
    """Applies a magic function to an input."""
    return input + 2


def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"It is sunny in {city}."


TOOLS = [FunctionTool.from_defaults(fn=magic_function), FunctionTool.from_defaults(fn=get_weather)]


def calls(llm: Wenwen, response: ChatResponse) -> list[tuple[str, dict[str, Any]]]:
    selections = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    return [(s.tool_name, s.tool_kwargs) for s in selections]


def test_single_tool_call(
    llm: Wenwen, caller: Any, chat_bodies: Any, sent_tool_choice: Any
) -> None:
    response = caller.chat_with_tools(llm, TOOLS, user_msg=MAGIC_QUESTION)
    assert calls(llm, response) == [("magic_function", {"input": 3})]
    block = next(b for b in response.message.blocks if isinstance(b, ToolCallBlock))
    assert block.tool_kwargs == {"input": 3}
    legacy = response.message.additional_kwargs["tool_calls"]
    assert legacy[0]["id"] == block.tool_call_id
    assert json.loads(legacy[0]["function"]["arguments"]) == {"input": 3}
    assert sent_tool_choice(chat_bodies()[-1]) == "auto"


def test_tools_on_the_openai_wire(openai_llm: Wenwen, chat_bodies: Any) -> None:
    openai_llm.chat_with_tools(TOOLS, user_msg=MAGIC_QUESTION)
    body = chat_bodies()[-1]
    assert body["tool_choice"] == "auto"
    assert body["parallel_tool_calls"] is False
    assert [t["function"]["name"] for t in body["tools"]] == ["magic_function", "get_weather"]
    assert body["tools"][0]["function"]["parameters"]["required"] == ["input"]
    openai_llm.chat_with_tools(TOOLS, user_msg=BOTH_QUESTION, allow_parallel_tool_calls=True)
    assert "parallel_tool_calls" not in chat_bodies()[-1]  # the default, so not sent


def test_parallel_tool_calls(llm: Wenwen, caller: Any) -> None:
    response = caller.chat_with_tools(
        llm, TOOLS, user_msg=BOTH_QUESTION, allow_parallel_tool_calls=True
    )
    assert calls(llm, response) == [
        ("magic_function", {"input": 3}),
        ("get_weather", {"city": "Paris"}),
    ]


def test_only_the_first_call_is_kept_when_parallel_is_off(llm: Wenwen) -> None:
    response = llm.chat(
        [ChatMessage(role=MessageRole.USER, content=BOTH_QUESTION)],
        tools=TOOLS,
    )
    assert len(calls(llm, response)) == 2
    kept = llm._validate_chat_with_tools_response(response, TOOLS, allow_parallel_tool_calls=False)
    assert calls(llm, kept) == [("magic_function", {"input": 3})]
    assert len(kept.message.additional_kwargs["tool_calls"]) == 1


def test_streamed_tool_calls(llm: Wenwen, caller: Any) -> None:
    chunks = caller.stream_chat_with_tools(
        llm, TOOLS, user_msg=BOTH_QUESTION, allow_parallel_tool_calls=True
    )
    # Every chunk can be read while arguments are still partial (FunctionAgent does this).
    for chunk in chunks:
        for name, kwargs in calls(llm, chunk):
            assert name in ("magic_function", "get_weather")
            assert isinstance(kwargs, dict)
    assert calls(llm, chunks[-1]) == [
        ("magic_function", {"input": 3}),
        ("get_weather", {"city": "Paris"}),
    ]
    assert chunks[-1].raw["finish_reason"] == "tool_calls"


@pytest.mark.parametrize(
    "quirk", ["no_tool_index", "multi_tool_chunk", "repeat_tool_id", "cumulative_usage"]
)
def test_streamed_tool_calls_survive_relay_quirks(
    make_llm: Callable[..., Wenwen], caller: Any, quirk: str
) -> None:
    llm = make_llm(default_headers={"x-emulator-quirks": quirk})
    chunks = caller.stream_chat_with_tools(
        llm, TOOLS, user_msg=BOTH_QUESTION, allow_parallel_tool_calls=True
    )
    final = chunks[-1]
    assert calls(llm, final) == [
        ("magic_function", {"input": 3}),
        ("get_weather", {"city": "Paris"}),
    ]
    ids = [b.tool_call_id for b in final.message.blocks if isinstance(b, ToolCallBlock)]
    assert len(set(ids)) == 2 and all(i and i.startswith("call_") and len(i) < 40 for i in ids)
    assert final.raw["usage"]["completion_tokens"] > 0


def test_tool_required_forces_a_call(
    llm: Wenwen, caller: Any, chat_bodies: Any, sent_tool_choice: Any
) -> None:
    response = caller.chat_with_tools(llm, TOOLS, user_msg="Tell me something.", tool_required=True)
    assert sent_tool_choice(chat_bodies()[-1]) == "required"
    assert calls(llm, response)


def test_tool_choice_by_name(llm: Wenwen, chat_bodies: Any, sent_tool_choice: Any) -> None:
    response = llm.chat_with_tools(TOOLS, user_msg="Tell me something.", tool_choice="get_weather")
    assert sent_tool_choice(chat_bodies()[-1]) == {
        "type": "function",
        "function": {"name": "get_weather"},
    }
    assert [name for name, _ in calls(llm, response)] == ["get_weather"]


def test_tool_required_is_a_named_parameter() -> None:
    from llama_index.core.llms.function_calling import _supports_tool_required

    assert _supports_tool_required(Wenwen, True)


def test_prepare_does_not_touch_the_history(openai_llm: Wenwen) -> None:
    history = [ChatMessage(role=MessageRole.USER, content="Hi")]
    kwargs = openai_llm._prepare_chat_with_tools(TOOLS, user_msg="More", chat_history=history)
    assert len(history) == 1
    assert [m.content for m in kwargs["messages"]] == ["Hi", "More"]


def test_no_tool_call_raises_only_when_asked(openai_llm: Wenwen) -> None:
    llm = openai_llm

    response = llm.chat([ChatMessage(role=MessageRole.USER, content="Hello")])
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="tool call"):
        llm.get_tool_calls_from_response(response)


def test_tool_result_round_trip(llm: Wenwen, caller: Any) -> None:
    first = caller.chat_with_tools(llm, TOOLS, user_msg=MAGIC_QUESTION)
    selection = llm.get_tool_calls_from_response(first)[0]
    output = magic_function(**selection.tool_kwargs)
    history = [
        ChatMessage(role=MessageRole.USER, content=MAGIC_QUESTION),
        first.message,
        ChatMessage(
            role=MessageRole.TOOL,
            content=str(output),
            additional_kwargs={"tool_call_id": selection.tool_id, "name": "magic_function"},
        ),
    ]
    second = caller.chat_with_tools(llm, TOOLS, chat_history=history)
    assert second.message.content == "The result of magic_function is 5."


def test_tool_results_on_the_openai_wire(openai_llm: Wenwen, chat_bodies: Any) -> None:
    first = openai_llm.chat_with_tools(TOOLS, user_msg=MAGIC_QUESTION)
    call_id = openai_llm.get_tool_calls_from_response(first)[0].tool_id
    history = [
        ChatMessage(role=MessageRole.USER, content=MAGIC_QUESTION),
        first.message,
        ChatMessage(
            role=MessageRole.TOOL, content="5", additional_kwargs={"tool_call_id": call_id}
        ),
    ]
    openai_llm.chat_with_tools(TOOLS, chat_history=history)
    sent = chat_bodies()[-1]["messages"]
    assert len(sent[1]["tool_calls"]) == 1  # blocks and additional_kwargs not doubled
    assert sent[2] == {"role": "tool", "tool_call_id": call_id, "content": "5"}


def test_predict_and_call_runs_the_tool(llm: Wenwen) -> None:
    result = llm.predict_and_call(TOOLS, user_msg=MAGIC_QUESTION)
    assert result.response == "5"


def test_malformed_and_partial_arguments_never_crash(openai_llm: Wenwen) -> None:
    llm = openai_llm

    def response(arguments: str, raw: Any) -> ChatResponse:
        block = ToolCallBlock(tool_call_id="c1", tool_name="magic_function", tool_kwargs=arguments)
        return ChatResponse(
            message=ChatMessage(role=MessageRole.ASSISTANT, blocks=[block]), raw=raw
        )

    assert calls(llm, response('{"input": 4', None)) == [("magic_function", {"input": 4})]
    assert calls(llm, response("not json at all", {})) == [("magic_function", {})]
    assert calls(llm, response("[1, 2]", {})) == [("magic_function", {})]


def test_legacy_additional_kwargs_tool_calls_are_read(openai_llm: Wenwen) -> None:
    llm = openai_llm

    message = ChatMessage(
        role=MessageRole.ASSISTANT,
        content="",
        additional_kwargs={
            "tool_calls": [
                {
                    "id": "call_x",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'},
                }
            ]
        },
    )
    selections = llm.get_tool_calls_from_response(ChatResponse(message=message, raw={}))
    assert [(s.tool_id, s.tool_name, s.tool_kwargs) for s in selections] == [
        ("call_x", "get_weather", {"city": "Rome"})
    ]

"""The core client over the Responses protocol against the emulator, sync and async."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests._spec import validate_responses_request
from wenwen import errors
from wenwen.types import (
    ChatRequest,
    ChatResponse,
    JsonSchemaFormat,
    Message,
    ServerToolCallPart,
    TextPart,
    ThinkingPart,
    Tool,
    ToolResultPart,
)

WEATHER = Tool(
    name="get_weather",
    description="Weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
_ITEM_ID = re.compile(r"\b(resp|rs|msg|ws|fc)_[0-9a-f]{8,}")


@pytest.fixture(autouse=True)
def _every_request_matches_the_spec(emu: Any) -> Any:
    """Every request body this module's tests send is a valid ``CreateResponse``."""
    yield
    for recorded in emu.requests:
        if recorded.path == "/v1/responses":
            validate_responses_request(recorded.json)


def ask(text: str, model: str = "gpt-5", **kwargs: Any) -> ChatRequest:
    return ChatRequest(model=model, messages=[Message.of("user", text)], **kwargs)


def comparable(reply: ChatResponse) -> str:
    """A reply without the wire body and with the per-request ids blanked."""
    return _ITEM_ID.sub(r"\1_X", reply.model_dump_json(exclude={"raw"}))


@pytest.mark.parametrize(
    "request_",
    [
        ask("The sky is blue. What colour is the sky?", model="gpt-4o"),
        ask("What is the weather in Paris?", tools=[WEATHER]),
        ask("Latest Python news?", server_tools=[{"type": "web_search_preview"}]),
        ask("Why is the sky blue?", reasoning_summary="auto", store=False),
        ask(
            "It is 21 degrees in 'Paris'.",
            response_format=JsonSchemaFormat(
                name="w", schema={"type": "object", "properties": {"city": {"type": "string"}}}
            ),
        ),
    ],
    ids=["text", "tool", "web_search", "reasoning", "json_schema"],
)
def test_stream_and_json_agree(client: Any, request_: ChatRequest) -> None:
    parsed = client.chat(request_, protocol="responses")
    _, streamed = client.stream(request_, protocol="responses")
    assert comparable(streamed) == comparable(parsed)
    assert parsed.protocol == "responses" and parsed.id and parsed.id.startswith("resp_")


def test_reasoning_replayed_across_a_tool_call(client: Any, emu: Any) -> None:
    first = ask(
        "What is the weather in Paris?", tools=[WEATHER], store=False, reasoning_summary="auto"
    )
    reply = client.chat(first, protocol="responses")
    thinking = reply.thinking[0]
    assert thinking.text and thinking.signature and thinking.provider_data["id"].startswith("rs_")
    assert reply.finish_reason == "tool_calls"
    result = ToolResultPart(tool_call_id=reply.tool_calls[0].id, content=[TextPart(text="sunny")])
    second = first.model_copy(
        update={
            "messages": [*first.messages, reply.message(), Message(role="tool", parts=[result])]
        }
    )
    answer = client.chat(second, protocol="responses")
    assert "sunny" in answer.text
    sent = emu.requests[-1].json
    assert sent["include"] == ["reasoning.encrypted_content"]
    replayed = [item for item in sent["input"] if item.get("type") == "reasoning"]
    assert replayed[0]["encrypted_content"] == thinking.signature
    tampered = reply.message()
    tampered.parts[0] = ThinkingPart(
        text="x", signature="forged.sig", provider_data=thinking.provider_data
    )
    broken = second.model_copy(
        update={"messages": [first.messages[0], tampered, second.messages[-1]]}
    )
    with pytest.raises(errors.BadRequestError, match="could not be verified"):
        client.chat(broken, protocol="responses")


def test_previous_response_id_continues_a_stored_conversation(client: Any) -> None:
    first = client.chat(ask("My cat is called Miso.", model="gpt-4o"), protocol="responses")
    follow = ask("What is my cat called?", model="gpt-4o", previous_response_id=first.id)
    reply = client.chat(follow, protocol="responses")
    assert "Miso" in reply.text
    assert reply.usage is not None and reply.usage.cache_read_tokens > 0
    with pytest.raises(errors.NotFoundError, match="not found"):
        client.chat(ask("hi", previous_response_id="resp_missing"), protocol="responses")


def test_web_search_keeps_the_call_and_citations(client: Any) -> None:
    reply = client.chat(
        ask("Latest Python news?", model="gpt-4o", server_tools=[{"type": "web_search_preview"}]),
        protocol="responses",
    )
    server, text = reply.parts
    assert isinstance(server, ServerToolCallPart) and server.name == "web_search"
    assert isinstance(text, TextPart) and len(text.citations) == 2
    for citation in text.citations:
        assert citation.url.startswith("https://example.com/")
        assert citation.url in text.text[citation.start_index : citation.end_index]
    assert reply.tool_calls == []  # a provider-run tool is not the caller's to run


def test_max_output_tokens_finishes_with_length(client: Any) -> None:
    words = " ".join(f"word{i}" for i in range(40))
    request = ask(
        f"The sky is blue because of {words}. Why is the sky blue?", model="gpt-4o", max_tokens=16
    )
    reply = client.chat(request, protocol="responses")
    assert reply.finish_reason == "length" and reply.stop_reason_raw == "max_output_tokens"
    _, streamed = client.stream(request, protocol="responses")
    assert streamed.finish_reason == "length"


@pytest.mark.parametrize("fault", ["truncate:4", "midstream_close:4", "error_event:4"])
def test_broken_streams_raise_with_the_partial(client: Any, fault: str) -> None:
    request = ask(
        "The sky is blue. What colour is the sky?",
        model="gpt-4o",
        extra_headers={"x-emulator-fault": fault},
    )
    with pytest.raises(errors.StreamError) as caught:
        client.stream(request, protocol="responses")
    assert caught.value.partial is not None


def test_relay_done_line_is_tolerated(client: Any) -> None:
    request = ask("hi", model="gpt-4o", extra_headers={"x-emulator-quirks": "responses_done"})
    _, reply = client.stream(request, protocol="responses")
    assert reply.finish_reason == "stop"


def test_auto_sends_responses_only_models_there(client: Any, emu: Any) -> None:
    from wenwen.protocols import choose_protocol

    protocol = choose_protocol("o3-pro")
    reply = client.chat(ask("hi", model="o3-pro"), protocol=protocol)
    assert emu.requests[-1].path == "/v1/responses" and reply.protocol == "responses"

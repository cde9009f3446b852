"""``ChatWenwen(protocol="responses")`` against the emulator: reasoning replayed across a
tool call, web search with citation annotations, ``use_previous_response_id``, structured
output and the ChatOpenAI-named options."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_wenwen import ChatWenwen
from tests._spec import validate_responses_request
from wenwen.errors import UnsupportedFeatureError
from wenwen_emulator import Emulator

SEARCH = {"type": "web_search_preview"}


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


def responses(emu: Emulator, model: str = "gpt-5", **params: Any) -> ChatWenwen:
    return ChatWenwen(
        model=model, protocol="responses", base_url=emu.base_url, api_key=emu.api_key, **params
    )


def run(model: Any, prompt: Any, streamed: bool) -> AIMessage:
    if not streamed:
        result = model.invoke(prompt)
        assert isinstance(result, AIMessage)
        return result
    full: AIMessageChunk | None = None
    for chunk in model.stream(prompt):
        full = chunk if full is None else full + chunk
    assert full is not None
    return full


@pytest.fixture(autouse=True)
def _every_request_matches_the_spec(emu: Emulator) -> Any:
    """Every request body these tests send is a valid ``CreateResponse``."""
    yield
    for recorded in emu.requests:
        if recorded.path == "/v1/responses":
            validate_responses_request(recorded.json)


def sent(emu: Emulator) -> dict[str, Any]:
    body = [r for r in emu.requests if r.path == "/v1/responses"][-1].json
    assert isinstance(body, dict)
    return body


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_encrypted_reasoning_is_replayed_across_a_tool_call(
    emu: Emulator, streamed: bool, output_version: str
) -> None:
    chat = responses(
        emu,
        reasoning={"effort": "low", "summary": "auto"},
        store=False,
        output_version=output_version,
    ).bind_tools([get_weather])
    question = HumanMessage("What is the weather in Paris?")
    first = run(chat, [question], streamed)
    reasoning = [b for b in first.content_blocks if b["type"] == "reasoning"]
    assert reasoning[0]["reasoning"].startswith("The user asks")  # type: ignore[typeddict-item]
    assert first.tool_calls[0]["name"] == "get_weather"
    body = sent(emu)
    assert body["reasoning"] == {"effort": "low", "summary": "auto"}
    assert body["include"] == ["reasoning.encrypted_content"] and body["store"] is False
    call_id = first.tool_calls[0]["id"]
    answer = run(chat, [question, first, ToolMessage("sunny", tool_call_id=call_id)], streamed)
    assert "sunny" in answer.text
    replayed = [item for item in sent(emu)["input"] if item.get("type") == "reasoning"]
    assert replayed and replayed[0]["encrypted_content"]
    assert replayed[0]["id"] == reasoning[0].get("id")


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_web_search_citations_are_standard_annotations(
    emu: Emulator, streamed: bool, output_version: str
) -> None:
    chat = responses(emu, model="gpt-4o", output_version=output_version).bind_tools([SEARCH])
    reply = run(chat, "Latest Python news?", streamed)
    kinds = [b["type"] for b in reply.content_blocks]
    assert kinds == ["server_tool_call", "text"]
    text = reply.content_blocks[1]
    annotations = text["annotations"]  # type: ignore[typeddict-item]
    assert [a["type"] for a in annotations] == ["citation", "citation"]
    for annotation in annotations:
        assert annotation["url"].startswith("https://example.com/")
        span = text["text"][annotation["start_index"] : annotation["end_index"]]  # type: ignore[typeddict-item]
        assert span == annotation["cited_text"] and annotation["url"] in span
    assert reply.tool_calls == []  # the relay ran the search; nothing for the caller to run
    assert sent(emu)["tools"] == [SEARCH]


def test_web_search_reply_goes_back_into_the_history(emu: Emulator) -> None:
    chat = responses(emu, model="gpt-4o").bind_tools([SEARCH])
    first = chat.invoke("Latest Python news?")
    assert isinstance(first.content, list)  # v0: blocks, since citations need them
    follow = chat.invoke([HumanMessage("Latest Python news?"), first, HumanMessage("Thanks!")])
    assert follow.text
    kinds = [item.get("type") for item in sent(emu)["input"]]
    assert "web_search_call" in kinds


def test_builtin_tools_need_the_responses_protocol(emu: Emulator) -> None:
    chat = ChatWenwen(model="gpt-4o", base_url=emu.base_url, api_key=emu.api_key)
    with pytest.raises(UnsupportedFeatureError, match="protocol='responses'"):
        chat.bind_tools([SEARCH])
    forced = responses(emu, model="gpt-4o").bind_tools([SEARCH], tool_choice="web_search_preview")
    forced.invoke("Python?")
    assert sent(emu)["tool_choice"] == {"type": "web_search_preview"}


def test_use_previous_response_id_sends_only_new_messages(emu: Emulator) -> None:
    chat = responses(emu, model="gpt-4o", use_previous_response_id=True)
    history: list[Any] = [HumanMessage("My cat is called Miso.")]
    first = chat.invoke(history)
    history += [first, HumanMessage("What is my cat called?")]
    second = chat.invoke(history)
    body = sent(emu)
    assert body["previous_response_id"] == first.response_metadata["id"]
    assert body["input"] == [{"role": "user", "content": "What is my cat called?"}]
    assert "Miso" in second.text
    assert second.usage_metadata and second.usage_metadata["input_token_details"]["cache_read"]


class Weather(BaseModel):
    city: str
    temperature: int


class Place(BaseModel):
    city: str
    temperature: str


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_structured_output_in_all_three_methods(emu: Emulator, method: str) -> None:
    # json_mode sends no schema: the prompt names the keys, and the emulator's values are
    # strings, so that method gets a string-only model.
    schema = Place if method == "json_mode" else Weather
    chat = responses(emu, model="gpt-4o").with_structured_output(schema, method=method)
    prompt = "It is 21 degrees in 'Paris'. Give the weather with keys city and temperature."
    result = chat.invoke(prompt)
    assert isinstance(result, schema) and result.city == "Paris"
    body = sent(emu)
    if method == "json_schema":
        assert body["text"]["format"]["type"] == "json_schema"
    elif method == "json_mode":
        assert body["text"]["format"] == {"type": "json_object"}
    else:
        assert body["tool_choice"] == {"type": "function", "name": "Weather"}


def test_truncation_and_usage(emu: Emulator) -> None:
    words = " ".join(f"word{i}" for i in range(40))
    reply = responses(emu, model="gpt-4o", max_tokens=16).invoke(
        f"The sky is blue because of {words}. Why is the sky blue?"
    )
    assert reply.response_metadata["finish_reason"] == "length"
    assert sent(emu)["max_output_tokens"] == 16
    reasoning = responses(emu).invoke("Why is the sky blue?")
    assert (
        reasoning.usage_metadata and reasoning.usage_metadata["output_token_details"]["reasoning"]
    )

"""The official openai SDK against the emulator's ``/v1/responses``: every reply and every
stream event validated by the SDK's pydantic models (strict) and the spec's schemas."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from tests._spec import validate_openai

openai = pytest.importorskip("openai")
from openai.types.responses import Response, ResponseStreamEvent  # noqa: E402

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the weather at a location.",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
        "additionalProperties": False,
    },
    "strict": True,
}
_EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)


def check_response(raw: dict[str, Any]) -> Response:
    validate_openai("Response", raw)
    return Response.model_validate(raw, strict=True)


def raw_create(oai: Any, **kwargs: Any) -> dict[str, Any]:
    validate_openai("CreateResponse", kwargs)
    reply = oai.responses.with_raw_response.create(**kwargs)
    body: dict[str, Any] = json.loads(reply.http_response.text)
    check_response(body)
    return body


def sse_events(http: Any, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The raw events of a stream, each validated (SDK strict + spec)."""
    response = http.post("/v1/responses", json={**body, "stream": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = []
    for block in response.text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        data = json.loads(lines["data"])
        assert lines["event"] == data["type"]
        validate_openai("ResponseStreamEvent", data)
        _EVENTS.validate_python(data, strict=True)
        events.append(data)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    return events


def test_create_text(oai: Any) -> None:
    body = raw_create(oai, model="gpt-4o", input="The sky is blue. What colour is the sky?")
    assert body["status"] == "completed"
    reply = oai.responses.create(model="gpt-4o", input="The sky is blue. What colour is the sky?")
    assert reply.output_text == "The sky is blue."
    assert reply.usage is not None and reply.usage.input_tokens > 0


def test_reasoning_summary_and_encrypted_content(oai: Any) -> None:
    body = raw_create(
        oai,
        model="gpt-5",
        input="Why is the sky blue?",
        reasoning={"effort": "low", "summary": "auto"},
        include=["reasoning.encrypted_content"],
        store=False,
    )
    reasoning = body["output"][0]
    assert reasoning["type"] == "reasoning"
    assert reasoning["summary"][0]["text"]
    assert reasoning["encrypted_content"]
    assert body["usage"]["output_tokens_details"]["reasoning_tokens"] > 0


def test_tampered_reasoning_is_rejected(oai: Any) -> None:
    first = raw_create(
        oai,
        model="o3",
        input="What is the weather in Paris?",
        tools=[WEATHER],
        include=["reasoning.encrypted_content"],
        store=False,
    )
    reasoning, call = first["output"][0], first["output"][-1]
    assert call["type"] == "function_call"
    result = {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"}
    history = [
        {"role": "user", "content": "What is the weather in Paris?"},
        reasoning,
        call,
        result,
    ]
    ok = raw_create(oai, model="o3", input=history, tools=[WEATHER], store=False)
    assert "sunny" in ok["output"][-1]["content"][0]["text"]
    tampered = {**reasoning, "encrypted_content": reasoning["encrypted_content"][:-4] + "0000"}
    with pytest.raises(openai.BadRequestError) as caught:
        oai.responses.create(model="o3", input=[history[0], tampered, call, result], store=False)
    assert caught.value.status_code == 400
    assert "could not be verified" in caught.value.body["message"]


def test_web_search_cites_example_com(oai: Any) -> None:
    body = raw_create(
        oai,
        model="gpt-4o",
        input="Latest news about Python?",
        tools=[{"type": "web_search_preview"}],
    )
    kinds = [item["type"] for item in body["output"]]
    assert kinds == ["web_search_call", "message"]
    content = body["output"][1]["content"][0]
    assert content["annotations"]
    for annotation in content["annotations"]:
        assert annotation["type"] == "url_citation"
        assert annotation["url"].startswith("https://example.com/")
        cited = content["text"][annotation["start_index"] : annotation["end_index"]]
        assert annotation["url"] in cited and annotation["title"] in cited


def test_function_call_and_tool_choice(oai: Any) -> None:
    body = raw_create(
        oai,
        model="gpt-4o",
        input="Hello",
        tools=[WEATHER],
        tool_choice={"type": "function", "name": "get_weather"},
    )
    call = body["output"][-1]
    assert call["type"] == "function_call" and call["name"] == "get_weather"
    assert json.loads(call["arguments"]).keys() == {"location"}


def test_max_output_tokens_gives_incomplete(oai: Any) -> None:
    words = " ".join(f"word{i}" for i in range(40))
    text = f"The sky is blue because of {words}. Why is the sky blue?"
    body = raw_create(oai, model="gpt-4o", input=text, max_output_tokens=16)
    assert body["status"] == "incomplete"
    assert body["incomplete_details"] == {"reason": "max_output_tokens"}
    assert body["usage"]["output_tokens"] <= 16


class Weather(BaseModel):
    city: str
    temperature: int


def test_parse_with_text_format(oai: Any) -> None:
    parsed = oai.responses.parse(
        model="gpt-4o", input="It is 21 degrees in 'Paris'.", text_format=Weather
    )
    assert isinstance(parsed.output_parsed, Weather)
    assert parsed.output_parsed.city == "Paris"


def test_store_retrieve_delete_and_previous_response(oai: Any) -> None:
    first = oai.responses.create(model="gpt-4o", input="My cat is called Miso.")
    again = oai.responses.retrieve(first.id)
    assert again.model_dump() == first.model_dump()
    second = raw_create(
        oai, model="gpt-4o", input="What is my cat called?", previous_response_id=first.id
    )
    assert "Miso" in second["output"][-1]["content"][0]["text"]
    assert second["usage"]["input_tokens_details"]["cached_tokens"] > 0
    oai.responses.delete(first.id)
    with pytest.raises(openai.NotFoundError):
        oai.responses.retrieve(first.id)
    with pytest.raises(openai.NotFoundError) as caught:
        oai.responses.create(model="gpt-4o", input="hi", previous_response_id=first.id)
    assert caught.value.body["code"] == "previous_response_not_found"  # type: ignore[index]


def test_store_false_is_not_retrievable(oai: Any) -> None:
    reply = oai.responses.create(model="gpt-4o", input="hi", store=False)
    with pytest.raises(openai.NotFoundError):
        oai.responses.retrieve(reply.id)


@pytest.mark.parametrize(
    "request_body",
    [
        {"model": "gpt-4o", "input": "The sky is blue. What colour is the sky?"},
        {"model": "gpt-4o", "input": "What is the weather in Paris?", "tools": [WEATHER]},
        {"model": "gpt-4o", "input": "Latest Python news?", "tools": [{"type": "web_search"}]},
        {
            "model": "gpt-5",
            "input": "Why is the sky blue?",
            "reasoning": {"summary": "detailed"},
            "include": ["reasoning.encrypted_content"],
        },
    ],
    ids=["text", "tool", "web_search", "reasoning"],
)
def test_sdk_stream_accumulates_to_the_json_reply(oai: Any, http: Any, request_body: Any) -> None:
    """The SDK's own accumulator over the stream gives the reply the JSON route gives."""
    events = sse_events(http, request_body)
    assert events[-1]["type"] == "response.completed"
    with oai.responses.stream(**request_body) as stream:
        streamed = stream.get_final_response()
    plain = oai.responses.create(**request_body)
    assert _without_ids(streamed.model_dump()) == _without_ids(plain.model_dump())
    validate_openai("Response", events[-1]["response"])


def _without_ids(value: Any) -> Any:
    """Ids and timestamps differ between two requests, and the stream helper adds its
    ``parsed`` fields (``None`` here); everything else must agree."""
    skipped = ("id", "created_at", "parsed", "parsed_arguments")
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in skipped}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def test_stream_faults_apply(http: Any) -> None:
    response = http.post(
        "/v1/responses",
        json={"model": "gpt-4o", "input": "hi", "stream": True},
        headers={"x-emulator-fault": "error_event:3"},
    )
    blocks = response.text.strip().split("\n\n")
    assert len(blocks) == 4
    assert blocks[-1].startswith("event: error")
    validate_openai("ResponseStreamEvent", json.loads(blocks[-1].split("data: ", 1)[1]))


def test_relay_done_quirk(http: Any) -> None:
    response = http.post(
        "/v1/responses",
        json={"model": "gpt-4o", "input": "hi", "stream": True},
        headers={"x-emulator-quirks": "responses_done"},
    )
    assert response.text.rstrip().endswith("data: [DONE]")

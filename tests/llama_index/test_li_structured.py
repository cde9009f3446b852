"""Structured output: native JSON-schema mode by default, the core's programs otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import PydanticProgramMode
from pydantic import BaseModel, Field

from llama_index_wenwen import Wenwen
from wenwen import errors

PROMPT = PromptTemplate(
    "Paris is the capital of France and has 2100000 inhabitants. Describe the city {city}."
)


class City(BaseModel):
    """A city and its country."""

    name: str
    country: str
    population: int = Field(description="Number of inhabitants")


def test_structured_predict(llm: Wenwen, caller: Any) -> None:
    city = caller.structured_predict(llm, City, PROMPT, city="Paris")
    assert isinstance(city, City)
    assert city.population == 2100000


def test_structured_predict_uses_json_schema_on_openai(
    openai_llm: Wenwen, caller: Any, chat_bodies: Any
) -> None:
    assert isinstance(caller.structured_predict(openai_llm, City, PROMPT, city="Paris"), City)
    body = chat_bodies()[-1]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "City"
    assert body["response_format"]["json_schema"]["schema"]["required"] == [
        "name",
        "country",
        "population",
    ]
    assert "tools" not in body and "tool_choice" not in body


def test_stream_structured_predict_grows_to_the_full_object(llm: Wenwen, caller: Any) -> None:
    objects = caller.stream_structured_predict(llm, City, PROMPT, city="Paris")
    assert len(objects) > 2
    assert isinstance(objects[-1], City) and objects[-1].population == 2100000
    filled = [len(o.model_dump(exclude_none=True)) for o in objects]
    assert filled == sorted(filled)  # partial objects never lose fields


def test_as_structured_llm(llm: Wenwen) -> None:
    structured = llm.as_structured_llm(City)
    response = structured.chat(
        [ChatMessage(role=MessageRole.USER, content="Paris is in France. Describe Paris.")]
    )
    assert isinstance(response.raw, City)
    assert City.model_validate_json(response.message.content or "") == response.raw


def test_function_mode_falls_back_to_a_forced_tool(
    make_llm: Callable[..., Wenwen], caller: Any, chat_bodies: Any
) -> None:
    llm = make_llm(pydantic_program_mode=PydanticProgramMode.FUNCTION)
    city = caller.structured_predict(llm, City, PROMPT, city="Paris")
    assert isinstance(city, City)
    body = chat_bodies()[-1]
    assert body["tool_choice"] == "required"
    assert "response_format" not in body


def test_function_mode_streams_through_additional_kwargs_tool_calls(
    make_llm: Callable[..., Wenwen],
) -> None:
    llm = make_llm(pydantic_program_mode=PydanticProgramMode.FUNCTION)
    objects = list(llm.stream_structured_predict(City, PROMPT, city="Paris"))
    assert isinstance(objects[-1], City) and objects[-1].population == 2100000


def _reply_with_text(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Sure! Here you go."},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
        },
    )


def test_a_reply_that_does_not_fit_is_a_clear_error(caller: Any) -> None:
    transport = httpx.MockTransport(_reply_with_text)
    llm = Wenwen(
        api_key="sk-test",
        base_url="http://127.0.0.1:9",
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
    )
    with pytest.raises(errors.ProtocolError, match=r"(?s)not a valid City.*Sure! Here you go"):
        caller.structured_predict(llm, City, PROMPT, city="Paris")


def test_response_format_in_openai_shape_is_accepted(openai_llm: Wenwen, chat_bodies: Any) -> None:
    llm = openai_llm
    fmt = {
        "type": "json_schema",
        "json_schema": {"name": "City", "schema": City.model_json_schema()},
    }
    response = llm.chat(
        [ChatMessage(role=MessageRole.USER, content="Paris is in France.")], response_format=fmt
    )
    assert City.model_validate_json(response.message.content or "")
    assert chat_bodies()[-1]["response_format"]["json_schema"]["name"] == "City"

"""LlamaIndex's own LLM classes (llama-index-llms-openai, -anthropic, -google-genai) against
the emulator: chat, stream, a tool call round trip and structured predict on each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from compat_common import (
    ALICE,
    CLAUDE_MODEL,
    GEMINI_MODEL,
    OPENAI_MODEL,
    PERSON_PROMPT,
    WEATHER_PROMPT,
    Person,
    get_weather,
)
from google.genai import types as gtypes
from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from llama_index.llms.anthropic import Anthropic
from llama_index.llms.google_genai import GoogleGenAI
from llama_index.llms.openai import OpenAI

from wenwen_emulator.pytest_plugin import EmulatorHandle


def _openai(emu: EmulatorHandle) -> Any:
    return OpenAI(model=OPENAI_MODEL, api_base=emu.base_url + "/v1", api_key=emu.api_key)


def _anthropic(emu: EmulatorHandle) -> Any:
    return Anthropic(model=CLAUDE_MODEL, base_url=emu.base_url, api_key=emu.api_key)


def _gemini(emu: EmulatorHandle) -> Any:
    return GoogleGenAI(
        model=GEMINI_MODEL,
        api_key=emu.api_key,
        http_options=gtypes.HttpOptions(base_url=emu.base_url),
        max_retries=0,
    )


MAKERS: dict[str, Callable[[EmulatorHandle], Any]] = {
    "openai": _openai,
    "anthropic": _anthropic,
    "gemini": _gemini,
}


@pytest.fixture(params=sorted(MAKERS))
def llm(request: pytest.FixtureRequest, wenwen_emulator: EmulatorHandle) -> Any:
    return MAKERS[request.param](wenwen_emulator)


def test_chat_and_stream(llm: Any, wenwen_emulator: EmulatorHandle) -> None:
    wenwen_emulator.script("Hello from the script.", "Streamed reply.")
    hello = [ChatMessage(role=MessageRole.USER, content="Hi")]
    assert llm.chat(hello).message.content == "Hello from the script."
    *_, last = llm.stream_chat(hello)
    assert last.message.content == "Streamed reply."
    assert wenwen_emulator.requests.last.stream


def test_tool_call_round_trip(llm: Any, wenwen_emulator: EmulatorHandle) -> None:
    tool = FunctionTool.from_defaults(fn=get_weather)
    reply = llm.chat_with_tools([tool], user_msg=WEATHER_PROMPT)
    [selection] = llm.get_tool_calls_from_response(reply, error_on_no_tool_call=True)
    assert (selection.tool_name, selection.tool_kwargs) == ("get_weather", {"city": "Paris"})
    output = tool(**selection.tool_kwargs)
    history = [ChatMessage(role=MessageRole.USER, content=WEATHER_PROMPT), reply.message]
    history.append(
        ChatMessage(
            role=MessageRole.TOOL,
            content=str(output),
            additional_kwargs={"tool_call_id": selection.tool_id, "name": "get_weather"},
        )
    )
    answer = llm.chat_with_tools([tool], chat_history=history)
    assert answer.message.content == "The result of get_weather is It is sunny in Paris."


def test_structured_predict(llm: Any) -> None:
    prompt = PromptTemplate("{text}")
    assert llm.structured_predict(Person, prompt, text=PERSON_PROMPT) == ALICE
    *_, last = llm.stream_structured_predict(Person, prompt, text=PERSON_PROMPT)
    assert last == ALICE

"""``with_structured_output(method="json_schema")`` on Claude: Anthropic's native structured
outputs (``output_config.format``), the forced tool as the fallback where the relay refuses
the field (remembered per model), and ``function_calling`` still a forced tool."""

from __future__ import annotations

import zlib
from typing import Any

import pytest
from pydantic import BaseModel

from langchain_wenwen import ChatWenwen
from wenwen_emulator import Emulator

PROMPT = 'Extract the person: "Alice Smith" is 30 years old.'


class Person(BaseModel):
    name: str
    age: int


def claude(emu: Emulator, model: str = "claude-sonnet-4-5-20250929") -> ChatWenwen:
    return ChatWenwen(model=model, base_url=emu.base_url, api_key=emu.api_key)


def messages_bodies(emu: Emulator) -> list[dict[str, Any]]:
    return [r.json for r in emu.requests if r.path == "/v1/messages"]


@pytest.mark.parametrize("stream", [False, True])
def test_json_schema_is_native_output_config(emu: Emulator, stream: bool) -> None:
    structured = claude(emu).with_structured_output(Person, method="json_schema")
    reply = list(structured.stream(PROMPT))[-1] if stream else structured.invoke(PROMPT)
    assert reply == Person(name="Alice Smith", age=30)
    [body] = messages_bodies(emu)
    assert body["output_config"]["format"]["schema"]["additionalProperties"] is False
    assert "tools" not in body and "tool_choice" not in body


def test_json_schema_falls_back_to_a_forced_tool_once(emu: Emulator, request: Any) -> None:
    model = f"claude-haiku-4-5-2098{zlib.crc32(request.node.nodeid.encode()) % 10000:04d}"
    emu.quirks.add("no_structured_outputs")
    structured = claude(emu, model).with_structured_output(Person, method="json_schema")
    assert structured.invoke(PROMPT) == Person(name="Alice Smith", age=30)
    refused, retried = messages_bodies(emu)
    assert "output_config" in refused
    assert "output_config" not in retried and retried["tool_choice"]["type"] == "tool"
    assert list(structured.stream(PROMPT))[-1] == Person(name="Alice Smith", age=30)
    assert len(messages_bodies(emu)) == 3  # remembered: no second refusal


def test_function_calling_stays_a_forced_tool(emu: Emulator) -> None:
    structured = claude(emu).with_structured_output(Person, method="function_calling")
    assert structured.invoke(PROMPT) == Person(name="Alice Smith", age=30)
    [body] = messages_bodies(emu)
    assert (body["tool_choice"]["type"], body["tool_choice"]["name"]) == ("tool", "Person")
    assert "output_config" not in body

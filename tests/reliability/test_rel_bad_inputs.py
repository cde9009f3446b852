"""A typed error for every bad input, naming the field and the problem, before any request
(or, for what only the relay can judge, the relay's 400 — which is not retried)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from llama_index.core.base.llms.types import ChatMessage

from langchain_wenwen import ChatWenwen
from llama_index_wenwen import Wenwen, WenwenEmbedding
from wenwen import BadRequestError, ConfigurationError, WenwenClient
from wenwen_emulator import Emulator


class Opaque:
    """A value JSON cannot carry."""


def _lc(emu: Emulator, **kwargs: Any) -> ChatWenwen:
    options = {"model": "gpt-4o-mini", "api_key": emu.api_key, "base_url": emu.base_url}
    return ChatWenwen(**{**options, **kwargs})


def _li(emu: Emulator, **kwargs: Any) -> Wenwen:
    return Wenwen(**{"api_key": emu.api_key, "base_url": emu.base_url, **kwargs})


def _tool_call_history() -> list[Any]:
    call = {"name": "lookup", "args": {"when": Opaque()}, "id": "call_1"}
    return [HumanMessage("hi"), AIMessage("", tool_calls=[call]), HumanMessage("and?")]


def _li_tool_call_history() -> list[ChatMessage]:
    call = {"id": "c1", "type": "function",
            "function": {"name": "lookup", "arguments": {"when": Opaque()}}}  # fmt: skip
    return [
        ChatMessage(role="user", content="hi"),
        ChatMessage(role="assistant", content="", additional_kwargs={"tool_calls": [call]}),
    ]


CASES: dict[str, tuple[Callable[[Emulator], Any], str]] = {
    "lc tool-call args": (lambda e: _lc(e).invoke(_tool_call_history()), r"lookup.*when"),
    "lc tool-call args, anthropic": (
        lambda e: _lc(e, model="claude-sonnet-4-20250514").invoke(_tool_call_history()),
        r"lookup.*when",
    ),
    "lc extra_body": (
        lambda e: _lc(e, extra_body={"meta": {"x": Opaque()}}).invoke("hi"),
        r"meta\.x",
    ),
    "lc call kwargs": (lambda e: _lc(e).invoke("hi", extra_body={"y": {1, 2}}), r"\by\b.*set"),
    "lc tool without name": (
        lambda e: _lc(e).bind_tools([{"description": "d", "parameters": {"type": "object"}}]),
        "tool",
    ),
    "lc tool with non-dict parameters": (
        lambda e: (
            _lc(e).bind_tools([{"name": "f", "description": "d", "parameters": 5}]).invoke("hi")
        ),
        "parameters",
    ),
    "lc base_url without host": (lambda e: _lc(e, base_url="http://:abc").invoke("hi"), "base_url"),
    "lc base_url with open bracket": (
        lambda e: _lc(e, base_url="http://[::1").invoke("hi"),
        "base_url",
    ),
    "lc timeout -1": (lambda e: _lc(e, timeout=-1).invoke("hi"), "timeout"),
    "lc timeout 0": (lambda e: _lc(e, timeout=0).invoke("hi"), "timeout"),
    "lc non-ascii key": (lambda e: _lc(e, api_key="sk-\u00e9").invoke("hi"), "non-ASCII"),
    "li additional_kwargs": (
        lambda e: _li(e, additional_kwargs={"z": Opaque()}).complete("hi"),
        r"\bz\b.*Opaque",
    ),
    "li tool-call arguments": (lambda e: _li(e).chat(_li_tool_call_history()), r"lookup.*when"),
    "li base_url": (lambda e: _li(e, base_url="http://[::1"), "base_url"),
    "li non-ascii key": (lambda e: _li(e, api_key="sk-\u00e9"), "non-ASCII"),
    "li timeout 0": (lambda e: _li(e, timeout=0), "timeout"),
    "li embedding timeout -1": (
        lambda e: WenwenEmbedding(api_key=e.api_key, base_url=e.base_url, timeout=-1),
        "timeout",
    ),
    "core timeout 0": (
        lambda e: WenwenClient(api_key="k", base_url=e.base_url, timeout=0),
        "timeout",
    ),
    "core default header": (
        lambda e: WenwenClient(api_key="k", base_url=e.base_url, default_headers={"X-A": "1\n2"}),
        "X-A",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_a_configuration_error_before_any_request(emu: Emulator, case: str) -> None:
    call, names = CASES[case]
    with pytest.raises(ConfigurationError, match=names):
        call(emu)
    assert emu.state.requests == []


@pytest.mark.parametrize("model", ["gpt-4o-mini", "claude-sonnet-4-20250514"])
def test_a_tool_schema_the_relay_cannot_read_gets_its_400_once(emu: Emulator, model: str) -> None:
    tool = {"name": "f", "description": "d", "parameters": {"type": "object", "properties": 5}}
    llm = _lc(emu, model=model).bind_tools([tool], tool_choice="f")
    with pytest.raises(BadRequestError, match="properties"):
        llm.invoke("call f")
    assert len(emu.state.requests) == 1  # a 400 is never retried


def test_structured_output_with_an_array_root_schema(emu: Emulator) -> None:
    """An array-root schema works (the relay takes any JSON schema) rather than failing on a
    missing ``properties`` key."""
    schema = {"title": "names", "type": "array", "items": {"type": "string"}}
    result = _lc(emu).with_structured_output(schema).invoke("List two names: Ann and Bo.")
    assert isinstance(result, list)
    assert all(isinstance(item, str) for item in result)

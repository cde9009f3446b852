"""The declared wire shapes (``_wire.py`` of each protocol) describe what we really send:
every recorded request body of the wire fixtures fits its protocol's body ``TypedDict`` (no
undeclared key, every required key, values of the declared types), apart from the keys the
caller supplied as ``extra_body`` or provider data, which pass through as given."""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any, Literal, Required, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from wenwen.protocols.anthropic_messages._wire import MessagesBody
from wenwen.protocols.openai_chat._wire import ChatCompletionBody
from wenwen.types import ChatRequest, ToolCallPart

WIRE = Path(__file__).parent
BODIES: dict[str, Any] = {"openai": ChatCompletionBody, "anthropic": MessagesBody}
FIXTURES = sorted(
    (protocol, d.name)
    for protocol in BODIES
    for d in (WIRE / protocol).iterdir()
    if (d / "wire_request.json").is_file() and (d / "request.json").is_file()
)


def problems(value: Any, shape: Any, extras: set[str], where: str = "body") -> list[str]:
    """Where ``value`` does not fit ``shape`` (empty when it fits)."""
    origin = get_origin(shape)
    if shape is Any:
        return []
    if origin in (Union, types.UnionType):
        found = [problems(value, member, extras, where) for member in get_args(shape)]
        return [] if any(not f for f in found) else min(found, key=len)
    if origin is Literal:
        return [] if value in get_args(shape) else [f"{where}: {value!r} not in {shape}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: not a list"]
        (item,) = get_args(shape)
        return [p for i, v in enumerate(value) for p in problems(v, item, extras, f"{where}[{i}]")]
    if origin is dict:
        return [] if isinstance(value, dict) else [f"{where}: not an object"]
    if is_typeddict(shape):
        return _typeddict_problems(value, shape, extras, where)
    if shape is float:
        shape = int | float
    if isinstance(value, bool) and shape is not bool:
        return [f"{where}: a boolean where {shape} is declared"]
    return [] if isinstance(value, shape) else [f"{where}: {value!r} is not {shape}"]


def _typeddict_problems(value: Any, shape: Any, extras: set[str], where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: not an object"]
    hints = get_type_hints(shape)
    found = [f"{where}: missing {k!r}" for k in sorted(required_keys(shape) - value.keys())]
    for key, item in value.items():
        if key in hints:
            found += problems(item, hints[key], extras, f"{where}.{key}")
        elif key not in extras:
            found.append(f"{where}: undeclared {key!r}")
    return found


def required_keys(shape: Any) -> set[str]:
    """``__required_keys__`` misses ``Required[...]`` keys of a ``total=False`` TypedDict
    whose annotations are postponed (``from __future__ import annotations``, Python < 3.14)."""
    hints = get_type_hints(shape, include_extras=True)
    marked = {key for key, hint in hints.items() if get_origin(hint) is Required}
    return set(shape.__required_keys__) | marked


def caller_keys(request: ChatRequest) -> set[str]:
    """Keys the caller put on the wire directly: extra_body and provider data."""
    keys = set(request.extra_body)
    for message in request.messages:
        keys |= set(message.provider_data)
        for part in message.parts:
            if isinstance(part, ToolCallPart):
                keys |= set(part.provider_data)
    return keys


def test_every_protocol_has_fixtures() -> None:
    assert {protocol for protocol, _ in FIXTURES} == set(BODIES)
    assert len(FIXTURES) >= 20


@pytest.mark.parametrize(("protocol", "scenario"), FIXTURES)
def test_sent_bodies_fit_the_declared_shape(protocol: str, scenario: str) -> None:
    folder = WIRE / protocol / scenario
    request = ChatRequest.model_validate_json((folder / "request.json").read_text("utf-8"))
    body = json.loads((folder / "wire_request.json").read_text("utf-8"))
    assert problems(body, BODIES[protocol], caller_keys(request)) == []


def test_a_body_off_the_shape_is_caught() -> None:
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "hi", "colour": "red"}],
        "max_tokens": "ten",
    }
    assert problems(body, ChatCompletionBody, set()) == [
        "body.messages[0]: undeclared 'colour'",
        "body.max_tokens: 'ten' is not <class 'int'>",
    ]
    assert problems({"model": "m", "messages": []}, MessagesBody, set()) == [
        "body: missing 'max_tokens'"
    ]

"""Structured output on the Anthropic protocol: native, or emulated with a tool.

A ``JsonSchemaFormat(native=True)`` travels as ``output_config.format`` (``{"type":
"json_schema", "schema": ...}``, Anthropic's structured outputs:
https://platform.claude.com/docs/en/build-with-claude/structured-outputs); the reply's text
is the JSON. Where the relay answers 400 naming that field, the client asks again with the
tool form and remembers the model (:func:`refused_native_format`) for the rest of the process.

The tool form (other schema formats, ``JsonObjectFormat``, and models that refused the
native field):
a synthetic tool whose input schema is the requested schema, which the model is made to call.
On the way back that tool call is turned into a text part holding the JSON, and the finish
reason becomes ``"stop"``: ``response_format`` then behaves the same on every protocol.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from ...errors import UnsupportedFeatureError
from ...types import ChatRequest, FinishReason, JsonSchemaFormat

_TOOL_ONLY_MODELS: set[str] = set()
"""Models whose relay refused ``output_config.format`` once: they get the tool form."""
_TOOL_ONLY_LOCK = threading.Lock()
_NATIVE_FIELDS = ("output_config", "output_format")

JSON_OBJECT_TOOL = "json_output"
_INSTRUCTION = "Respond with the final answer as this tool's input."
_INVALID_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_-]")


@dataclass(frozen=True)
class StructuredTool:
    name: str
    description: str
    schema: dict[str, Any]

    def instruction(self) -> str:
        """The system instruction used when the tool cannot be forced (thinking is on)."""
        return (
            f"When you have the final answer, call the tool `{self.name}` with the answer "
            "as its input. Do not write the answer as plain text."
        )


def tool_name_for(format_name: str) -> str:
    """``format_name`` made a valid Anthropic tool name (``[a-zA-Z0-9_-]{1,64}``)."""
    return _INVALID_NAME_CHARS.sub("_", format_name)[:64] or JSON_OBJECT_TOOL


def native_format(request: ChatRequest | None) -> dict[str, Any] | None:
    """``output_config.format`` for ``request``: a JSON schema format, unless the model's
    relay refused the field before (then ``None``: the tool form is used)."""
    response_format = request.response_format if request is not None else None
    if not isinstance(response_format, JsonSchemaFormat) or not response_format.native:
        return None
    assert request is not None
    with _TOOL_ONLY_LOCK:
        if request.model in _TOOL_ONLY_MODELS:
            return None
    return {"type": "json_schema", "schema": closed_objects(response_format.schema_)}


def closed_objects(schema: Any) -> Any:
    """``schema`` with ``additionalProperties: false`` on every object that does not say
    (structured outputs accept closed objects only)."""
    if isinstance(schema, list):
        return [closed_objects(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: closed_objects(value) for key, value in schema.items()}
    if out.get("type") == "object" and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def refused_native_format(protocol: str, request: ChatRequest, error: Exception) -> bool:
    """Whether ``error`` is the relay refusing ``output_config.format`` for ``request`` (a
    400 naming the field); if so the model is remembered and the caller asks again."""
    if protocol != "anthropic" or native_format(request) is None:
        return False
    if getattr(error, "status_code", None) != 400:
        return False
    text = f"{error} {getattr(error, 'body', '')}".lower()
    if not any(name in text for name in _NATIVE_FIELDS):
        return False
    with _TOOL_ONLY_LOCK:
        _TOOL_ONLY_MODELS.add(request.model)
    return True


def synthetic_tool_name(request: ChatRequest | None) -> str | None:
    """The name of the tool that carries structured output for ``request``, or ``None``."""
    response_format = request.response_format if request is not None else None
    if response_format is None or native_format(request) is not None:
        return None
    if isinstance(response_format, JsonSchemaFormat):
        return tool_name_for(response_format.name)
    return JSON_OBJECT_TOOL


def structured_tool(request: ChatRequest) -> StructuredTool | None:
    """The synthetic tool standing for ``request.response_format``, if there is one."""
    name = synthetic_tool_name(request)
    if name is None:
        return None
    if any(user_tool.name == name for user_tool in request.tools):
        raise UnsupportedFeatureError(
            f"response_format {name!r} is sent as a tool of that name on the Anthropic "
            "protocol, and the request already has a tool with this name; rename one of them"
        )
    response_format = request.response_format
    if isinstance(response_format, JsonSchemaFormat):
        description = _INSTRUCTION
        if response_format.description:
            description += " " + response_format.description
        return StructuredTool(name, description, response_format.schema_)
    return StructuredTool(name, _INSTRUCTION, {"type": "object"})


def finish_reason(
    reason: FinishReason | None, *, synthetic: str | None, real_tool_calls: bool
) -> FinishReason | None:
    """A turn that ended by calling only the synthetic tool ended with an answer: ``stop``."""
    if reason == "tool_calls" and synthetic is not None and not real_tool_calls:
        return "stop"
    return reason

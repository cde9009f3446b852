"""Structured output emulated with a tool.

The Anthropic protocol on the relay has no JSON mode, so a ``response_format`` becomes a
synthetic tool whose input schema is the requested schema, and the model is made to call it.
On the way back that tool call is turned into a text part holding the JSON, and the finish
reason becomes ``"stop"``: ``response_format`` then behaves the same on every protocol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...errors import UnsupportedFeatureError
from ...types import ChatRequest, FinishReason, JsonSchemaFormat

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


def synthetic_tool_name(request: ChatRequest | None) -> str | None:
    """The name of the tool that carries structured output for ``request``, or ``None``."""
    response_format = request.response_format if request is not None else None
    if response_format is None:
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

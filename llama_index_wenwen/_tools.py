"""Tools for the ``Wenwen`` LLM: LlamaIndex tools -> ``wenwen.types.Tool``, ``tool_choice``
in every shape LlamaIndex code passes it, and tool calls read back from a response."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatResponse, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json

from wenwen.errors import ConfigurationError
from wenwen.types import AllowedTools, NamedToolChoice, Tool, ToolChoice

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

logger = logging.getLogger(__name__)

_CHOICE_WORDS: dict[str, ToolChoice] = {
    "auto": "auto",
    "none": "none",
    "required": "required",
    "any": "required",  # Anthropic's word for "some tool"
}


def to_wenwen_tools(tools: Sequence[BaseTool], strict: bool | None) -> list[Tool]:
    converted = []
    for tool in tools:
        metadata = tool.metadata
        converted.append(
            Tool(
                name=metadata.get_name(),
                description=metadata.description,
                parameters=metadata.get_parameters_dict(),
                strict=strict,
            )
        )
    return converted


def resolve_tool_choice(choice: Any, tool_required: bool) -> ToolChoice:
    """``None`` derives the choice from ``tool_required`` (FunctionCallingProgram passes
    ``tool_choice=None`` together with ``tool_required=True``). Strings are a mode or a tool
    name (FunctionAgent's ``initial_tool_choice``); dicts may be OpenAI- or Anthropic-shaped
    (OpenAI's ``allowed_tools`` in its Responses or chat-completions spelling)."""
    if choice is None:
        return "required" if tool_required else "auto"
    if isinstance(choice, NamedToolChoice | AllowedTools):
        return choice
    if isinstance(choice, str):
        return _CHOICE_WORDS.get(choice, NamedToolChoice(name=choice) if choice else "auto")
    if isinstance(choice, dict):
        return _dict_choice(choice)
    raise ConfigurationError(f"tool_choice must be a string, a dict or None, not {choice!r}")


def _dict_choice(choice: dict[str, Any]) -> ToolChoice:
    if choice.get("type") == "allowed_tools":  # either OpenAI spelling
        return AllowedTools.from_openai(choice)
    function = choice.get("function")
    if isinstance(function, dict) and function.get("name"):
        return NamedToolChoice(name=str(function["name"]))  # OpenAI
    kind = choice.get("type")
    if kind == "tool" and choice.get("name"):
        return NamedToolChoice(name=str(choice["name"]))  # Anthropic
    if isinstance(kind, str) and kind in _CHOICE_WORDS:
        return _CHOICE_WORDS[kind]
    raise ConfigurationError(f"cannot understand tool_choice {choice!r}")


def lenient_arguments(
    arguments: dict[str, Any] | str, tool_name: str, *, partial: bool = False
) -> dict[str, Any]:
    """Tool arguments as a dict. Partial JSON (a streamed call still arriving) is completed;
    text that is not a JSON object at all gives ``{}`` and a warning naming the tool, so an
    agent reports a tool error to the model instead of crashing (LlamaIndex #18230)."""
    if isinstance(arguments, dict):
        return arguments
    text = arguments.strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = parse_partial_json(text)
        except (ValueError, TypeError):
            value = None
    if isinstance(value, dict):
        return value
    if not partial:
        logger.warning("tool call %r has arguments that are not a JSON object: %r", tool_name, text)
    return {}


def tool_calls_from_response(response: ChatResponse) -> list[ToolSelection]:
    # Streamed chunks before the last one carry no ``raw``: their arguments may be partial.
    partial = response.raw is None
    blocks = [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]
    if blocks:
        return [
            ToolSelection(
                tool_id=block.tool_call_id or f"call_{i}",
                tool_name=block.tool_name,
                tool_kwargs=lenient_arguments(block.tool_kwargs, block.tool_name, partial=partial),
            )
            for i, block in enumerate(blocks)
        ]
    selections = []
    for i, call in enumerate(response.message.additional_kwargs.get("tool_calls") or ()):
        data = call if isinstance(call, dict) else call.model_dump()
        function = data.get("function") or {}
        name = str(function.get("name", ""))
        selections.append(
            ToolSelection(
                tool_id=str(data.get("id") or f"call_{i}"),
                tool_name=name,
                tool_kwargs=lenient_arguments(
                    function.get("arguments") or "", name, partial=partial
                ),
            )
        )
    return selections


def keep_first_tool_call(response: ChatResponse) -> ChatResponse:
    """Drop every tool call after the first (parallel calls were not allowed)."""
    message = response.message
    seen = False
    blocks = []
    for block in message.blocks:
        if isinstance(block, ToolCallBlock):
            if seen:
                continue
            seen = True
        blocks.append(block)
    message.blocks = blocks
    calls = message.additional_kwargs.get("tool_calls")
    if isinstance(calls, list) and len(calls) > 1:
        message.additional_kwargs["tool_calls"] = calls[:1]
    return response

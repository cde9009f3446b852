"""One neutral ``ChatRequest`` from the LLM's settings and a call's messages and kwargs.

Call kwargs override ``additional_kwargs``, which override the fields. A key that names a
``ChatRequest`` field (``top_p``, ``stop``, ``tools``, ``response_format``...) goes to that
field, so each protocol can spell it its own way; any other key is sent as is in the body.
Only what the user set is sent (no default temperature).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from llama_index.core.base.llms.types import ChatMessage
from pydantic import ValidationError

from wenwen.errors import ConfigurationError
from wenwen.types import ChatRequest, ThinkingConfig, Tool

from ._convert import to_wenwen_messages
from ._structured import to_response_format
from ._tools import resolve_tool_choice

_REQUEST_FIELDS = frozenset(ChatRequest.model_fields) - {"messages", "extra_body", "extra_headers"}
# Keys LlamaIndex code may pass that are not request content.
_IGNORED = frozenset({"stream", "formatted"})


@dataclass
class RequestDefaults:
    model: str
    temperature: float | None = None
    max_tokens: int | None = None
    reasoning_effort: str | None = None
    thinking: dict[str, Any] | int | None = None
    additional_kwargs: dict[str, Any] = field(default_factory=dict)


def thinking_config(value: Any) -> ThinkingConfig | None:
    """A budget in tokens, or ``{'type': 'enabled'|'disabled', 'budget_tokens': N}``."""
    if value is None or value is False:
        return None
    if isinstance(value, ThinkingConfig):
        return value
    if isinstance(value, bool):
        return ThinkingConfig()
    if isinstance(value, int):
        return ThinkingConfig(budget_tokens=value)
    if isinstance(value, dict):
        if value.get("type") == "disabled":
            return None
        budget = value.get("budget_tokens")
        return ThinkingConfig(budget_tokens=budget) if budget else ThinkingConfig()
    raise ConfigurationError(f"thinking must be a token budget or a dict, not {value!r}")


def _tools(value: Any) -> list[Tool]:
    """Tools given straight to ``chat``: ours, LlamaIndex tools or OpenAI-shaped dicts."""
    tools = []
    for item in value or ():
        if isinstance(item, Tool):
            tools.append(item)
        elif hasattr(item, "metadata"):
            meta = item.metadata
            tools.append(
                Tool(
                    name=meta.get_name(),
                    description=meta.description,
                    parameters=meta.get_parameters_dict(),
                )
            )
        elif isinstance(item, dict):
            tools.append(Tool.model_validate(item.get("function", item)))
        else:
            raise ConfigurationError(f"cannot use {item!r} as a tool")
    return tools


def build_request(
    defaults: RequestDefaults,
    messages: Sequence[ChatMessage],
    kwargs: dict[str, Any],
    protocol: str | None = None,
) -> ChatRequest:
    fields: dict[str, Any] = {"model": defaults.model}
    if defaults.temperature is not None:
        fields["temperature"] = defaults.temperature
    if defaults.max_tokens is not None:
        fields["max_tokens"] = defaults.max_tokens
    if defaults.reasoning_effort is not None:
        fields["reasoning_effort"] = defaults.reasoning_effort
    thinking = thinking_config(defaults.thinking)
    if thinking is not None:
        fields["thinking"] = thinking
    extra_body: dict[str, Any] = {}
    extra_headers: dict[str, str] = {}
    for source in (defaults.additional_kwargs, kwargs):
        for key, value in source.items():
            if key in _REQUEST_FIELDS:
                fields[key] = value
            elif key == "extra_body":
                extra_body.update(value or {})
            elif key == "extra_headers":
                extra_headers.update(value or {})
            elif key not in _IGNORED:
                extra_body[key] = value
    _normalize(fields)
    fields["messages"] = to_wenwen_messages(messages, protocol)
    try:
        return ChatRequest(extra_body=extra_body, extra_headers=extra_headers, **fields)
    except ValidationError as exc:
        raise ConfigurationError(f"invalid chat request arguments: {exc}") from exc


def _normalize(fields: dict[str, Any]) -> None:
    """Accept the looser shapes LlamaIndex users pass for a few fields."""
    if "tools" in fields:
        fields["tools"] = _tools(fields["tools"])
    if fields.get("tool_choice") is not None:
        fields["tool_choice"] = resolve_tool_choice(fields["tool_choice"], False)
    if "response_format" in fields:
        fields["response_format"] = to_response_format(fields["response_format"])
    if "thinking" in fields:
        fields["thinking"] = thinking_config(fields["thinking"])
    if isinstance(fields.get("stop"), str):
        fields["stop"] = [fields["stop"]]
    elif fields.get("stop") is None:
        fields.pop("stop", None)


def after_previous_response(
    messages: Sequence[ChatMessage],
) -> tuple[Sequence[ChatMessage], str | None]:
    """The messages after the last assistant message that carries a Responses id, and that
    id (``use_previous_response_id``)."""
    for position in range(len(messages) - 1, -1, -1):
        response_id = messages[position].additional_kwargs.get("response_id")
        if isinstance(response_id, str) and response_id:
            return messages[position + 1 :], response_id
    return messages, None

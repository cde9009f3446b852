"""Building the neutral ``ChatRequest`` for one ``ChatWenwen`` call: the model's fields, the
call's options and bound tools, LangChain messages converted, and the protocol chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, BaseMessage

from wenwen.errors import ConfigurationError
from wenwen.protocols import choose_protocol
from wenwen.types import ChatRequest, ThinkingConfig, Tool

from . import _tools
from ._convert import to_wenwen_messages

if TYPE_CHECKING:
    from .chat_models import ChatWenwen

# Per-call options that map onto ChatRequest fields; anything else a caller passes goes into
# the JSON body as is (one pass-through, like ``model_kwargs`` / ``extra_body``).
_REQUEST_OPTIONS = (
    "temperature",
    "max_tokens",
    "top_p",
    "top_k",
    "seed",
    "reasoning_effort",
    "metadata",
    "parallel_tool_calls",
    "stream_usage",
)


def chat_request(
    chat: ChatWenwen, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
) -> tuple[ChatRequest, str]:
    """The neutral request for one call, and the protocol to send it with."""
    options = dict(kwargs)
    options.pop("stream", None)
    model_name = options.pop("model", None) or chat.model
    protocol = choose_protocol(model_name, options.pop("protocol", None) or chat.protocol)
    tools, server_tools, tool_names = split_tools(options.pop("tools", None) or [])
    raw_choice = options.pop("tool_choice", None)
    values: dict[str, Any] = {
        "temperature": chat.temperature,
        "max_tokens": chat.max_tokens,
        "top_p": chat.top_p,
        "top_k": chat.top_k,
        "seed": chat.seed,
        "reasoning_effort": chat.reasoning_effort,
        "stream_usage": chat.stream_usage,
    }
    if options:  # most calls pass no options at all
        values.update({k: options.pop(k) for k in _REQUEST_OPTIONS if k in options})
    if values.get("parallel_tool_calls") is None:
        disabled = _tools.disables_parallel_calls(raw_choice)
        values["parallel_tool_calls"] = None if disabled is None else not disabled
    thinking = options.pop("thinking", chat.thinking)
    response_format = options.pop("response_format", None)
    extra_headers = options.pop("extra_headers", None) or {}
    call_body = options.pop("extra_body", None) or {}
    body = {**flat_body(chat.model_kwargs), **(chat.extra_body or {}), **call_body, **options}
    values.update(_responses_options(chat, options))
    chained = options.pop("use_previous_response_id", chat.use_previous_response_id)
    if protocol == "responses" and chained:
        messages, values["previous_response_id"] = after_previous_response(messages)
    request = ChatRequest(
        model=model_name,
        messages=to_wenwen_messages(messages, protocol),
        tools=tools,
        server_tools=server_tools,
        tool_choice=_tools.to_wenwen_tool_choice(raw_choice, tool_names),
        response_format=_tools.to_wenwen_response_format(response_format),
        stop=list(stop if stop is not None else chat.stop or []),
        thinking=thinking_config(thinking),
        extra_body=body,
        extra_headers=dict(extra_headers),
        **{k: v for k, v in values.items() if v is not None},
    )
    return request, protocol


def _responses_options(chat: ChatWenwen, options: dict[str, Any]) -> dict[str, Any]:
    """``reasoning`` / ``include`` / ``store`` (per call or on the model) as request
    fields; a call's ``reasoning`` dict wins over ``reasoning_effort``."""
    reasoning = options.pop("reasoning", chat.reasoning) or {}
    if not isinstance(reasoning, dict):
        raise ConfigurationError(f"reasoning must be a dict, got {reasoning!r}")
    unknown = set(reasoning) - {"effort", "summary"}
    if unknown:
        raise ConfigurationError(f"unknown reasoning keys {sorted(unknown)}; use effort, summary")
    values: dict[str, Any] = {
        "include": list(options.pop("include", None) or chat.include or []),
        "store": options.pop("store", chat.store),
    }
    if reasoning.get("effort") is not None:
        values["reasoning_effort"] = reasoning["effort"]
    if reasoning.get("summary") is not None:
        values["reasoning_summary"] = reasoning["summary"]
    return values


def split_tools(bound: list[Any]) -> tuple[list[Tool], list[dict[str, Any]], list[str]]:
    """Bound tools as function tools and provider built-in tools, and all their names."""
    if not bound:
        return [], [], []
    tools = [_tools.to_wenwen_tool(t) for t in bound if not _tools.is_builtin_tool(t)]
    server_tools = [dict(t) for t in bound if _tools.is_builtin_tool(t)]
    return tools, server_tools, [t.name for t in tools] + [str(t["type"]) for t in server_tools]


def after_previous_response(messages: list[BaseMessage]) -> tuple[list[BaseMessage], str | None]:
    """The messages after the last AI message that came from the Responses protocol with
    an id, and that id (``use_previous_response_id``)."""
    for position in range(len(messages) - 1, -1, -1):
        message = messages[position]
        metadata = message.response_metadata if isinstance(message, AIMessage) else {}
        if metadata.get("wenwen_protocol") == "responses" and metadata.get("id"):
            return messages[position + 1 :], str(metadata["id"])
    return messages, None


def flat_body(model_kwargs: dict[str, Any]) -> dict[str, Any]:
    """``model_kwargs``, with an ``extra_body`` dict inside it (the ChatAnthropic habit)
    merged in rather than sent as a field of that name."""
    nested = model_kwargs.get("extra_body")
    if not isinstance(nested, dict):
        return model_kwargs
    return {**{k: v for k, v in model_kwargs.items() if k != "extra_body"}, **nested}


def thinking_config(thinking: dict[str, Any] | None) -> ThinkingConfig | None:
    """``{"type": "enabled", "budget_tokens": N}`` → ``ThinkingConfig``; ``disabled`` or
    ``None`` → no thinking."""
    if thinking is None:
        return None
    if not isinstance(thinking, dict):
        raise ConfigurationError(f"thinking must be a dict, got {thinking!r}")
    kind = thinking.get("type", "enabled")
    if kind == "disabled":
        return None
    if kind != "enabled":
        raise ConfigurationError(
            f"thinking type {kind!r} is not supported; use 'enabled' (with budget_tokens) or "
            "'disabled', or send the field yourself via extra_body"
        )
    budget = thinking.get("budget_tokens", ThinkingConfig().budget_tokens)
    if not isinstance(budget, int) or budget < 1:
        raise ConfigurationError(f"thinking budget_tokens must be a positive int, got {budget!r}")
    return ThinkingConfig(budget_tokens=budget)

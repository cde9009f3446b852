"""Neutral ``ChatRequest`` → Anthropic ``POST /v1/messages``.

Exact in what we send: a field appears only when the caller set it, except ``max_tokens``,
which Anthropic requires (a per-family default fills it). What the protocol cannot carry
raises a typed error naming it; what extended thinking forbids is dropped with a warning.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from ...errors import ConfigurationError, UnsupportedFeatureError
from ...types import AllowedTools, ChatRequest, NamedToolChoice, Tool
from .. import HttpRequest
from .._responses_only import reject_responses_only
from ._content import wire_messages
from ._structured import StructuredTool, native_format, structured_tool
from ._wire import (
    MessagesBody,
    SamplingFields,
    ThinkingConfig,
    ToolChoice,
    ToolDefinition,
    ToolFields,
)

logger = logging.getLogger("wenwen")

PATH = "/v1/messages"
ANTHROPIC_VERSION = "2023-06-01"
_PROTOCOL = "the Anthropic Messages protocol"
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")

_CHOICE_TYPES: dict[str, Literal["auto", "any", "none"]] = {
    "auto": "auto",
    "required": "any",
    "none": "none",
}

# Budgets for ``reasoning_effort`` (an OpenAI knob) when no ``thinking`` is given.
EFFORT_BUDGETS = {"minimal": 1024, "low": 1024, "medium": 4096, "high": 16384}
MIN_THINKING_BUDGET = 1024  # Anthropic's minimum budget_tokens
_THINKING_HEADROOM = 1024  # room for the answer above the thinking budget

# max_tokens when the caller gives none, kept below each family's output limit:
# Claude 3.7 and 4.x 16384, Claude 3.5 8192, Claude 3 and unknown models 4096.
_LARGE_OUTPUT = re.compile(r"claude-(?:3-7|(?:[a-z]+-)?[4-9](?:$|[^0-9]))")
_MEDIUM_OUTPUT = re.compile(r"claude-3-5")


def default_max_tokens(model: str) -> int:
    """A conservative ``max_tokens`` for ``model`` (Anthropic requires the field)."""
    name = model.lower().replace(".", "-")
    if _LARGE_OUTPUT.search(name):
        return 16384
    if _MEDIUM_OUTPUT.search(name):
        return 8192
    return 4096


def build_request(request: ChatRequest, *, stream: bool) -> HttpRequest:
    reject_responses_only(request, _PROTOCOL)
    if request.seed is not None:
        raise UnsupportedFeatureError(f"seed is not supported by {_PROTOCOL}")
    structured = structured_tool(request)
    thinking = _thinking(request)
    system, messages = wire_messages(request.messages)
    body: MessagesBody = {
        "model": request.model,
        "messages": messages,
        "max_tokens": _max_tokens(request, thinking),
    }
    thinking_on = thinking is not None or _extra_body_thinks(request)
    thinks = thinking_on or _model_thinks(request.model)
    if structured is not None and thinks:
        # A forced tool_choice is rejected while thinking: ask in the system prompt instead.
        system.append({"type": "text", "text": structured.instruction()})
    if system:
        body["system"] = system
    body.update(_tool_fields(request, structured, thinks))
    if thinking is not None:
        body["thinking"] = thinking
    body.update(_sampling_fields(request, thinking_on=thinking_on))
    if request.metadata is not None:
        body["metadata"] = dict(request.metadata)
    if stream:
        body["stream"] = True
    extra = dict(request.extra_body)
    betas = extra.pop("betas", None)
    json: dict[str, Any] = {**body, **extra}
    native = native_format(request)
    if native is not None:  # structured outputs, merged into a caller's output_config
        config = json.get("output_config")
        json["output_config"] = {**(config if isinstance(config, dict) else {}), "format": native}
    return HttpRequest(method="POST", path=PATH, json=json, headers=_headers(request, betas))


def auth_headers(api_key: str) -> dict[str, str]:
    return {"x-api-key": api_key}


def _headers(request: ChatRequest, betas: Any) -> dict[str, str]:
    headers = {"anthropic-version": ANTHROPIC_VERSION}
    for name, value in request.extra_headers.items():
        _set_header(headers, name, value)
    if betas:
        if not isinstance(betas, list | tuple) or not all(isinstance(b, str) for b in betas):
            raise ConfigurationError("extra_body['betas'] must be a list of beta names")
        given = next((v for k, v in headers.items() if k.lower() == "anthropic-beta"), "")
        names = [b.strip() for b in given.split(",") if b.strip()]
        names += [b for b in betas if b not in names]
        _set_header(headers, "anthropic-beta", ",".join(names))
    return headers


def _set_header(headers: dict[str, str], name: str, value: str) -> None:
    for existing in [k for k in headers if k.lower() == name.lower()]:
        del headers[existing]
    headers[name] = value


# --- thinking and sampling ----------------------------------------------------------------


def _thinking(request: ChatRequest) -> ThinkingConfig | None:
    """The ``thinking`` field. ``reasoning_effort`` maps to a budget when ``thinking`` is
    not set (low 1024, medium 4096, high 16384 tokens; ``none`` leaves thinking off)."""
    if request.thinking is not None:
        budget = request.thinking.budget_tokens
        if request.reasoning_effort:
            logger.debug("thinking is set; reasoning_effort %r not used", request.reasoning_effort)
    elif request.reasoning_effort:
        effort = request.reasoning_effort.lower()
        if effort == "none":
            return None
        if effort not in EFFORT_BUDGETS:
            raise ConfigurationError(
                f"reasoning_effort {request.reasoning_effort!r} is not one of "
                f"none, {', '.join(EFFORT_BUDGETS)}"
            )
        budget = EFFORT_BUDGETS[effort]
    else:
        return None
    if budget < MIN_THINKING_BUDGET:
        raise ConfigurationError(
            f"thinking budget_tokens must be at least {MIN_THINKING_BUDGET}, got {budget}"
        )
    return {"type": "enabled", "budget_tokens": budget}


def _extra_body_thinks(request: ChatRequest) -> bool:
    """Thinking switched on through ``extra_body`` rather than ``request.thinking``."""
    extra = request.extra_body.get("thinking")
    return isinstance(extra, dict) and extra.get("type") in ("enabled", "adaptive")


def _model_thinks(model: str) -> bool:
    """Wenwen's ``*-thinking`` models think by themselves (wenwen-api.md §7.4): the relay
    (new-api's Claude thinking adapter) adds the thinking field with a budget of 80% of
    max_tokens and sets temperature 1 itself, but a forced tool_choice still fails upstream."""
    return model.lower().endswith("-thinking")


def _max_tokens(request: ChatRequest, thinking: ThinkingConfig | None) -> int:
    budget = thinking["budget_tokens"] if thinking is not None else None
    if request.max_tokens is not None:
        if budget is not None and request.max_tokens <= budget:
            raise ConfigurationError(
                f"max_tokens ({request.max_tokens}) must be greater than the thinking "
                f"budget ({budget}); thinking tokens count towards max_tokens"
            )
        return request.max_tokens
    default = default_max_tokens(request.model)
    return default if budget is None else max(default, budget + _THINKING_HEADROOM)


def _sampling_fields(request: ChatRequest, *, thinking_on: bool) -> SamplingFields:
    temperature, top_p, top_k = request.temperature, request.top_p, request.top_k
    if thinking_on:
        # Extended thinking rejects temperature other than 1, any top_k and top_p < 0.95.
        if temperature is not None and temperature != 1:
            logger.warning(
                "thinking is on: temperature %s not sent (Anthropic allows 1)", temperature
            )
            temperature = None
        if top_k is not None:
            logger.warning("thinking is on: top_k %s not sent (Anthropic forbids it)", top_k)
            top_k = None
        if top_p is not None and top_p < 0.95:
            logger.warning("thinking is on: top_p %s not sent (Anthropic wants >= 0.95)", top_p)
            top_p = None
    fields: SamplingFields = {}
    if temperature is not None:
        fields["temperature"] = temperature
    if top_p is not None:
        fields["top_p"] = top_p
    if top_k is not None:
        fields["top_k"] = top_k
    if request.stop:
        fields["stop_sequences"] = list(request.stop)
    return fields


# --- tools -----------------------------------------------------------------------------------


def _tool_fields(
    request: ChatRequest, structured: StructuredTool | None, thinks: bool
) -> ToolFields:
    choice = request.tool_choice
    if isinstance(choice, AllowedTools):
        raise UnsupportedFeatureError(
            f"{_PROTOCOL} has no allowed_tools tool choice (a subset of the bound tools the "
            f"model may call); bind only the allowed tools "
            f"({', '.join(map(repr, choice.names))}) instead"
        )
    if not request.tools and structured is None:
        if choice == "required" or isinstance(choice, NamedToolChoice):
            raise ConfigurationError(
                f"tool_choice {_describe(choice)} needs tools, but the request has none"
            )
        return {}  # "auto" / "none" / parallel_tool_calls mean nothing without tools
    tools = [_wire_tool(tool) for tool in request.tools]
    if structured is not None:
        tools.append(
            {
                "name": structured.name,
                "description": structured.description,
                "input_schema": input_schema(
                    structured.schema, f"response_format {structured.name!r}"
                ),
            }
        )
    wire_choice = _wire_choice(request, structured)
    if thinks and wire_choice is not None and wire_choice["type"] in ("any", "tool"):
        if structured is None or wire_choice.get("name") != structured.name:
            logger.warning(
                "thinking is on: tool_choice %s sent as 'auto' (Anthropic forbids forcing a "
                "tool while thinking)",
                _describe(choice),
            )
        wire_choice = {"type": "auto"}
    if request.parallel_tool_calls is False:
        wire_choice = wire_choice or {"type": "auto"}
        if wire_choice["type"] != "none":
            wire_choice["disable_parallel_tool_use"] = True
    fields: ToolFields = {"tools": tools}
    if wire_choice is not None:
        fields["tool_choice"] = wire_choice
    return fields


def _wire_choice(request: ChatRequest, structured: StructuredTool | None) -> ToolChoice | None:
    choice = request.tool_choice
    if isinstance(choice, NamedToolChoice):
        names = {tool.name for tool in request.tools}
        if choice.name not in names:
            raise ConfigurationError(
                f"tool_choice names {choice.name!r}, which is not among the tools "
                f"({', '.join(sorted(names)) or 'none'})"
            )
        return {"type": "tool", "name": choice.name}
    if structured is not None:
        # The answer is the synthetic tool's input. With tools of the caller's own that
        # may be called first, "any" lets the model call one of those or answer.
        if request.tools and choice != "none":
            return {"type": "any"}
        return {"type": "tool", "name": structured.name}
    if choice is None or isinstance(choice, AllowedTools):  # AllowedTools: refused earlier
        return None
    return {"type": _CHOICE_TYPES[choice]}


def _wire_tool(tool: Tool) -> ToolDefinition:
    if not _TOOL_NAME.match(tool.name):
        raise ConfigurationError(
            f"tool name {tool.name!r} is not accepted by {_PROTOCOL}: use 1-128 letters, "
            "digits, '_' or '-'"
        )
    wire: ToolDefinition = {"name": tool.name}
    if tool.description:
        wire["description"] = tool.description
    wire["input_schema"] = input_schema(tool.parameters, f"tool {tool.name!r}")
    # ``strict`` is not sent: strict tool use is a 2025-11 beta that older upstream
    # channels behind the relay (Bedrock, Vertex) reject.
    if tool.cache_control is not None:
        wire["cache_control"] = dict(tool.cache_control)
    return wire


def input_schema(schema: dict[str, Any], what: str) -> dict[str, Any]:
    """``schema`` as an Anthropic ``input_schema``, which must describe an object."""
    kind = schema.get("type")
    if kind is None:
        return {"type": "object", **schema}
    if kind != "object":
        raise UnsupportedFeatureError(
            f"the schema of {what} has type {kind!r}; {_PROTOCOL} needs an object schema"
        )
    return dict(schema)


def _describe(choice: Any) -> str:
    return repr(choice.name) if isinstance(choice, NamedToolChoice) else repr(choice)

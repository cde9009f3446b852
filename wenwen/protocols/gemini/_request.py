"""Neutral ``ChatRequest`` → ``POST /v1beta/models/{model}:generateContent`` (or
``:streamGenerateContent?alt=sse``).

A field appears only when the caller set it. Gemini extras ride in ``extra_body``:
``response_modalities`` (e.g. ``["TEXT", "IMAGE"]``), ``safety_settings``,
``generation_config`` / ``thinking_config`` (merged into ``generationConfig``), any
camelCase top-level field as is, and ``key_in_query=True`` for the documented ``?key=``
form of authentication (the key is then redacted from logs and errors).
"""

from __future__ import annotations

import logging
from typing import Any, Literal, cast
from urllib.parse import quote

from ...errors import ConfigurationError, UnsupportedFeatureError
from ...types import (
    AllowedTools,
    ChatRequest,
    JsonObjectFormat,
    JsonSchemaFormat,
    NamedToolChoice,
)
from ..base import HttpRequest
from ._content import wire_contents
from ._schema import to_gemini_schema
from ._wire import (
    FunctionCallingConfig,
    FunctionDeclaration,
    GenerateContentBody,
    GenerationConfig,
    ThinkingConfigDict,
    ToolConfig,
)

logger = logging.getLogger("wenwen")

PATH_PREFIX = "/v1beta/models/"
KEY_HEADER = "x-goog-api-key"
KEY_PARAM = "key"
_PROTOCOL = "the Gemini protocol"
# thinkingBudget for ``reasoning_effort`` when no ``thinking`` is given
EFFORT_BUDGETS = {"none": 0, "minimal": 512, "low": 1024, "medium": 8192, "high": 24576}
_GENERATION_ALIASES = {
    "response_modalities": "responseModalities",
    "thinking_config": "thinkingConfig",
    "response_mime_type": "responseMimeType",
    "media_resolution": "mediaResolution",
    "image_config": "imageConfig",
}


def path_for(model: str, *, stream: bool) -> str:
    name = quote(model.removeprefix("models/"), safe="-._~")
    if stream:
        return f"{PATH_PREFIX}{name}:streamGenerateContent?alt=sse"
    return f"{PATH_PREFIX}{name}:generateContent"


def auth_headers(api_key: str) -> dict[str, str]:
    return {KEY_HEADER: api_key}


def build_request(request: ChatRequest, *, stream: bool) -> HttpRequest:
    if request.metadata is not None:
        raise UnsupportedFeatureError(f"metadata is not supported by {_PROTOCOL}")
    system, contents = wire_contents(request.messages)
    if not contents:
        raise ConfigurationError("a Gemini request needs at least one user or assistant message")
    body: GenerateContentBody = {"contents": contents}
    if system is not None:
        body["systemInstruction"] = system
    if request.tools:
        body["tools"] = [{"functionDeclarations": [_declaration(t) for t in request.tools]}]
    tool_config = _tool_config(request)
    if tool_config is not None:
        body["toolConfig"] = tool_config
    extra = dict(request.extra_body)
    key_in_query = bool(extra.pop("key_in_query", False))
    generation = _generation_config(request, extra)
    if generation:
        body["generationConfig"] = generation
    safety = extra.pop("safety_settings", None)
    if safety is not None:
        body["safetySettings"] = safety
    wire = cast(dict[str, Any], body)
    wire.update(extra)
    return HttpRequest(
        method="POST",
        path=path_for(request.model, stream=stream),
        json=wire,
        headers=dict(request.extra_headers),
        query_key=KEY_PARAM if key_in_query else None,
    )


def _declaration(tool: Any) -> FunctionDeclaration:
    declaration: FunctionDeclaration = {"name": tool.name}
    if tool.description:
        declaration["description"] = tool.description
    parameters = tool.parameters or {}
    if parameters.get("properties") or parameters.get("type") not in (None, "object"):
        declaration["parameters"] = to_gemini_schema(parameters, owner=f"tool {tool.name!r}")
    return declaration


def _tool_config(request: ChatRequest) -> ToolConfig | None:
    choice = request.tool_choice
    if choice is None:
        return None
    config: FunctionCallingConfig
    if isinstance(choice, NamedToolChoice):
        config = {"mode": "ANY", "allowedFunctionNames": [choice.name]}
    elif isinstance(choice, AllowedTools):
        _check_allowed(choice, request)
        # VALIDATED: a call or an answer, calls limited to the allowlist (ANY forces a call)
        mode: Literal["ANY", "VALIDATED"] = "ANY" if choice.mode == "required" else "VALIDATED"
        config = {"mode": mode, "allowedFunctionNames": list(choice.names)}
    elif choice == "required":
        config = {"mode": "ANY"}
    elif choice == "none":
        config = {"mode": "NONE"}
    else:
        config = {"mode": "AUTO"}
    return {"functionCallingConfig": config}


def _check_allowed(choice: AllowedTools, request: ChatRequest) -> None:
    declared = {tool.name for tool in request.tools}
    unknown = [name for name in choice.names if name not in declared]
    if unknown:
        raise ConfigurationError(
            f"allowed_tools names {', '.join(map(repr, unknown))}, not among the request's "
            f"function declarations ({', '.join(sorted(declared)) or 'none'})"
        )


def _generation_config(request: ChatRequest, extra: dict[str, Any]) -> GenerationConfig:
    config: GenerationConfig = {}
    if request.temperature is not None:
        config["temperature"] = request.temperature
    if request.top_p is not None:
        config["topP"] = request.top_p
    if request.top_k is not None:
        config["topK"] = request.top_k
    if request.max_tokens is not None:
        config["maxOutputTokens"] = request.max_tokens
    if request.stop:
        config["stopSequences"] = list(request.stop)
    if request.seed is not None:
        config["seed"] = request.seed
    _response_format(request, config)
    thinking = _thinking(request)
    if thinking is not None:
        config["thinkingConfig"] = thinking
    wire = cast(dict[str, Any], config)
    for name in ("generation_config", "generationConfig"):
        given = extra.pop(name, None)
        if given is not None:
            if not isinstance(given, dict):
                raise ConfigurationError(f"extra_body[{name!r}] must be a dict")
            wire.update(given)
    for alias, field in _GENERATION_ALIASES.items():
        if alias in extra:
            wire[field] = extra.pop(alias)
    if "responseModalities" in wire:
        wire["responseModalities"] = [str(m).upper() for m in wire["responseModalities"]]
    if config:
        config["candidateCount"] = 1
    return config


def _response_format(request: ChatRequest, config: GenerationConfig) -> None:
    fmt = request.response_format
    if isinstance(fmt, JsonSchemaFormat):
        config["responseMimeType"] = "application/json"
        config["responseJsonSchema"] = dict(fmt.schema_)
    elif isinstance(fmt, JsonObjectFormat):
        config["responseMimeType"] = "application/json"


def _thinking(request: ChatRequest) -> ThinkingConfigDict | None:
    if request.thinking is not None:
        budget = request.thinking.budget_tokens
    elif request.reasoning_effort:
        effort = request.reasoning_effort.lower()
        if effort not in EFFORT_BUDGETS:
            raise ConfigurationError(
                f"reasoning_effort {request.reasoning_effort!r} is not one of "
                f"{', '.join(EFFORT_BUDGETS)}"
            )
        budget = EFFORT_BUDGETS[effort]
    else:
        return None
    if budget == 0:
        return {"thinkingBudget": 0}
    return {"thinkingBudget": budget, "includeThoughts": True}

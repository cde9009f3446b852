"""Anthropic ``Message`` body → neutral ``ChatResponse``; the pieces the stream decoder
shares with it (content blocks, stop reasons, usage, error bodies).

Tolerant in what it accepts: the relay may answer with ``chatcmpl-`` ids, normalised model
names and usage without the cache fields (wenwen-api.md §7.1).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, cast

from ...errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
)
from ...types import (
    ChatRequest,
    ChatResponse,
    FinishReason,
    Part,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    Usage,
)
from ..error_body import parse_error_body
from ._structured import finish_reason, synthetic_tool_name
from ._wire import ReplyBlock, ReplyMessage, ReplyUsage, view

logger = logging.getLogger("wenwen")

NAME = "anthropic"

_STOP_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "refusal",
    "pause_turn": "pause",
}

_ERROR_TYPES: dict[str, type[APIStatusError]] = {
    "invalid_request_error": BadRequestError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "billing_error": PermissionDeniedError,
    "not_found_error": NotFoundError,
    "rate_limit_error": RateLimitError,
    "api_error": InternalServerError,
    "overloaded_error": InternalServerError,
    "timeout_error": InternalServerError,
}


def parse_response(body: Any, request: ChatRequest | None = None) -> ChatResponse:
    if not isinstance(body, dict):
        raise ProtocolError(f"Anthropic reply is a JSON {type(body).__name__}, not an object")
    reply = view(body, ReplyMessage)
    if reply.get("type") == "error":
        raise error_from_body(body, status_code=200)
    content = reply.get("content")
    if not isinstance(content, list):
        raise ProtocolError("Anthropic reply has no 'content' list")
    synthetic = synthetic_tool_name(request)
    parts: list[Part] = []
    for position, block in enumerate(content):
        part = part_from_block(block, synthetic, where=f"content block {position}")
        if part is not None:
            parts.append(part)
    raw_reason = _optional_str(reply.get("stop_reason"))
    reason = finish_reason(
        map_stop_reason(raw_reason),
        synthetic=synthetic,
        real_tool_calls=any(isinstance(p, ToolCallPart) for p in parts),
    )
    response = ChatResponse(
        id=_optional_str(reply.get("id")),
        model=_optional_str(reply.get("model")),
        protocol=NAME,
        parts=parts,
        finish_reason=reason,
        stop_reason_raw=raw_reason,
        usage=usage_from(reply.get("usage")),
        raw=body,
    )
    return finalize_response(response, request)


def finalize_response(response: ChatResponse, request: ChatRequest | None = None) -> ChatResponse:
    """Applied to parsed and to streamed replies alike: a refusal's text becomes
    ``response.refusal``."""
    if response.finish_reason == "refusal" and response.refusal is None and response.text:
        return response.model_copy(update={"refusal": response.text})
    return response


def part_from_block(block: Any, synthetic: str | None, *, where: str) -> Part | None:
    """The neutral part for one content block; ``None`` for block kinds without one
    (server tools, search results: they stay in ``ChatResponse.raw``)."""
    if not isinstance(block, dict):
        raise ProtocolError(f"Anthropic {where} is a JSON {type(block).__name__}, not an object")
    fields = view(block, ReplyBlock)
    kind = fields.get("type")
    if kind == "text":
        return TextPart(text=_text(fields, "text", where))
    if kind == "thinking":
        signature = _optional_str(fields.get("signature")) or None
        return ThinkingPart(text=_text(fields, "thinking", where), signature=signature)
    if kind == "redacted_thinking":
        return ThinkingPart(redacted=_text(fields, "data", where))
    if kind == "tool_use":
        arguments = tool_input_json(fields.get("input"), where)
        if synthetic is not None and fields.get("name") == synthetic:
            return TextPart(text=arguments)
        return ToolCallPart(
            id=_text(fields, "id", where), name=_text(fields, "name", where), arguments=arguments
        )
    logger.debug("Anthropic %s of type %r has no neutral part; kept in raw only", where, kind)
    return None


def tool_input_json(value: Any, where: str) -> str:
    """A tool_use ``input`` as JSON text (``{}`` when absent)."""
    if value is None:
        return "{}"
    if not isinstance(value, dict):
        raise ProtocolError(
            f"Anthropic {where}: tool_use input is a JSON {type(value).__name__}, not an object"
        )
    return json.dumps(value, ensure_ascii=False)


def map_stop_reason(raw: str | None) -> FinishReason | None:
    if raw is None:
        return None
    return _STOP_REASONS.get(raw, "other")


def usage_from(raw: Any) -> Usage | None:
    """Neutral usage from an Anthropic usage object, whose ``input_tokens`` EXCLUDES the
    cached tokens: the neutral ``input_tokens`` counts them all. Missing or null fields
    count as 0."""
    if not isinstance(raw, Mapping):
        return None
    usage = cast(ReplyUsage, raw)  # any Mapping (checked above); values checked by _count
    fresh = _count(usage, "input_tokens")
    cache_read = _count(usage, "cache_read_input_tokens")
    cache_creation = _count(usage, "cache_creation_input_tokens")
    output = _count(usage, "output_tokens")
    details = usage.get("output_tokens_details")
    reasoning = _count(details, "thinking_tokens") if isinstance(details, Mapping) else 0
    prompt = fresh + cache_read + cache_creation
    return Usage(
        input_tokens=prompt,
        output_tokens=output,
        total_tokens=prompt + output,
        cache_read_tokens=cache_read,
        cache_creation_tokens=cache_creation,
        reasoning_tokens=reasoning,
        raw=dict(raw),
    )


def _count(raw: Mapping[str, Any], field: str) -> int:
    value = raw.get(field)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"Anthropic usage field {field!r} is {value!r}, not a number")
    return int(value)


def error_from_body(body: Mapping[str, Any], *, status_code: int) -> APIStatusError:
    """The typed error for an Anthropic error object that came with a success status."""
    message, error_type, code = parse_error_body(dict(body))
    cls = _ERROR_TYPES.get(error_type or "", APIStatusError)
    request_id = body.get("request_id")
    return cls(
        message or "the relay answered with an error object and no message",
        status_code=status_code,
        code=code,
        type=error_type,
        request_id=request_id if isinstance(request_id, str) else None,
        body=dict(body),
    )


def _text(block: Mapping[str, Any], field: str, where: str) -> str:
    value = block.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ProtocolError(f"Anthropic {where}: {field!r} is {type(value).__name__}, not text")
    return value


def _optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None

"""A ``Response`` body → neutral ``ChatResponse``. The item readers here are shared with
the stream decoder, so both paths map the wire the same way."""

from __future__ import annotations

import json
from typing import Any

from ...errors import ProtocolError, error_from_response
from ...types import (
    ChatRequest,
    ChatResponse,
    FinishReason,
    Part,
    ServerToolCallPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    Usage,
)
from ._wire import as_dict, as_int, as_list, as_str, citation, summary_text

NAME = "responses"

_INCOMPLETE_REASONS: dict[str, FinishReason] = {
    "max_output_tokens": "length",
    "content_filter": "content_filter",
}
_SERVER_TOOL_NAMES = {"web_search_call": "web_search", "file_search_call": "file_search"}


def parse_usage(raw: dict[str, Any]) -> Usage:
    input_tokens = as_int(raw.get("input_tokens"))
    output_tokens = as_int(raw.get("output_tokens"))
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=as_int(raw.get("total_tokens")) or input_tokens + output_tokens,
        cache_read_tokens=as_int(as_dict(raw.get("input_tokens_details")).get("cached_tokens")),
        reasoning_tokens=as_int(as_dict(raw.get("output_tokens_details")).get("reasoning_tokens")),
        raw=raw,
    )


def finish_of(response: dict[str, Any]) -> tuple[FinishReason | None, str | None]:
    """``(neutral reason, raw)``: ``completed`` is a stop (``finalize_response`` turns it
    into ``tool_calls`` when the reply calls functions); ``incomplete`` maps its
    ``incomplete_details.reason``."""
    status = as_str(response.get("status"))
    if status == "completed":
        return "stop", status
    if status == "incomplete":
        reason = as_str(as_dict(response.get("incomplete_details")).get("reason"))
        return _INCOMPLETE_REASONS.get(reason, "other"), reason or status
    if not status:
        return None, None
    return "other", status


def reasoning_part(item: dict[str, Any]) -> ThinkingPart:
    encrypted = item.get("encrypted_content")
    item_id = as_str(item.get("id"))
    return ThinkingPart(
        text=summary_text(item),
        signature=encrypted if isinstance(encrypted, str) and encrypted else None,
        provider_data={"id": item_id} if item_id else {},
    )


def function_call_part(item: dict[str, Any]) -> ToolCallPart:
    item_id = as_str(item.get("id"))
    arguments = item.get("arguments")
    if not isinstance(arguments, str):  # some relays send an object
        arguments = json.dumps(arguments, ensure_ascii=False) if arguments else ""
    return ToolCallPart(
        id=as_str(item.get("call_id")) or item_id,
        name=as_str(item.get("name")),
        arguments=arguments or "{}",
        provider_data={"id": item_id} if item_id else {},
    )


def server_tool_part(item: dict[str, Any]) -> ServerToolCallPart:
    """A provider-run tool item (``web_search_call``, ...), kept whole for replay."""
    kind = as_str(item.get("type"))
    action = as_dict(item.get("action"))
    status = item.get("status")
    return ServerToolCallPart(
        id=as_str(item.get("id")),
        name=_SERVER_TOOL_NAMES.get(kind, kind.removesuffix("_call")),
        arguments=action,
        status=status if isinstance(status, str) else None,
        provider_data={"item": item},
    )


def message_parts(item: dict[str, Any]) -> tuple[list[Part], str]:
    """Text parts (with their citations) and refusal text of a ``message`` item."""
    parts: list[Part] = []
    refusals: list[str] = []
    for content in (as_dict(c) for c in as_list(item.get("content"))):
        kind = content.get("type")
        if kind == "refusal":
            refusals.append(as_str(content.get("refusal")))
        elif kind == "output_text":
            cited = [c for c in map(citation, as_list(content.get("annotations"))) if c]
            text = as_str(content.get("text"))
            if text or cited:
                parts.append(TextPart(text=text, citations=cited))
    return parts, "".join(refusals)


def output_parts(output: list[Any]) -> tuple[list[Part], str]:
    parts: list[Part] = []
    refusal = ""
    for item in (as_dict(i) for i in output):
        kind = as_str(item.get("type"))
        if kind == "message":
            texts, refused = message_parts(item)
            parts.extend(texts)
            refusal += refused
        elif kind == "reasoning":
            parts.append(reasoning_part(item))
        elif kind == "function_call":
            parts.append(function_call_part(item))
        elif kind.endswith("_call"):
            parts.append(server_tool_part(item))
    return parts, refusal


def raise_for_failure(body: dict[str, Any]) -> None:
    """A failed response (``status: failed`` with ``error``), or a relay's error body."""
    if body.get("error"):
        error = as_dict(body["error"])
        content = json.dumps({"error": error} if error else body, ensure_ascii=False).encode()
        raise error_from_response(200, content)


def parse_response(body: Any, request: ChatRequest | None = None) -> ChatResponse:
    if not isinstance(body, dict):
        raise ProtocolError(f"Responses reply is {type(body).__name__}, not a JSON object")
    raise_for_failure(body)
    output = body.get("output")
    if not isinstance(output, list):
        raise ProtocolError("Responses reply has no 'output' list")
    parts, refusal = output_parts(output)
    reason, raw_reason = finish_of(body)
    usage = body.get("usage")
    response = ChatResponse(
        id=body.get("id"),
        model=body.get("model"),
        protocol=NAME,
        parts=parts,
        finish_reason=reason,
        stop_reason_raw=raw_reason,
        usage=parse_usage(usage) if isinstance(usage, dict) else None,
        refusal=refusal or None,
        raw=body,
    )
    return finalize_response(response, request)


def finalize_response(response: ChatResponse, request: ChatRequest | None = None) -> ChatResponse:
    """Applied to parsed and streamed replies alike: a completed reply that calls functions
    finishes with ``tool_calls``."""
    if response.finish_reason == "stop" and response.tool_calls:
        return response.model_copy(update={"finish_reason": "tool_calls"})
    return response

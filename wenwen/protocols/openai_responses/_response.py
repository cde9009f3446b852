"""A ``Response`` body → neutral ``ChatResponse``. The item readers here are shared with
the stream decoder, so both paths map the wire the same way."""

from __future__ import annotations

import json
from typing import Any

from ...errors import ProtocolError
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
from ..error_body import error_from_response, parse_error_body
from ._wire import as_dict, as_int, as_list, as_str, citation, summary_text

NAME = "responses"

_INCOMPLETE_REASONS: dict[str, FinishReason] = {
    "max_output_tokens": "length",
    "content_filter": "content_filter",
}
_SERVER_TOOL_NAMES = {"web_search_call": "web_search", "file_search_call": "file_search"}


def parse_usage(raw: dict[str, Any]) -> Usage:
    input_tokens = as_int(raw.get("input_tokens"), "usage.input_tokens")
    output_tokens = as_int(raw.get("output_tokens"), "usage.output_tokens")
    input_details = as_dict(raw.get("input_tokens_details"), "usage.input_tokens_details")
    output_details = as_dict(raw.get("output_tokens_details"), "usage.output_tokens_details")
    total = as_int(raw.get("total_tokens"), "usage.total_tokens")
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=total or input_tokens + output_tokens,
        cache_read_tokens=as_int(input_details.get("cached_tokens"), "usage.cached_tokens"),
        reasoning_tokens=as_int(output_details.get("reasoning_tokens"), "usage.reasoning_tokens"),
        raw=raw,
    )


def finish_of(response: dict[str, Any]) -> tuple[FinishReason | None, str | None]:
    """``(neutral reason, raw)``: ``completed`` is a stop (``finalize_response`` turns it
    into ``tool_calls`` when the reply calls functions); ``incomplete`` maps its
    ``incomplete_details.reason``."""
    status = as_str(response.get("status"), "response.status")
    if status == "completed":
        return "stop", status
    if status == "incomplete":
        details = as_dict(response.get("incomplete_details"), "response.incomplete_details")
        reason = as_str(details.get("reason"), "incomplete_details.reason")
        return _INCOMPLETE_REASONS.get(reason, "other"), reason or status
    if not status:
        return None, None
    return "other", status


def reasoning_part(item: dict[str, Any]) -> ThinkingPart:
    encrypted = as_str(item.get("encrypted_content"), "reasoning.encrypted_content")
    item_id = as_str(item.get("id"), "reasoning.id")
    return ThinkingPart(
        text=summary_text(item),
        signature=encrypted or None,
        provider_data={"id": item_id} if item_id else {},
    )


def function_call_part(item: dict[str, Any]) -> ToolCallPart:
    item_id = as_str(item.get("id"), "function_call.id")
    arguments = item.get("arguments")
    if isinstance(arguments, dict):  # some relays send an object
        arguments = json.dumps(arguments, ensure_ascii=False) if arguments else ""
    else:
        arguments = as_str(arguments, "function_call.arguments")
    return ToolCallPart(
        id=as_str(item.get("call_id"), "function_call.call_id") or item_id,
        name=as_str(item.get("name"), "function_call.name"),
        arguments=arguments or "{}",
        provider_data={"id": item_id} if item_id else {},
    )


def server_tool_part(item: dict[str, Any]) -> ServerToolCallPart:
    """A provider-run tool item (``web_search_call``, ...), kept whole for replay."""
    kind = as_str(item.get("type"), "output item type")
    action = as_dict(item.get("action"), f"{kind}.action")
    status = as_str(item.get("status"), f"{kind}.status")
    return ServerToolCallPart(
        id=as_str(item.get("id"), f"{kind}.id"),
        name=_SERVER_TOOL_NAMES.get(kind, kind.removesuffix("_call")),
        arguments=action,
        status=status or None,
        provider_data={"item": item},
    )


def message_parts(item: dict[str, Any]) -> tuple[list[Part], str]:
    """Text parts (with their citations) and refusal text of a ``message`` item."""
    parts: list[Part] = []
    refusals: list[str] = []
    for content in (
        as_dict(c, "message content") for c in as_list(item.get("content"), "message.content")
    ):
        kind = as_str(content.get("type"), "message content type")
        if kind == "refusal":
            refusals.append(as_str(content.get("refusal"), "refusal.refusal"))
        elif kind == "output_text":
            annotations = as_list(content.get("annotations"), "output_text.annotations")
            cited = [c for c in map(citation, annotations) if c]
            text = as_str(content.get("text"), "output_text.text")
            if text or cited:
                parts.append(TextPart(text=text, citations=cited))
    return parts, "".join(refusals)


def output_parts(output: list[Any]) -> tuple[list[Part], str]:
    parts: list[Part] = []
    refusal = ""
    for item in (as_dict(i, "output item") for i in output):
        kind = as_str(item.get("type"), "output item type")
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
    """A failed response (``status: failed`` with ``error``), or a relay's error body
    (``{"error": {...}}`` or ``{"error": "message"}``). An ``error`` that says nothing — a
    number, a list, an object without message or code, text inside a whole ``Response``
    object — is a malformed field, not a relay error."""
    error = body.get("error")
    if not error:
        return
    in_response = isinstance(body.get("output"), list)
    message, _, code = parse_error_body({"error": error})
    if (isinstance(error, str) and in_response) or (message is None and code is None):
        raise ProtocolError(
            f"Responses reply field 'error' is {type(error).__name__} {error!r:.100}, "
            "not an error object"
        )
    content = json.dumps(body if isinstance(error, str) else {"error": error}, ensure_ascii=False)
    raise error_from_response(200, content.encode())


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

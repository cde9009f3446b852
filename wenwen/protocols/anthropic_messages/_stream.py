"""Anthropic Messages SSE events → neutral stream events.

Events: ``message_start``, then per content block ``content_block_start`` /
``content_block_delta`` / ``content_block_stop``, then ``message_delta`` (stop reason,
cumulative usage) and ``message_stop``; ``ping`` and ``error`` may come at any time. The
decoder dispatches on the ``type`` inside the data (relays may leave out ``event:`` lines)
and ignores event and delta kinds it does not know.

Usage: ``message_start`` carries the input tokens, ``message_delta`` the running output
count and, on newer APIs only, the input figures again. The two are merged field by field,
keeping the larger count, so input tokens are never lost when a ``message_delta`` leaves
them out (older API versions and proxies do; langchain-anthropic, which reads usage from
``message_delta`` only, then reports 0 input tokens) nor counted twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pydantic_core

from ...errors import StreamError
from ...types import (
    ChatRequest,
    Finished,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    UsageReport,
)
from .._read import items, mapping, optional_string, string
from ..base import ServerSentEvent
from ..base import StreamDecoder as BaseStreamDecoder
from ._response import NAME, map_stop_reason, tool_input_json, usage_from
from ._structured import finish_reason, synthetic_tool_name

logger = logging.getLogger("wenwen")


@dataclass
class _Block:
    kind: str  # "text" | "thinking" | "tool" | "answer" (the synthetic tool) | "other"
    key: str
    tool_index: int = 0
    emitted: bool = False  # whether any JSON reached the caller, for "answer" blocks


class StreamDecoder(BaseStreamDecoder):
    """Feed it every ``ServerSentEvent`` of one reply, then call ``close()``."""

    protocol_name = NAME

    def __init__(self, request: ChatRequest | None = None) -> None:
        self._synthetic = synthetic_tool_name(request)
        self._blocks: dict[str, _Block] = {}
        self._tool_calls = 0
        self._usage: dict[str, Any] = {}
        self._stop_seen = False
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def _feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        if self._done or not event.data.strip():
            return []
        data = _load(event)
        kind = optional_string(data.get("type"), "type") or event.event or ""
        if kind == "error" or (not kind and "error" in data):
            raise StreamError(_error_text(data))
        handler = self._HANDLERS.get(kind)
        if handler is None:
            logger.debug("Anthropic stream event %r ignored", kind)
            return []
        return handler(self, data)

    def _close(self) -> list[StreamEvent]:
        # A relay that drops message_stop after the stop reason arrived lost nothing.
        if not self._done and not self._stop_seen:
            raise StreamError("the Anthropic stream ended before message_stop")
        self._done = True
        return []

    # --- handlers --------------------------------------------------------------------

    def _message_start(self, data: dict[str, Any]) -> list[StreamEvent]:
        message = mapping(data.get("message"), "message")
        events: list[StreamEvent] = [
            ResponseStarted(
                id=optional_string(message.get("id"), "message.id"),
                model=optional_string(message.get("model"), "message.model"),
            )
        ]
        for position, block in enumerate(items(message.get("content"), "message.content")):
            events.extend(self._start_block(f"start:{position}", block))
        events.extend(self._merge_usage(message.get("usage")))
        return events

    def _content_block_start(self, data: dict[str, Any]) -> list[StreamEvent]:
        return self._start_block(f"block:{data.get('index')}", data.get("content_block"))

    def _start_block(self, key: str, block: Any) -> list[StreamEvent]:
        block = mapping(block, "content_block")
        kind = block.get("type")
        if kind == "text":
            self._blocks[key] = _Block("text", key)
            return [TextDelta(key=key, text=string(block.get("text"), "content_block.text"))]
        if kind == "thinking":
            self._blocks[key] = _Block("thinking", key)
            signature = string(block.get("signature"), "content_block.signature") or None
            text = string(block.get("thinking"), "content_block.thinking")
            return [ThinkingDelta(key=key, text=text, signature=signature)]
        if kind == "redacted_thinking":
            self._blocks[key] = _Block("thinking", key)
            return [
                ThinkingDelta(key=key, redacted=string(block.get("data"), "content_block.data"))
            ]
        if kind == "tool_use":
            return self._start_tool(key, block)
        self._blocks[key] = _Block("other", key)
        logger.debug("Anthropic stream block %s of type %r has no neutral part", key, kind)
        return []

    def _start_tool(self, key: str, block: dict[str, Any]) -> list[StreamEvent]:
        given = block.get("input")
        initial = tool_input_json(given, key) if given else ""
        if self._synthetic is not None and block.get("name") == self._synthetic:
            self._blocks[key] = _Block("answer", key, emitted=bool(initial))
            return [TextDelta(key=key, text=initial)]
        tool = self._blocks[key] = _Block("tool", key, tool_index=self._tool_calls)
        self._tool_calls += 1
        return [
            ToolCallDelta(
                key=key,
                index=tool.tool_index,
                id=optional_string(block.get("id"), "content_block.id"),
                name=optional_string(block.get("name"), "content_block.name"),
                arguments=initial,
            )
        ]

    def _content_block_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        key = f"block:{data.get('index')}"
        delta = mapping(data.get("delta"), "delta")
        kind = delta.get("type")
        block = self._blocks.get(key) or self._implied_block(key, kind)
        if kind == "text_delta" and block.kind == "text":
            return [TextDelta(key=key, text=string(delta.get("text"), "delta.text"))]
        if kind == "thinking_delta" and block.kind == "thinking":
            return [ThinkingDelta(key=key, text=string(delta.get("thinking"), "delta.thinking"))]
        if kind == "signature_delta" and block.kind == "thinking":
            signature = string(delta.get("signature"), "delta.signature") or None
            return [ThinkingDelta(key=key, signature=signature)]
        if kind == "input_json_delta":
            return self._tool_delta(block, string(delta.get("partial_json"), "delta.partial_json"))
        # citations_delta, deltas of server-tool blocks, kinds added later
        logger.debug("Anthropic stream delta %r for a %s block ignored", kind, block.kind)
        return []

    def _implied_block(self, key: str, delta_kind: Any) -> _Block:
        """A block whose content_block_start never came: text and thinking deltas say what
        it is; a tool call without its start has no id or name to recover."""
        kinds = {"text_delta": "text", "thinking_delta": "thinking", "signature_delta": "thinking"}
        if delta_kind not in kinds:
            raise StreamError(f"Anthropic stream sent {delta_kind!r} for {key} before its start")
        block = self._blocks[key] = _Block(kinds[delta_kind], key)
        return block

    def _tool_delta(self, block: _Block, fragment: str) -> list[StreamEvent]:
        if not fragment:
            return []
        if block.kind == "answer":
            block.emitted = True
            return [TextDelta(key=block.key, text=fragment)]
        if block.kind == "tool":
            return [ToolCallDelta(key=block.key, index=block.tool_index, arguments=fragment)]
        return []

    def _content_block_stop(self, data: dict[str, Any]) -> list[StreamEvent]:
        block = self._blocks.get(f"block:{data.get('index')}")
        if block is not None and block.kind == "answer" and not block.emitted:
            block.emitted = True
            return [TextDelta(key=block.key, text="{}")]  # as parse_response renders no input
        return []

    def _message_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        events = self._merge_usage(data.get("usage"))
        delta = mapping(data.get("delta"), "delta")
        raw_reason = optional_string(delta.get("stop_reason"), "delta.stop_reason")
        if raw_reason is not None:
            self._stop_seen = True
            reason = finish_reason(
                map_stop_reason(raw_reason),
                synthetic=self._synthetic,
                real_tool_calls=self._tool_calls > 0,
            )
            events.append(Finished(reason=reason, raw_reason=raw_reason))
        return events

    def _merge_usage(self, raw: Any) -> list[StreamEvent]:
        if raw is None:
            return []
        for field, value in mapping(raw, "usage").items():
            if value is None:
                continue
            previous = self._usage.get(field)
            if _is_count(value) and _is_count(previous):
                value = max(previous, value)
            self._usage[field] = value
        usage = usage_from(self._usage)
        return [UsageReport(usage=usage)] if usage is not None else []

    def _message_stop(self, data: dict[str, Any]) -> list[StreamEvent]:
        self._done = True
        return []

    def _ping(self, data: dict[str, Any]) -> list[StreamEvent]:
        return []

    _HANDLERS = {
        "message_start": _message_start,
        "content_block_start": _content_block_start,
        "content_block_delta": _content_block_delta,
        "content_block_stop": _content_block_stop,
        "message_delta": _message_delta,
        "message_stop": _message_stop,
        "ping": _ping,
    }


def _load(event: ServerSentEvent) -> dict[str, Any]:
    try:
        data = pydantic_core.from_json(event.data, cache_strings="keys")
    except ValueError as exc:
        raise StreamError(
            f"Anthropic stream event {event.event or '(unnamed)'} is not valid JSON ({exc}): "
            f"{event.data[:200]!r}"
        ) from None
    if not isinstance(data, dict):
        raise StreamError(f"Anthropic stream event data is a JSON {type(data).__name__}")
    return data


def _error_text(data: dict[str, Any]) -> str:
    error = data.get("error")
    if isinstance(error, dict):
        kind = error.get("type") or error.get("code") or "error"
        message = error.get("message") or "no message"
    else:
        kind, message = "error", error or "no message"
    return f"the Anthropic stream reported an error ({kind}): {message}"


def _is_count(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

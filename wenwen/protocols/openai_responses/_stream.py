"""Responses SSE (``event: response.output_text.delta`` …) → neutral stream events.

Dispatch is on the ``type`` inside the data (the ``event:`` line repeats it; relays may
drop it). Keys: a text part is ``<item id>:<content index>``, a reasoning item its item id,
a function call ``tool:<item id>``, a provider-run tool ``server:<item id>``. The stream
ends with ``response.completed``, ``.incomplete`` or ``.failed``; a trailing ``data: [DONE]``
(some relays add it) is ignored, and events of types we do not know are kept in the
reply's ``raw["unknown_events"]`` (``raw`` is the final response object, as when parsed).

Relays that send whole items without deltas are covered: ``output_item.done`` fills in
text, summaries and arguments that no delta delivered.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from ..._http.sse import ServerSentEvent
from ...errors import StreamError
from ...types import (
    ChatRequest,
    CitationDelta,
    Finished,
    RefusalDelta,
    ResponseStarted,
    ServerToolCallDelta,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    UsageReport,
)
from ..error_body import parse_error_body
from ._response import finish_of, function_call_part, parse_usage, reasoning_part, server_tool_part
from ._wire import SUMMARY_SEPARATOR, as_dict, as_int, as_list, as_str, citation

logger = logging.getLogger("wenwen")
Handler = Callable[["StreamDecoder", dict[str, Any]], list[StreamEvent]]


class StreamDecoder:
    """Feed it each ``ServerSentEvent`` of one reply; ``close()`` at the end of the body."""

    def __init__(self, request: ChatRequest | None = None) -> None:
        self._done = False
        self._tools: dict[str, int] = {}  # function-call item id -> its position
        self._delivered: set[str] = set()  # keys that got content through deltas
        self._summary_index: dict[str, int] = {}  # reasoning item id -> latest summary part
        self._unknown: list[dict[str, Any]] = []  # events of types we do not know

    @property
    def done(self) -> bool:
        return self._done

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        data = event.data.strip()
        if not data or data == "[DONE]" or self._done:
            return []
        payload = _load(data)
        kind = as_str(payload.get("type"), "stream event type") or event.event or ""
        if not kind and payload.get("error"):
            kind = "error"  # a relay's chat-style error frame
        handler = _HANDLERS.get(kind)
        if handler is None:
            logger.debug("Responses stream event %r kept in raw['unknown_events']", kind)
            self._unknown.append(payload)
            return []
        return handler(self, payload)

    def close(self) -> list[StreamEvent]:
        if not self._done:
            raise StreamError(
                "the Responses stream ended before response.completed / .incomplete / .failed"
            )
        return []

    # --- handlers ---------------------------------------------------------------------

    def _started(self, data: dict[str, Any]) -> list[StreamEvent]:
        response = as_dict(data.get("response"), "event response")
        return [ResponseStarted(id=response.get("id"), model=response.get("model"))]

    def _item_added(self, data: dict[str, Any]) -> list[StreamEvent]:
        item = as_dict(data.get("item"), "event item")
        kind, item_id = as_str(item.get("type"), "item type"), as_str(item.get("id"), "item id")
        if kind == "reasoning":
            part = reasoning_part(item)
            return [ThinkingDelta(key=item_id, provider_data=part.provider_data)]
        if kind == "function_call":
            return [self._tool_delta(item, with_arguments=False)]
        if kind.endswith("_call"):
            return [ServerToolCallDelta(key=f"server:{item_id}", part=server_tool_part(item))]
        return []

    def _item_done(self, data: dict[str, Any]) -> list[StreamEvent]:
        item = as_dict(data.get("item"), "event item")
        kind, item_id = as_str(item.get("type"), "item type"), as_str(item.get("id"), "item id")
        if kind == "reasoning":
            return self._reasoning_done(item, item_id)
        if kind == "function_call":
            delivered = f"tool:{item_id}" in self._delivered
            return [self._tool_delta(item, with_arguments=not delivered)]
        if kind == "message":
            return self._message_done(item, item_id)
        if kind.endswith("_call"):
            return [ServerToolCallDelta(key=f"server:{item_id}", part=server_tool_part(item))]
        return []

    def _reasoning_done(self, item: dict[str, Any], item_id: str) -> list[StreamEvent]:
        part = reasoning_part(item)
        text = "" if item_id in self._delivered else part.text
        if not (text or part.signature):
            return []
        return [ThinkingDelta(key=item_id, text=text, signature=part.signature)]

    def _message_done(self, item: dict[str, Any], item_id: str) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        contents = as_list(item.get("content"), "message.content")
        for index, content in enumerate(as_dict(c, "message content") for c in contents):
            key = f"{item_id}:{index}"
            if key in self._delivered or content.get("type") != "output_text":
                continue
            text = as_str(content.get("text"), "output_text.text")
            if text:
                events.append(TextDelta(key=key, text=text))
            for annotation in as_list(content.get("annotations"), "output_text.annotations"):
                cited = citation(annotation)
                if cited is not None:
                    events.append(CitationDelta(key=key, citation=cited))
        return events

    def _tool_delta(self, item: dict[str, Any], *, with_arguments: bool) -> ToolCallDelta:
        part = function_call_part(item)
        item_id = as_str(item.get("id"), "function_call.id") or part.id
        index = self._tools.setdefault(item_id, len(self._tools))
        arguments = part.arguments if with_arguments and item.get("arguments") else ""
        if arguments:
            self._delivered.add(f"tool:{item_id}")
        return ToolCallDelta(
            key=f"tool:{item_id}",
            index=index,
            id=part.id or None,
            name=part.name or None,
            arguments=arguments,
            provider_data=part.provider_data,
        )

    def _text_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        key = _content_key(data)
        self._delivered.add(key)
        return [TextDelta(key=key, text=as_str(data.get("delta"), "output_text.delta"))]

    def _annotation(self, data: dict[str, Any]) -> list[StreamEvent]:
        key = _content_key(data)
        cited = citation(data.get("annotation"))
        if cited is None or key not in self._delivered:
            return []  # a citation of text not streamed comes with output_item.done
        return [CitationDelta(key=key, citation=cited)]

    def _arguments_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        item_id = as_str(data.get("item_id"), "arguments delta item_id")
        index = self._tools.setdefault(item_id, len(self._tools))
        self._delivered.add(f"tool:{item_id}")
        arguments = as_str(data.get("delta"), "function_call_arguments.delta")
        return [ToolCallDelta(key=f"tool:{item_id}", index=index, arguments=arguments)]

    def _summary_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        """Summary text; a new summary part starts after a blank line, as when parsed."""
        item_id = as_str(data.get("item_id"), "summary delta item_id")
        index = as_int(data.get("summary_index"), "summary_index")
        previous = self._summary_index.get(item_id)
        self._summary_index[item_id] = index
        self._delivered.add(item_id)
        text = as_str(data.get("delta"), "reasoning_summary_text.delta")
        if previous is not None and previous != index:
            text = SUMMARY_SEPARATOR + text
        return [ThinkingDelta(key=item_id, text=text)]

    def _refusal_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        return [RefusalDelta(text=as_str(data.get("delta"), "refusal.delta"))]

    def _finished(self, data: dict[str, Any]) -> list[StreamEvent]:
        self._done = True
        response = as_dict(data.get("response"), "final response")
        events: list[StreamEvent] = [
            ResponseStarted(id=response.get("id"), model=response.get("model"))
        ]
        usage = response.get("usage")
        if isinstance(usage, dict):
            events.append(UsageReport(usage=parse_usage(usage)))
        reason, raw_reason = finish_of(response)
        raw = dict(response)
        if self._unknown:
            raw["unknown_events"] = list(self._unknown)
        events.append(Finished(reason=reason, raw_reason=raw_reason, raw=raw))
        return events

    def _failed(self, data: dict[str, Any]) -> list[StreamEvent]:
        response = as_dict(data.get("response"), "failed response")
        error = as_dict(response.get("error"), "response.error") or data
        raise StreamError(_error_text(error))

    def _ignored(self, data: dict[str, Any]) -> list[StreamEvent]:
        return []


_HANDLERS: dict[str, Handler] = {
    "response.created": StreamDecoder._started,
    "response.in_progress": StreamDecoder._started,
    "response.queued": StreamDecoder._started,
    "response.output_item.added": StreamDecoder._item_added,
    "response.output_item.done": StreamDecoder._item_done,
    "response.content_part.added": StreamDecoder._ignored,
    "response.content_part.done": StreamDecoder._ignored,
    "response.output_text.delta": StreamDecoder._text_delta,
    "response.output_text.done": StreamDecoder._ignored,
    "response.output_text.annotation.added": StreamDecoder._annotation,
    "response.function_call_arguments.delta": StreamDecoder._arguments_delta,
    "response.function_call_arguments.done": StreamDecoder._ignored,
    "response.reasoning_summary_part.added": StreamDecoder._ignored,
    "response.reasoning_summary_part.done": StreamDecoder._ignored,
    "response.reasoning_summary_text.delta": StreamDecoder._summary_delta,
    "response.reasoning_summary_text.done": StreamDecoder._ignored,
    "response.refusal.delta": StreamDecoder._refusal_delta,
    "response.refusal.done": StreamDecoder._ignored,
    "response.completed": StreamDecoder._finished,
    "response.incomplete": StreamDecoder._finished,
    "response.failed": StreamDecoder._failed,
    "error": StreamDecoder._failed,
}


def _content_key(data: dict[str, Any]) -> str:
    item_id = as_str(data.get("item_id"), "text event item_id")
    return f"{item_id}:{as_int(data.get('content_index'), 'content_index')}"


def _load(data: str) -> dict[str, Any]:
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise StreamError(f"malformed JSON in Responses stream ({exc}): {data[:200]!r}") from None
    if not isinstance(payload, dict):
        raise StreamError(f"Responses stream event is not a JSON object: {data[:200]!r}")
    return payload


def _error_text(error: dict[str, Any]) -> str:
    message, type_, code = parse_error_body({"error": error})
    text = f"the relay reported an error mid-stream: {message or json.dumps(error)[:200]}"
    details = ", ".join(f"{k} {v}" for k, v in (("code", code), ("type", type_)) if v)
    return f"{text} ({details})" if details else text

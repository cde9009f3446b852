"""The one stream accumulator: deltas in, an ordered ``ChatResponse`` out.

Deltas are keyed by the vendor's part id (``key``); parts keep the order in which their first
delta arrived. Tool-call ids and names are set once (relays that repeat them on every chunk
do not get them concatenated); argument fragments are joined. Usage reports are cumulative,
so the latest one wins — a relay that repeats its running totals on every chunk is counted
once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .types import (
    ChatResponse,
    Citation,
    CitationDelta,
    Finished,
    FinishReason,
    MediaDelta,
    Part,
    RefusalDelta,
    ResponseStarted,
    ServerToolCallDelta,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    Usage,
    UsageReport,
)


class _ToolCallBuffer:
    __slots__ = ("arguments", "id", "index", "name", "provider_data")

    def __init__(self, index: int) -> None:
        self.index = index
        self.id: str | None = None
        self.name: str | None = None
        self.arguments: list[str] = []
        self.provider_data: dict[str, Any] = {}

    def part(self) -> ToolCallPart:
        return ToolCallPart(
            id=self.id or f"call_{self.index}",
            name=self.name or "",
            arguments="".join(self.arguments) or "{}",
            provider_data=dict(self.provider_data),
        )


class StreamAccumulator:
    """Feed it every ``StreamEvent``; ``response()`` gives the reply so far (or in full)."""

    def __init__(
        self,
        protocol: str,
        *,
        finalize: Callable[[ChatResponse], ChatResponse] | None = None,
    ) -> None:
        self.protocol = protocol
        self._finalize = finalize
        self._order: list[str] = []
        self._text: dict[str, list[str]] = {}
        self._thinking: dict[str, list[str]] = {}
        self._signatures: dict[str, str] = {}
        self._redacted: dict[str, str] = {}
        self._thinking_data: dict[str, dict[str, Any]] = {}
        self._citations: dict[str, list[Citation]] = {}
        self._tools: dict[str, _ToolCallBuffer] = {}
        self._media: dict[str, Part] = {}
        self._refusal: list[str] = []
        self.id: str | None = None
        self.model: str | None = None
        self.usage: Usage | None = None
        self.finish_reason: FinishReason | None = None
        self.raw_reason: str | None = None
        self.finished = False
        self.raw: dict[str, Any] = {}
        self.client_stop: str | None = None

    def _slot(self, key: str) -> None:
        known = (self._text, self._thinking, self._tools, self._media)
        if not any(key in table for table in known):
            self._order.append(key)

    def add(self, event: StreamEvent) -> None:
        if type(event) is TextDelta:  # the common case first: one dict lookup
            pieces = self._text.get(event.key)
            if pieces is None:
                self._slot(event.key)
                pieces = self._text[event.key] = []
            pieces.append(event.text)
        elif isinstance(event, ThinkingDelta):
            self._slot(event.key)
            self._thinking.setdefault(event.key, []).append(event.text)
            if event.signature:
                self._signatures[event.key] = self._signatures.get(event.key, "") + (
                    event.signature
                )
            if event.redacted:
                self._redacted[event.key] = event.redacted
            if event.provider_data:
                self._thinking_data.setdefault(event.key, {}).update(event.provider_data)
        elif isinstance(event, CitationDelta):
            self._slot(event.key)
            self._text.setdefault(event.key, [])
            self._citations.setdefault(event.key, []).append(event.citation)
        elif isinstance(event, ToolCallDelta):
            self._add_tool(event)
        elif isinstance(event, RefusalDelta):
            self._refusal.append(event.text)
        elif isinstance(event, MediaDelta | ServerToolCallDelta):
            self._slot(event.key)
            self._media[event.key] = event.part
        elif isinstance(event, UsageReport):
            self.usage = event.usage
        elif isinstance(event, Finished):
            self.finished = True
            if event.raw is not None:
                self.raw = event.raw
            self.client_stop = event.client_stop or self.client_stop
            if event.reason is not None or self.finish_reason is None:
                self.finish_reason = event.reason
                self.raw_reason = event.raw_reason
        elif isinstance(event, ResponseStarted):
            self.id = event.id or self.id
            self.model = event.model or self.model

    def _add_tool(self, event: ToolCallDelta) -> None:
        buffer = self._tools.get(event.key)
        if buffer is None:
            self._slot(event.key)
            buffer = self._tools[event.key] = _ToolCallBuffer(event.index)
        if event.id and not buffer.id:
            buffer.id = event.id
        if event.name and not buffer.name:
            buffer.name = event.name
        if event.arguments:
            buffer.arguments.append(event.arguments)
        if event.provider_data:
            buffer.provider_data.update(event.provider_data)

    def parts(self) -> list[Part]:
        parts: list[Part] = []
        for key in self._order:
            if key in self._text:
                citations = list(self._citations.get(key, ()))
                parts.append(TextPart(text="".join(self._text[key]), citations=citations))
            elif key in self._thinking:
                parts.append(
                    ThinkingPart(
                        text="".join(self._thinking[key]),
                        signature=self._signatures.get(key),
                        redacted=self._redacted.get(key),
                        provider_data=dict(self._thinking_data.get(key, {})),
                    )
                )
            elif key in self._tools:
                parts.append(self._tools[key].part())
            elif key in self._media:
                parts.append(self._media[key])
        return parts

    def response(self) -> ChatResponse:
        response = ChatResponse(
            id=self.id,
            model=self.model,
            protocol=self.protocol,
            parts=self.parts(),
            finish_reason=self.finish_reason,
            stop_reason_raw=self.raw_reason,
            usage=self.usage,
            refusal="".join(self._refusal) or None,
            raw=self.raw,
            client_stop=self.client_stop,
        )
        return self._finalize(response) if self._finalize else response

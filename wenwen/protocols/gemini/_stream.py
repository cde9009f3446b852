"""``:streamGenerateContent?alt=sse`` → neutral stream events.

Each SSE event is a whole ``GenerateContentResponse`` chunk; there is no terminator: the
stream is complete once a chunk carries ``finishReason`` (a relay's stray ``[DONE]`` is
ignored). Text and thought parts are deltas of the current run of their kind; a function
call arrives whole in one part; images arrive whole. ``usageMetadata`` holds running
totals, so the latest one replaces the earlier ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...errors import ProtocolError, StreamError
from ...stream import StreamAccumulator
from ...types import (
    ChatRequest,
    ChatResponse,
    FilePart,
    Finished,
    MediaDelta,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    UsageReport,
)
from ..base import ServerSentEvent
from ..base import StreamDecoder as BaseStreamDecoder
from ._response import (
    NAME,
    call_seed,
    finalize_response,
    map_finish_reason,
    media_from_wire,
    raise_if_blocked,
    tool_call_part,
    usage_from,
)
from ._wire import candidate_parts, first_candidate, obj, opt_obj, opt_str


class StreamDecoder(BaseStreamDecoder):
    """Feed it every ``ServerSentEvent`` of one reply (or ``feed_chunk`` every decoded
    chunk of the JSON-array form), then call ``close()``."""

    protocol_name = NAME

    def __init__(self, request: ChatRequest | None = None) -> None:
        self._started = False
        self._finished = False
        self._calls = 0
        self._media = 0
        self._runs = 0
        self._run_kind = ""
        self._signatures = 0
        self._last_usage: Any = None

    @property
    def done(self) -> bool:
        return self._finished

    def _feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        data = event.data.strip()
        if not data or data == "[DONE]":
            return []
        try:
            chunk = json.loads(data)
        except ValueError as exc:
            raise ProtocolError(f"Gemini stream chunk is not valid JSON: {exc}") from None
        return self.feed_chunk(chunk)

    def feed_chunk(self, value: Any) -> list[StreamEvent]:
        chunk = obj(value, "stream chunk")
        error = opt_obj(chunk, "error", "stream chunk")
        if error is not None:
            message = opt_str(error, "message", "error") or json.dumps(dict(error))
            raise StreamError(f"the Gemini stream reported an error: {message}")
        raise_if_blocked(chunk)
        events: list[StreamEvent] = []
        if not self._started:
            self._started = True
            events.append(
                ResponseStarted(
                    id=opt_str(chunk, "responseId", "chunk"),
                    model=opt_str(chunk, "modelVersion", "chunk"),
                )
            )
        candidate = first_candidate(chunk)
        if candidate is not None:
            seed = call_seed(chunk)
            for position, part in enumerate(candidate_parts(candidate)):
                events.extend(self._part(part, f"candidates[0].content.parts[{position}]", seed))
        raw_usage = chunk.get("usageMetadata")
        if raw_usage is not None and raw_usage != self._last_usage:
            # Google repeats the running totals on every chunk: report only changes
            self._last_usage = raw_usage
            usage = usage_from(raw_usage)
            if usage is not None:
                events.append(UsageReport(usage=usage))
        raw_reason = opt_str(candidate, "finishReason", "candidates[0]") if candidate else None
        if raw_reason:
            self._finished = True
            reason = map_finish_reason(raw_reason, [])
            if reason == "stop" and self._calls:
                reason = "tool_calls"
            events.append(Finished(reason=reason, raw_reason=raw_reason))
        return events

    def _run(self, kind: str) -> str:
        if kind != self._run_kind:
            self._run_kind = kind
            self._runs += 1
        return f"{kind}:{self._runs}"

    def _part(self, part: Mapping[str, Any], where: str, seed: str) -> list[StreamEvent]:
        signature = opt_str(part, "thoughtSignature", where)
        if "functionCall" in part:
            self._run_kind = ""
            call = tool_call_part(part, where, seed, self._calls, signature)
            self._calls += 1
            return [
                ToolCallDelta(
                    key=f"call:{self._calls}",
                    index=self._calls - 1,
                    id=call.id,
                    name=call.name,
                    arguments=call.arguments,
                    provider_data=call.provider_data,
                )
            ]
        text = opt_str(part, "text", where)
        if part.get("thought") is True:
            return [ThinkingDelta(key=self._run("thought"), text=text or "", signature=signature)]
        events: list[StreamEvent] = []
        if text:
            events.append(TextDelta(key=self._run("text"), text=text))
        elif text is None:
            media = media_from_wire(part, where)
            if isinstance(media, FilePart):
                raise ProtocolError(
                    f"Gemini {where} streams a {media.media_type} file, which stream events "
                    "cannot carry (images, audio and video only); use a non-streamed call"
                )
            if media is not None:
                self._run_kind = ""
                self._media += 1
                events.append(MediaDelta(key=f"media:{self._media}", part=media))
        if signature:
            # the signature belongs to the text before it; a later text starts a new part
            self._signatures += 1
            self._run_kind = ""
            events.append(ThinkingDelta(key=f"signature:{self._signatures}", signature=signature))
        return events

    def _close(self) -> list[StreamEvent]:
        if not self._finished:
            raise StreamError("the Gemini stream ended before a chunk carried a finishReason")
        return []


def merge_chunks(chunks: list[Any], request: ChatRequest | None) -> ChatResponse:
    """The JSON-array stream (``[chunk, chunk, ...]``, which a relay may answer with) as one
    reply, read by the same decoder as the SSE stream."""
    decoder = StreamDecoder(request)
    accumulator = StreamAccumulator(NAME, finalize=lambda r: finalize_response(r, request))
    for chunk in chunks:
        for event in decoder.feed_chunk(chunk):
            accumulator.add(event)
    for event in decoder.close():
        accumulator.add(event)
    return accumulator.response()

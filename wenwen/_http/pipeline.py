"""The stream pipeline shared by both clients: bytes in (SSE decoder → protocol decoder →
accumulator), stream events out, with a ``ChatResponse`` kept up to date on the side.
No I/O happens here."""

from __future__ import annotations

from typing import Any

from .._settings import DEFAULT_MAX_STREAM_EVENT_BYTES
from ..errors import APIConnectionError, APITimeoutError, ProtocolError, StreamError
from ..protocols import WireProtocol
from ..stream import StreamAccumulator
from ..types import (
    AudioPart,
    ChatRequest,
    ChatResponse,
    Finished,
    ImagePart,
    MediaDelta,
    RefusalDelta,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    UsageReport,
    VideoPart,
)
from .sse import SSEDecoder


class StreamPipeline:
    """Bytes in, stream events out, a ``ChatResponse`` kept up to date on the side."""

    def __init__(
        self,
        protocol: WireProtocol,
        request: ChatRequest,
        max_event_bytes: int = DEFAULT_MAX_STREAM_EVENT_BYTES,
    ) -> None:
        self.protocol = protocol
        self.request = request
        self.sse = SSEDecoder(max_event_bytes)
        self.decoder = protocol.StreamDecoder(request)
        self.accumulator = StreamAccumulator(
            protocol.NAME, finalize=lambda r: protocol.finalize_response(r, request)
        )

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        try:
            events = self.sse.feed(chunk)
        except StreamError as exc:
            exc.partial = self.accumulator.response()
            raise
        for sse in events:
            out.extend(self._decode(sse))
        return out

    def _decode(self, sse: Any) -> list[StreamEvent]:
        try:
            events = self.decoder.feed(sse)
        except StreamError as exc:
            exc.partial = self.accumulator.response()
            raise
        except ProtocolError as exc:
            raise StreamError(str(exc), partial=self.accumulator.response()) from exc
        add = self.accumulator.add
        for event in events:
            add(event)
        return events

    def close(self) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        for sse in self.sse.flush():
            out.extend(self._decode(sse))
        try:
            events = self.decoder.close()
        except StreamError as exc:
            exc.partial = self.accumulator.response()
            raise
        for event in events:
            self.accumulator.add(event)
        out.extend(events)
        return out

    def broken(self, error: APIConnectionError) -> StreamError:
        """The error for a transport failure after the stream began (``error`` is already
        typed and key-free)."""
        if isinstance(error, APITimeoutError):
            message = f"the stream stalled: no data arrived within the read timeout ({error})"
        else:
            message = f"the connection broke mid-stream ({error})"
        return StreamError(message, partial=self.accumulator.response())

    def from_json_reply(self, body: Any) -> list[StreamEvent]:
        """A relay that ignores ``stream: true`` answers with one JSON body: replay it as
        events so the caller sees the same thing either way."""
        response = self.protocol.parse_response(body, self.request)
        events = events_from_response(response)
        for event in events:
            self.accumulator.add(event)
        return events


def events_from_response(response: ChatResponse) -> list[StreamEvent]:
    events: list[StreamEvent] = [ResponseStarted(id=response.id, model=response.model)]
    tool_index = 0
    for i, part in enumerate(response.parts):
        key = f"part:{i}"
        if isinstance(part, TextPart):
            events.append(TextDelta(key=key, text=part.text))
        elif isinstance(part, ThinkingPart):
            events.append(
                ThinkingDelta(
                    key=key, text=part.text, signature=part.signature, redacted=part.redacted
                )
            )
        elif isinstance(part, ToolCallPart):
            events.append(
                ToolCallDelta(
                    key=key,
                    index=tool_index,
                    id=part.id,
                    name=part.name,
                    arguments=part.arguments,
                    provider_data=part.provider_data,
                )
            )
            tool_index += 1
        elif isinstance(part, ImagePart | AudioPart | VideoPart):
            events.append(MediaDelta(key=key, part=part))
    if response.refusal:
        events.append(RefusalDelta(text=response.refusal))
    if response.usage is not None:
        events.append(UsageReport(usage=response.usage))
    events.append(Finished(reason=response.finish_reason, raw_reason=response.stop_reason_raw))
    return events

"""A sans-IO Server-Sent Events decoder.

``SSEDecoder.feed(bytes)`` returns the events completed by those bytes; ``flush()`` returns
a last event that was not followed by a blank line. It follows the WHATWG rules that matter
here: ``\\n``, ``\\r\\n`` and ``\\r`` line endings (also split across feeds), comment lines
starting with ``:`` (the relay's ``: PING`` keep-alives), ``data:`` with or without a space,
multi-line data joined by ``\\n``, and blank lines that dispatch nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSentEvent:
    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    def __init__(self) -> None:
        self._buffer = b""
        self._pending_cr = False
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None
        self._has_field = False

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if self._pending_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]  # the \n of a \r\n split across two chunks
        self._pending_cr = False
        buffer = self._buffer + chunk
        events: list[ServerSentEvent] = []
        start = 0
        length = len(buffer)
        while start < length:
            cr = buffer.find(b"\r", start)
            lf = buffer.find(b"\n", start)
            if cr == -1 and lf == -1:
                break
            if cr == -1 or (lf != -1 and lf < cr):
                end, next_start = lf, lf + 1
            elif cr + 1 < length:
                end = cr
                next_start = cr + 2 if buffer[cr + 1 : cr + 2] == b"\n" else cr + 1
            else:  # a trailing \r: the line ends, but a \n may follow in the next chunk
                end, next_start = cr, cr + 1
                self._pending_cr = True
            event = self._line(buffer[start:end].decode("utf-8", "replace"))
            if event is not None:
                events.append(event)
            start = next_start
        self._buffer = buffer[start:]
        return events

    def flush(self) -> list[ServerSentEvent]:
        """Events still pending when the body ended without a final blank line."""
        events: list[ServerSentEvent] = []
        if self._buffer:
            line, self._buffer = self._buffer.decode("utf-8", "replace"), b""
            event = self._line(line)
            if event is not None:
                events.append(event)
        event = self._dispatch()
        if event is not None:
            events.append(event)
        return events

    def _line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry":
            if value.isdigit():
                self._retry = int(value)
        else:
            return None
        self._has_field = True
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._has_field:
            return None
        event = None
        if self._data or self._event:
            event = ServerSentEvent(
                data="\n".join(self._data), event=self._event, id=self._id, retry=self._retry
            )
        self._data = []
        self._event = None
        self._retry = None
        self._has_field = False
        return event

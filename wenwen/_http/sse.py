"""A sans-IO Server-Sent Events decoder.

``SSEDecoder.feed(bytes)`` returns the events completed by those bytes; ``flush()`` returns
a last event that was not followed by a blank line. It follows the WHATWG rules that matter
here: ``\\n``, ``\\r\\n`` and ``\\r`` line endings (also split across feeds), comment lines
starting with ``:`` (the relay's ``: PING`` keep-alives), ``data:`` with or without a space,
multi-line data joined by ``\\n``, and blank lines that dispatch nothing.

Memory is bounded: a line, or an event's data, longer than ``max_bytes`` raises
``StreamError`` as soon as the decoder holds that much, never after buffering more.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._settings import DEFAULT_MAX_STREAM_EVENT_BYTES
from ..errors import StreamError


@dataclass(frozen=True)
class ServerSentEvent:
    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Linear in the bytes fed: each chunk is scanned once, and a line that spans many
    chunks (a base64 image in one ``data:`` line) is kept as pieces joined once at its end."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_STREAM_EVENT_BYTES) -> None:
        self.max_bytes = max_bytes
        self._pieces: list[bytes] = []
        self._held = 0  # bytes in _pieces
        self._data_size = 0  # characters in _data
        self._pending_cr = False
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None
        self._has_field = False

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if not chunk:  # an empty read must not forget a pending \r
            return []
        if self._pending_cr:
            self._pending_cr = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]  # the \n of a \r\n split across two chunks
        if b"\r" in chunk:
            # a trailing \r ends its line, but a \n may follow in the next chunk
            self._pending_cr = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = chunk.split(b"\n")
        rest = lines.pop()
        if not lines:  # no line ended in this chunk
            if rest:
                self._hold(rest)
            return []
        if self._pieces:
            self._hold(lines[0])
            lines[0] = b"".join(self._pieces)
            self._pieces, self._held = [], 0
        elif len(lines[0]) > self.max_bytes:
            self._too_large("line")
        if rest:
            self._hold(rest)
        events: list[ServerSentEvent] = []
        for raw in lines:
            event = self._line(raw.decode("utf-8", "replace"))
            if event is not None:
                events.append(event)
        return events

    def flush(self) -> list[ServerSentEvent]:
        """Events still pending when the body ended without a final blank line."""
        events: list[ServerSentEvent] = []
        if self._pieces:
            line = b"".join(self._pieces).decode("utf-8", "replace")
            self._pieces, self._held = [], 0
            event = self._line(line)
            if event is not None:
                events.append(event)
        event = self._dispatch()
        if event is not None:
            events.append(event)
        return events

    def _hold(self, piece: bytes) -> None:
        self._held += len(piece)
        if self._held > self.max_bytes:
            self._pieces, self._held = [], 0
            self._too_large("line")
        self._pieces.append(piece)

    def _too_large(self, what: str) -> None:
        self._data, self._data_size = [], 0
        raise StreamError(
            f"a Server-Sent-Events {what} passed {self.max_bytes} bytes "
            "(max_stream_event_bytes); the stream was stopped"
        )

    def _add_data(self, value: str) -> None:
        self._data_size += len(value) + 1
        if self._data_size > self.max_bytes:
            self._too_large("event")
        self._data.append(value)

    def _line(self, line: str) -> ServerSentEvent | None:
        if line.startswith("data: "):  # the common case
            self._add_data(line[6:])
            self._has_field = True
            return None
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._add_data(value)
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
        self._data, self._data_size = [], 0
        self._event = None
        self._retry = None
        self._has_field = False
        return event

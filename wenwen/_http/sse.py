"""A sans-IO Server-Sent Events decoder.

``SSEDecoder.feed(bytes)`` returns the events completed by those bytes; ``flush()`` returns
a last event that was not followed by a blank line. It follows the WHATWG rules that matter
here: ``\\n``, ``\\r\\n`` and ``\\r`` line endings (also split across feeds), comment lines
starting with ``:`` (the relay's ``: PING`` keep-alives), ``data:`` with or without a space,
multi-line data joined by ``\\n``, and blank lines that dispatch nothing.
"""

from __future__ import annotations

from ..protocols.base import ServerSentEvent  # the event type the protocols decode

__all__ = ["SSEDecoder", "ServerSentEvent"]


class SSEDecoder:
    """Linear in the bytes fed: each chunk is scanned once, and a line that spans many
    chunks (a base64 image in one ``data:`` line) is kept as pieces joined once at its end."""

    def __init__(self) -> None:
        self._pieces: list[bytes] = []
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
                self._pieces.append(rest)
            return []
        if self._pieces:
            self._pieces.append(lines[0])
            lines[0] = b"".join(self._pieces)
            self._pieces = []
        if rest:
            self._pieces.append(rest)
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
            self._pieces = []
            event = self._line(line)
            if event is not None:
                events.append(event)
        event = self._dispatch()
        if event is not None:
            events.append(event)
        return events

    def _line(self, line: str) -> ServerSentEvent | None:
        if line.startswith("data: "):  # the common case
            self._data.append(line[6:])
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

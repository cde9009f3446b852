"""Stop sequences enforced by the client.

Some wires have no stop sequences (OpenAI Responses), and a relay may drop the field on
others (Gemini's ``stopSequences``). A request that asks for ``stop`` therefore gets it
honoured here as well, whatever the protocol: the text is cut just before the first stop
sequence it completes, what the model produced after it (text, tool calls, media) is
dropped, the reply's ``finish_reason`` becomes ``"stop"`` and ``client_stop`` names the
sequence the client cut at. When the server already stopped, the text holds no stop
sequence and nothing changes.

Streams hold back only what could still become a stop sequence: the longest end of the
text so far that begins one (at most the longest stop's length - 1 characters). Usage and
the finish event still pass through after a cut, so the reply keeps its token counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from .types import (
    ChatRequest,
    ChatResponse,
    Finished,
    Part,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    TextPart,
    UsageReport,
)

__all__ = ["StopSequenceFilter", "cut_at_stop", "enforce_stop"]


def _first_stop(text: str, stops: Sequence[str]) -> tuple[int, str] | None:
    """``(index, sequence)`` of the stop sequence that ``text`` completes first (the one
    ending earliest; of two ending at the same place, the longer), or ``None``. This is the
    one a stream meets first, however its text is split."""
    best: tuple[int, int, str] | None = None  # (end, start, stop)
    for stop in stops:
        at = text.find(stop)
        if at >= 0 and (best is None or (at + len(stop), at) < best[:2]):
            best = (at + len(stop), at, stop)
    return None if best is None else (best[1], best[2])


def cut_at_stop(text: str, stops: Sequence[str]) -> tuple[str, str | None]:
    """``text`` up to the first stop sequence it completes, and that sequence (``None`` when
    none occurs)."""
    found = _first_stop(text, [s for s in stops if s])
    if found is None:
        return text, None
    return text[: found[0]], found[1]


def enforce_stop(response: ChatResponse, request: ChatRequest | None) -> ChatResponse:
    """``response`` cut at the first of ``request.stop`` found in its text parts (in order):
    the text part ends before it and every later part is dropped."""
    stops = [s for s in (request.stop if request is not None else ()) if s]
    if not stops:
        return response
    kept: list[Part] = []
    for part in response.parts:
        if isinstance(part, TextPart):
            text, stop = cut_at_stop(part.text, stops)
            if stop is not None:
                if text:
                    kept.append(part.model_copy(update={"text": text, "citations": []}))
                return response.model_copy(
                    update={"parts": kept, "finish_reason": "stop", "client_stop": stop}
                )
        kept.append(part)
    return response


def _held_back(text: str, stops: Sequence[str]) -> int:
    """How many characters at the end of ``text`` could begin a stop sequence."""
    longest = min(max(len(s) for s in stops) - 1, len(text))
    for size in range(longest, 0, -1):
        tail = text[-size:]
        if any(s.startswith(tail) for s in stops):
            return size
    return 0


# Events that neither carry the model's output nor end the stream: they pass a held-back
# tail without flushing it.
_NEUTRAL = (UsageReport, ResponseStarted)


class StopSequenceFilter:
    """Applies stop sequences to a flow of stream events (see the module docstring). Feed it
    each batch the protocol decoder produced; ``close`` releases what is still held back."""

    def __init__(self, stops: Sequence[str]) -> None:
        self._stops = [s for s in stops if s]
        self._tails: dict[str, str] = {}
        self.stopped_at: str | None = None
        """The stop sequence the text was cut at, once it was."""

    def feed(self, events: list[StreamEvent]) -> list[StreamEvent]:
        if not self._stops:
            return events
        out: list[StreamEvent] = []
        for event in events:
            if self.stopped_at is not None:
                self._after_cut(event, out)
            elif type(event) is TextDelta:
                self._text(event, out)
            else:
                if not isinstance(event, _NEUTRAL):
                    self._flush(out)
                out.append(event)
        return out

    def close(self, events: list[StreamEvent] | None = None) -> list[StreamEvent]:
        """The decoder's last events, then whatever text is still held back."""
        out = self.feed(list(events or ()))
        if self.stopped_at is None:
            self._flush(out)
        return out

    def _text(self, event: TextDelta, out: list[StreamEvent]) -> None:
        for key in [k for k in self._tails if k != event.key]:
            self._flush(out, only=key)
        text = self._tails.pop(event.key, "") + event.text
        found = _first_stop(text, self._stops)
        if found is not None:
            self.stopped_at = found[1]
            self._tails.clear()
            if found[0]:
                out.append(TextDelta(key=event.key, text=text[: found[0]]))
            return
        hold = _held_back(text, self._stops)
        if hold:
            self._tails[event.key] = text[-hold:]
            text = text[:-hold]
        if text:
            out.append(TextDelta(key=event.key, text=text))

    def _flush(self, out: list[StreamEvent], only: str | None = None) -> None:
        for key in [only] if only is not None else list(self._tails):
            tail = self._tails.pop(key, "")
            if tail:
                out.append(TextDelta(key=key, text=tail))

    def _after_cut(self, event: StreamEvent, out: list[StreamEvent]) -> None:
        if isinstance(event, Finished):
            out.append(event.model_copy(update={"reason": "stop", "client_stop": self.stopped_at}))
        elif isinstance(event, _NEUTRAL):
            out.append(event)
        # anything else is output produced after the stop sequence: dropped

"""OpenAI chat-completions stream (``data: {chunk}`` … ``data: [DONE]``) → stream events.

Tool-call deltas are where relays differ most, so their slots are assigned here rather than
trusted from the wire: several calls may share one chunk; ``index`` may be missing or
``null`` (then a delta with a new id opens a call, one with a known id continues it, and one
with neither continues the latest call); ids and names may repeat on every fragment; the
``function`` object may be missing; arguments may come as an object.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic_core

from ..._http.sse import ServerSentEvent
from ...errors import StreamError
from ...types import (
    ChatRequest,
    Finished,
    MediaDelta,
    RefusalDelta,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    UsageReport,
)
from ..error_body import parse_error_body
from ._response import (
    arguments_text,
    as_dict,
    audio_part,
    content_items,
    image_parts,
    map_finish_reason,
    parse_usage,
    reasoning_of,
    tool_call_extras,
)


class _ToolSlots:
    """Maps wire tool-call deltas to call positions (slots)."""

    def __init__(self) -> None:
        self._ids: list[str | None] = []  # per slot, the first id seen
        self._by_index: dict[int, int] = {}

    def slot_for(self, wire_index: Any, call_id: str | None) -> int:
        if isinstance(wire_index, int) and not isinstance(wire_index, bool):
            slot = self._by_index.get(wire_index)
            # a relay that numbers every call 0 still gives each a new id
            if slot is None or (call_id and self._ids[slot] not in (None, call_id)):
                slot = self._open(call_id)
                self._by_index[wire_index] = slot
            return self._remember(slot, call_id)
        if call_id:
            if call_id in self._ids:
                return self._ids.index(call_id)
            return self._open(call_id)
        return len(self._ids) - 1 if self._ids else self._open(None)

    def _open(self, call_id: str | None) -> int:
        self._ids.append(call_id)
        return len(self._ids) - 1

    def _remember(self, slot: int, call_id: str | None) -> int:
        if call_id and self._ids[slot] is None:
            self._ids[slot] = call_id
        return slot


class StreamDecoder:
    """Feed it each ``ServerSentEvent`` of one reply; ``close()`` at the end of the body."""

    def __init__(self, request: ChatRequest | None = None) -> None:
        self._request = request
        self._done = False
        self._finished = False
        self._started = False
        self._tools = _ToolSlots()
        self._segment_kind: str | None = None  # "reasoning" or "text", the latest one
        self._segments = {"reasoning": -1, "text": -1}  # segments opened so far, minus one
        self._audio: dict[str, Any] = {}  # data/transcript as lists of pieces
        self._audio_complete = False
        self._images = 0

    @property
    def done(self) -> bool:
        return self._done

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        data = event.data.strip()
        if not data or self._done:
            return []
        if data == "[DONE]":
            self._done = True
            return []
        if event.event == "error":
            raise StreamError(_error_message(_error_chunk(data), data))
        chunk = _load_chunk(data)
        if chunk.get("error"):
            raise StreamError(_error_message(chunk, data))
        events: list[StreamEvent] = []
        if not self._started and (chunk.get("id") or chunk.get("model")):
            self._started = True
            events.append(ResponseStarted(id=chunk.get("id"), model=chunk.get("model")))
        choices = chunk.get("choices")
        for choice in choices if isinstance(choices, list) else []:
            choice = as_dict(choice)
            if choice.get("index") in (0, None):  # only the first choice (n is never > 1)
                events.extend(self._choice_events(choice))
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            events.append(UsageReport(usage=parse_usage(usage)))
        return events

    def close(self) -> list[StreamEvent]:
        if not self._done and not self._finished:
            raise StreamError(
                "stream ended before the model finished (no finish_reason, no [DONE])"
            )
        events = self._pending_audio()
        if not self._finished:
            self._finished = True
            events.append(Finished(reason=None))
        return events

    # --- one choice -----------------------------------------------------------------------

    def _choice_events(self, choice: dict[str, Any]) -> list[StreamEvent]:
        delta = as_dict(choice.get("delta"))
        text = _plain_text(delta)
        if text is not None and choice.get("finish_reason") is None:
            # the common chunk: text only, nothing else to look at
            return [TextDelta(key=self._segment_key("text"), text=text)] if text else []
        events: list[StreamEvent] = []
        thinking = reasoning_of(delta)
        if thinking is not None:
            key = self._segment_key("reasoning")
            events.append(
                ThinkingDelta(
                    key=key,
                    text=thinking.text,
                    signature=thinking.signature,
                    redacted=thinking.redacted,
                )
            )
        text, images, refusal = content_items(delta.get("content"))
        if text:
            events.append(TextDelta(key=self._segment_key("text"), text=text))
        if isinstance(delta.get("refusal"), str) and delta["refusal"]:
            refusal = delta["refusal"] + refusal
        if refusal:
            events.append(RefusalDelta(text=refusal))
        events.extend(self._media_events([*images, *image_parts(delta.get("images"))]))
        if isinstance(delta.get("audio"), dict):
            events.extend(self._audio_events(delta["audio"]))
        events.extend(self._tool_events(delta))
        reason, raw_reason = map_finish_reason(choice.get("finish_reason"))
        if raw_reason is not None:
            self._finished = True
            events.extend(self._pending_audio())
            events.append(Finished(reason=reason, raw_reason=raw_reason))
        return events

    def _segment_key(self, kind: str) -> str:
        """``"reasoning"`` / ``"text"``; a kind that resumes after the other one started
        gets a numbered key (``"reasoning:1"``), so the parts keep their order."""
        if self._segment_kind != kind:
            self._segment_kind = kind
            self._segments[kind] += 1
        count = self._segments[kind]
        return kind if count == 0 else f"{kind}:{count}"

    def _media_events(self, images: list[Any]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for image in images:
            events.append(MediaDelta(key=f"image:{self._images}", part=image))
            self._images += 1
        return events

    def _audio_events(self, fragment: dict[str, Any]) -> list[StreamEvent]:
        """Audio arrives in pieces (base64 data and transcript split across chunks). The
        first piece opens the part, so it keeps its place; the whole part follows once the
        choice finishes (``_pending_audio``) and replaces it. Re-sending the growing part on
        every chunk would copy the audio quadratically."""
        first = not self._audio
        for key in ("data", "transcript"):
            if isinstance(fragment.get(key), str):
                self._audio.setdefault(key, []).append(fragment[key])
        for key in ("id", "expires_at", "format"):
            if fragment.get(key) is not None:
                self._audio[key] = fragment[key]
        self._audio_complete = False
        return [self._audio_delta()] if first else []

    def _pending_audio(self) -> list[StreamEvent]:
        if not self._audio or self._audio_complete:
            return []
        self._audio_complete = True
        return [self._audio_delta()]

    def _audio_delta(self) -> MediaDelta:
        fields = {k: "".join(v) if isinstance(v, list) else v for k, v in self._audio.items()}
        return MediaDelta(key="audio", part=audio_part(fields, self._request))

    def _tool_events(self, delta: dict[str, Any]) -> list[StreamEvent]:
        calls = delta.get("tool_calls")
        if not isinstance(calls, list):
            legacy = delta.get("function_call")
            calls = [{"index": 0, "function": legacy}] if isinstance(legacy, dict) else []
        events: list[StreamEvent] = []
        for call in (as_dict(c) for c in calls):
            function = as_dict(call.get("function"))
            call_id = call.get("id") or None
            slot = self._tools.slot_for(call.get("index"), call_id)
            events.append(
                ToolCallDelta(
                    key=f"tool:{slot}",
                    index=slot,
                    id=call_id,
                    name=function.get("name") or None,
                    arguments=arguments_text(function.get("arguments")),
                    provider_data=tool_call_extras(call),
                )
            )
        return events


_PLAIN_KEYS = frozenset({"content", "role", "refusal"})


def _plain_text(delta: dict[str, Any]) -> str | None:
    """The text of a delta that holds nothing but text (``role`` and a null ``refusal``
    allowed), else ``None``."""
    content = delta.get("content")
    if type(content) is not str or len(delta) > 3 or not _PLAIN_KEYS.issuperset(delta):
        return None
    if delta.get("refusal") is not None:
        return None
    return content


def _load_chunk(data: str) -> dict[str, Any]:
    try:
        # pydantic-core's parser: about 2x json.loads on chunk-sized JSON; keys interned only
        chunk = pydantic_core.from_json(data, cache_strings="keys")
    except ValueError as exc:
        raise StreamError(f"malformed JSON in stream chunk ({exc}): {data[:200]!r}") from None
    if not isinstance(chunk, dict):
        raise StreamError(
            f"stream chunk is {type(chunk).__name__}, not a JSON object: {data[:200]!r}"
        )
    return chunk


def _error_chunk(data: str) -> dict[str, Any]:
    try:
        chunk = json.loads(data)
    except ValueError:
        return {}
    return as_dict(chunk)


def _error_message(chunk: dict[str, Any], data: str) -> str:
    message, type_, code = parse_error_body(chunk)
    text = f"the relay reported an error mid-stream: {message or data[:200]}"
    details = ", ".join(
        f"{name} {value}" for name, value in (("code", code), ("type", type_)) if value
    )
    return f"{text} ({details})" if details else text

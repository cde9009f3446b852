"""Stop sequences enforced by the client (``wenwen.stop``): on a wire without them (OpenAI
Responses) and when a relay drops them (Gemini's ``stopSequences``), invoke and stream,
sync and async."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import BlockingClient
from wenwen._http.pipeline import StreamPipeline
from wenwen.protocols import PROTOCOL_NAMES, get_protocol
from wenwen.stop import StopSequenceFilter, cut_at_stop, enforce_stop
from wenwen.types import (
    ChatRequest,
    ChatResponse,
    Finished,
    Message,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCallDelta,
    ToolCallPart,
    Usage,
    UsageReport,
)
from wenwen_emulator import Emulator

MODELS = {
    "openai": "gpt-4o-mini",
    "responses": "gpt-4o-mini",
    "gemini": "gemini-2.5-flash",
    "anthropic": "claude-sonnet-4-20250514",
}


def ask(model: str, stop: list[str]) -> ChatRequest:
    return ChatRequest(model=model, messages=[Message.of("user", "hi")], stop=stop)


def stream_text(chunks: list[str], stops: list[str]) -> tuple[str, list[StreamEvent]]:
    flt = StopSequenceFilter(stops)
    out: list[StreamEvent] = []
    for chunk in chunks:
        out += flt.feed([TextDelta(text=chunk)])
    out += flt.close([Finished(reason="length")])
    return "".join(e.text for e in out if isinstance(e, TextDelta)), out


def splits(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts})
    bounds = [0, *points, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


@given(
    text=st.text(alphabet="ab xy", max_size=40),
    stops=st.lists(st.text(alphabet="abxy", min_size=1, max_size=4), min_size=1, max_size=3),
    cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=12),
)
def test_a_stream_cut_anywhere_matches_the_whole_text_cut(
    text: str, stops: list[str], cuts: list[int]
) -> None:
    expected, stop = cut_at_stop(text, stops)
    streamed, events = stream_text(splits(text, cuts), stops)
    assert streamed == expected
    finish = events[-1]
    assert isinstance(finish, Finished)
    assert finish.client_stop == stop
    assert finish.reason == ("stop" if stop is not None else "length")


@given(
    text=st.text(alphabet="ab xy", max_size=40),
    stops=st.lists(st.text(alphabet="abxy", min_size=1, max_size=4), min_size=1, max_size=3),
)
def test_a_stream_holds_back_at_most_the_longest_stop_minus_one(
    text: str, stops: list[str]
) -> None:
    flt = StopSequenceFilter(stops)
    sent = ""
    for i, char in enumerate(text):
        sent += "".join(
            e.text for e in flt.feed([TextDelta(text=char)]) if isinstance(e, TextDelta)
        )
        if flt.stopped_at is None:
            assert (i + 1) - len(sent) <= max(len(s) for s in stops) - 1


@pytest.mark.parametrize(
    ("text", "stops", "expected"),
    [
        ("abcd", ["bcd", "c"], ("ab", "c")),  # the stop completed first wins
        ("aa", ["aa", "a"], ("", "a")),
        ("xab", ["ab", "b"], ("x", "ab")),  # both end together: the longer
    ],
)
def test_the_first_completed_stop_wins_in_whole_and_in_streamed_text(
    text: str, stops: list[str], expected: tuple[str, str]
) -> None:
    assert cut_at_stop(text, stops) == expected
    for size in (1, 2, len(text)):
        chunks = [text[i : i + size] for i in range(0, len(text), size)]
        streamed, events = stream_text(chunks, stops)
        assert (streamed, events[-1].client_stop) == expected  # type: ignore[union-attr]


def test_text_with_no_possible_stop_start_is_not_held() -> None:
    flt = StopSequenceFilter(["Observation:"])
    assert [e.text for e in flt.feed([TextDelta(text="Thought: yes")])] == ["Thought: yes"]  # type: ignore[union-attr]


def test_what_follows_the_stop_is_dropped_but_usage_is_kept() -> None:
    flt = StopSequenceFilter(["STOP"])
    events = flt.feed(
        [
            TextDelta(text="done STOP and more"),
            TextDelta(text=" text"),
            ToolCallDelta(key="call", index=0, id="c1", name="f", arguments="{}"),
            UsageReport(usage=Usage(output_tokens=9)),
        ]
    )
    events += flt.close([Finished(reason="tool_calls", raw_reason="completed")])
    assert [type(e).__name__ for e in events] == ["TextDelta", "UsageReport", "Finished"]
    assert events[0].text == "done "  # type: ignore[union-attr]
    assert (events[-1].reason, events[-1].raw_reason, events[-1].client_stop) == (  # type: ignore[union-attr]
        "stop",
        "completed",
        "STOP",
    )


def test_a_reply_is_cut_at_its_first_stop_and_later_parts_dropped() -> None:
    reply = ChatResponse(
        parts=[
            TextPart(text="one two"),
            TextPart(text="three [END] four"),
            ToolCallPart(id="c", name="f", arguments="{}"),
        ],
        finish_reason="tool_calls",
    )
    cut = enforce_stop(reply, ask("m", ["four", "[END]"]))
    assert [p.text for p in cut.parts] == ["one two", "three "]  # type: ignore[union-attr]
    assert (cut.finish_reason, cut.client_stop) == ("stop", "[END]")
    assert enforce_stop(reply, ask("m", ["absent"])) is reply
    assert enforce_stop(reply, ask("m", [])) is reply


@pytest.mark.parametrize("protocol", PROTOCOL_NAMES)
def test_stop_holds_on_every_protocol(client: BlockingClient, emu: Emulator, protocol: str) -> None:
    request = ask(MODELS[protocol], ["emu"])
    whole = client.chat(ask(MODELS[protocol], []), protocol=protocol).text
    expected = whole[: whole.index("emu")]
    reply = client.chat(request, protocol=protocol)
    events, streamed = client.stream(request, protocol=protocol)
    for result in (reply, streamed):
        assert (result.text, result.finish_reason) == (expected, "stop")
        # only the Responses wire lacks stop sequences; the emulator honours the others
        assert result.client_stop == ("emu" if protocol == "responses" else None)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == expected
    assert streamed.usage is not None and streamed.usage.output_tokens > 0
    responses_bodies = [r.json for r in emu.requests if r.path == "/v1/responses"]
    assert all("stop" not in body for body in responses_bodies)


GEMINI_REPLY = {
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "Thought: add\nObservation: 42"}]},
            "finishReason": "STOP",
        }
    ],
    "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 7, "totalTokenCount": 10},
}


def test_a_relay_that_drops_gemini_stop_sequences_is_cut_by_the_client() -> None:
    gemini = get_protocol("gemini")
    request = ask("gemini-2.5-flash", ["Observation:"])
    reply = gemini.parse_response(GEMINI_REPLY, request)
    assert (reply.text, reply.finish_reason, reply.client_stop) == (
        "Thought: add\n",
        "stop",
        "Observation:",
    )

    pipeline = StreamPipeline(gemini, request)
    events: list[StreamEvent] = []
    for piece in ("Thought: add\nObs", "ervation: 42"):
        frame = {**GEMINI_REPLY, "candidates": [{"content": {"parts": [{"text": piece}]}}]}
        events += pipeline.feed(f"data: {json.dumps(frame)}\n\n".encode())
    last: dict[str, Any] = {**GEMINI_REPLY}
    last["candidates"] = [{"content": {"parts": [{"text": ""}]}, "finishReason": "STOP"}]
    events += pipeline.feed(f"data: {json.dumps(last)}\n\n".encode())
    events += pipeline.close()
    streamed = pipeline.accumulator.response()
    assert (streamed.text, streamed.finish_reason, streamed.client_stop) == (
        "Thought: add\n",
        "stop",
        "Observation:",
    )
    assert streamed.usage is not None and streamed.usage.total_tokens == 10

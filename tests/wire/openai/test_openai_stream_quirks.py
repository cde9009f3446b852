"""Stream shapes that relays really send and that the anchors get wrong
(langchain-anchors.md §1c/§4, llamaindex-anchors.md §2.2): tool-call deltas without index,
several calls per chunk, ids and names repeated on every fragment, cumulative usage, other
reasoning fields, keep-alive comments, CRLF, missing terminators, error and broken chunks."""

from __future__ import annotations

import pytest
from openai_wire_support import run_stream, sse_body

from wenwen._http.sse import ServerSentEvent
from wenwen.errors import StreamError
from wenwen.protocols import openai_chat
from wenwen.types import (
    AudioPart,
    Finished,
    MediaDelta,
    ResponseStarted,
    TextPart,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    UsageReport,
)


def chunk(delta: dict | None = None, finish: str | None = None, **extra: object) -> dict:
    body: dict = {"id": "chatcmpl-q", "object": "chat.completion.chunk", "model": "relay-model"}
    body["choices"] = [{"index": 0, "delta": delta or {}, "finish_reason": finish}]
    body.update(extra)
    return body


def tool(index: int | None = None, **fields: object) -> dict:
    """A tool-call delta; ``index=None`` leaves the key out."""
    call: dict = dict(fields)
    if index is not None:
        call["index"] = index
    return call


def fn(name: str | None = None, arguments: object = None) -> dict:
    function: dict = {}
    if name is not None:
        function["name"] = name
    if arguments is not None:
        function["arguments"] = arguments
    return function


def calls(*parts: object) -> list[tuple[str, str, str]]:
    return [(p.id, p.name, p.arguments) for p in parts if isinstance(p, ToolCallPart)]


def streamed(*chunks: object, done: bool = True) -> list:
    _, response = run_stream([sse_body(*chunks, done=done)])
    return response.parts


# --- tool-call assembly -------------------------------------------------------------------


def test_tool_deltas_without_index_are_told_apart_by_id() -> None:
    parts = streamed(
        chunk({"tool_calls": [tool(id="call_a", type="function", function=fn("add", ""))]}),
        chunk({"tool_calls": [tool(function=fn(arguments='{"x":'))]}),
        chunk({"tool_calls": [tool(function=fn(arguments="1}"))]}),
        chunk({"tool_calls": [tool(id="call_b", type="function", function=fn("mul", '{"y"'))]}),
        chunk({"tool_calls": [tool(function=fn(arguments=":2}"))]}),
        chunk(finish="tool_calls"),
    )
    assert calls(*parts) == [("call_a", "add", '{"x":1}'), ("call_b", "mul", '{"y":2}')]


def test_null_index_behaves_like_a_missing_one() -> None:
    parts = streamed(
        chunk({"tool_calls": [{"index": None, "id": "c1", "function": fn("f", '{"a":')}]}),
        chunk({"tool_calls": [{"index": None, "function": fn(arguments="1}")}]}),
        chunk({"tool_calls": [{"index": None, "id": "c2", "function": fn("g", "{}")}]}),
        chunk(finish="tool_calls"),
    )
    assert calls(*parts) == [("c1", "f", '{"a":1}'), ("c2", "g", "{}")]


def test_several_tool_calls_in_one_chunk() -> None:
    parts = streamed(
        chunk(
            {
                "tool_calls": [
                    tool(0, id="c1", type="function", function=fn("f", '{"a":1}')),
                    tool(1, id="c2", type="function", function=fn("g", '{"b":')),
                ]
            }
        ),
        chunk({"tool_calls": [tool(1, function=fn(arguments="2}"))]}),
        chunk(finish="tool_calls"),
    )
    assert calls(*parts) == [("c1", "f", '{"a":1}'), ("c2", "g", '{"b":2}')]


def test_several_index_less_calls_in_one_chunk() -> None:
    parts = streamed(
        chunk(
            {
                "tool_calls": [
                    tool(id="c1", function=fn("f", "{}")),
                    tool(id="c2", function=fn("g", "{}")),
                ]
            }
        ),
        chunk(finish="tool_calls"),
    )
    assert calls(*parts) == [("c1", "f", "{}"), ("c2", "g", "{}")]


@pytest.mark.parametrize("with_index", [True, False])
def test_id_and_name_repeated_on_every_fragment(with_index: bool) -> None:
    index = 0 if with_index else None
    pieces = ['{"city"', ':"Oslo"', "}"]
    parts = streamed(
        *[
            chunk({"tool_calls": [tool(index, id="call_x", type="function", function=fn("ff", p))]})
            for p in pieces
        ],
        chunk(finish="tool_calls"),
    )
    assert calls(*parts) == [("call_x", "ff", '{"city":"Oslo"}')]


def test_every_call_numbered_zero_but_with_its_own_id() -> None:
    parts = streamed(
        chunk({"tool_calls": [tool(0, id="c1", function=fn("f", '{"a":1}'))]}),
        chunk({"tool_calls": [tool(0, id="c2", function=fn("g", '{"b":'))]}),
        chunk({"tool_calls": [tool(0, function=fn(arguments="2}"))]}),
        chunk(finish="tool_calls"),
    )
    assert calls(*parts) == [("c1", "f", '{"a":1}'), ("c2", "g", '{"b":2}')]


def test_missing_function_object_and_missing_id() -> None:
    parts = streamed(
        chunk({"tool_calls": [tool(0, type="function")]}),
        chunk({"tool_calls": [tool(0, function=fn("lookup"))]}),
        chunk({"tool_calls": [tool(0, function=fn(arguments='{"q":"x"}'))]}),
        chunk(finish="tool_calls"),
    )
    assert calls(*parts) == [("call_0", "lookup", '{"q":"x"}')]


def test_arguments_sent_as_an_object() -> None:
    parts = streamed(
        chunk({"tool_calls": [tool(0, id="c1", function=fn("f", {"a": 1, "b": "二"}))]}),
        chunk(finish="tool_calls"),
    )
    assert calls(*parts) == [("c1", "f", '{"a":1,"b":"二"}')]


def test_tool_call_delta_events_name_their_slot() -> None:
    events, _ = run_stream(
        [
            sse_body(
                chunk({"tool_calls": [tool(id="c1", function=fn("f", "{"))]}),
                chunk({"tool_calls": [tool(id="c2", function=fn("g", "{"))]}),
                chunk(finish="tool_calls"),
            )
        ]
    )
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert [(d.key, d.index, d.id) for d in deltas] == [("tool:0", 0, "c1"), ("tool:1", 1, "c2")]


def test_legacy_function_call_delta() -> None:
    parts = streamed(
        chunk({"function_call": {"name": "f", "arguments": '{"a"'}}),
        chunk({"function_call": {"arguments": ":1}"}}),
        chunk(finish="function_call"),
    )
    assert calls(*parts) == [("call_0", "f", '{"a":1}')]


# --- usage, reasoning, finish ---------------------------------------------------------------


def test_cumulative_usage_on_every_chunk_is_counted_once() -> None:
    def usage(out: int) -> dict:
        return {"prompt_tokens": 10, "completion_tokens": out, "total_tokens": 10 + out}

    events, response = run_stream(
        [
            sse_body(
                chunk({"content": "a"}, usage=usage(1)),
                chunk({"content": "b"}, usage=usage(2)),
                chunk({"content": "c"}, "stop", usage=usage(3)),
            )
        ]
    )
    assert len([e for e in events if isinstance(e, UsageReport)]) == 3
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens) == (10, 3)
    assert response.usage.total_tokens == 13


def test_null_usage_on_content_chunks_is_ignored() -> None:
    events, response = run_stream(
        [sse_body(chunk({"content": "hi"}, "stop", usage=None, system_fingerprint=None))]
    )
    assert not any(isinstance(e, UsageReport) for e in events)
    assert response.usage is None and response.text == "hi"


@pytest.mark.parametrize("field", ["reasoning", "reasoning_content"])
def test_reasoning_field_names(field: str) -> None:
    parts = streamed(
        chunk({field: "Let me "}),
        chunk({field: "think."}),
        chunk({"content": "Done."}, "stop"),
    )
    assert parts == [ThinkingPart(text="Let me think."), TextPart(text="Done.")]


def test_reasoning_details_alone() -> None:
    parts = streamed(
        chunk({"reasoning_details": [{"type": "reasoning.summary", "summary": "Plan: add."}]}),
        chunk({"reasoning_details": [{"type": "reasoning.encrypted", "data": "gAAAA"}]}),
        chunk({"content": "3"}, "stop"),
    )
    assert parts == [ThinkingPart(text="Plan: add.", redacted="gAAAA"), TextPart(text="3")]


def test_reasoning_after_text_keeps_its_place() -> None:
    events, response = run_stream(
        [
            sse_body(
                chunk({"reasoning_content": "first thought"}),
                chunk({"content": "partial answer"}),
                chunk({"reasoning_content": "second thought"}),
                chunk({"content": " and the rest"}, "stop"),
            )
        ]
    )
    keys = [getattr(e, "key", None) for e in events if hasattr(e, "key")]
    assert keys == ["reasoning", "text", "reasoning:1", "text:1"]
    assert [(type(p).__name__, getattr(p, "text", "")) for p in response.parts] == [
        ("ThinkingPart", "first thought"),
        ("TextPart", "partial answer"),
        ("ThinkingPart", "second thought"),
        ("TextPart", " and the rest"),
    ]


def test_response_started_once_with_id_and_model() -> None:
    events, response = run_stream(
        [sse_body(chunk({"content": "a"}), chunk({"content": "b"}), chunk(finish="stop"))]
    )
    starts = [e for e in events if isinstance(e, ResponseStarted)]
    assert starts == [ResponseStarted(id="chatcmpl-q", model="relay-model")]
    assert (response.id, response.model) == ("chatcmpl-q", "relay-model")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("stop", "stop"),
        ("length", "length"),
        ("content_filter", "content_filter"),
        ("function_call", "tool_calls"),
        ("eos_token", "other"),
    ],
)
def test_finish_reasons(raw: str, reason: str) -> None:
    events, response = run_stream([sse_body(chunk({"content": "x"}, raw))])
    assert Finished(reason=reason, raw_reason=raw) in events
    assert (response.finish_reason, response.stop_reason_raw) == (reason, raw)


def test_stop_with_tool_calls_reads_as_tool_calls() -> None:
    _, response = run_stream(
        [
            sse_body(
                chunk({"tool_calls": [tool(0, id="c1", function=fn("f", "{}"))]}),
                chunk(finish="stop"),
            )
        ]
    )
    assert (response.finish_reason, response.stop_reason_raw) == ("tool_calls", "stop")


# --- framing and terminators ----------------------------------------------------------------


def test_ping_comments_and_crlf_framing() -> None:
    body = (
        b": PING\r\n\r\n"
        b'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Hel"}}]}\r\n\r\n'
        b": PING\r\n\r\n"
        b'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"lo"},'
        b'"finish_reason":"stop"}]}\r\n\r\n'
        b"data: [DONE]\r\n\r\n"
    )
    for offset in range(1, len(body)):
        _, response = run_stream([body[:offset], body[offset:]])
        assert (response.text, response.finish_reason) == ("Hello", "stop"), offset


def test_finish_reason_without_done_is_accepted() -> None:
    _, response = run_stream([sse_body(chunk({"content": "ok"}, "stop"), done=False)])
    assert (response.text, response.finish_reason) == ("ok", "stop")


def test_done_without_finish_reason_is_accepted() -> None:
    events, response = run_stream([sse_body(chunk({"content": "ok"}))])
    assert events[-1] == Finished(reason=None)
    assert response.text == "ok" and response.finish_reason is None


def test_truncated_stream_raises_on_close() -> None:
    with pytest.raises(StreamError, match="no finish_reason, no \\[DONE\\]"):
        run_stream([sse_body(chunk({"content": "half an ans"}), done=False)])


def test_nothing_after_done_is_read() -> None:
    decoder = openai_chat.StreamDecoder()
    decoder.feed(ServerSentEvent(data="[DONE]"))
    assert decoder.done
    assert decoder.feed(ServerSentEvent(data='{"error": {"message": "late"}}')) == []
    assert decoder.close() == [Finished(reason=None)]


def test_error_chunk_raises_with_the_relay_message() -> None:
    error = {
        "error": {"message": "upstream overloaded", "type": "new_api_error", "code": "bad_response"}
    }
    with pytest.raises(StreamError) as info:
        run_stream([sse_body(chunk({"content": "par"}), error)])
    assert "upstream overloaded" in str(info.value)
    assert "bad_response" in str(info.value)


def test_error_event_raises() -> None:
    decoder = openai_chat.StreamDecoder()
    with pytest.raises(StreamError, match="quota exhausted"):
        decoder.feed(ServerSentEvent(data='{"message": "quota exhausted"}', event="error"))
    with pytest.raises(StreamError, match="not json at all"):
        decoder.feed(ServerSentEvent(data="not json at all", event="error"))


@pytest.mark.parametrize("data", ['{"id": "c", "choices": [', "<html>502</html>"])
def test_malformed_json_chunk_raises(data: str) -> None:
    decoder = openai_chat.StreamDecoder()
    with pytest.raises(StreamError, match="malformed JSON in stream chunk"):
        decoder.feed(ServerSentEvent(data=data))


def test_chunk_that_is_not_an_object_raises() -> None:
    with pytest.raises(StreamError, match="not a JSON object"):
        openai_chat.StreamDecoder().feed(ServerSentEvent(data="[1, 2]"))


def test_empty_data_is_skipped() -> None:
    decoder = openai_chat.StreamDecoder()
    assert decoder.feed(ServerSentEvent(data="")) == []
    assert not decoder.done


@pytest.mark.parametrize("finish", ["stop", None])
def test_streamed_audio_is_sent_whole_once_it_is_complete(finish: str | None) -> None:
    pieces = [{"id": "audio_1", "transcript": "Hel"}, {"transcript": "lo", "data": "UklG"}]
    pieces += [{"data": "Rv//"}, {"expires_at": 1751892430}]
    chunks = [chunk({"audio": piece}) for piece in pieces]
    events, response = run_stream([sse_body(*chunks, chunk(finish=finish))])
    media = [e for e in events if isinstance(e, MediaDelta)]
    assert len(media) == 2  # the opening piece, then the whole part
    whole = AudioPart(
        data="UklGRv//",
        transcript="Hello",
        provider_data={"id": "audio_1", "expires_at": 1751892430},
    )
    assert media[-1].part == whole
    assert response.parts == [whole]

from wenwen.stream import StreamAccumulator
from wenwen.types import (
    Finished,
    ResponseStarted,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    Usage,
    UsageReport,
)


def test_parts_keep_first_arrival_order_and_join_fragments() -> None:
    acc = StreamAccumulator("openai")
    for event in [
        ResponseStarted(id="r1", model="m"),
        ThinkingDelta(key="reasoning", text="think "),
        TextDelta(key="text", text="Hel"),
        ThinkingDelta(key="reasoning", text="more", signature="sig"),
        ToolCallDelta(key="tool:0", index=0, id="call_1", name="f", arguments='{"a"'),
        TextDelta(key="text", text="lo"),
        ToolCallDelta(key="tool:0", index=0, id="call_1", name="f", arguments=": 1}"),
        Finished(reason="tool_calls", raw_reason="tool_calls"),
    ]:
        acc.add(event)
    response = acc.response()
    assert response.parts == [
        ThinkingPart(text="think more", signature="sig"),
        TextPart(text="Hello"),
        ToolCallPart(id="call_1", name="f", arguments='{"a": 1}'),
    ]
    assert (response.id, response.model, response.finish_reason) == ("r1", "m", "tool_calls")


def test_repeated_ids_and_names_are_not_concatenated() -> None:
    acc = StreamAccumulator("openai")
    for fragment in ['{"x"', ":", "1}"]:
        acc.add(ToolCallDelta(key="t", index=0, id="call_x", name="ff", arguments=fragment))
    assert acc.response().tool_calls == [ToolCallPart(id="call_x", name="ff", arguments='{"x":1}')]


def test_cumulative_usage_counts_once() -> None:
    acc = StreamAccumulator("openai")
    for n in (1, 2, 3):
        acc.add(UsageReport(usage=Usage(input_tokens=10, output_tokens=n, total_tokens=10 + n)))
    assert acc.response().usage == Usage(input_tokens=10, output_tokens=3, total_tokens=13)


def test_finalize_hook_applies_to_the_result() -> None:
    acc = StreamAccumulator("openai", finalize=lambda r: r.model_copy(update={"model": "final"}))
    acc.add(TextDelta(text="x"))
    assert acc.response().model == "final"

"""A tool result's text and images reach the model on every chat protocol, through the
core client over real HTTP (sync and async, plain and streamed)."""

from __future__ import annotations

from typing import Any

import pytest

from wenwen.protocols import PROTOCOL_NAMES
from wenwen.types import ChatRequest, ImagePart, Message, TextPart, Tool, ToolResultPart

MODELS = {"anthropic": "claude-sonnet-4-20250514", "gemini": "gemini-2.5-flash"}
BADGE = Tool(
    name="render_badge",
    description="Render a badge image for a label.",
    parameters={
        "type": "object",
        "properties": {"label": {"type": "string"}},
        "required": ["label"],
    },
)
PNG = ImagePart(data="iVBORw0KGgo=", media_type="image/png")


def _answer(client: Any, protocol: str, *, is_error: bool, stream: bool) -> str:
    model = MODELS.get(protocol, "gpt-4o-mini")
    first = ChatRequest(
        model=model,
        messages=[Message.of("user", "Draw a badge for 'wenwen' with render_badge.")],
        tools=[BADGE],
        max_tokens=200,
    )
    call = client.chat(first, protocol=protocol)
    assert [c.name for c in call.tool_calls] == ["render_badge"]
    result = ToolResultPart(
        tool_call_id=call.tool_calls[0].id,
        content=[TextPart(text="no ink" if is_error else "drawn"), PNG],
        is_error=is_error,
    )
    second = first.model_copy(
        update={"messages": [*first.messages, call.message(), Message(role="tool", parts=[result])]}
    )
    if stream:
        return str(client.stream(second, protocol=protocol)[1].text)
    return str(client.chat(second, protocol=protocol).text)


@pytest.mark.parametrize("stream", [False, True], ids=["chat", "stream"])
@pytest.mark.parametrize("protocol", PROTOCOL_NAMES)
def test_text_and_image_of_a_result_reach_the_model(
    client: Any, protocol: str, stream: bool
) -> None:
    answer = _answer(client, protocol, is_error=False, stream=stream)
    assert answer == "I see 1 image. The result of render_badge is drawn."


@pytest.mark.parametrize("protocol", PROTOCOL_NAMES)
def test_an_error_result_keeps_its_image(client: Any, protocol: str) -> None:
    answer = _answer(client, protocol, is_error=True, stream=False)
    assert answer.startswith("I see 1 image. The result of render_badge is ")
    assert "no ink" in answer

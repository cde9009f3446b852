"""Images returned by tools reach the mock model on both wires: in Anthropic's tool_result
blocks, and on chat completions in the user message that follows the tool messages (tool
messages carry text only there)."""

from __future__ import annotations

from typing import Any

import httpx

PNG = "data:image/png;base64,iVBORw0KGgo="
CALL = {"id": "call_1", "type": "function", "function": {"name": "render_badge", "arguments": "{}"}}


def _openai_answer(http: httpx.Client, messages: list[dict[str, Any]]) -> str:
    body = {"model": "gpt-4o-mini", "messages": messages}
    reply = http.post("/v1/chat/completions", json=body)
    assert reply.status_code == 200, reply.text
    return str(reply.json()["choices"][0]["message"]["content"])


def test_openai_images_after_tool_messages_belong_to_the_results(http: httpx.Client) -> None:
    messages = [
        {"role": "user", "content": "Draw a badge with render_badge."},
        {"role": "assistant", "content": None, "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "badge drawn"},
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": PNG}}]},
    ]
    assert _openai_answer(http, messages) == (
        "I see 1 image. The result of render_badge is badge drawn."
    )


def test_openai_user_question_with_image_is_still_a_question(http: httpx.Client) -> None:
    messages = [
        {"role": "user", "content": "Draw a badge with render_badge."},
        {"role": "assistant", "content": None, "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "badge drawn"},
        {"role": "assistant", "content": "The result of render_badge is badge drawn."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What colour is this badge?"},
                {"type": "image_url", "image_url": {"url": PNG}},
            ],
        },
    ]
    assert _openai_answer(http, messages).startswith("I see 1 image. ")


def test_anthropic_image_only_tool_result(http: httpx.Client) -> None:
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
    }
    body = {
        "model": "claude-sonnet-4-20250514",
        "max_tokens": 100,
        "messages": [
            {"role": "user", "content": "Draw a badge with render_badge."},
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": "toolu_1", "name": "render_badge", "input": {}}
                ],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [image]}],
            },
        ],
    }
    reply = http.post("/v1/messages", json=body, headers={"anthropic-version": "2023-06-01"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["content"][0]["text"] == (
        "I see 1 image. The result of render_badge is an image."
    )

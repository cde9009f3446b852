"""Images returned by tools reach the mock model on every wire: in Anthropic's tool_result
blocks, on chat completions in the user message that follows the tool messages (tool
messages carry text only there), on Gemini as parts after (or inside) the functionResponse,
on Responses as function_call_output content parts."""

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


# --- Gemini: a functionResponse holds JSON, images follow it as parts (or sit inside it) ---
GEMINI_CALL = {"role": "model", "parts": [{"functionCall": {"name": "render_badge", "args": {}}}]}
INLINE_PNG = {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}


def _gemini_answer(http: httpx.Client, results: list[dict[str, Any]]) -> str:
    body = {
        "contents": [
            {"role": "user", "parts": [{"text": "Draw a badge with render_badge."}]},
            GEMINI_CALL,
            {"role": "user", "parts": results},
        ]
    }
    reply = http.post("/v1beta/models/gemini-2.5-flash:generateContent", json=body)
    assert reply.status_code == 200, reply.text
    return str(reply.json()["candidates"][0]["content"]["parts"][0]["text"])


def test_gemini_images_after_a_function_response_belong_to_it(http: httpx.Client) -> None:
    response = {"functionResponse": {"name": "render_badge", "response": {"result": "drawn"}}}
    assert _gemini_answer(http, [response, INLINE_PNG, INLINE_PNG]) == (
        "I see 2 images. The result of render_badge is drawn."
    )


def test_gemini_images_inside_a_function_response_belong_to_it(http: httpx.Client) -> None:
    response = {"functionResponse": {"name": "render_badge", "response": {}, "parts": [INLINE_PNG]}}
    assert _gemini_answer(http, [response]) == ("I see 1 image. The result of render_badge is {}.")


def test_gemini_text_ends_a_function_response(http: httpx.Client) -> None:
    """An image after user text is the user's own, so it is no tool result: the reply
    answers the new question instead of stating the result."""
    response = {"functionResponse": {"name": "render_badge", "response": {"result": "drawn"}}}
    answer = _gemini_answer(http, [response, {"text": "Describe this photo."}, INLINE_PNG])
    assert answer.startswith("I see 1 image. ")
    assert "The result of render_badge" not in answer


def test_gemini_function_response_parts_must_be_media(http: httpx.Client) -> None:
    response = {
        "functionResponse": {"name": "render_badge", "response": {}, "parts": [{"text": "x"}]}
    }
    body = {"contents": [GEMINI_CALL, {"role": "user", "parts": [response]}]}
    reply = http.post("/v1beta/models/gemini-2.5-flash:generateContent", json=body)
    assert reply.status_code == 400
    assert "functionResponse.parts[0]: must hold inlineData or fileData" in reply.text


# --- Responses: function_call_output may be content parts; chat's layout is accepted too ---
RESPONSES_CALL = {
    "type": "function_call",
    "call_id": "call_1",
    "name": "render_badge",
    "arguments": "{}",
}
INPUT_PNG = {"type": "input_image", "image_url": PNG}


def _responses_answer(http: httpx.Client, after_call: list[dict[str, Any]]) -> str:
    body = {
        "model": "gpt-4o-mini",
        "input": [
            {"role": "user", "content": "Draw a badge with render_badge."},
            RESPONSES_CALL,
            *after_call,
        ],
    }
    reply = http.post("/v1/responses", json=body)
    assert reply.status_code == 200, reply.text
    message = next(i for i in reply.json()["output"] if i["type"] == "message")
    return str(message["content"][0]["text"])


def test_responses_output_parts_carry_text_and_images(http: httpx.Client) -> None:
    output = [{"type": "input_text", "text": "drawn"}, INPUT_PNG]
    item = {"type": "function_call_output", "call_id": "call_1", "output": output}
    assert _responses_answer(http, [item]) == (
        "I see 1 image. The result of render_badge is drawn."
    )


def test_responses_images_in_a_user_message_after_the_output(http: httpx.Client) -> None:
    item = {"type": "function_call_output", "call_id": "call_1", "output": "drawn"}
    images = {"role": "user", "content": [INPUT_PNG]}
    assert _responses_answer(http, [item, images]) == (
        "I see 1 image. The result of render_badge is drawn."
    )


def test_responses_output_must_be_text_or_parts(http: httpx.Client) -> None:
    item = {"type": "function_call_output", "call_id": "call_1", "output": 42}
    body = {"model": "gpt-4o-mini", "input": [RESPONSES_CALL, item]}
    reply = http.post("/v1/responses", json=body)
    assert reply.status_code == 400
    assert "'input[1].output'" in reply.text

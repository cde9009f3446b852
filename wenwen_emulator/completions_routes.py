"""``POST /v1/completions``: OpenAI's legacy text completions (``text_completion`` objects,
JSON or SSE), answered by the mock model with the prompt as the user's message
(https://platform.openai.com/docs/api-reference/completions)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .context import Ctx, dumps
from .errors import json_response
from .faults import Frame
from .mock_model import Prompt, Turn, stable_hex
from .openai_chat_in import stop_sequences
from .openai_routes import finish_reason, openai_error_frame
from .sse import pieces, sse_response


def _prompt_text(ctx: Ctx, raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], str):
        return raw[0]
    if isinstance(raw, list) and len(raw) > 1 and all(isinstance(p, str) for p in raw):
        raise ctx.bad("only one prompt per request is supported by this relay", param="prompt")
    raise ctx.bad("'prompt' must be a string or an array of one string", param="prompt")


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


async def completions(ctx: Ctx) -> Response:
    body = ctx.json_body()
    info = ctx.model(body)
    if info.kind != "chat":
        raise ctx.bad(f"model {info.id} does not support completions", code="model_not_supported")
    text = _prompt_text(ctx, body.get("prompt"))
    limit = body.get("max_tokens", 16)  # the API's documented default
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ctx.bad("Invalid 'max_tokens': integer below minimum value 1", param="max_tokens")
    prompt = Prompt(
        turns=[Turn("user", text)], stop=stop_sequences(ctx, body.get("stop")), max_tokens=limit
    )
    reply = ctx.reply(prompt)
    base = {
        "id": f"cmpl-{stable_hex(ctx.request_id, ctx.body)}",
        "object": "text_completion",
        "created": ctx.created(),
        "model": info.id,
    }
    usage = _usage(reply.prompt_tokens, reply.completion_tokens)
    finish = finish_reason(reply)
    if body.get("stream") is not True:
        choice = {"text": reply.text, "index": 0, "logprobs": None, "finish_reason": finish}
        return json_response({**base, "choices": [choice], "usage": usage})
    frames = []
    for piece in pieces(reply.text):
        choice = {"text": piece, "index": 0, "logprobs": None, "finish_reason": None}
        frames.append(Frame(f"data: {dumps({**base, 'choices': [choice]})}\n\n"))
    last = {"text": "", "index": 0, "logprobs": None, "finish_reason": finish}
    options = body.get("stream_options")
    final: dict[str, Any] = {**base, "choices": [last]}
    frames.append(Frame(f"data: {dumps(final)}\n\n", final=True))
    if isinstance(options, dict) and options.get("include_usage") is True:
        frames.append(Frame(f"data: {dumps({**base, 'choices': [], 'usage': usage})}\n\n"))
    frames.append(Frame("data: [DONE]\n\n", final=True))
    return sse_response(ctx, frames, openai_error_frame(ctx))

"""``POST /v1/chat/completions`` and ``GET /v1/models[/{id}]`` in the OpenAI wire format."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.responses import JSONResponse, Response

from . import audio_routes, models, video_routes
from .context import Ctx, dumps
from .errors import json_response, with_id
from .faults import Frame
from .mock_model import Reply, stable_hex
from .openai_chat_in import build_prompt
from .sse import pieces, sse_response
from .tokens import count_tokens

FINGERPRINT = "fp_emulator"


def usage(reply: Reply, *, media: bool = False) -> dict[str, Any]:
    prompt = 0 if media else reply.prompt_tokens
    completion = 0 if media else reply.completion_tokens
    cached = 0 if media else reply.cached_tokens
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0 if media else reply.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def finish_reason(reply: Reply) -> str:
    return "stop" if reply.finish in ("stop_sequence", "refusal") else reply.finish


def _tool_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def completion_body(ctx: Ctx, model: str, reply: Reply, media: bool) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": None if (reply.tool_calls or reply.refusal) and not reply.text else reply.text,
        "refusal": reply.refusal or None,
        "annotations": [],
    }
    if reply.reasoning:
        key = "reasoning" if "reasoning_field" in ctx.quirks else "reasoning_content"
        message[key] = reply.reasoning
    if reply.tool_calls:
        message["tool_calls"] = [
            _tool_call(f"call_{c.id}", c.name, c.arguments_json) for c in reply.tool_calls
        ]
    if isinstance(ctx.body, dict) and audio_routes.wants_audio(ctx.body) and reply.text:
        message["audio"] = audio_routes.chat_audio(ctx.body, reply.text, ctx.created())
        message["content"] = None  # the text travels as the audio's transcript
    return {
        "id": f"chatcmpl-{stable_hex(ctx.request_id, ctx.body)}",
        "object": "chat.completion",
        "created": ctx.created(),
        "model": model,
        "system_fingerprint": FINGERPRINT,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": finish_reason(reply),
            }
        ],
        "usage": usage(reply, media=media),
    }


def _tool_deltas(ctx: Ctx, reply: Reply) -> list[list[dict[str, Any]]]:
    """Tool-call deltas grouped per chunk, shaped by the tool quirks."""
    chunks: list[list[dict[str, Any]]] = []
    headers, fragments = [], []
    for i, call in enumerate(reply.tool_calls):
        head = {"index": i, **_tool_call(f"call_{call.id}", call.name, "")}
        headers.append(head)
        for frag in pieces(call.arguments_json, 6) or [""]:
            delta: dict[str, Any] = {"index": i, "function": {"arguments": frag}}
            if "repeat_tool_id" in ctx.quirks:
                delta = {"index": i, **_tool_call(f"call_{call.id}", call.name, frag)}
            fragments.append((i, delta))
    if "multi_tool_chunk" in ctx.quirks:
        chunks.append(headers)
        chunks.extend([delta] for _, delta in fragments)
    else:
        for i, head in enumerate(headers):
            chunks.append([head])
            chunks.extend([delta] for j, delta in fragments if j == i)
    if "no_tool_index" in ctx.quirks:
        chunks = [[{k: v for k, v in d.items() if k != "index"} for d in c] for c in chunks]
    return chunks


def stream_frames(ctx: Ctx, model: str, reply: Reply, media: bool) -> list[Frame]:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    options = body.get("stream_options") or {}
    include_usage = isinstance(options, dict) and options.get("include_usage") is True
    cumulative = "cumulative_usage" in ctx.quirks
    final_usage = usage(reply, media=media)
    base = {
        "id": f"chatcmpl-{stable_hex(ctx.request_id, ctx.body)}",
        "object": "chat.completion.chunk",
        "created": ctx.created(),
        "model": model,
        "system_fingerprint": FINGERPRINT,
    }
    reasoning_key = "reasoning" if "reasoning_field" in ctx.quirks else "reasoning_content"
    deltas: list[tuple[dict[str, Any], int]] = [({"role": "assistant", "content": ""}, 0)]
    deltas += [({reasoning_key: p}, count_tokens(p)) for p in pieces(reply.reasoning)]
    if audio_routes.wants_audio(body) and reply.text:
        audio = audio_routes.chat_audio(body, reply.text, ctx.created())
        deltas += [({"audio": a}, 0) for a in audio_routes.audio_deltas(audio)]
    else:
        deltas += [({"content": p}, count_tokens(p)) for p in pieces(reply.text)]
    deltas += [({"refusal": p}, count_tokens(p)) for p in pieces(reply.refusal)]
    for group in _tool_deltas(ctx, reply):
        spent = sum(count_tokens(d.get("function", {}).get("arguments", "")) for d in group)
        deltas.append(({"tool_calls": group}, spent))

    def chunk(delta: dict[str, Any] | None, finish: str | None, use: Any) -> Frame:
        data: dict[str, Any] = dict(base)
        data["choices"] = (
            []
            if delta is None
            else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        )
        if include_usage or cumulative or use is not None:
            data["usage"] = use
        return Frame(f"data: {dumps(data)}\n\n", final=finish is not None or delta is None)

    frames, spent = [], 0
    for delta, cost in deltas:
        spent += cost
        running = None
        if cumulative:
            done = min(spent, final_usage["completion_tokens"])
            running = {
                **final_usage,
                "completion_tokens": done,
                "total_tokens": final_usage["prompt_tokens"] + done,
            }
        frames.append(chunk(delta, None, running))
    frames.append(chunk({}, finish_reason(reply), final_usage if cumulative else None))
    if include_usage:
        frames.append(chunk(None, None, final_usage))
    if "no_done" not in ctx.quirks:
        frames.append(Frame("data: [DONE]\n\n", final=True))
    return frames


def openai_error_frame(ctx: Ctx) -> str:
    err = {
        "message": with_id("upstream error", ctx.request_id),
        "type": "upstream_error",
        "code": "bad_response",
    }
    return f"data: {dumps({'error': err})}\n\n"


CACHE_MIN_TOKENS = 1024
CACHE_STEP = 128


def prompt_cache(ctx: Ctx, model: str, body: dict[str, Any], prompt_tokens: int) -> int:
    """OpenAI's automatic prompt cache: prompts of 1024+ tokens are cached by exact prefix
    (tools, then messages) in 128-token steps. The first request writes the cache (0 read);
    a later one reads the longest cached prefix it shares."""
    if prompt_tokens < CACHE_MIN_TOKENS:
        return 0
    items = [*(body.get("tools") or []), *(body.get("messages") or [])]
    weights = [count_tokens(json.dumps(item, sort_keys=True, ensure_ascii=False)) for item in items]
    total = sum(weights) or 1
    digest = hashlib.sha256(f"openai\x00{model}".encode())
    running, read, prefixes = 0, 0, []
    for item, weight in zip(items, weights, strict=True):
        digest.update(json.dumps(item, sort_keys=True, ensure_ascii=False).encode() + b"\x00")
        running += weight
        tokens = (prompt_tokens * running // total) // CACHE_STEP * CACHE_STEP
        if tokens >= CACHE_MIN_TOKENS:
            key = "openai:" + digest.hexdigest()
            prefixes.append(key)
            if key in ctx.state.cache:
                read = max(read, tokens)
    ctx.state.cache.update(prefixes)
    return read


async def chat_completions(ctx: Ctx) -> Response:
    body = ctx.json_body()
    info = ctx.model(body)
    if info.kind not in ("chat", "image", "video"):
        raise ctx.bad(
            f"model {info.id} does not support chat completions", code="model_not_supported"
        )
    prompt = build_prompt(ctx, body, info)
    reply = ctx.reply(prompt)
    if prompt.media == "video":  # a real MP4 behind the link, served key-less like storage
        reply = video_routes.chat_video_reply(ctx, reply)
    media = bool(prompt.media)
    if not media:
        reply.cached_tokens = prompt_cache(ctx, info.id, body, reply.prompt_tokens)
    if body.get("stream") is True:
        frames = stream_frames(ctx, info.id, reply, media)
        return sse_response(ctx, frames, openai_error_frame(ctx))
    return json_response(completion_body(ctx, info.id, reply, media))


async def list_models(ctx: Ctx) -> Response:
    headers = ctx.request.headers
    served = [*models.CATALOGUE, *ctx.state.models.values()]
    if "x-api-key" in headers and "anthropic-version" in headers:
        data = [models.anthropic_entry(m) for m in served]
        return json_response(
            {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]}
        )
    return json_response({"object": "list", "data": [models.openai_entry(m) for m in served]})


async def retrieve_model(ctx: Ctx, model_id: str) -> Response:
    info = models.get(model_id, ctx.state.models)
    if info is not None:
        return json_response(models.openai_entry(info))
    err = {
        "error": {
            "message": f"The model '{model_id}' does not exist",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found",
        }
    }
    return JSONResponse(err, status_code=200 if "models_200_error" in ctx.quirks else 404)

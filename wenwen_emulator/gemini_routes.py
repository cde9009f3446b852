"""Gemini routes: ``POST /v1beta/models/{model}:generateContent``,
``:streamGenerateContent`` (SSE with ``?alt=sse``, else a JSON array, as Google serves it;
also under ``/v1/models/``), ``:countTokens`` and ``GET /v1beta/models`` (the relay's list
shape).

Replies come from the shared mock model. Thinking (``includeThoughts``) adds a thought part
and a ``thoughtSignature`` (HMAC of the part it rides on: the first function call, else the
text); image models, or ``responseModalities`` with ``IMAGE``, answer with a real PNG made
deterministically from the prompt (and, for edits, the input image).
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import JSONResponse, Response, StreamingResponse

from . import gemini_embed, models
from .context import Ctx, dumps
from .errors import ErrorResponse, json_response, model_not_found
from .faults import Frame, emit
from .gemini_in import GeminiError, build_prompt, generation_config, image_digest, sign_part
from .gemini_in import wants_image as _wants_image
from .mock_model import Prompt, Reply, last_user_index, prompt_tokens, stable_hex
from .png import png_from_prompt
from .sse import SSE_HEADERS, pieces
from .tokens import IMAGE_TOKENS, count_tokens

Handler = Callable[[Ctx], Awaitable[Response]]
# new-api routes both /v1beta/models and /v1/models to its Gemini relay (router/relay-router.go,
# https://github.com/QuantumNous/new-api)
_METHOD_PATH = re.compile(r"^/v1(?:beta)?/models/(?P<model>[^/:]+):(?P<method>[A-Za-z]+)$")
FINISH = {
    "stop": "STOP",
    "length": "MAX_TOKENS",
    "tool_calls": "STOP",
    "stop_sequence": "STOP",
    "refusal": "SAFETY",
}
IMAGE_SIDE = 64


def model_in_path(path: str) -> str | None:
    match = _METHOD_PATH.match(path)
    return match.group("model") if match else None


_MODEL_PATH = re.compile(r"^/v1(?:beta)?/models/(?P<model>[^/:]+)$")


def find(method: str, path: str) -> Handler | None:
    """The handler for a Gemini path (the model is part of the path)."""
    if method == "GET" and path in ("/v1beta/models", "/v1beta/models/", "/v1/models"):
        return list_models
    model_path = _MODEL_PATH.match(path)
    if method == "GET" and model_path is not None:
        return functools.partial(get_model, model=model_path.group("model"))
    match = _METHOD_PATH.match(path)
    if method != "POST" or match is None:
        return None
    model, verb = match.group("model"), match.group("method")
    if verb == "countTokens":
        return functools.partial(count_prompt_tokens, model=model)
    if verb == "embedContent":
        return functools.partial(gemini_embed.embed_content, model=model)
    if verb == "batchEmbedContents":
        return functools.partial(gemini_embed.batch_embed_contents, model=model)
    if verb not in ("generateContent", "streamGenerateContent"):
        return None

    async def handler(ctx: Ctx) -> Response:
        return await generate_content(ctx, model, stream=verb == "streamGenerateContent")

    return handler


async def list_models(ctx: Ctx) -> Response:
    rows = [
        {"name": m.id, "displayName": m.id} for m in models.CATALOGUE if m.kind in ("chat", "image")
    ]
    return JSONResponse({"models": rows, "nextPageToken": None})


async def get_model(ctx: Ctx, model: str) -> Response:
    """``GET /v1beta/models/{model}``: Google's ``Model`` object
    (https://ai.google.dev/api/models#Model), which SDKs read for token limits."""
    info = models.get(model, ctx.state.models)
    if info is None:
        raise GeminiError(404, f"models/{model} is not found for API version v1beta")
    embedding = info.kind == "embedding"
    methods = ["embedContent", "batchEmbedContents"] if embedding else [
        "generateContent", "streamGenerateContent", "countTokens"]  # fmt: skip
    body: dict[str, Any] = {
        "name": f"models/{info.id}",
        "baseModelId": info.id,
        "version": "001",
        "displayName": info.id,
        "description": f"{info.id} served by the Wenwen emulator",
        "inputTokenLimit": 2048 if embedding else 1_048_576,
        "outputTokenLimit": 1 if embedding else 65_536,
        "supportedGenerationMethods": methods,
    }
    if not embedding:
        body.update(temperature=1.0, maxTemperature=2.0, topP=0.95, topK=64, thinking=True)
    return json_response(body)


def _image_part(prompt: Prompt, body: dict[str, Any]) -> dict[str, Any]:
    idx = last_user_index(prompt.turns)
    text = prompt.turns[idx].text if idx >= 0 else ""
    png = png_from_prompt(f"{text}\x00{image_digest(body)}", IMAGE_SIDE, IMAGE_SIDE)
    return {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png).decode()}}


def reply_parts(ctx: Ctx, reply: Reply, image: dict[str, Any] | None) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if reply.reasoning:
        parts.append({"text": reply.reasoning, "thought": True})
    if reply.text or not (reply.tool_calls or image or reply.refusal):
        parts.append({"text": reply.text})  # a SAFETY stop carries no text
    if image is not None:
        parts.append(image)
    for call in reply.tool_calls:
        parts.append({"functionCall": {"name": call.name, "args": call.arguments}})
    if reply.reasoning:  # the signature rides on the first call, else on the answer text
        target = next((p for p in parts if "functionCall" in p), None)
        target = target or next((p for p in parts if "text" in p and not p.get("thought")), None)
        if target is not None:
            target["thoughtSignature"] = sign_part(ctx, target)
    return parts


def usage_metadata(reply: Reply, image: bool, *, output: bool = True) -> dict[str, Any]:
    thoughts = reply.reasoning_tokens if output else 0
    candidates = (reply.completion_tokens - reply.reasoning_tokens) if output else 0
    candidates += IMAGE_TOKENS if image and output else 0
    usage: dict[str, Any] = {
        "promptTokenCount": reply.prompt_tokens,
        "candidatesTokenCount": candidates,
        "totalTokenCount": reply.prompt_tokens + candidates + thoughts,
    }
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return usage


def response_body(
    ctx: Ctx,
    model: str,
    parts: list[dict[str, Any]],
    usage: dict[str, Any],
    finish: str | None,
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish is not None:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "usageMetadata": usage,
        "modelVersion": model,
        "responseId": stable_hex(ctx.request_id, ctx.body, length=22),
    }


def stream_chunks(
    ctx: Ctx, model: str, reply: Reply, parts: list[dict[str, Any]], image: bool
) -> list[dict[str, Any]]:
    """Text and thoughts in word-sized pieces, calls and images whole; running usage on
    every chunk; the finish reason on the last."""
    pieces_out: list[dict[str, Any]] = []
    for part in parts:
        text = part.get("text")
        if isinstance(text, str) and text and "functionCall" not in part:
            words = pieces(text)
            for n, piece in enumerate(words):
                chunk_part = {**part, "text": piece}
                if n < len(words) - 1:
                    chunk_part.pop("thoughtSignature", None)
                pieces_out.append(chunk_part)
        else:
            pieces_out.append(part)
    if not pieces_out:  # a SAFETY stop: one chunk with the finish reason and no parts
        return [response_body(ctx, model, [], usage_metadata(reply, image), FINISH[reply.finish])]
    chunks = []
    prompt_only = usage_metadata(reply, image, output=False)
    for n, part in enumerate(pieces_out):
        last = n == len(pieces_out) - 1
        usage = usage_metadata(reply, image) if last else prompt_only
        finish = FINISH[reply.finish] if last else None
        chunks.append(response_body(ctx, model, [part], usage, finish))
    return chunks


def _error_frame() -> str:
    body = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    return f"data: {dumps(body)}\n\n"


def _stream(ctx: Ctx, chunks: list[dict[str, Any]]) -> Response:
    assert ctx.conn is not None
    state = ctx.state
    if ctx.request.query_params.get("alt") != "sse":
        # Google without alt=sse: the same chunks as one JSON array
        text = "[" + ",\r\n".join(dumps(c) for c in chunks) + "]"
        return Response(text, media_type="application/json")
    frames = [
        Frame(f"data: {dumps(c)}\n\n", final=i == len(chunks) - 1) for i, c in enumerate(chunks)
    ]
    stream = emit(
        frames,
        ctx.faults,
        _error_frame,
        ctx.conn,
        stall_timeout=state.stall_timeout,
        closing=lambda: state.closing,
    )
    return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)


async def generate_content(ctx: Ctx, model: str, *, stream: bool) -> Response:
    info = models.get(model)
    if info is None or info.kind not in ("chat", "image"):
        raise ErrorResponse(model_not_found(model, ctx.request_id))
    body = ctx.body
    if not isinstance(body, dict):
        raise GeminiError(400, "Invalid JSON payload received: expected an object")
    prompt = build_prompt(ctx, body, info)
    image_wanted = _wants_image(generation_config(body), info)
    reply = ctx.reply(prompt)
    image = _image_part(prompt, body) if image_wanted and not reply.tool_calls else None
    if image is not None:
        idx = last_user_index(prompt.turns)
        user = prompt.turns[idx] if idx >= 0 else None
        verb = "edited" if user is not None and user.images else "generated"
        reply.text = f"Here is the {verb} image: {user.text if user else ''}".strip()
        reply.completion_tokens = count_tokens(reply.text) + reply.reasoning_tokens
    parts = reply_parts(ctx, reply, image)
    if stream:
        return _stream(ctx, stream_chunks(ctx, info.id, reply, parts, image is not None))
    usage = usage_metadata(reply, image is not None)
    return json_response(response_body(ctx, info.id, parts, usage, FINISH[reply.finish]))


async def count_prompt_tokens(ctx: Ctx, model: str) -> Response:
    """``{"totalTokens": N}``: the ``promptTokenCount`` ``generateContent`` bills for the same
    ``contents`` (or the whole ``generateContentRequest``: system instruction and tools too)."""
    info = models.get(model)
    if info is None or info.kind not in ("chat", "image"):
        raise ErrorResponse(model_not_found(model, ctx.request_id))
    body = ctx.body
    if not isinstance(body, dict):
        raise GeminiError(400, "Invalid JSON payload received: expected an object")
    inner = body.get("generateContentRequest", body.get("generate_content_request"))
    if inner is not None and "contents" in body:
        raise GeminiError(400, "contents and generateContentRequest are mutually exclusive")
    if inner is None:
        inner = {"contents": body.get("contents")}
    if not isinstance(inner, dict):
        raise GeminiError(400, "generateContentRequest: expected an object")
    total = prompt_tokens(build_prompt(ctx, inner, info))
    return json_response({"totalTokens": total})

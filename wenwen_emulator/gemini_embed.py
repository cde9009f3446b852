"""Gemini embeddings: ``POST /v1beta/models/{model}:embedContent`` and
``:batchEmbedContents`` (also under ``/v1/models/``), with the same feature-hashed vectors
as ``/v1/embeddings`` (https://ai.google.dev/api/embeddings)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from . import models
from .context import Ctx
from .embeddings import embed
from .errors import ErrorResponse, json_response, model_not_found
from .gemini_in import GeminiError, field
from .tokens import count_tokens

MAX_BATCH = 100  # Google's limit on requests per batchEmbedContents call


def _model(ctx: Ctx, model: str) -> models.ModelInfo:
    info = models.get(model, ctx.state.models)
    if info is None or info.kind != "embedding":
        raise ErrorResponse(model_not_found(model, ctx.request_id))
    return info


def _text(content: Any, where: str) -> str:
    if not isinstance(content, dict):
        raise GeminiError(400, f"{where}: content is required")
    parts = content.get("parts")
    if not isinstance(parts, list) or not parts:
        raise GeminiError(400, f"{where}.parts: must contain at least one part")
    texts = []
    for j, part in enumerate(parts):
        if not isinstance(part, dict) or not isinstance(part.get("text"), str):
            raise GeminiError(400, f"{where}.parts[{j}]: only text parts can be embedded")
        texts.append(part["text"])
    return "\n".join(texts)


def _dims(info: models.ModelInfo, request: dict[str, Any], where: str) -> int:
    wanted = field(request, "outputDimensionality", "output_dimensionality")
    if wanted is None:
        return info.embedding_dims
    if not isinstance(wanted, int) or isinstance(wanted, bool) or not wanted >= 1:
        raise GeminiError(400, f"{where}.output_dimensionality: must be a positive integer")
    return min(wanted, info.embedding_dims)


def _one(info: models.ModelInfo, request: Any, where: str) -> tuple[list[float], int]:
    if not isinstance(request, dict):
        raise GeminiError(400, f"{where}: must be an object")
    text = _text(request.get("content"), f"{where}.content")
    return embed(text, _dims(info, request, where)), count_tokens(text)


async def embed_content(ctx: Ctx, model: str) -> Response:
    info = _model(ctx, model)
    values, _ = _one(info, ctx.body, "request")
    return json_response({"embedding": {"values": values}})


async def batch_embed_contents(ctx: Ctx, model: str) -> Response:
    info = _model(ctx, model)
    body = ctx.body if isinstance(ctx.body, dict) else {}
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise GeminiError(400, "* BatchEmbedContentsRequest.requests: requests is not specified")
    if len(requests) > MAX_BATCH:
        raise GeminiError(400, f"* BatchEmbedContentsRequest.requests: at most {MAX_BATCH}")
    embeddings = []
    for i, request in enumerate(requests):
        inner = request.get("model") if isinstance(request, dict) else None
        if isinstance(inner, str) and inner.removeprefix("models/") != model:
            raise GeminiError(400, f"requests[{i}].model: must be the model of the request path")
        values, _ = _one(info, request, f"requests[{i}]")
        embeddings.append({"values": values})
    return json_response({"embeddings": embeddings})

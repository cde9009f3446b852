"""``POST /v1/embeddings``: feature-hashed bag-of-words vectors (stable, L2-normalised).

Each lower-cased word adds ±1 at a blake2b-hashed index; each character trigram of a word
adds ±0.3, so related word forms still overlap. Texts that share words therefore have a
higher cosine similarity. Token-id input is rejected on purpose (the relay expects text).
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from functools import lru_cache
from typing import Any

from starlette.responses import Response

from .context import Ctx
from .errors import json_response
from .tokens import count_tokens

MAX_INPUTS = 2048
TRIGRAM_WEIGHT = 0.3
_WORD_RE = re.compile(r"[a-z0-9]+|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@lru_cache(maxsize=65536)
def _slot(feature: str) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value >> 1, (1.0 if value & 1 else -1.0)


def embed(text: str, dims: int) -> list[float]:
    """The embedding of ``text`` with ``dims`` dimensions."""
    vec = [0.0] * dims
    for word in _WORD_RE.findall(text.lower()):
        slot, sign = _slot("w:" + word)
        vec[slot % dims] += sign
        padded = f"#{word}#"
        for i in range(len(padded) - 2):
            slot, sign = _slot("t:" + padded[i : i + 3])
            vec[slot % dims] += sign * TRIGRAM_WEIGHT
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0:
        slot, _ = _slot("empty")
        vec[slot % dims] = 1.0
        return vec
    return [v / norm for v in vec]


def _inputs(ctx: Ctx, raw: Any) -> list[str]:
    if isinstance(raw, str):
        items: list[Any] = [raw]
    elif isinstance(raw, list):
        items = raw
    else:
        raise ctx.bad(
            "'$.input' is invalid. Please check the API reference: "
            "https://platform.openai.com/docs/api-reference.",
            param="input",
        )
    if not items:
        raise ctx.bad("'$.input' is invalid: the input array must not be empty", param="input")
    if all(isinstance(x, int) and not isinstance(x, bool) for x in items) or any(
        isinstance(x, list) for x in items
    ):
        raise ctx.bad(
            "token-id input is not supported by this relay; send the raw text "
            "instead (input must be a string or an array of strings)",
            param="input",
        )
    if len(items) > MAX_INPUTS:
        raise ctx.bad(
            f"'$.input' is too long: at most {MAX_INPUTS} inputs per request", param="input"
        )
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise ctx.bad(f"'$.input[{i}]' is invalid: expected a string", param="input")
        if not item:
            raise ctx.bad("'$.input' is invalid: empty strings are not allowed", param="input")
    return items


def _dims(ctx: Ctx, model: str, native: int, requested: Any) -> int:
    if requested is None:
        return native
    if not model.startswith("text-embedding-3"):
        raise ctx.bad(
            f"This model does not support specifying dimensions: {model}", param="dimensions"
        )
    if (
        not isinstance(requested, int)
        or isinstance(requested, bool)
        or not (1 <= requested <= native)
    ):
        raise ctx.bad(
            f"Invalid 'dimensions': must be an integer between 1 and {native}", param="dimensions"
        )
    return requested


def encode_base64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


async def create_embeddings(ctx: Ctx) -> Response:
    body = ctx.json_body()
    info = ctx.model(body)
    if info.kind != "embedding":
        raise ctx.bad(f"model {info.id} does not support embeddings", code="model_not_supported")
    texts = _inputs(ctx, body.get("input"))
    dims = _dims(ctx, info.id, info.embedding_dims, body.get("dimensions"))
    fmt = body.get("encoding_format") or "float"
    if fmt not in ("float", "base64"):
        raise ctx.bad(
            "Invalid 'encoding_format': expected 'float' or 'base64'", param="encoding_format"
        )
    data = []
    for i, text in enumerate(texts):
        vector = embed(text, dims)
        value: Any = encode_base64(vector) if fmt == "base64" else vector
        data.append({"object": "embedding", "index": i, "embedding": value})
    tokens = sum(count_tokens(t) for t in texts)
    return json_response(
        {
            "object": "list",
            "data": data,
            "model": info.id,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )

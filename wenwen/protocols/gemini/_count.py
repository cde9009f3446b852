"""``POST /v1beta/models/{model}:countTokens``: the exact input-token count of a request.

The whole request rides in ``generateContentRequest`` (model, contents, system instruction,
tools), so the count covers what ``generateContent`` would bill as prompt tokens, not only
the ``contents``; the key travels as for ``generateContent``.
"""

from __future__ import annotations

from typing import Any

from ...errors import ProtocolError
from ...types import ChatRequest
from .._read import count, required_mapping
from ..base import HttpRequest
from ._request import build_request, path_for

COUNT_VERB = ":countTokens"


def count_path(model: str) -> str:
    return path_for(model, stream=False).removesuffix(":generateContent") + COUNT_VERB


def build_count_request(request: ChatRequest) -> HttpRequest:
    full = build_request(request, stream=False)
    name = "models/" + request.model.removeprefix("models/")
    body = {"generateContentRequest": {"model": name, **(full.json or {})}}
    return HttpRequest(
        method="POST",
        path=count_path(request.model),
        json=body,
        headers=full.headers,
        query_key=full.query_key,
    )


def parse_token_count(body: Any) -> int:
    value = required_mapping(body, "reply").get("totalTokens")
    if value is None:
        raise ProtocolError("countTokens reply has no totalTokens", field="totalTokens")
    return count(value, "totalTokens")

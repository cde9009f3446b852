"""``POST /v1/responses/input_tokens``: the exact input-token count of a Responses request."""

from __future__ import annotations

from typing import Any

from ...errors import ProtocolError
from ...types import ChatRequest
from .. import HttpRequest
from ._request import PATH, build_request

COUNT_PATH = PATH + "/input_tokens"
# ``TokenCountsBody`` in the OpenAI spec: the create request's input side, no output settings
_COUNTED_FIELDS = (
    "model",
    "input",
    "previous_response_id",
    "conversation",
    "instructions",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "text",
    "reasoning",
    "truncation",
    "personality",
)


def build_count_request(request: ChatRequest) -> HttpRequest:
    full = build_request(request, stream=False)
    body = {k: v for k, v in (full.json or {}).items() if k in _COUNTED_FIELDS}
    return HttpRequest(method="POST", path=COUNT_PATH, json=body, headers=full.headers)


def parse_token_count(body: Any) -> int:
    count = body.get("input_tokens") if isinstance(body, dict) else None
    if not isinstance(count, int) or isinstance(count, bool):
        raise ProtocolError(f"input_tokens reply has no integer input_tokens: {body!r:.200}")
    return count

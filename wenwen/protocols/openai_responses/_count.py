"""``POST /v1/responses/input_tokens``: the exact input-token count of a Responses request."""

from __future__ import annotations

from typing import Any

from ...errors import ProtocolError
from ...types import ChatRequest
from .._read import count, required_mapping
from ..base import HttpRequest
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
    value = required_mapping(body, "reply").get("input_tokens")
    if value is None:
        raise ProtocolError("input_tokens reply has no input_tokens", field="input_tokens")
    return count(value, "input_tokens")

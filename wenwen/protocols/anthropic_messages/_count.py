"""``POST /v1/messages/count_tokens``: the exact input-token count of a Messages request."""

from __future__ import annotations

from typing import Any

from ...errors import ProtocolError
from ...types import ChatRequest
from .._read import count, required_mapping
from ..base import HttpRequest
from ._request import PATH, build_request

COUNT_PATH = PATH + "/count_tokens"
# The fields the counting endpoint accepts; sampling and output settings are not part of it.
_COUNTED_FIELDS = ("model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers")


def build_count_request(request: ChatRequest) -> HttpRequest:
    """The Messages request for ``request``, trimmed to what the endpoint counts."""
    full = build_request(request, stream=False)
    body = {k: v for k, v in (full.json or {}).items() if k in _COUNTED_FIELDS}
    return HttpRequest(method="POST", path=COUNT_PATH, json=body, headers=full.headers)


def parse_token_count(body: Any) -> int:
    value = required_mapping(body, "reply").get("input_tokens")
    if value is None:
        raise ProtocolError("count_tokens reply has no input_tokens", field="input_tokens")
    return count(value, "input_tokens")

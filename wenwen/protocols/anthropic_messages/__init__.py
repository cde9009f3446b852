"""The native Anthropic Messages protocol (``POST /v1/messages``), sans-IO.

- ``_request``: ``ChatRequest`` → request body and headers (``max_tokens`` defaults,
  thinking, tools, ``response_format`` emulated with a tool);
- ``_content``: messages and parts → ``system`` and content blocks;
- ``_response``: a ``Message`` body → ``ChatResponse`` (usage, stop reasons, errors);
- ``_stream``: SSE events → stream events;
- ``_count``: the exact input-token count (``/v1/messages/count_tokens``);
- ``_structured``: the synthetic tool that carries structured output;
- ``_protocol``: ``AnthropicMessages``, the ``WireProtocol`` these make up.
"""

from __future__ import annotations

from ._count import COUNT_PATH, build_count_request, parse_token_count
from ._protocol import AnthropicMessages
from ._request import (
    ANTHROPIC_VERSION,
    EFFORT_BUDGETS,
    PATH,
    auth_headers,
    build_request,
    default_max_tokens,
)
from ._response import NAME, finalize_response, parse_response, usage_from
from ._stream import StreamDecoder

__all__ = [
    "ANTHROPIC_VERSION",
    "COUNT_PATH",
    "EFFORT_BUDGETS",
    "NAME",
    "PATH",
    "AnthropicMessages",
    "StreamDecoder",
    "auth_headers",
    "build_count_request",
    "build_request",
    "default_max_tokens",
    "finalize_response",
    "parse_response",
    "parse_token_count",
    "usage_from",
]

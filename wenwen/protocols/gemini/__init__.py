"""The native Gemini protocol (``POST /v1beta/models/{model}:generateContent``), sans-IO.

- ``_wire``: the wire shapes (TypedDicts we send, typed readers for what we receive);
- ``_schema``: JSON schema → Gemini ``Schema`` for function declarations;
- ``_content``: messages and parts → ``systemInstruction`` and ``contents``;
- ``_request``: ``ChatRequest`` → request (generation config, thinking, tools, auth);
- ``_response``: a reply → ``ChatResponse`` (parts, finish reasons, usage, blocked prompts);
- ``_stream``: SSE chunks → stream events;
- ``_count``: the exact input-token count (``:countTokens``);
- ``_protocol``: ``Gemini``, the ``WireProtocol`` these make up.
"""

from __future__ import annotations

from ._content import SIGNATURE_KEY
from ._count import build_count_request, parse_token_count
from ._protocol import Gemini, parse_response
from ._request import (
    EFFORT_BUDGETS,
    KEY_HEADER,
    KEY_PARAM,
    PATH_PREFIX,
    auth_headers,
    build_request,
    path_for,
)
from ._response import CONTENT_FILTER_REASONS, NAME, finalize_response, usage_from
from ._schema import to_gemini_schema
from ._stream import StreamDecoder

__all__ = [
    "CONTENT_FILTER_REASONS",
    "EFFORT_BUDGETS",
    "KEY_HEADER",
    "KEY_PARAM",
    "NAME",
    "PATH_PREFIX",
    "SIGNATURE_KEY",
    "Gemini",
    "StreamDecoder",
    "auth_headers",
    "build_count_request",
    "build_request",
    "finalize_response",
    "parse_response",
    "parse_token_count",
    "path_for",
    "to_gemini_schema",
    "usage_from",
]

"""The OpenAI Responses protocol (``POST /v1/responses``), sans-IO.

- ``_wire``: the shapes we send (``TypedDict``s spelled like the wire) and the readers for
  what we receive (plain dict access, no validation on the stream's hot path);
- ``_request``: ``ChatRequest`` → ``input`` items, tools, ``text.format``, ``reasoning``,
  ``store`` / ``include`` / ``previous_response_id``;
- ``_response``: a ``Response`` body → ``ChatResponse`` (reasoning items with their
  encrypted payload, ``url_citation`` annotations, ``web_search_call`` items, usage);
- ``_stream``: the named SSE events → stream events;
- ``_count``: the exact input-token count (``/v1/responses/input_tokens``);
- ``_protocol``: ``OpenAIResponses``, the ``WireProtocol`` these make up.
"""

from __future__ import annotations

from ._count import COUNT_PATH, build_count_request, parse_token_count
from ._protocol import OpenAIResponses
from ._request import PATH, auth_headers, build_request
from ._response import NAME, finalize_response, parse_response, parse_usage
from ._stream import StreamDecoder

__all__ = [
    "COUNT_PATH",
    "NAME",
    "PATH",
    "OpenAIResponses",
    "StreamDecoder",
    "auth_headers",
    "build_count_request",
    "build_request",
    "finalize_response",
    "parse_response",
    "parse_token_count",
    "parse_usage",
]

"""The OpenAI chat-completions wire protocol (``POST /v1/chat/completions``), sans-IO.

Split by concern: ``_request`` maps a neutral ``ChatRequest`` to the request body,
``_response`` maps a reply body to a ``ChatResponse``, ``_stream`` decodes the SSE stream into
stream events; ``_protocol`` binds them into ``OpenAIChat``, the ``WireProtocol``.
"""

from ._protocol import OpenAIChat
from ._request import PATH, auth_headers, build_request, uses_max_completion_tokens
from ._response import NAME, finalize_response, parse_response, parse_usage
from ._stream import StreamDecoder

__all__ = [
    "NAME",
    "PATH",
    "OpenAIChat",
    "StreamDecoder",
    "auth_headers",
    "build_request",
    "finalize_response",
    "parse_response",
    "parse_usage",
    "uses_max_completion_tokens",
]

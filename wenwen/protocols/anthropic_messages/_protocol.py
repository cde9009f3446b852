"""Anthropic Messages as a ``WireProtocol`` that counts tokens."""

from __future__ import annotations

from ..base import TokenCounting, WireProtocol
from ._count import build_count_request, parse_token_count
from ._request import auth_headers, build_request
from ._response import NAME, finalize_response, parse_response
from ._stream import StreamDecoder


class AnthropicMessages(WireProtocol, TokenCounting):
    """``POST /v1/messages`` and ``/v1/messages/count_tokens``
    (https://docs.anthropic.com/en/api/messages, https://docs.anthropic.com/en/api/messages-count-tokens)."""

    NAME = NAME

    auth_headers = staticmethod(auth_headers)
    _build_request = staticmethod(build_request)
    _parse_response = staticmethod(parse_response)
    _new_stream_decoder = StreamDecoder
    _finalize_response = staticmethod(finalize_response)
    build_count_request = staticmethod(build_count_request)
    _parse_token_count = staticmethod(parse_token_count)

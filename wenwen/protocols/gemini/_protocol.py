"""Gemini ``generateContent`` as a ``WireProtocol`` that counts tokens."""

from __future__ import annotations

from typing import Any

from ...types import ChatRequest, ChatResponse
from ..base import TokenCounting, WireProtocol
from ._count import build_count_request, parse_token_count
from ._request import auth_headers, build_request
from ._response import NAME, finalize_response, parse_reply
from ._stream import StreamDecoder, merge_chunks


def parse_response(body: Any, request: ChatRequest | None = None) -> ChatResponse:
    """A reply object, or the JSON-array stream when a relay answers with it."""
    if isinstance(body, list):
        return merge_chunks(body, request)
    return parse_reply(body, request)


class Gemini(WireProtocol, TokenCounting):
    """``POST /v1beta/models/{model}:generateContent`` and ``:countTokens``
    (https://ai.google.dev/api/generate-content, https://ai.google.dev/api/tokens)."""

    NAME = NAME

    auth_headers = staticmethod(auth_headers)
    _build_request = staticmethod(build_request)
    _parse_response = staticmethod(parse_response)
    _new_stream_decoder = StreamDecoder
    _finalize_response = staticmethod(finalize_response)
    build_count_request = staticmethod(build_count_request)
    _parse_token_count = staticmethod(parse_token_count)

"""OpenAI chat completions as a ``WireProtocol``."""

from __future__ import annotations

from typing import Any

from ...types import ChatRequest, ChatResponse
from ..base import HttpRequest, WireProtocol
from ._request import auth_headers, build_request
from ._response import NAME, finalize_response, parse_response
from ._stream import StreamDecoder


class OpenAIChat(WireProtocol):
    """``POST /v1/chat/completions`` (https://platform.openai.com/docs/api-reference/chat)."""

    NAME = NAME

    def auth_headers(self, api_key: str) -> dict[str, str]:
        return auth_headers(api_key)

    def _build_request(self, request: ChatRequest, *, stream: bool) -> HttpRequest:
        return build_request(request, stream=stream)

    def _parse_response(self, body: Any, request: ChatRequest | None) -> ChatResponse:
        return parse_response(body, request)

    def _new_stream_decoder(self, request: ChatRequest | None) -> StreamDecoder:
        return StreamDecoder(request)

    def _finalize_response(
        self, response: ChatResponse, request: ChatRequest | None
    ) -> ChatResponse:
        return finalize_response(response, request)

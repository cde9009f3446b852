"""OpenAI chat completions as a ``WireProtocol``."""

from __future__ import annotations

from ..base import WireProtocol
from ._request import auth_headers, build_request
from ._response import NAME, finalize_response, parse_response
from ._stream import StreamDecoder


class OpenAIChat(WireProtocol):
    """``POST /v1/chat/completions`` (https://platform.openai.com/docs/api-reference/chat)."""

    NAME = NAME

    auth_headers = staticmethod(auth_headers)
    _build_request = staticmethod(build_request)
    _parse_response = staticmethod(parse_response)
    _new_stream_decoder = StreamDecoder
    _finalize_response = staticmethod(finalize_response)

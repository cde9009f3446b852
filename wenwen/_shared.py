"""Where the client's pieces used to live, kept (with the old signatures) so that code written
against it keeps working; new code imports from the modules below.

The pieces now live by concern: ``_requests`` (the request pipeline), ``_replies`` (reply
reading and every error translation), ``_pipeline`` (the stream pipeline), ``_retry`` (the
retry policy and flow) and ``media.embeddings`` (the embeddings wire mapping).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from . import _replies
from ._pipeline import StreamPipeline, events_from_response
from ._replies import parse_models
from ._requests import USER_AGENT, ClientCore, PreparedRequest, TimeoutTypes, make_timeout
from .errors import APIConnectionError
from .media import embeddings
from .media.embeddings import batches as embedding_batches
from .media.embeddings import merge as merge_embeddings
from .media.embeddings import parse as parse_embeddings
from .protocols import HttpRequest


def decode_json(response: httpx.Response, content: bytes) -> Any:
    return _replies.decode_json(response.status_code, content, response.headers)


def translate_transport_error(exc: httpx.HTTPError) -> APIConnectionError:
    return _replies.transport_error(exc)


def is_event_stream(response: httpx.Response) -> bool:
    return _replies.is_event_stream(response.headers)


def embedding_request(
    model: str, batch: list[str], dimensions: int | None, extra_body: Mapping[str, Any] | None
) -> HttpRequest:
    fmt = embeddings.chosen_format(None, extra_body) or "base64"
    return embeddings.request(model, batch, dimensions, extra_body, fmt)


__all__ = [
    "USER_AGENT",
    "ClientCore",
    "PreparedRequest",
    "StreamPipeline",
    "TimeoutTypes",
    "decode_json",
    "embedding_batches",
    "embedding_request",
    "events_from_response",
    "is_event_stream",
    "make_timeout",
    "merge_embeddings",
    "parse_embeddings",
    "parse_models",
    "translate_transport_error",
]

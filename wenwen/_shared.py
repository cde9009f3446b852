"""Where the client's pieces used to live, kept so that old imports keep working.

The pieces now live by concern: ``_requests`` (the request pipeline), ``_replies`` (reply
reading and every error translation), ``_pipeline`` (the stream pipeline), ``_retry`` (the
retry policy and flow) and ``media.embeddings`` (the embeddings wire mapping).
"""

from __future__ import annotations

from ._pipeline import StreamPipeline, events_from_response
from ._replies import decode_json, is_event_stream, parse_models, status_error, transport_error
from ._requests import USER_AGENT, ClientCore, PreparedRequest, TimeoutTypes, make_timeout
from .media.embeddings import batches as embedding_batches
from .media.embeddings import merge as merge_embeddings
from .media.embeddings import parse as parse_embeddings

__all__ = [
    "USER_AGENT",
    "ClientCore",
    "PreparedRequest",
    "StreamPipeline",
    "TimeoutTypes",
    "decode_json",
    "embedding_batches",
    "events_from_response",
    "is_event_stream",
    "make_timeout",
    "merge_embeddings",
    "parse_embeddings",
    "parse_models",
    "status_error",
    "transport_error",
]

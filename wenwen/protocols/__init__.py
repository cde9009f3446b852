"""Wire protocols. Each module is sans-IO and exposes the same pieces:

- ``NAME``: the protocol's name (``"openai"``, ``"anthropic"``, ...);
- ``build_request(request, *, stream) -> HttpRequest``: the method, path, JSON body and
  protocol headers (auth excluded) for a neutral ``ChatRequest``;
- ``auth_headers(api_key) -> dict``: how this protocol presents the key;
- ``parse_response(body, request=None) -> ChatResponse``: a non-streamed JSON reply (the
  request, when given, lets a protocol undo what it emulated, e.g. a JSON schema sent as a
  forced tool);
- ``StreamDecoder(request=None)``: ``feed(ServerSentEvent) -> list[StreamEvent]`` and
  ``close() -> list[StreamEvent]``, which raises ``StreamError`` when the stream ended before
  the protocol's terminator; ``done`` is true once the terminator arrived;
- ``finalize_response(response, request=None) -> ChatResponse``: the last touch applied to
  both a parsed reply and an accumulated stream (so that the two agree), e.g. media links
  found in text.
- optionally ``build_count_request(request) -> HttpRequest`` and
  ``parse_token_count(body) -> int``: the protocol's exact token-counting endpoint, if the
  relay has one (``wenwen.tokens.count_tokens_request`` finds them).

The client picks a module with ``get_protocol(name)``; nothing else depends on which one.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from .._http.sse import ServerSentEvent
from ..errors import ConfigurationError
from ..types import ChatRequest, ChatResponse, StreamEvent
from ._guard import GuardedProtocol


@dataclass
class HttpRequest:
    method: str
    path: str
    json: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    query_key: str | None = None
    """When set, the key goes in this URL query parameter instead of the protocol's auth
    headers (Gemini's documented ``?key=``); the client redacts it from logs and errors."""
    content: bytes | None = None
    """A ready-made body (e.g. multipart); its ``Content-Type`` goes in ``headers``."""


class StreamDecoder(Protocol):
    def feed(self, event: ServerSentEvent) -> list[StreamEvent]: ...

    def close(self) -> list[StreamEvent]: ...

    @property
    def done(self) -> bool: ...


class WireProtocol(Protocol):
    NAME: str

    def build_request(self, request: ChatRequest, *, stream: bool) -> HttpRequest: ...

    def auth_headers(self, api_key: str) -> dict[str, str]: ...

    def parse_response(self, body: Any, request: ChatRequest | None = None) -> ChatResponse: ...

    def StreamDecoder(self, request: ChatRequest | None = None) -> StreamDecoder: ...

    def finalize_response(
        self, response: ChatResponse, request: ChatRequest | None = None
    ) -> ChatResponse: ...


_MODULES = {
    "openai": "wenwen.protocols.openai_chat",
    "anthropic": "wenwen.protocols.anthropic_messages",
    "gemini": "wenwen.protocols.gemini",
    "responses": "wenwen.protocols.openai_responses",
}

RESPONSES_ONLY_MODELS = frozenset({"o1-pro", "o3-pro", "gpt-5-pro", "codex-mini-latest"})
"""Models served only over OpenAI Responses: ``auto`` sends them there (dated snapshots
such as ``o3-pro-2025-06-10`` included). No other model switches to Responses by itself."""

PROTOCOL_NAMES = tuple(_MODULES)
_GUARDED: dict[str, Any] = {}


def get_protocol(name: str) -> WireProtocol:
    """The protocol module for ``name``; raises ``ConfigurationError`` for unknown names."""
    try:
        module_name = _MODULES[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown protocol {name!r}; choose one of {', '.join(PROTOCOL_NAMES)}"
        ) from None
    guarded = _GUARDED.get(name)
    if guarded is None:
        # typed errors for replies that do not parse, whatever the protocol (see _guard)
        guarded = _GUARDED[name] = GuardedProtocol(importlib.import_module(module_name))
    return guarded


@functools.lru_cache(maxsize=256)  # pure, and asked on every call
def choose_protocol(model: str, protocol: str = "auto") -> str:
    """``auto`` sends Claude models over the native Anthropic Messages protocol, ``gemini-*``
    models over the native Gemini protocol, the few Responses-only models
    (``RESPONSES_ONLY_MODELS``) over OpenAI Responses, and everything else over OpenAI chat
    completions; any other value is taken as given."""
    if protocol != "auto":
        if protocol not in _MODULES:
            get_protocol(protocol)  # raises with the list of names
        return protocol
    if "claude" in model.lower():
        return "anthropic"
    if model.lower().rsplit("/", 1)[-1].startswith("gemini-"):
        return "gemini"
    if _only_on_responses(model):
        return "responses"
    return "openai"


def _only_on_responses(model: str) -> bool:
    name = model.lower().rsplit("/", 1)[-1]  # a vendor prefix such as openai/ is allowed
    return any(
        name == known or (name.startswith(known + "-") and name[len(known) + 1 :][:1].isdigit())
        for known in RESPONSES_ONLY_MODELS
    )

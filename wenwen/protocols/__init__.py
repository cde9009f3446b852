"""Wire protocols, sans-IO: each is one class implementing ``WireProtocol`` (see
``wenwen.protocols.base``) in its own package:

- ``openai_chat.OpenAIChat`` (``"openai"``): ``POST /v1/chat/completions``;
- ``anthropic_messages.AnthropicMessages`` (``"anthropic"``): ``POST /v1/messages``;
- ``gemini.Gemini`` (``"gemini"``): ``POST /v1beta/models/{model}:generateContent``;
- ``openai_responses.OpenAIResponses`` (``"responses"``): ``POST /v1/responses``.

The client picks one with ``get_protocol(name)``; nothing else depends on which one. A new
protocol is one subclass of ``WireProtocol`` (and of ``TokenCounting`` if the relay counts
its tokens), one line in ``_CLASSES`` and its tests.
"""

from __future__ import annotations

import functools
import importlib

from ..errors import ConfigurationError
from .base import HttpRequest, ServerSentEvent, StreamDecoder, TokenCounting, WireProtocol

__all__ = [
    "PROTOCOL_NAMES",
    "RESPONSES_ONLY_MODELS",
    "HttpRequest",
    "ServerSentEvent",
    "StreamDecoder",
    "TokenCounting",
    "WireProtocol",
    "choose_protocol",
    "get_protocol",
]

# name -> (package, class); imported on first use, so a process pays only for what it speaks
_CLASSES = {
    "openai": ("wenwen.protocols.openai_chat", "OpenAIChat"),
    "anthropic": ("wenwen.protocols.anthropic_messages", "AnthropicMessages"),
    "gemini": ("wenwen.protocols.gemini", "Gemini"),
    "responses": ("wenwen.protocols.openai_responses", "OpenAIResponses"),
}

RESPONSES_ONLY_MODELS = frozenset({"o1-pro", "o3-pro", "gpt-5-pro", "codex-mini-latest"})
"""Models served only over OpenAI Responses: ``auto`` sends them there (dated snapshots
such as ``o3-pro-2025-06-10`` included). No other model switches to Responses by itself."""

PROTOCOL_NAMES = tuple(_CLASSES)
_INSTANCES: dict[str, WireProtocol] = {}


def get_protocol(name: str) -> WireProtocol:
    """The protocol instance for ``name``; raises ``ConfigurationError`` for unknown names."""
    protocol = _INSTANCES.get(name)
    if protocol is not None:
        return protocol
    try:
        module_name, class_name = _CLASSES[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown protocol {name!r}; choose one of {', '.join(PROTOCOL_NAMES)}"
        ) from None
    protocol_class = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(protocol_class, type) and issubclass(protocol_class, WireProtocol)):
        raise TypeError(f"{module_name}.{class_name} is not a WireProtocol")
    protocol = _INSTANCES[name] = protocol_class()
    return protocol


@functools.lru_cache(maxsize=256)  # pure, and asked on every call
def choose_protocol(model: str, protocol: str = "auto") -> str:
    """``auto`` sends Claude models over the native Anthropic Messages protocol, ``gemini-*``
    models over the native Gemini protocol, the few Responses-only models
    (``RESPONSES_ONLY_MODELS``) over OpenAI Responses, and everything else over OpenAI chat
    completions; any other value is taken as given."""
    if protocol != "auto":
        if protocol not in _CLASSES:
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

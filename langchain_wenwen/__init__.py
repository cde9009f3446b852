"""LangChain integration for the Wenwen AI relay: ``ChatWenwen`` and ``WenwenEmbeddings``.

The classes are imported on first use (PEP 562), so ``import langchain_wenwen`` stays cheap;
``from langchain_wenwen import ChatWenwen`` loads what the chat model needs.
"""

from __future__ import annotations

import importlib
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

if find_spec("langchain_core") is None:  # pragma: no cover - only without the extra
    raise ImportError(
        'langchain_wenwen needs langchain-core: pip install "wenwen-ai[langchain]" '
        '(from a clone: pip install -e ".[langchain]")'
    )

if TYPE_CHECKING:
    from wenwen import __version__

    from .chat_models import ChatWenwen
    from .document_loaders import WenwenAudioLoader, WenwenWhisperParser
    from .embeddings import WenwenEmbeddings
    from .tasks import WenwenTaskRunnable
    from .tools import (
        WenwenImageEditTool,
        WenwenImageGenerationTool,
        WenwenMidjourneyTool,
        WenwenSpeechToTextTool,
        WenwenTextToSpeechTool,
        WenwenVideoGenerationTool,
    )
    from .usage import WenwenUsageCallbackHandler, wenwen_usage

_EXPORTS = {
    "ChatWenwen": "langchain_wenwen.chat_models",
    "WenwenEmbeddings": "langchain_wenwen.embeddings",
    "WenwenImageGenerationTool": "langchain_wenwen.tools",
    "WenwenImageEditTool": "langchain_wenwen.tools",
    "WenwenTextToSpeechTool": "langchain_wenwen.tools",
    "WenwenSpeechToTextTool": "langchain_wenwen.tools",
    "WenwenVideoGenerationTool": "langchain_wenwen.tools",
    "WenwenMidjourneyTool": "langchain_wenwen.tools",
    "WenwenTaskRunnable": "langchain_wenwen.tasks",
    "WenwenWhisperParser": "langchain_wenwen.document_loaders",
    "WenwenAudioLoader": "langchain_wenwen.document_loaders",
    "WenwenUsageCallbackHandler": "langchain_wenwen.usage",
    "wenwen_usage": "langchain_wenwen.usage",
    "__version__": "wenwen",
}

__all__ = [
    "ChatWenwen",
    "WenwenAudioLoader",
    "WenwenEmbeddings",
    "WenwenImageEditTool",
    "WenwenImageGenerationTool",
    "WenwenMidjourneyTool",
    "WenwenSpeechToTextTool",
    "WenwenTaskRunnable",
    "WenwenTextToSpeechTool",
    "WenwenUsageCallbackHandler",
    "WenwenVideoGenerationTool",
    "WenwenWhisperParser",
    "__version__",
    "wenwen_usage",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'langchain_wenwen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

"""LlamaIndex integration for the Wenwen AI relay: the ``Wenwen`` LLM and ``WenwenEmbedding``,
also importable as ``llama_index.llms.wenwen`` and ``llama_index.embeddings.wenwen``
(``WenwenToolSpec``: ``llama_index.tools.wenwen``; MCP tools as content blocks:
``llama_index_wenwen.mcp.mcp_tools``).

Usage::

    llm = Wenwen(model="gpt-4o-mini")                  # key/URL from WENWEN_API_KEY/_BASE_URL
    claude = Wenwen(model="claude-sonnet-4-20250514")  # protocol="auto": Anthropic Messages
    embed_model = WenwenEmbedding(model="text-embedding-3-small")

Any model name works (unknown names get a conservative 32k context window; override
``context_window``).
``CachePoint`` blocks become ``cache_control`` marks on the Anthropic protocol; OpenAI-style
relays cache long prefixes on their own, so there the marks are simply not needed. Reasoning
comes back as ``ThinkingBlock``s (streamed as ``additional_kwargs["thinking_delta"]``) and is
sent back on the next turn, signatures included.
"""

try:
    import llama_index.core  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'llama_index_wenwen needs llama-index-core: pip install "wenwen-ai[llama-index]" '
        '(from a clone: pip install -e ".[llama-index]")'
    ) from exc

from .embedding import WenwenEmbedding
from .llm import Wenwen

__all__ = ["Wenwen", "WenwenEmbedding"]

# media tools and readers load on first use (``from llama_index_wenwen import WenwenToolSpec``)
_MEDIA_EXPORTS = {
    "WenwenToolSpec": "llama_index_wenwen.tools",
    "WenwenAudioReader": "llama_index_wenwen.readers",
    "WenwenUsageHandler": "llama_index_wenwen.usage",
}


def __getattr__(name: str) -> object:
    module = _MEDIA_EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'llama_index_wenwen' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

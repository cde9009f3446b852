"""LlamaIndex integration for the Wenwen AI relay: the ``Wenwen`` LLM and ``WenwenEmbedding``.

from llama_index_wenwen import Wenwen, WenwenEmbedding
# also importable as llama_index.llms.wenwen / llama_index.embeddings.wenwen
"""

try:
    import llama_index.core  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'llama_index_wenwen needs llama-index-core: pip install "wenwen-ai[llama-index]"'
    ) from exc

from .embedding import WenwenEmbedding
from .llm import Wenwen

__all__ = ["Wenwen", "WenwenEmbedding"]

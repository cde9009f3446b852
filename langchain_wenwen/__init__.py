"""LangChain integration for the Wenwen AI relay: ``ChatWenwen`` and ``WenwenEmbeddings``."""

try:
    import langchain_core  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        'langchain_wenwen needs langchain-core: pip install "wenwen-ai[langchain]"'
    ) from exc

from wenwen._version import __version__

from ._blocks import register as _register_block_translator
from .chat_models import ChatWenwen
from .embeddings import WenwenEmbeddings

_register_block_translator()

__all__ = ["ChatWenwen", "WenwenEmbeddings", "__version__"]

"""The conventional import path: ``from llama_index.embeddings.wenwen import WenwenEmbedding``."""

from llama_index_wenwen.embedding import WenwenEmbedding

__all__ = ["WenwenEmbedding"]

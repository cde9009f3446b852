"""The conventional import path: ``from llama_index.llms.wenwen import Wenwen``."""

from llama_index_wenwen.llm import Wenwen

__all__ = ["Wenwen"]

"""The conventional import path for tool specs:
``from llama_index.tools.wenwen import WenwenToolSpec``."""

from llama_index_wenwen.tools import WenwenToolSpec

__all__ = ["WenwenToolSpec"]

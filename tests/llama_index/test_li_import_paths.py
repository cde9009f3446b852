"""LlamaIndex's conventional import paths name the same classes as ``llama_index_wenwen``."""

from __future__ import annotations

import subprocess
import sys

import llama_index_wenwen
from llama_index_wenwen.tools import WenwenToolSpec


def test_llama_index_namespace_paths() -> None:
    from llama_index.embeddings.wenwen import WenwenEmbedding
    from llama_index.llms.wenwen import Wenwen
    from llama_index.tools.wenwen import WenwenToolSpec as SpecFromNamespace

    assert Wenwen is llama_index_wenwen.Wenwen
    assert WenwenEmbedding is llama_index_wenwen.WenwenEmbedding
    assert SpecFromNamespace is WenwenToolSpec


def test_our_tools_path_leaves_other_tool_packages_importable() -> None:
    """``llama_index.tools`` stays a namespace shared with other packages (tools-mcp)."""
    code = "import llama_index.tools.wenwen, llama_index.tools.mcp; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"

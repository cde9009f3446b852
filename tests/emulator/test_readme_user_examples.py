"""The README's "Testing your application" examples are these files, verbatim (they run as
tests in this folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["test_langchain_agent.py", "test_llama_index_query_engine.py"])
def test_readme_shows_the_example_verbatim(name: str) -> None:
    example = (Path(__file__).parent / "user_examples" / name).read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```python\n{example}```" in readme

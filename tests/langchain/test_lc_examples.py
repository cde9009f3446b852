"""The LangChain examples run end to end against the emulator when no key is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("langchain_quickstart.py", "invoke: Paris is the capital of France."),
        ("langchain_agent.py", "calls [('get_weather', {'city': 'Paris'})]"),
        ("langchain_rag.py", "answer: Claude models are reached over the Anthropic Messages"),
        ("responses_demo.py", "cited: Python - Example Encyclopedia https://example.com/python"),
    ],
)
def test_example_runs_on_the_emulator(script: str, expected: str) -> None:
    if script == "langchain_agent.py":
        pytest.importorskip("langchain.agents", reason="the agent example needs `langchain` (v1)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENWEN_")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "No WENWEN_API_KEY set: using the local Wenwen emulator" in done.stderr
    assert expected in done.stdout

"""The LlamaIndex examples run offline (on their own emulator) and print the right answers."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WENWEN_API_KEY", "WENWEN_BASE_URL", "WENWEN_MODEL", "WENWEN_EMBEDDING_MODEL"):
        monkeypatch.delenv(name, raising=False)


def run_example(name: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_rag_example(capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run_example("llama_index_rag.py", capsys)
    assert "using the local Wenwen emulator" in err
    assert "answer: Claude models are reached over the Anthropic Messages protocol." in out
    assert "Rate-limited requests are retried" in out


def test_agent_example(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENWEN_MODEL", "deepseek-reasoner")
    out, _ = run_example("llama_index_agent.py", capsys)
    assert "tool magic_function({'input': 3}) -> 5" in out
    assert "thinking: The user asks" in out
    assert out.rstrip().endswith("agent: The result of magic_function is 5.")

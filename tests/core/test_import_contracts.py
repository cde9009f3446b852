"""The architecture's import contracts (pyproject.toml [tool.importlinter], also run by .ci/run)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_contract_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    configure()
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename="pyproject.toml", cache_dir=None, no_logo=True) is True


def test_adapters_import_no_private_core_module_at_all() -> None:
    """Broader than the linter's list: any ``wenwen._name`` module, present or future."""
    offenders = []
    for package in ("langchain_wenwen", "llama_index_wenwen"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "wenwen" and any(p.startswith("_") for p in parts[1:]):
                        offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []

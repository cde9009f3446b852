"""The emulator reads the wire formats on its own: no emulator module imports the client's
protocol mappings, neutral types or clients (a mapping bug could otherwise agree with
itself)."""

from __future__ import annotations

import ast
from pathlib import Path

import wenwen_emulator

FORBIDDEN = (
    "wenwen.protocols",
    "wenwen.types",
    "wenwen._client",
    "wenwen._http.prepare",
    "wenwen._http.pipeline",
)


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level >= 2:  # from ..x import y, inside wenwen_emulator
                module = "wenwen." + module
            elif node.level == 1:
                module = "wenwen_emulator." + module
            names.append(module)
    return names


def test_no_emulator_module_imports_the_client_side() -> None:
    package = Path(wenwen_emulator.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert any(m.name == "gemini_routes.py" for m in modules)
    offenders = {
        m.name: name for m in modules for name in _imports(m) if name.startswith(FORBIDDEN)
    }
    assert offenders == {}

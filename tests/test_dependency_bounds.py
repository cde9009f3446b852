"""Every optional dependency carries an upper bound, so a fresh install resolves to what CI tested."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _requirements() -> list[tuple[str, str]]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    found = [("dependencies", spec) for spec in project["dependencies"]]
    for extra, specs in project["optional-dependencies"].items():
        found += [(extra, spec) for spec in specs if not spec.startswith("wenwen-ai[")]
    return found


def test_every_third_party_requirement_has_an_upper_bound() -> None:
    unbounded = [
        f"[{extra}] {spec}"
        for extra, spec in _requirements()
        if not re.search(r"(<|==|~=)", spec.split(";")[0])
    ]
    assert unbounded == []


def test_requirements_were_found() -> None:
    extras = {extra for extra, _ in _requirements()}
    assert {"dependencies", "dev", "emulator", "langchain", "llama-index"} <= extras

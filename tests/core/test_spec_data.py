"""The vendor specs in tests/data/specs are the unmodified files their README names."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

SPECS = Path(__file__).resolve().parents[1] / "data" / "specs"


def _expected() -> dict[str, str]:
    lines = (SPECS / "SHA256SUMS").read_text().splitlines()
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


@pytest.mark.parametrize("name", ["openai-openapi.yaml", "anthropic-openapi.yaml"])
def test_spec_checksum_matches_its_recorded_origin(name: str) -> None:
    digest = hashlib.sha256((SPECS / name).read_bytes()).hexdigest()
    assert digest == _expected()[name]
    assert digest in (SPECS / "README.md").read_text()

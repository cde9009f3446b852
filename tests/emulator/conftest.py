"""One emulator per test session; its state is reset before every test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

_REPO = Path(__file__).resolve().parents[2]
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))

from wenwen_emulator import Emulator  # noqa: E402


@pytest.fixture(scope="session")
def emu() -> Iterator[Emulator]:
    with Emulator(stall_timeout=5.0) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fresh_state(emu: Emulator) -> Iterator[None]:
    emu.reset()
    yield
    emu.quirks.clear()


@pytest.fixture(scope="session")
def http(emu: Emulator) -> Iterator[httpx.Client]:
    """A raw httpx client with the emulator's key (base URL without ``/v1``).

    Session-scoped: building an httpx client (its SSL context) costs ~0.1-0.3 s.
    """
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    with httpx.Client(base_url=emu.base_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
def oai(emu: Emulator):  # type: ignore[no-untyped-def]
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=emu.base_url + "/v1", api_key=emu.api_key, max_retries=0)
    yield client
    client.close()

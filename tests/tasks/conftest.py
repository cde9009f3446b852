"""Task tests run on the session emulator with its clock frozen: time moves only when the
engine "sleeps", and then the emulator's clock advances by exactly that much."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen_emulator import Emulator


@pytest.fixture
def temu(emu: Emulator) -> Iterator[Emulator]:
    emu.clock.time_scale = 0
    yield emu
    emu.clock.time_scale = 1


@pytest.fixture
def drive(temu: Emulator) -> dict[str, Any]:
    """Wait options that move the emulator clock instead of sleeping."""
    return {"sleep": temu.clock.advance, "clock": temu.clock.now}


@pytest.fixture
def sync_client(temu: Emulator) -> Iterator[WenwenClient]:
    with WenwenClient(api_key=temu.api_key, base_url=temu.base_url) as client:
        yield client


@pytest.fixture
def make_async(temu: Emulator) -> Any:
    def make() -> AsyncWenwenClient:
        return AsyncWenwenClient(api_key=temu.api_key, base_url=temu.base_url)

    return make

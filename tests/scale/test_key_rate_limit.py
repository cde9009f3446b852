"""The emulator's per-key rate limit, and independent clients sharing a limited key: every
request finishes, none with ``RateLimitError``."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen_emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
KEYS = ["sk-one", "sk-two"]


@pytest.fixture(scope="module")
def frozen() -> Iterator[Emulator]:
    """Three requests per key per second, on a clock that moves only when told."""
    with Emulator(api_keys=KEYS, rate_limit=3, time_scale=0) as emulator:
        yield emulator


@pytest.fixture
def limited(frozen: Emulator) -> Emulator:
    frozen.reset()
    frozen.clock.time_scale = 0
    return frozen


def models(emu: Emulator, key: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.get(emu.base_url + "/v1/models", headers=headers, timeout=5)


def test_over_the_limit_a_key_gets_429_with_the_wait(limited: Emulator) -> None:
    assert [models(limited, "sk-one").status_code for _ in range(3)] == [200] * 3
    refused = models(limited, "sk-one")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["retry-after-ms"] == "1000"
    error = refused.json()["error"]
    assert error["type"] == "new_api_error" and error["code"] == ""
    assert models(limited, "sk-two").status_code == 200  # counted per key
    limited.clock.advance(0.4)
    again = models(limited, "sk-one")
    assert again.status_code == 429 and again.headers["retry-after-ms"] == "600"
    limited.clock.advance(0.6)
    assert models(limited, "sk-one").status_code == 200
    assert limited.state.rate_limit is not None
    assert (limited.state.rate_limit.admitted, limited.state.rate_limit.rejected) == (5, 2)


def test_like_new_api_without_retry_after() -> None:
    with Emulator(rate_limit=1, rate_limit_retry_after=False, time_scale=0) as emu:
        assert models(emu, emu.api_key).status_code == 200
        refused = models(emu, emu.api_key)
    assert refused.status_code == 429
    assert "retry-after" not in refused.headers and "retry-after-ms" not in refused.headers


@pytest.mark.parametrize("bad", [{"rate_limit": 0}, {"rate_limit": 2, "rate_limit_period": 0}])
def test_bad_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        Emulator(**bad)  # type: ignore[arg-type]


def test_the_command_line_option() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "wenwen_emulator", "--port", "0", "--rate-limit", "1"]
    command += ["--rate-limit-period", "600"]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip().split(" on ", 1)[1]
        headers = {"Authorization": "Bearer sk-emulator"}
        first = httpx.get(base + "/v1/models", headers=headers, timeout=5)
        second = httpx.get(base + "/v1/models", headers=headers, timeout=5)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert (first.status_code, second.status_code) == (200, 429)
    assert 599 <= int(second.headers["retry-after"]) <= 600


# --- independent clients (each its own limiter, as separate workers are) on one key -------

TEXTS = [f"text {i}" for i in range(16)]


@pytest.fixture(scope="module")
def real_time() -> Iterator[Emulator]:
    """Four requests per key per eighth of a second (32/s), in real time."""
    with Emulator(rate_limit=4, rate_limit_period=0.125) as emulator:
        yield emulator


@pytest.mark.parametrize("workers", [2, 4])
def test_sync_workers_sharing_a_key_all_finish(real_time: Emulator, workers: int) -> None:
    real_time.reset()

    def worker(_: int) -> list[list[float]]:
        with WenwenClient(api_key=real_time.api_key, base_url=real_time.base_url) as client:
            result = client.embed(TEXTS, model="text-embedding-3-small", batch_size=1)
            assert client.limiter.rate_limited_count > 0  # it did slow down
            return result.vectors

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(worker, range(workers)))
    assert all(len(vectors) == len(TEXTS) for vectors in results)
    assert results[0] == results[-1]
    assert real_time.state.rate_limit is not None and real_time.state.rate_limit.rejected > 0


async def test_async_workers_sharing_a_key_all_finish(real_time: Emulator) -> None:
    real_time.reset()

    async def worker() -> list[list[float]]:
        client = AsyncWenwenClient(api_key=real_time.api_key, base_url=real_time.base_url)
        async with client:
            result = await client.embed(
                TEXTS, model="text-embedding-3-small", batch_size=1, max_concurrency=8
            )
            return result.vectors

    results = await asyncio.gather(*(worker() for _ in range(3)))
    assert all(len(vectors) == len(TEXTS) for vectors in results)
    assert real_time.state.rate_limit is not None and real_time.state.rate_limit.rejected > 0

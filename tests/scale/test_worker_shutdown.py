"""A worker that builds core clients and never closes them (a Ray actor's ``__init__``, a
Spark partition function) exits without ``ResourceWarning`` or "Event loop is closed" lines:
owned pools close when their client is collected, when the loop that used them shuts down,
or at interpreter exit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wenwen_emulator import Emulator

REPO = Path(__file__).resolve().parents[2]

WORKER = textwrap.dedent(
    """
    import asyncio, gc, sys
    from wenwen import AsyncWenwenClient, WenwenClient

    base_url, key, kind = sys.argv[1:4]
    TEXTS = ["first", "second", "third"]


    class Actor:  # what a Ray Data callable class or an actor does
        def __init__(self):
            if kind == "sync":
                self.client = WenwenClient(api_key=key, base_url=base_url)
            else:
                self.client = AsyncWenwenClient(
                    api_key=key, base_url=base_url, async_transport=kind
                )

        def __call__(self, texts):
            if kind == "sync":
                return self.client.embed(texts, model="text-embedding-3-small").vectors
            call = self.client.embed(texts, model="text-embedding-3-small", batch_size=1)
            return asyncio.run(call).vectors  # a loop per batch


    kept = Actor()
    assert len(kept(TEXTS)) == 3 and len(kept(TEXTS)) == 3  # two loops in turn
    dropped = Actor()
    assert len(dropped(TEXTS)) == 3
    del dropped
    gc.collect()
    print("done", flush=True)
    """
)


@pytest.mark.parametrize("kind", ["sync", "httpx", "aiohttp"])
def test_unclosed_core_clients_leave_no_warning(emu: Emulator, kind: str) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("PYTHONWARNINGS", None)
    proc = subprocess.run(
        [sys.executable, "-X", "dev", "-c", WORKER, emu.base_url, emu.api_key, kind],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "done"
    for marker in ("ResourceWarning", "Event loop is closed", "Unclosed", "unclosed"):
        assert marker not in proc.stderr, proc.stderr

"""No growth across event loops: a long-lived model called through ``asyncio.run`` per request
(Flask/Django views, Celery tasks, scripts) keeps one pool per *live* loop, not one per loop
it ever saw; and a loop that is never closed leaves no unclosed transport behind."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import textwrap
import tracemalloc
import weakref
from typing import Any

from langchain_wenwen import ChatWenwen
from llama_index_wenwen import WenwenEmbedding

RUNS = 600


def _live(loops: list[weakref.ref[asyncio.AbstractEventLoop]]) -> int:
    gc.collect()
    return sum(1 for ref in loops if ref() is not None)


def test_600_asyncio_runs_keep_loops_and_memory_flat(emulator_process: Any) -> None:
    llm = ChatWenwen(
        model="gpt-4o-mini", api_key=emulator_process.api_key, base_url=emulator_process.base_url
    )
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def one_request(call: bool) -> None:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        if call:
            await llm.ainvoke("hello")
        else:  # what every call does first: take the running loop's pool
            await llm._clients.for_running_loop(llm._make_async_client)

    for i in range(30):  # real calls, and the allocator's warm-up
        asyncio.run(one_request(call=i % 3 == 0))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for _ in range(RUNS):
            asyncio.run(one_request(call=False))
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert _live(loops) == 0, "closed loops are still referenced"
    assert llm._clients.loop_count == 0
    # before the fix: ~13.6 KB per run (each dead loop kept with its client), ~8 MB here
    assert growth < 256 * 1024, f"{growth / RUNS:.0f} bytes kept per asyncio.run"


def test_loops_closed_without_shutdown_are_dropped(emulator_process: Any) -> None:
    """``loop.close()`` without ``shutdown_asyncgens`` (LlamaIndex's worker-thread loops):
    the entry goes on the next use, with no error about a closed loop."""
    embed = WenwenEmbedding(api_key=emulator_process.api_key, base_url=emulator_process.base_url)
    for _ in range(20):
        loop = asyncio.new_event_loop()
        vector = loop.run_until_complete(embed.aget_text_embedding("one text"))
        assert len(vector) > 0
        loop.close()
    assert embed._clients.loop_count <= 1


_NEVER_CLOSED_LOOP = """
import asyncio
import atexit
import gc
import warnings
from llama_index.core.async_utils import asyncio_run
from llama_index.core.base.llms.types import ChatMessage
from llama_index_wenwen import Wenwen
from wenwen_emulator import Emulator

warnings.simplefilter("always", ResourceWarning)
emulator = Emulator().start()  # this process's own server: its sockets outlive the client's
llm = Wenwen(model="gpt-4o-mini", api_key=emulator.api_key, base_url=emulator.base_url)
reply = asyncio_run(llm.achat([ChatMessage(role="user", content="hello")]))
assert reply.message.content
# what interpreter exit does, in a fixed order: exit hooks, then the objects go
atexit._run_exitfuncs()
asyncio.get_event_loop().close()
del llm, reply
gc.collect()
print("ok", flush=True)
"""


def test_a_never_closed_loop_leaves_no_unclosed_transport() -> None:
    """LlamaIndex's ``asyncio_run`` runs on ``get_event_loop()`` and never closes it; the
    pool is closed at interpreter exit instead of being reported as leaked."""
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-c", textwrap.dedent(_NEVER_CLOSED_LOOP)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert "unclosed transport" not in result.stderr, result.stderr

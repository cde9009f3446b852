"""One bounded load test: 300 concurrent streams against the emulator in its own process. All
complete with their own answer; afterwards no socket to the emulator and no extra file
descriptor is left open, and the resident memory stays bounded."""

from __future__ import annotations

import asyncio
import gc
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import psutil
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_wenwen import ChatWenwen

STREAMS = 300
RSS_BUDGET = 150 * 1024 * 1024  # generous: allocator arenas stay mapped after a burst


def _emulator_sockets(process: psutil.Process, port: int) -> int:
    return sum(1 for c in process.net_connections(kind="tcp") if c.raddr and c.raddr.port == port)


def test_300_concurrent_streams(emulator_process: Any) -> None:
    me = psutil.Process()
    port = urlsplit(emulator_process.base_url).port
    assert port is not None
    llm = ChatWenwen(
        model="gpt-4o-mini",
        api_key=emulator_process.api_key,
        base_url=emulator_process.base_url,
        timeout=60,
    )

    async def one(i: int) -> str:
        system = f"Parcel {i}x belongs to courier {i}x."
        chunks = [
            chunk.text
            async for chunk in llm.astream(
                [SystemMessage(system), HumanMessage(f"Who has parcel {i}x?")]
            )
        ]
        return "".join(chunks)

    async def burst() -> list[str]:
        return await asyncio.gather(*(one(i) for i in range(STREAMS)))

    asyncio.run(burst())  # warm-up: imports, SSL context, allocator
    gc.collect()
    fds_before, rss_before = me.num_fds(), me.memory_info().rss

    answers = asyncio.run(burst())

    gc.collect()
    assert answers == [f"Parcel {i}x belongs to courier {i}x." for i in range(STREAMS)]
    assert _emulator_sockets(me, port) == 0
    assert me.num_fds() <= fds_before
    assert me.memory_info().rss - rss_before < RSS_BUDGET
    assert llm._clients.loop_count == 0


def test_32_threads_share_one_model(emulator_process: Any) -> None:
    llm = ChatWenwen(
        model="gpt-4o-mini", api_key=emulator_process.api_key, base_url=emulator_process.base_url
    )

    def ask(i: int) -> str:
        system = f"Locker {i}t opens with code {i}t."
        return str(
            llm.invoke(
                [SystemMessage(system), HumanMessage(f"Which code opens locker {i}t?")]
            ).content
        )

    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = list(pool.map(ask, range(96)))
    assert answers == [f"Locker {i}t opens with code {i}t." for i in range(96)]


def test_cancelled_streams_release_their_connections(emulator_process: Any) -> None:
    """Streams cancelled after their first chunk leave no connection behind once the loop
    has shut down, and the model keeps working."""
    me = psutil.Process()
    port = urlsplit(emulator_process.base_url).port
    assert port is not None
    llm = ChatWenwen(
        model="gpt-4o-mini", api_key=emulator_process.api_key, base_url=emulator_process.base_url
    )
    tasks_count = 20

    async def main() -> str:
        started: list[int] = []
        all_started = asyncio.Event()

        async def read_one_chunk_then_wait() -> None:
            async for _ in llm.astream("Tell me about the sea and its tides and its boats."):
                started.append(1)
                if len(started) == tasks_count:
                    all_started.set()
                await asyncio.Event().wait()  # parked until cancelled

        tasks = [asyncio.create_task(read_one_chunk_then_wait()) for _ in range(tasks_count)]
        await asyncio.wait_for(all_started.wait(), timeout=60)
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        return str((await llm.ainvoke("hello")).content)

    assert asyncio.run(main())
    gc.collect()
    assert _emulator_sockets(me, port) == 0

"""The clients a framework object uses: one sync client, and one async client per event loop.

Nothing is cached process-wide. An async client belongs to the loop it was made on (its
connections do), so each running loop gets its own, held in a dict keyed weakly by the loop.
When that loop shuts down its async generators (``asyncio.run`` and ``asyncio.Runner`` do so
before closing), a parked generator closes the client's connections on the loop that owns
them — which is why ``asyncio.run`` twice in one process just works (the anchors' global
client caches fail there with "Event loop is closed": langchain #35783, llama_index #20433).

A copy of an owner starts with an empty set, so it builds clients from its own fields.
Both framework adapters use this one implementation.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ._client import AsyncWenwenClient, WenwenClient

T = TypeVar("T")
_creation_lock = threading.Lock()


async def _close_when_loop_shuts_down(client: AsyncWenwenClient) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        await client.aclose()


@dataclass
class _LoopEntry:
    client: AsyncWenwenClient
    closer: AsyncGenerator[None, None]
    companions: dict[str, Any] = field(default_factory=dict)


class ClientSet:
    """Lazily built clients for one owner; ``make`` builds one when needed."""

    def __init__(self) -> None:
        self._sync: WenwenClient | None = None
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopEntry] = (
            weakref.WeakKeyDictionary()
        )

    def __copy__(self) -> ClientSet:
        return ClientSet()

    def __deepcopy__(self, memo: dict[int, Any]) -> ClientSet:
        return ClientSet()

    def sync(self, make: Callable[[], WenwenClient]) -> WenwenClient:
        client = self._sync
        if client is None:
            with _creation_lock:
                if self._sync is None:
                    self._sync = make()
                    # close the pool when the owner goes away
                    weakref.finalize(self, self._sync.close)
                client = self._sync
        return client

    async def _entry(self, make: Callable[[], AsyncWenwenClient]) -> _LoopEntry:
        loop = asyncio.get_running_loop()
        entry = self._async.get(loop)
        if entry is None:
            client = make()
            closer = _close_when_loop_shuts_down(client)
            await closer.__anext__()  # registers with the loop's async-generator hooks
            entry = self._async[loop] = _LoopEntry(client, closer)
        return entry

    async def for_running_loop(self, make: Callable[[], AsyncWenwenClient]) -> AsyncWenwenClient:
        return (await self._entry(make)).client

    async def loop_local(
        self, make: Callable[[], AsyncWenwenClient], name: str, factory: Callable[[], T]
    ) -> T:
        """A per-loop companion of the async client (a semaphore, say), made on first use."""
        companions = (await self._entry(make)).companions
        if name not in companions:
            companions[name] = factory()
        value: T = companions[name]
        return value

    def close(self) -> None:
        """Close the sync client (async clients close with their loops, or ``aclose``)."""
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        """Close this loop's async client now."""
        entry = self._async.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            await entry.closer.aclose()

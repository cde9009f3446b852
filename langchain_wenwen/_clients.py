"""The core clients a model object uses: one sync client, and one async client per event loop.

Nothing is cached process-wide. An async client belongs to the loop it was made on (its
connections do), so each running loop gets its own, held in a dict keyed weakly by the loop.
When that loop shuts down its async generators (``asyncio.run`` and ``asyncio.Runner`` do so
before closing), a parked generator closes the client's connections on the loop that owns
them — which is why ``asyncio.run`` twice in one process just works.

A copy of a model object starts with an empty set, so it builds clients from its own fields.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncGenerator, Callable
from typing import Any

from wenwen import AsyncWenwenClient, WenwenClient

_creation_lock = threading.Lock()


async def _close_when_loop_shuts_down(client: AsyncWenwenClient) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        await client.aclose()


class ClientSet:
    """Lazily built clients for one model object; ``make`` builds one when needed."""

    def __init__(self) -> None:
        self._sync: WenwenClient | None = None
        self._async: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop,
            tuple[AsyncWenwenClient, AsyncGenerator[None, None]],
        ] = weakref.WeakKeyDictionary()

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
                    # close the pool when the owning model object goes away
                    weakref.finalize(self, self._sync.close)
                client = self._sync
        return client

    async def for_running_loop(self, make: Callable[[], AsyncWenwenClient]) -> AsyncWenwenClient:
        loop = asyncio.get_running_loop()
        entry = self._async.get(loop)
        if entry is not None:
            return entry[0]
        client = make()
        closer = _close_when_loop_shuts_down(client)
        await closer.__anext__()  # registers with the loop's async-generator hooks
        self._async[loop] = (client, closer)
        return client

    def close(self) -> None:
        """Close the sync client (async clients close with their loops, or ``aclose``)."""
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        """Close this loop's async client now."""
        entry = self._async.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            await entry[1].aclose()

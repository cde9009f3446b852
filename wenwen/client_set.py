"""The clients a framework object uses: one sync client, and one async client per event loop.

Nothing is cached process-wide. An async client belongs to the loop it was made on (its
connections do), so each running loop gets its own entry. When that loop shuts down its async
generators (``asyncio.run`` and ``asyncio.Runner`` do so before closing), a parked generator
closes the client's connections on the loop that owns them and drops the entry — which is why
``asyncio.run`` per request neither fails ("Event loop is closed": langchain #35783,
llama_index #20433) nor grows. Entries of loops closed some other way are dropped on the next
use; loops that are never closed (LlamaIndex's ``asyncio_run``) get their pools closed at
interpreter exit, so no "unclosed transport" warning is left behind.

After ``os.fork`` the child never touches the parent's pools (a shared keep-alive socket mixes
both processes' replies): every set forgets its clients in the child and builds new ones.
A copy or an unpickled set starts empty, so it builds clients from its owner's fields.
Both framework adapters use this one implementation, with ``wenwen.connection.ConnectionOptions``.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import dataclasses
import os
import threading
import warnings
import weakref
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ._client import AsyncWenwenClient, WenwenClient
from .concurrency import ExternalGate, Limiter, RateLimit
from .connection import ConnectionOptions
from .errors import ClientNotPickledWarning

T = TypeVar("T")
_creation_lock = threading.Lock()
_limiter_lock = threading.Lock()
_live_sets: weakref.WeakSet[ClientSet] = weakref.WeakSet()
# Pools inherited across a fork: never used or closed in the child (the parent still owns the
# sockets), only kept referenced so that collecting them does not touch the sockets either.
_inherited: list[object] = []


@dataclass(eq=False)
class _LoopEntry:
    client: AsyncWenwenClient
    owner: weakref.ref[ClientSet]
    loop: weakref.ref[asyncio.AbstractEventLoop]
    closer: AsyncGenerator[None, None] | None = None
    companions: dict[str, Any] = field(default_factory=dict)
    close_client: bool = True

    def forget(self) -> None:
        owner, loop = self.owner(), self.loop()
        if owner is not None and loop is not None and owner._async.get(loop) is self:
            del owner._async[loop]


async def _close_when_loop_shuts_down(entry: _LoopEntry) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        entry.forget()
        if entry.close_client:
            await entry.client.aclose()


def _finish_without_loop(entry: _LoopEntry) -> None:
    """End an entry's closer without its loop (closed, or left behind by a fork): the closer
    completes here, so collecting it never schedules work on a dead or foreign loop."""
    entry.close_client = False
    if entry.closer is None:
        return
    step = entry.closer.aclose()
    try:
        step.send(None)
    except StopIteration:
        pass
    else:  # pragma: no cover - the closer awaits nothing once close_client is False
        step.close()


class ClientSet:
    """Lazily built clients for one owner. Either pass ``make`` callables (``sync``,
    ``for_running_loop``) or ``ConnectionOptions`` (``sync_client``, ``async_client``), which
    rebuild the clients when the options change."""

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._options: ConnectionOptions | None = None
        self._sync: WenwenClient | None = None
        self._sync_finalizer: weakref.finalize | None = None
        self._limiter: Limiter | None = None
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopEntry] = (
            weakref.WeakKeyDictionary()
        )
        _live_sets.add(self)

    def __copy__(self) -> ClientSet:
        return ClientSet()

    def __deepcopy__(self, memo: dict[int, Any]) -> ClientSet:
        return ClientSet()

    def __reduce__(self) -> tuple[type[ClientSet], tuple[()]]:
        """Connections are never pickled: the copy builds its own."""
        return (ClientSet, ())

    def __repr__(self) -> str:
        return f"<ClientSet sync={self._sync is not None} loops={len(self._async)}>"

    @property
    def loop_count(self) -> int:
        """How many event loops hold an async client of this set now."""
        return len(self._async)

    # --- lifecycle ----------------------------------------------------------------------

    def _check_process(self) -> None:
        if self._pid != os.getpid():
            self._after_fork()

    def _after_fork(self) -> None:
        self._pid = os.getpid()
        self._limiter = None  # its lock may have been held by a thread the child lacks
        if self._sync_finalizer is not None:
            self._sync_finalizer.detach()
        if self._sync is not None:
            _inherited.append(self._sync)
            self._sync = None
        entries = list(self._async.values())
        self._async = weakref.WeakKeyDictionary()
        for entry in entries:
            _inherited.append(entry.client)
            _finish_without_loop(entry)

    def _prune_closed_loops(self) -> None:
        for loop, entry in list(self._async.items()):
            if loop.is_closed():
                self._async.pop(loop, None)
                _finish_without_loop(entry)

    def limiter(
        self, rate_limit: float | RateLimit | None = None, gate: ExternalGate | None = None
    ) -> Limiter:
        """The one limiter of this set's clients (the sync one and every loop's): they share
        a key, so they slow down together when it is rate limited."""
        wanted = RateLimit.of(rate_limit)
        with _limiter_lock:  # not _creation_lock: client makers ask for the limiter
            limiter = self._limiter
            if limiter is None or limiter.rate_limit != wanted or limiter.gate != gate:
                limiter = self._limiter = Limiter(wanted, gate=gate)
            return limiter

    def _shared(self, options: ConnectionOptions) -> ConnectionOptions:
        if options.limiter is not None:
            return options
        return dataclasses.replace(options, limiter=self.limiter(options.rate_limit))

    def _use(self, options: ConnectionOptions) -> None:
        if options != self._options:
            if self._options is not None:
                self.close()
                self._forget_async()
            self._options = options

    def _forget_async(self) -> None:
        """Drop every loop's client: the running loops close theirs when they shut down."""
        self._async = weakref.WeakKeyDictionary()

    # --- sync ---------------------------------------------------------------------------

    def sync(self, make: Callable[[], WenwenClient]) -> WenwenClient:
        self._check_process()
        client = self._sync
        if client is None:
            with _creation_lock:
                if self._sync is None:
                    self._sync = make()
                    # close the pool when the owner goes away
                    self._sync_finalizer = weakref.finalize(self, self._sync.close)
                client = self._sync
        return client

    def sync_client(self, options: ConnectionOptions) -> WenwenClient:
        self._use(options)
        return self.sync(self._shared(options).client)

    # --- async --------------------------------------------------------------------------

    async def _entry(self, make: Callable[[], AsyncWenwenClient]) -> _LoopEntry:
        self._check_process()
        loop = asyncio.get_running_loop()
        entry = self._async.get(loop)
        if entry is None:
            self._prune_closed_loops()
            entry = _LoopEntry(make(), weakref.ref(self), weakref.ref(loop))
            entry.closer = _close_when_loop_shuts_down(entry)
            await entry.closer.__anext__()  # registers with the loop's async-generator hooks
            self._async[loop] = entry
        return entry

    async def for_running_loop(self, make: Callable[[], AsyncWenwenClient]) -> AsyncWenwenClient:
        return (await self._entry(make)).client

    async def async_client(self, options: ConnectionOptions) -> AsyncWenwenClient:
        """The running loop's client for ``options``."""
        self._use(options)
        return await self.for_running_loop(self._shared(options).async_client)

    async def loop_local(
        self, make: Callable[[], AsyncWenwenClient], name: str, factory: Callable[[], T]
    ) -> T:
        """A per-loop companion of the async client (a semaphore, say), made on first use."""
        companions = (await self._entry(make)).companions
        if name not in companions:
            companions[name] = factory()
        value: T = companions[name]
        return value

    async def companion(self, options: ConnectionOptions, name: str, factory: Callable[[], T]) -> T:
        self._use(options)
        return await self.loop_local(self._shared(options).async_client, name, factory)

    def close(self) -> None:
        """Close the sync client (async clients close with their loops, or ``aclose``)."""
        self._check_process()
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        """Close this loop's async client now."""
        self._check_process()
        entry = self._async.pop(asyncio.get_running_loop(), None)
        if entry is not None and entry.closer is not None:
            await entry.closer.aclose()

    def _close_at_exit(self) -> None:
        """Close the pools of loops that were left open and are not running."""
        for loop, entry in list(self._async.items()):
            if loop.is_closed():
                _finish_without_loop(entry)
            elif not loop.is_running() and entry.closer is not None:
                loop.run_until_complete(entry.closer.aclose())
        self._async = weakref.WeakKeyDictionary()


def without_user_clients(owner: object, state: Any, fields: tuple[str, ...]) -> Any:
    """``state`` (an object's pickled state) with the caller's own HTTP clients in ``fields``
    left out — they hold sockets and locks — and a ``ClientNotPickledWarning`` naming each:
    the copy builds its own pool in the worker. Handles pydantic's state (a dict holding
    ``__dict__``) and a plain object's ``__dict__``; the object itself is left as it is."""
    values = state.get("__dict__", state) if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return state
    dropped = [name for name in fields if values.get(name) is not None]
    if not dropped:
        return state
    values = {**values, **dict.fromkeys(dropped)}
    for name in dropped:
        warn_client_not_pickled(owner, name)
    return {**state, "__dict__": values} if "__dict__" in state else values


def warn_client_not_pickled(owner: object, field: str) -> None:
    warnings.warn(
        ClientNotPickledWarning(
            f"{type(owner).__name__}.{field} is not pickled (an httpx client holds sockets and "
            "locks): the copy builds its own connection pool with the model's other settings. "
            "To use your own client in a worker, build the model there.",
            field=field,
        ),
        stacklevel=4,
    )


def _reset_in_child() -> None:
    for clients in list(_live_sets):
        clients._after_fork()


def _close_left_open() -> None:
    for clients in list(_live_sets):
        with contextlib.suppress(Exception):  # best effort at interpreter exit
            clients._close_at_exit()


os.register_at_fork(after_in_child=_reset_in_child)
atexit.register(_close_left_open)

__all__ = ["ClientSet", "ConnectionOptions"]

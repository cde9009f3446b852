"""Core clients for the LlamaIndex classes: one sync client, one async client per event loop.

An ``httpx.AsyncClient`` belongs to the loop it first ran on; reusing it from another loop
fails with "Event loop is closed" (LlamaIndex issues #20433, #19578). So the async client is
kept together with a weak reference to its loop and rebuilt when the running loop changes,
which makes ``asyncio.run(...)`` twice in a row work. Nothing is cached process-wide.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen._settings import resolve_api_key, resolve_base_url

_SENSITIVE_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "x-goog-api-key"})


def redact_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """Headers fit for ``to_dict``/``repr``: credential values are masked."""
    if headers is None:
        return None
    return {k: ("**********" if k.lower() in _SENSITIVE_HEADERS else v) for k, v in headers.items()}


def resolve_key(value: Any) -> SecretStr | None:
    """An explicit key, else ``WENWEN_API_KEY`` (read by the core's one settings reader)."""
    return resolve_api_key(value)


def resolve_url(value: Any) -> str:
    """An explicit root URL, else ``WENWEN_BASE_URL``, else the relay; ``/v1`` is dropped."""
    return resolve_base_url(value)


@dataclass
class ClientOptions:
    api_key: SecretStr | None = field(repr=False)
    base_url: str | None
    timeout: float | httpx.Timeout | None
    max_retries: int
    default_headers: Mapping[str, str] | None
    http_client: httpx.Client | None = None
    async_http_client: httpx.AsyncClient | None = None

    def common(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }


@dataclass
class _LoopBound:
    loop: weakref.ReferenceType[asyncio.AbstractEventLoop]
    client: AsyncWenwenClient
    extras: dict[str, Any] = field(default_factory=dict)


class ClientSet:
    """Builds the core clients on first use, from the options given at construction."""

    def __init__(self, options: ClientOptions, key: tuple[Any, ...] = ()) -> None:
        self._options = options
        self.key = key
        self._sync: WenwenClient | None = None
        self._async: _LoopBound | None = None

    def sync(self) -> WenwenClient:
        if self._sync is None:
            self._sync = WenwenClient(
                **self._options.common(), http_client=self._options.http_client
            )
        return self._sync

    def _bound(self) -> _LoopBound:
        loop = asyncio.get_running_loop()
        bound = self._async
        if bound is None or bound.loop() is not loop:
            client = AsyncWenwenClient(
                **self._options.common(), http_client=self._options.async_http_client
            )
            bound = self._async = _LoopBound(weakref.ref(loop), client)
        return bound

    def async_(self) -> AsyncWenwenClient:
        """The async client of the running event loop."""
        return self._bound().client

    def loop_local(self, name: str, factory: Any) -> Any:
        """A per-loop companion object (e.g. a semaphore), made by ``factory()`` on first use
        in each loop."""
        extras = self._bound().extras
        if name not in extras:
            extras[name] = factory()
        return extras[name]

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        bound = self._async
        self._async = None
        if bound is not None and bound.loop() is asyncio.get_running_loop():
            await bound.client.aclose()


def client_set_for(owner: Any, current: ClientSet | None) -> ClientSet:
    """The client set for ``owner``'s connection fields (``api_key``, ``base_url``,
    ``timeout``, ``max_retries``, ``default_headers``, ``http_client``,
    ``async_http_client``), rebuilt only when one of them changed since the last call."""
    headers = owner.default_headers
    key = (
        id(owner.api_key),  # identity, so the key itself is never copied here
        owner.base_url,
        owner.timeout,
        owner.max_retries,
        tuple(sorted(headers.items())) if headers else None,
        id(owner.http_client),
        id(owner.async_http_client),
    )
    if current is not None:
        if key == current.key:
            return current
        current.close()
    options = ClientOptions(
        api_key=owner.api_key,
        base_url=owner.base_url,
        timeout=owner.timeout,
        max_retries=owner.max_retries,
        default_headers=headers,
        http_client=owner.http_client,
        async_http_client=owner.async_http_client,
    )
    return ClientSet(options, key)

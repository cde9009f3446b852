"""Core clients for the LlamaIndex classes: the core's ``ClientSet`` (one sync client, one
async client per event loop) bound to the connection fields of a ``Wenwen`` or
``WenwenEmbedding``, plus the helpers that keep credentials out of their serialized form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import httpx
from pydantic import BeforeValidator, SecretStr

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen._settings import resolve_api_key, resolve_base_url
from wenwen.client_set import ClientSet as CoreClientSet

T = TypeVar("T")
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


ApiKey = Annotated[SecretStr | None, BeforeValidator(resolve_key)]
"""An explicit key, else ``WENWEN_API_KEY`` (declare the field with ``validate_default``)."""
BaseUrl = Annotated[str | None, BeforeValidator(resolve_url)]
"""An explicit root URL, else ``WENWEN_BASE_URL``, else the relay."""


@dataclass
class ClientOptions:
    api_key: SecretStr | None = field(repr=False)
    base_url: str | None
    timeout: float | httpx.Timeout | None
    max_retries: int
    default_headers: Mapping[str, str] | None
    http_client: httpx.Client | None = None
    async_http_client: httpx.AsyncClient | None = None
    max_retry_wait: float | None = None
    async_transport: Any = "auto"

    def common(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
            "max_retry_wait": self.max_retry_wait,
        }


class ClientSet(CoreClientSet):
    """The core's client set (one sync client, one async client per event loop), bound to
    the connection options it was built from."""

    def __init__(self, options: ClientOptions, key: tuple[Any, ...] = ()) -> None:
        super().__init__()
        self._options = options
        self.key = key

    def _make_sync(self) -> WenwenClient:
        return WenwenClient(**self._options.common(), http_client=self._options.http_client)

    def _make_async(self) -> AsyncWenwenClient:
        return AsyncWenwenClient(
            **self._options.common(),
            http_client=self._options.async_http_client,
            async_transport=self._options.async_transport,
        )

    def sync_client(self) -> WenwenClient:
        return self.sync(self._make_sync)

    async def async_client(self) -> AsyncWenwenClient:
        """The async client of the running event loop."""
        return await self.for_running_loop(self._make_async)

    async def companion(self, name: str, factory: Callable[[], T]) -> T:
        """A per-loop companion object (e.g. a semaphore), made on first use in each loop."""
        return await self.loop_local(self._make_async, name, factory)


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
        owner.max_retry_wait,
        owner.async_transport,
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
        max_retry_wait=owner.max_retry_wait,
        async_transport=owner.async_transport,
    )
    return ClientSet(options, key)

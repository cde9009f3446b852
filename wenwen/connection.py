"""How a framework object connects: its ``ConnectionOptions`` and the public defaults.

Both adapters describe their connection fields with one ``ConnectionOptions`` and hand it to
their ``wenwen.client_set.ClientSet``, which builds (and rebuilds, when the options change)
the core clients. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

import httpx
from pydantic import SecretStr

from ._client import AsyncWenwenClient, WenwenClient
from ._http.async_io import AsyncTransportName
from ._settings import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    check_timeout,
    check_total_timeout,
    normalize_api_key,
    resolve_api_key,
    resolve_base_url,
)
from ._version import __version__
from .concurrency import Limiter, RateLimit
from .errors import ConfigurationError
from .redaction import redact_headers

Timeout = float | httpx.Timeout | None


class CommonConnectionSettings(TypedDict, total=False):
    """The connection keywords both adapters take, by the names they share; each adapter adds
    its async HTTP client (``http_async_client`` in LangChain, ``async_http_client`` in
    LlamaIndex). Defaults as in ``ConnectionOptions.of``."""

    api_key: str | SecretStr | None
    base_url: str | None
    timeout: Timeout
    max_retries: int
    default_headers: dict[str, str] | None
    http_client: httpx.Client | None
    max_retry_wait: float | None
    async_transport: AsyncTransportName
    rate_limit: float | RateLimit | None
    allow_private_hosts: bool | Sequence[str]


@dataclass(frozen=True)
class ConnectionOptions:
    """The connection fields of one framework object. Equal options mean the same clients;
    neither the key nor a credential header's value appears in ``repr``."""

    api_key: SecretStr | str | None = field(default=None, repr=False)
    base_url: str | None = None
    timeout: Timeout = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    default_headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    http_client: httpx.Client | None = field(default=None, repr=False, compare=False)
    async_http_client: httpx.AsyncClient | None = field(default=None, repr=False, compare=False)
    max_retry_wait: float | None = None
    async_transport: AsyncTransportName = "auto"
    rate_limit: float | RateLimit | None = None
    """Requests per second (or a ``RateLimit``) for the clients' shared ``limiter``."""
    limiter: Limiter | None = field(default=None, repr=False, compare=False)
    """The limiter the clients share (a ``ClientSet`` gives its own); ``None``: each client
    makes one from ``rate_limit``."""
    total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT
    allow_private_hosts: bool | tuple[str, ...] = False
    """Non-public hosts result downloads may reach besides the relay (README "Security")."""
    # identity, not equality, decides whether a user's own httpx client changed
    _http_ids: tuple[int, int] = field(default=(0, 0), repr=False, init=False)

    def __post_init__(self) -> None:
        check_timeout(self.timeout)
        RateLimit.of(self.rate_limit)  # a ConfigurationError naming rate_limit
        check_total_timeout(self.total_timeout)
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise ConfigurationError(f"max_retries must be an int, got {self.max_retries!r}")
        if self.max_retries < 0:
            raise ConfigurationError(f"max_retries must be >= 0, got {self.max_retries}")
        ids = (id(self.http_client), id(self.async_http_client))
        object.__setattr__(self, "_http_ids", ids)

    def __repr__(self) -> str:
        return (
            f"ConnectionOptions(base_url={self.base_url!r}, timeout={self.timeout!r}, "
            f"max_retries={self.max_retries!r}, default_headers={self.redacted_headers()!r}, "
            f"max_retry_wait={self.max_retry_wait!r}, async_transport={self.async_transport!r}, "
            f"total_timeout={self.total_timeout!r}, "
            f"allow_private_hosts={self.allow_private_hosts!r}, rate_limit={self.rate_limit!r})"
        )

    @classmethod
    def of(
        cls,
        *,
        api_key: SecretStr | str | None = None,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        max_retry_wait: float | None = None,
        async_transport: AsyncTransportName = "auto",
        rate_limit: float | RateLimit | None = None,
        total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
        allow_private_hosts: bool | Sequence[str] = False,
    ) -> ConnectionOptions:
        """Options from the usual field values (``default_headers`` as a mapping)."""
        return cls(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=tuple((default_headers or {}).items()),
            http_client=http_client,
            async_http_client=async_http_client,
            max_retry_wait=max_retry_wait,
            async_transport=async_transport,
            rate_limit=rate_limit,
            total_timeout=total_timeout,
            allow_private_hosts=(
                allow_private_hosts
                if isinstance(allow_private_hosts, bool)
                else tuple(allow_private_hosts)
            ),
        )

    def headers(self) -> dict[str, str]:
        return dict(self.default_headers)

    def redacted_headers(self) -> dict[str, str] | None:
        return redact_headers(self.headers()) if self.default_headers else None

    def _common(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.headers() or None,
            "max_retry_wait": self.max_retry_wait,
            **(
                {"limiter": self.limiter}
                if self.limiter is not None
                else {"rate_limit": self.rate_limit}
            ),
            "total_timeout": self.total_timeout,
            "allow_private_hosts": self.allow_private_hosts,
        }

    def client(self) -> WenwenClient:
        return WenwenClient(**self._common(), http_client=self.http_client)

    def async_client(self) -> AsyncWenwenClient:
        return AsyncWenwenClient(
            **self._common(),
            http_client=self.async_http_client,
            async_transport=self.async_transport,
        )


__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "AsyncTransportName",
    "CommonConnectionSettings",
    "ConnectionOptions",
    "Timeout",
    "__version__",
    "check_timeout",
    "normalize_api_key",
    "redact_headers",
    "resolve_api_key",
    "resolve_base_url",
]

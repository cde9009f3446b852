"""What ``ChatWenwen`` and ``WenwenEmbeddings`` share: their connection fields (``api_key``,
``base_url``, ``timeout``, ``max_retries``, ``default_headers``, ``http_client``,
``http_async_client``) as one ``wenwen.connection.ConnectionOptions``, the core clients built
from it, and credentials kept out of ``repr``, ``model_dump`` and ``dumpd`` (LangSmith)."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator
from typing import Any

import httpx
from pydantic import field_serializer

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.client_set import ClientSet, without_user_clients
from wenwen.concurrency import ExternalGate
from wenwen.connection import CommonConnectionSettings, ConnectionOptions, redact_headers


class ConnectionSettings(CommonConnectionSettings, total=False):
    """The connection keywords of the plain (non-pydantic) classes here, named like
    ``ChatWenwen``'s fields; defaults as in ``ConnectionOptions.of``."""

    http_async_client: httpx.AsyncClient | None


def connection_fields(settings: ConnectionSettings) -> dict[str, Any]:
    """Every connection field by its ``ChatWenwen`` name: the value given, else the default
    of ``ConnectionOptions.of`` (the one place the defaults live). Unknown names are a
    ``TypeError``, as for any keyword."""
    unknown = sorted(set(settings) - ConnectionSettings.__optional_keys__)
    if unknown:
        raise TypeError(f"unexpected keyword arguments {unknown}")
    defaults = inspect.signature(ConnectionOptions.of).parameters
    fields: dict[str, Any] = {}
    for name in sorted(ConnectionSettings.__optional_keys__):
        default = defaults[_OPTION_NAMES.get(name, name)].default
        fields[name] = settings.get(name, default)
    return fields


_OPTION_NAMES = {"http_async_client": "async_http_client"}
USER_CLIENT_FIELDS = ("http_client", "http_async_client")


class ClientOwner:
    """Mixin for the pydantic models that own a ``ClientSet`` in ``_clients``."""

    def __copy__(self: Any) -> Any:
        """A shallow copy (``model_copy``) gets its own clients, built from its own fields."""
        copied = super().__copy__()  # type: ignore[misc]  # the pydantic model next in the MRO
        copied._clients = ClientSet()
        return copied

    def __getstate__(self) -> Any:
        """Pickled without a user's own ``http_client``/``http_async_client`` (a
        ``ClientNotPickledWarning`` names each): the copy builds its own pool."""
        state = super().__getstate__()
        return without_user_clients(self, state, USER_CLIENT_FIELDS)

    def _connection_options(self: Any) -> ConnectionOptions:
        return ConnectionOptions.of(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
            http_client=self.http_client,
            async_http_client=self.http_async_client,
            max_retry_wait=self.max_retry_wait,
            async_transport=self.async_transport,
            rate_limit=getattr(self, "rate_limit", None),
            allow_private_hosts=getattr(self, "allow_private_hosts", False),
        )

    def _rate_gate(self) -> ExternalGate | None:
        """A caller's own rate limiter that the core asks before each request (``None``:
        LangChain applies ``rate_limiter`` itself, as for chat models)."""
        return None

    def _shared_options(self: Any) -> ConnectionOptions:
        """The options with the limiter every client of this object shares."""
        options = self._connection_options()
        limiter = self._clients.limiter(options.rate_limit, self._rate_gate())
        return dataclasses.replace(options, limiter=limiter)

    def _make_client(self: Any) -> WenwenClient:
        return self._shared_options().client()

    def _make_async_client(self: Any) -> AsyncWenwenClient:
        return self._shared_options().async_client()

    # --- credentials stay out of what is printed, dumped and traced ---------------------------

    @field_serializer("default_headers", check_fields=False)
    def _mask_headers(self, headers: dict[str, str] | None) -> dict[str, str] | None:
        return redact_headers(headers)

    def __repr_args__(self: Any) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():  # type: ignore[misc]
            if name == "default_headers" and isinstance(value, dict):
                value = redact_headers(value)
            yield name, value

    def to_json(self: Any) -> Any:
        """LangChain's serialized form (``dumpd``, LangSmith's ``serialized``), with
        credential headers masked like in ``model_dump``."""
        serialized = super().to_json()  # type: ignore[misc]
        kwargs = serialized.get("kwargs") if isinstance(serialized, dict) else None
        if isinstance(kwargs, dict) and isinstance(kwargs.get("default_headers"), dict):
            kwargs["default_headers"] = redact_headers(kwargs["default_headers"])
        return serialized


@dataclasses.dataclass(frozen=True)
class RateLimiterGate:
    """LangChain's ``BaseRateLimiter`` (``InMemoryRateLimiter``, say) as the core's
    ``ExternalGate``: one token per request."""

    rate_limiter: Any

    def acquire(self) -> None:
        self.rate_limiter.acquire(blocking=True)

    async def aacquire(self) -> None:
        await self.rate_limiter.aacquire(blocking=True)

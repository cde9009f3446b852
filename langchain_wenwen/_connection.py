"""What ``ChatWenwen`` and ``WenwenEmbeddings`` share: building their core clients from their
connection fields (``api_key``, ``base_url``, ``timeout``, ``max_retries``,
``default_headers``, ``http_client``, ``http_async_client``)."""

from __future__ import annotations

from typing import Any

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.client_set import ClientSet


class ClientOwner:
    """Mixin for the pydantic models that own a ``ClientSet`` in ``_clients``."""

    def __copy__(self: Any) -> Any:
        """A shallow copy (``model_copy``) gets its own clients, built from its own fields."""
        copied = super().__copy__()  # type: ignore[misc]  # the pydantic model next in the MRO
        copied._clients = ClientSet()
        return copied

    def _client_args(self: Any) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
            "max_retry_wait": self.max_retry_wait,
        }

    def _make_client(self: Any) -> WenwenClient:
        return WenwenClient(**self._client_args(), http_client=self.http_client)

    def _make_async_client(self: Any) -> AsyncWenwenClient:
        return AsyncWenwenClient(
            **self._client_args(),
            http_client=self.http_async_client,
            async_transport=self.async_transport,
        )

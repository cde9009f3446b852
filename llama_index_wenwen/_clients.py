"""Core clients for the LlamaIndex classes: the core's ``ClientSet`` (one sync client, one
async client per event loop) fed with the ``ConnectionOptions`` of a ``Wenwen`` or
``WenwenEmbedding`` — the same way ``langchain_wenwen`` uses it — plus the field types that
read the key and URL through the core's one settings reader."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, SecretStr, ValidationError

from wenwen.client_set import warn_client_not_pickled
from wenwen.connection import (
    ConnectionOptions,
    check_timeout,
    redact_headers,
    resolve_api_key,
    resolve_base_url,
)
from wenwen.errors import ConfigurationError

__all__ = [
    "ApiKey",
    "BaseUrl",
    "PicklesWithoutUserClients",
    "Seconds",
    "TypedConfigErrors",
    "connection_options",
    "redact_headers",
]


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


def _checked_timeout(value: float) -> float:
    check_timeout(value)  # the core's one rule: positive, finite seconds
    return value


Seconds = Annotated[float, AfterValidator(_checked_timeout)]
"""A timeout in seconds, checked by the core (a ``ConfigurationError`` naming the value)."""


class TypedConfigErrors:
    """Mixin: a ``ConfigurationError`` from the core's settings reader (a bad key, URL or
    timeout) reaches the caller as itself, not inside a pydantic ``ValidationError`` — which
    would also quote the input, i.e. the key."""

    def __init__(self, *args: Any, **data: Any) -> None:
        cause: ConfigurationError | None = None
        try:
            super().__init__(*args, **data)
        except ValidationError as exc:
            causes = [e.get("ctx", {}).get("error") for e in exc.errors(include_url=False)]
            cause = next((c for c in causes if isinstance(c, ConfigurationError)), None)
            if cause is None:
                raise
        if cause is not None:  # raised here, so that no ValidationError rides along as context
            raise cause


USER_CLIENT_FIELDS = ("http_client", "async_http_client")


class PicklesWithoutUserClients:
    """Mixin: pickled without a user's own ``http_client``/``async_http_client`` (a
    ``ClientNotPickledWarning`` names each): the copy builds its own pool. LlamaIndex's
    ``BaseComponent`` would instead delete them from the live object while pickling it."""

    def __getstate__(self) -> Any:
        live = self.__dict__
        held = {name: live[name] for name in USER_CLIENT_FIELDS if live.get(name) is not None}
        live.update(dict.fromkeys(held))
        try:
            state: Any = super().__getstate__()
            state = {**state, "__dict__": dict(state["__dict__"])}  # not the live dict
        finally:
            live.update(held)
        for name in held:
            warn_client_not_pickled(self, name)
        return state


def connection_options(owner: Any) -> ConnectionOptions:
    """The ``ConnectionOptions`` of ``owner``'s connection fields (``api_key``, ``base_url``,
    ``timeout``, ``max_retries``, ``default_headers``, ``http_client``,
    ``async_http_client``); the client set rebuilds its clients when they change."""
    return ConnectionOptions.of(
        api_key=owner.api_key,
        base_url=owner.base_url,
        timeout=owner.timeout,
        max_retries=owner.max_retries,
        default_headers=owner.default_headers,
        http_client=owner.http_client,
        async_http_client=owner.async_http_client,
        max_retry_wait=owner.max_retry_wait,
        async_transport=owner.async_transport,
        rate_limit=getattr(owner, "rate_limit", None),
    )

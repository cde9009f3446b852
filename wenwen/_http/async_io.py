"""The async client's two ways to send: httpx (always available) and native aiohttp (when
installed; a quarter of the CPU per call at 100 concurrent requests, see bench/README.md).

Both return a reply with the same small surface (``status_code``, ``headers``, ``aread``,
``aiter_bytes``, ``aclose``) and raise httpx's exception types, so everything above them —
retries, typed errors, the stream pipeline — is one code path.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import AsyncIterator, Mapping
from typing import Literal, Protocol

import httpx

from ..errors import ConfigurationError
from .prepare import ClientCore, PreparedRequest
from .transport import ShardedAsyncTransport

AsyncTransportName = Literal["auto", "httpx", "aiohttp"]
ASYNC_TRANSPORTS = ("auto", "httpx", "aiohttp")


class AsyncReply(Protocol):
    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    async def aread(self) -> bytes: ...

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class AsyncSender(Protocol):
    name: str

    async def send(
        self, prepared: PreparedRequest, *, timeouts: dict[str, float | None]
    ) -> AsyncReply:
        """Send and return once the headers arrived; the body is read through the reply."""
        ...

    async def aclose(self) -> None: ...


def aiohttp_available() -> bool:
    return importlib.util.find_spec("aiohttp") is not None


def resolve_async_transport(name: str, http_client: httpx.AsyncClient | None) -> str:
    """``auto`` is aiohttp when it is installed and no httpx client was passed in."""
    if name not in ASYNC_TRANSPORTS:
        raise ConfigurationError(
            f"async_transport must be one of {', '.join(ASYNC_TRANSPORTS)}, got {name!r}"
        )
    if http_client is not None:
        if name == "aiohttp":
            raise ConfigurationError(
                "async_transport='aiohttp' cannot use the httpx http_client you passed"
            )
        return "httpx"
    if name == "auto":
        return "aiohttp" if aiohttp_available() else "httpx"
    if name == "aiohttp" and not aiohttp_available():
        raise ConfigurationError(
            "async_transport='aiohttp' needs aiohttp: pip install 'wenwen-ai[fast]' "
            "(from a clone: pip install -e '.[fast]')"
        )
    return name


class HttpxSender:
    name = "httpx"

    def __init__(self, core: ClientCore, client: httpx.AsyncClient | None) -> None:
        self._core = core
        self.owns_client = client is None
        self.client = client or self._new_client()
        self._loop: asyncio.AbstractEventLoop | None = None

    def _new_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self._core.timeout, transport=ShardedAsyncTransport())

    async def send(
        self, prepared: PreparedRequest, *, timeouts: dict[str, float | None]
    ) -> AsyncReply:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None and self._loop.is_closed() and self.owns_client:
                # the loop the pool belonged to is gone (asyncio.run called again): its
                # connections died with it, start over on this one
                self.client = self._new_client()
            self._loop = loop
        return await self.client.send(self._core.httpx_request(prepared, timeouts), stream=True)

    async def aclose(self) -> None:
        if not self.owns_client:
            return
        loop = self._loop
        if loop is not None and loop is not asyncio.get_running_loop() and loop.is_closed():
            return  # its connections died with their loop; nothing is left to close
        await self.client.aclose()


def make_sender(core: ClientCore, name: str, client: httpx.AsyncClient | None) -> AsyncSender:
    if resolve_async_transport(name, client) == "aiohttp":
        from .aiohttp_sender import AiohttpSender

        return AiohttpSender(core)
    return HttpxSender(core, client)

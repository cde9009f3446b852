"""Native aiohttp sending for the async client (``async_transport="aiohttp"``).

aiohttp's pool does constant work per request where httpcore's re-scans its connections, so
at 100 concurrent calls this costs about a quarter of the CPU of httpx. Behaviour is kept
identical to the httpx path: the same timeouts (connect and read), no redirects followed,
proxies from the environment, aiohttp failures re-raised as httpx's exception types (which
the one error translation in ``_replies`` turns into typed errors), and a reply that is
released on close — a stream closed or cancelled part-way drops its connection instead of
returning it to the pool.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import httpx
import yarl
from aiohttp.helpers import get_env_proxy_for_url

from .prepare import ClientCore, PreparedRequest
from .transport import default_ssl_context

POOL_SIZE = 100
_READ_CHUNK = 65536


def _client_timeout(timeout: httpx.Timeout) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(
        total=None, connect=timeout.pool, sock_connect=timeout.connect, sock_read=timeout.read
    )


def _as_httpx_error(exc: BaseException, *, phase: str) -> httpx.HTTPError:
    """The httpx exception type for an aiohttp failure while connecting or reading."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message)
    if isinstance(exc, TimeoutError):
        return httpx.PoolTimeout(message) if phase == "pool" else httpx.ReadTimeout(message)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(message)
    if isinstance(exc, ValueError | aiohttp.InvalidURL):
        return httpx.LocalProtocolError(message)
    if phase == "read":
        return httpx.ReadError(message)
    return httpx.ConnectError(message)


_FAILURES = (aiohttp.ClientError, TimeoutError, ValueError)


def _attempt_timeout(timeouts: dict[str, float | None]) -> aiohttp.ClientTimeout:
    """One attempt's limits (already cut to what is left of the call's budget)."""
    return aiohttp.ClientTimeout(
        total=None,
        connect=timeouts.get("pool"),
        sock_connect=timeouts.get("connect"),
        sock_read=timeouts.get("read"),
    )


class AiohttpReply:
    """An aiohttp response with the surface of ``httpx.Response`` the client uses."""

    def __init__(self, response: aiohttp.ClientResponse, body: bytes | None = None) -> None:
        self._response = response
        self._body = body
        self.status_code = response.status
        self.headers: Mapping[str, str] = response.headers

    async def aread(self) -> bytes:
        if self._body is None:
            failure: BaseException | None = None
            try:
                self._body = await self._response.read()
            except _FAILURES as exc:
                failure = exc
            finally:
                self._response.release()
            if failure is not None:
                raise _as_httpx_error(failure, phase="read")
        assert self._body is not None
        return self._body

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        if self._body is not None:
            yield self._body
            return
        content = self._response.content
        failure: BaseException | None = None
        while failure is None:
            try:
                chunk = await content.readany()
            except _FAILURES as exc:
                failure = exc
                break
            if not chunk:
                return
            yield chunk
        raise _as_httpx_error(failure, phase="read")

    async def aclose(self) -> None:
        # release() keeps the connection only when the body was read to its end
        self._response.release()


class AiohttpSender:
    """One ``aiohttp.ClientSession``, made on first use in the running event loop."""

    name = "aiohttp"

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        self._timeout = _client_timeout(core.timeout)
        self._limits = core.timeout.as_dict()
        self._session: aiohttp.ClientSession | None = None

    def _session_now(self) -> aiohttp.ClientSession:
        session = self._session
        loop = asyncio.get_running_loop()
        if session is not None and session._loop is not loop and session._loop.is_closed():
            # the loop this session belonged to is gone (asyncio.run called again): its
            # sockets died with it, start over on this one
            _close_connector(session.connector)
            session = None
        if session is None or session.closed:
            connector = aiohttp.TCPConnector(
                limit=POOL_SIZE, ssl=default_ssl_context(), enable_cleanup_closed=False
            )
            proxy, proxy_auth = _env_proxy(self._core.settings.base_url)
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                # proxies are read from the environment once, as httpx does; aiohttp's
                # trust_env would look them (and ~/.netrc) up in a thread on every request
                trust_env=False,
                proxy=proxy,
                proxy_auth=proxy_auth,
                auto_decompress=True,
                skip_auto_headers=("User-Agent",),
            )
            # an unclosed sender (its loop never shut down) must not log "Unclosed client
            # session": closing the connector's sockets needs no running loop
            weakref.finalize(self, _close_connector, connector)
        return session

    async def send(
        self, prepared: PreparedRequest, *, timeouts: dict[str, float | None]
    ) -> AiohttpReply:
        session = self._session_now()
        failure: BaseException | None = None
        try:
            response = await session.request(
                prepared.method,
                prepared.url,
                headers=prepared.headers,
                data=prepared.content,
                allow_redirects=False,
                timeout=self._timeout if timeouts == self._limits else _attempt_timeout(timeouts),
            )
        except _FAILURES as exc:
            failure = exc
        if failure is not None:
            # not chained: aiohttp's exception holds the request (and its headers)
            raise _as_httpx_error(failure, phase="connect")
        return AiohttpReply(response)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is None or session.closed:
            return
        if session._loop is not asyncio.get_running_loop() and session._loop.is_closed():
            _close_connector(session.connector)  # its loop is gone: nothing to await
            return
        await session.close()


def _env_proxy(base_url: str) -> tuple[Any, aiohttp.BasicAuth | None]:
    """The proxy the environment (``HTTPS_PROXY``, ``NO_PROXY``, ...) sets for the relay."""
    try:
        return get_env_proxy_for_url(yarl.URL(base_url))
    except LookupError:
        return None, None


def _close_connector(connector: Any) -> None:
    if connector.closed:
        return
    try:
        loop = connector._loop
        if loop.is_closed():
            connector._closed = True
            return
        connector._close()  # aiohttp's synchronous close of the pooled transports
    except (AttributeError, RuntimeError):  # pragma: no cover - a future aiohttp
        pass


__all__ = ["AiohttpReply", "AiohttpSender"]

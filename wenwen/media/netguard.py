"""The download path's own HTTP transports: every address checked at connect time, every socket
operation bounded by the download's deadline.

The check and the connection use the same resolution: the network backend resolves the host
once, refuses the connection when an address is not allowed (``AddressPolicy``), and connects
to the address it checked, so a DNS answer that changes between a check and the connection
(DNS rebinding) cannot slip through. TLS still verifies the certificate against, and sends SNI
for, the URL's host name (httpcore takes ``server_hostname`` from the request's origin, not
from the connected address), and the ``Host`` header is the URL's.

A transport learns per request whether its origin is trusted (the relay's own origin or a host
the user allowed) and a download's deadline through context variables that the download path
sets around each request; reads, writes, connects and TLS handshakes are then given at most the
time left, so a body sent one byte at a time ends at the deadline.
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
import ssl
import time
import typing
from collections.abc import Callable, Iterator

import anyio.to_thread
import httpcore
import httpx

from ..errors import DownloadBlockedError
from .addresses import AddressPolicy, parse_address

Resolver = Callable[[str, int], list[str]]
"""``(host, port)`` → the IP addresses to connect to (``socket.getaddrinfo`` by default)."""

_TRUSTED: contextvars.ContextVar[bool] = contextvars.ContextVar("wenwen_download_trusted")
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "wenwen_download_deadline", default=None
)


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the system's order (duplicates dropped)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@contextlib.contextmanager
def deadline_scope(deadline: float | None) -> Iterator[None]:
    """Bound every socket operation inside by ``deadline`` (a ``time.monotonic`` value)."""
    token = _DEADLINE.set(deadline)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def time_left(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the deadline; ``expired`` once it passed."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the download's deadline passed")
    return left if timeout is None else min(timeout, left)


def _addresses(host: str, port: int, resolver: Resolver) -> list[str]:
    literal = parse_address(host)
    if literal is not None:
        return [str(literal)]
    try:
        found = resolver(host, port)
    except OSError as exc:
        raise httpcore.ConnectError(f"could not resolve {host}: {exc}") from None
    if not found:
        raise httpcore.ConnectError(f"{host} resolved to no address")
    return found


def _checked(host: str, port: int, policy: AddressPolicy, addresses: list[str]) -> list[str]:
    if not _TRUSTED.get(False):
        policy.check(host, addresses, url=f"{host}:{port}")
    return addresses


# --- sync --------------------------------------------------------------------------------------


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks, then connects to a checked address (see the module docstring)."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolver) -> None:
        self.policy = policy
        self.resolver = resolver
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _checked(host, port, self.policy, _addresses(host, port, self.resolver))
        failure: Exception | None = None
        for address in addresses:
            left = time_left(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._inner.connect_tcp(address, port, left, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream)
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise DownloadBlockedError("downloads never connect to a unix socket")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """An ``httpx`` transport whose connections go through ``GuardedBackend``. Environment
    proxies are not used (a proxy would connect on the download's behalf, unchecked)."""

    def __init__(
        self, policy: AddressPolicy, resolver: Resolver, ssl_context: ssl.SSLContext
    ) -> None:
        super().__init__(verify=ssl_context)
        self.policy = policy
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, network_backend=GuardedBackend(policy, resolver)
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        token = _TRUSTED.set(self.policy.trusts(request.url))
        try:
            return super().handle_request(request)
        finally:
            _TRUSTED.reset(token)


# --- async -------------------------------------------------------------------------------------


class _AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, time_left(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, time_left(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        left = time_left(timeout, httpcore.ConnectTimeout)
        return _AsyncDeadlineStream(await self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class AsyncGuardedBackend(httpcore.AsyncNetworkBackend):
    """The async twin of ``GuardedBackend`` (the resolver runs in a worker thread)."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolver) -> None:
        self.policy = policy
        self.resolver = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        found = await anyio.to_thread.run_sync(_addresses, host, port, self.resolver)
        addresses = _checked(host, port, self.policy, found)
        failure: Exception | None = None
        for address in addresses:
            left = time_left(timeout, httpcore.ConnectTimeout)
            try:
                stream = await self._inner.connect_tcp(
                    address, port, left, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _AsyncDeadlineStream(stream)
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise DownloadBlockedError("downloads never connect to a unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class AsyncGuardedTransport(httpx.AsyncHTTPTransport):
    """The async twin of ``GuardedTransport``."""

    def __init__(
        self, policy: AddressPolicy, resolver: Resolver, ssl_context: ssl.SSLContext
    ) -> None:
        super().__init__(verify=ssl_context)
        self.policy = policy
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, network_backend=AsyncGuardedBackend(policy, resolver)
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        token = _TRUSTED.set(self.policy.trusts(request.url))
        try:
            return await super().handle_async_request(request)
        finally:
            _TRUSTED.reset(token)


def connected_address(response: httpx.Response) -> str | None:
    """The IP address a response came from, when its transport tells (httpx's own do)."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    try:
        peer = stream.get_extra_info("server_addr")
    except Exception:  # a transport that does not know
        return None
    return str(peer[0]) if isinstance(peer, tuple) and peer else None


__all__ = [
    "AsyncGuardedBackend",
    "AsyncGuardedTransport",
    "GuardedBackend",
    "GuardedTransport",
    "Resolver",
    "connected_address",
    "deadline_scope",
    "system_resolver",
    "time_left",
]

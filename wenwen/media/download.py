"""The one key-less download path for result URLs (images, audio, videos on third-party storage).

Result URLs come from replies, so they are written by a server the user does not control:

- **No key.** A download never carries the Wenwen key: it runs on its own HTTP client (no
  default headers, no auth, no cookies), rejects URLs with embedded credentials, and builds
  every request (each redirect hop too) from scratch.
- **Only allowed addresses.** Every hop is checked after DNS resolution against
  ``AddressPolicy`` (``wenwen.media.addresses``): loopback, private, link-local, metadata and
  other non-public addresses are refused unless they are the relay's own origin or allowed by
  ``allow_private_hosts``. The default client checks at connect time and connects to the
  address it checked (``wenwen.media.netguard``); with an ``http_client`` of your own the host is
  resolved and checked before each request and the peer address re-checked before the body is
  read.
- **Redirects by hand.** Only http(s), at most ``max_redirects``, each hop checked as above.
- **Bounded.** ``Content-Length`` checked up front, bytes counted as they arrive, and one total
  ``deadline`` (seconds) for all attempts, redirects and the body: a body sent one byte at a
  time ends there with ``DownloadTimeoutError``.
- **The expected media.** With ``expect="image"`` (or ``"audio"``, ``"video"``) a body whose
  content type or magic bytes say otherwise is a ``DownloadContentError``, never a result.
- Files are streamed to a temporary file renamed into place only when complete. ``data:``
  URLs are decoded without any request.

``Downloader`` and ``AsyncDownloader`` share everything here except ``send`` versus
``await send`` (and ``sleep`` versus ``await async_sleep`` on the injected ``Clock``); retries
go through the core's ``RetryFlow``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import anyio.to_thread
import httpx

from .._http.retry import SYSTEM_CLOCK, Clock, RetryPolicy
from .._http.transport import default_ssl_context
from ..errors import (
    ConfigurationError,
    DownloadError,
)
from .addresses import AddressPolicy, AllowPrivateHosts
from .content import MediaKind
from .download_steps import (
    CREDENTIAL_HEADERS,
    DEFAULT_DEADLINE,
    DEFAULT_TIMEOUT,
    MAX_REDIRECTS,
    Downloaded,
    Run,
)
from .netguard import (
    AsyncGuardedTransport,
    GuardedTransport,
    Resolver,
    connected_address,
    deadline_scope,
    system_resolver,
)
from .sinks import (
    DEFAULT_MAX_BYTES,
    MEDIA_EXTENSIONS,
    FileSink,
    SizeBound,
    content_filename,
    target_path,
)

if TYPE_CHECKING:
    from .._http.api import AnyRequestClient

# --- I/O -----------------------------------------------------------------------------------------


class _DownloaderBase:
    def __init__(
        self,
        *,
        max_bytes: int,
        timeout: float | httpx.Timeout,
        max_retries: int,
        clock: Clock | None,
        deadline: float,
        max_redirects: int,
        allow_private_hosts: AllowPrivateHosts,
        relay_url: str | None,
        resolver: Resolver | None,
        caller_client: bool,
    ) -> None:
        self.max_bytes = max_bytes
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = RetryPolicy(max_retries=max_retries)
        self.clock = clock or SYSTEM_CLOCK
        if isinstance(deadline, bool) or not isinstance(deadline, int | float) or deadline <= 0:
            raise ConfigurationError(f"deadline must be a number of seconds > 0, got {deadline!r}")
        self.deadline = float(deadline)
        self.max_redirects = max_redirects
        self.policy = AddressPolicy.of(relay_url, allow_private_hosts)
        self.resolver = resolver or system_resolver
        # a caller's http_client connects on its own: check each hop's host before sending
        self.check_before_send = caller_client

    def _run(
        self,
        url: str,
        max_bytes: int | None,
        dest: str | os.PathLike[str] | None,
        expect: MediaKind | None,
    ) -> Run:
        return Run(url, dest, expect, self, max_bytes)

    def _check_peer(self, response: httpx.Response) -> None:
        """With a caller's client: the address actually connected to must be allowed too."""
        url = response.request.url
        peer = connected_address(response)
        if self.check_before_send and peer is not None and not self.policy.trusts(url):
            self.policy.check(url.host, [peer], url=str(url))

    def _checked_addresses(self, request: httpx.Request) -> tuple[str, int] | None:
        """``(host, port)`` to resolve and check before sending (caller's client only)."""
        if not self.check_before_send or self.policy.trusts(request.url):
            return None
        return request.url.host, request.url.port or (443 if request.url.scheme == "https" else 80)


class DownloadOptions(TypedDict, total=False):
    """The keywords of ``Downloader``, ``AsyncDownloader``, ``download`` and ``adownload``."""

    max_bytes: int
    timeout: float | httpx.Timeout
    """Per network operation (connect, each read)."""
    deadline: float
    """Seconds for the whole download: attempts, waits, redirects, body (default 900)."""
    max_retries: int
    max_redirects: int
    allow_private_hosts: AllowPrivateHosts
    relay_url: str | None
    """The relay's base URL: its origin (scheme, host, port) is trusted."""
    resolver: Resolver | None
    clock: Clock | None


def _keyword_options(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "max_bytes": DEFAULT_MAX_BYTES, "timeout": DEFAULT_TIMEOUT, "max_retries": 2,
        "clock": None, "deadline": DEFAULT_DEADLINE, "max_redirects": MAX_REDIRECTS,
        "allow_private_hosts": False, "relay_url": None, "resolver": None,
    }  # fmt: skip
    unknown = set(kwargs) - set(defaults)
    if unknown:
        raise TypeError(f"unexpected keyword arguments {sorted(unknown)}")
    return {**defaults, **kwargs}


class Downloader(_DownloaderBase):
    """Key-less downloads (sync). Keywords: ``max_bytes``, ``timeout`` (per network
    operation), ``deadline`` (seconds for the whole download), ``max_retries``,
    ``max_redirects``, ``allow_private_hosts``, ``relay_url`` (whose origin is trusted),
    ``resolver`` (``(host, port)`` → addresses), ``clock`` (the waits between attempts, for
    tests), ``http_client`` (used with ``auth=None`` and not closed)."""

    def __init__(
        self, *, http_client: httpx.Client | None = None, **options: Unpack[DownloadOptions]
    ) -> None:
        super().__init__(**_keyword_options(options), caller_client=http_client is not None)
        self._owns_http = http_client is None
        transport = GuardedTransport(self.policy, self.resolver, default_ssl_context())
        self._http = http_client or httpx.Client(transport=transport, trust_env=False)

    @classmethod
    def for_client(cls, client: AnyRequestClient, **options: Unpack[DownloadOptions]) -> Downloader:
        """A downloader that trusts ``client``'s relay origin and its ``allow_private_hosts``."""
        merged: DownloadOptions = {**client_download_options(client), **options}
        return cls(**merged)

    def fetch(
        self, url: str, *, max_bytes: int | None = None, expect: MediaKind | None = None
    ) -> Downloaded:
        """The whole body in memory (``.content``)."""
        return self._download(self._run(url, max_bytes, None, expect))

    def to_file(
        self,
        url: str,
        dest: str | os.PathLike[str],
        *,
        max_bytes: int | None = None,
        expect: MediaKind | None = None,
    ) -> Downloaded:
        """Streamed to ``dest`` (a file path, or an existing directory); ``.path`` is set."""
        return self._download(self._run(url, max_bytes, dest, expect))

    def _download(self, run: Run) -> Downloaded:
        with deadline_scope(run.deadline):
            while run.result is None:
                try:
                    run.result = self._attempt(run)
                except DownloadError as error:
                    self.clock.sleep(run.wait_after(error))
        return run.result

    def _send(self, run: Run, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and follow its redirects by hand, each hop checked."""
        while True:
            where = self._checked_addresses(request)
            if where is not None:
                self.policy.check(where[0], _resolve(self.resolver, *where), str(request.url))
            try:
                response = self._http.send(request, stream=True, auth=None, follow_redirects=False)
            except httpx.HTTPError as exc:
                raise run.failed(exc) from exc
            try:
                self._check_peer(response)
                following = run.redirect(response)
            except BaseException:
                response.close()
                raise
            if following is None:
                return response
            response.close()
            request = following

    def _attempt(self, run: Run) -> Downloaded:
        request, transfer = run.next_transfer()
        response = self._send(run, request)
        try:
            with run.receiving(response):
                for chunk in response.iter_bytes():
                    run.left()
                    transfer.write(chunk)
                return transfer.finish()
        finally:
            response.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncDownloader(_DownloaderBase):
    """Key-less downloads (async); the same keywords and rules as ``Downloader``."""

    def __init__(
        self, *, http_client: httpx.AsyncClient | None = None, **options: Unpack[DownloadOptions]
    ) -> None:
        super().__init__(**_keyword_options(options), caller_client=http_client is not None)
        self._owns_http = http_client is None
        transport = AsyncGuardedTransport(self.policy, self.resolver, default_ssl_context())
        self._http = http_client or httpx.AsyncClient(transport=transport, trust_env=False)

    @classmethod
    def for_client(
        cls, client: AnyRequestClient, **options: Unpack[DownloadOptions]
    ) -> AsyncDownloader:
        merged: DownloadOptions = {**client_download_options(client), **options}
        return cls(**merged)

    async def fetch(
        self, url: str, *, max_bytes: int | None = None, expect: MediaKind | None = None
    ) -> Downloaded:
        return await self._download(self._run(url, max_bytes, None, expect))

    async def to_file(
        self,
        url: str,
        dest: str | os.PathLike[str],
        *,
        max_bytes: int | None = None,
        expect: MediaKind | None = None,
    ) -> Downloaded:
        return await self._download(self._run(url, max_bytes, dest, expect))

    async def _download(self, run: Run) -> Downloaded:
        with deadline_scope(run.deadline):
            while run.result is None:
                try:
                    run.result = await self._attempt(run)
                except DownloadError as error:
                    await self.clock.async_sleep(run.wait_after(error))
        return run.result

    async def _send(self, run: Run, request: httpx.Request) -> httpx.Response:
        while True:
            where = self._checked_addresses(request)
            if where is not None:
                found = await anyio.to_thread.run_sync(_resolve, self.resolver, *where)
                self.policy.check(where[0], found, str(request.url))
            try:
                response = await self._http.send(
                    request, stream=True, auth=None, follow_redirects=False
                )
            except httpx.HTTPError as exc:
                raise run.failed(exc) from exc
            try:
                self._check_peer(response)
                following = run.redirect(response)
            except BaseException:
                await response.aclose()
                raise
            if following is None:
                return response
            await response.aclose()
            request = following

    async def _attempt(self, run: Run) -> Downloaded:
        request, transfer = run.next_transfer()
        response = await self._send(run, request)
        try:
            with run.receiving(response):
                async for chunk in response.aiter_bytes():
                    run.left()
                    transfer.write(chunk)
                return transfer.finish()
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncDownloader:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _resolve(resolver: Resolver, host: str, port: int) -> list[str]:
    try:
        return resolver(host, port)
    except OSError as exc:
        raise DownloadError(f"could not resolve {host}: {exc}", url=host) from None


def client_download_options(client: AnyRequestClient) -> DownloadOptions:
    """The download keywords a core client implies: its relay origin is trusted, and so is
    what its ``allow_private_hosts`` allows."""
    return {
        "relay_url": client.base_url,
        "allow_private_hosts": getattr(client, "allow_private_hosts", False),
    }


def download(
    url: str,
    dest: str | os.PathLike[str] | None = None,
    *,
    expect: MediaKind | None = None,
    **options: Unpack[DownloadOptions],
) -> Downloaded:
    """One key-less download with a private client: to ``dest`` if given, else in memory.
    ``options`` are ``Downloader``'s keywords (``max_bytes``, ``deadline``, ``relay_url``,
    ``allow_private_hosts``, ``clock``...)."""
    with Downloader(**options) as downloader:
        if dest is None:
            return downloader.fetch(url, expect=expect)
        return downloader.to_file(url, dest, expect=expect)


async def adownload(
    url: str,
    dest: str | os.PathLike[str] | None = None,
    *,
    expect: MediaKind | None = None,
    **options: Unpack[DownloadOptions],
) -> Downloaded:
    async with AsyncDownloader(**options) as downloader:
        if dest is None:
            return await downloader.fetch(url, expect=expect)
        return await downloader.to_file(url, dest, expect=expect)


__all__ = [
    "CREDENTIAL_HEADERS",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BYTES",
    "MEDIA_EXTENSIONS",
    "AsyncDownloader",
    "DownloadOptions",
    "Downloaded",
    "Downloader",
    "FileSink",
    "SizeBound",
    "adownload",
    "client_download_options",
    "content_filename",
    "download",
    "target_path",
]

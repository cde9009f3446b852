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

import binascii
import os
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import httpx

from .._http.retry import SYSTEM_CLOCK, Clock, Failure, RetryFlow, RetryPolicy
from .._http.transport import default_ssl_context
from .._version import __version__
from ..errors import (
    ConfigurationError,
    DownloadBlockedError,
    DownloadContentError,
    DownloadError,
    DownloadTimeoutError,
)
from .addresses import AddressPolicy, AllowPrivateHosts
from .content import MediaKind
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
    MediaCheck,
    SizeBound,
    content_filename,
    target_path,
)

if TYPE_CHECKING:
    from .._client import AsyncWenwenClient, WenwenClient

DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
DEFAULT_DEADLINE = 900.0
"""Seconds one download may take in all (attempts, waits, redirects, body)."""
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Headers that carry credentials; none of them may leave on a download.
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "cookie"}
)
_USER_AGENT = f"wenwen-ai/{__version__} (python; httpx; download)"


@dataclass(frozen=True)
class Downloaded:
    """What a download produced: ``path`` when streamed to disk, ``content`` when in memory."""

    url: str
    size: int
    content_type: str | None = None
    path: Path | None = None
    content: bytes | None = None


# --- sans-IO pieces ----------------------------------------------------------------------------


def decode_data_url(url: str) -> tuple[bytes, str | None] | None:
    """``(bytes, media type)`` for a ``data:`` URL, ``None`` for any other URL."""
    if not url.startswith("data:"):
        return None
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise DownloadError("data: URL has no ',' before its payload", url=url[:64])
    media_type = header.split(";")[0] or None
    if header.endswith(";base64"):
        try:
            return binascii.a2b_base64(payload, strict_mode=False), media_type
        except binascii.Error as exc:
            raise DownloadError(f"data: URL is not valid base64: {exc}", url=url[:64]) from None
    return urllib.parse.unquote_to_bytes(payload), media_type


def build_request(url: str | httpx.URL, timeout: httpx.Timeout) -> httpx.Request:
    """A GET for ``url`` with no credentials; rejects what is not a plain http(s) URL."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise DownloadError(f"not a valid URL: {exc}", url=str(url)) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise DownloadBlockedError(
            f"cannot download {parsed.scheme or 'a relative'} URL {str(url)!r}", url=str(url)
        )
    if parsed.userinfo:
        # httpx would turn user:password@ into an Authorization header
        raise DownloadError("refusing a download URL that embeds credentials", url=str(url))
    request = httpx.Request(
        "GET",
        parsed,
        headers={"User-Agent": _USER_AGENT, "Accept": "*/*"},
        extensions={"timeout": timeout.as_dict()},
    )
    assert_keyless(request)
    return request


def assert_keyless(request: httpx.Request) -> None:
    leaked = CREDENTIAL_HEADERS.intersection(k.lower() for k in request.headers)
    if leaked:  # only reachable through a caller's event hook or transport
        raise DownloadError(f"refusing to send credentials ({sorted(leaked)}) on a download")


def status_error(response: httpx.Response, url: str) -> DownloadError:
    return DownloadError(
        f"download of {url} failed: HTTP {response.status_code}",
        url=url,
        status_code=response.status_code,
    )


def transport_error(exc: httpx.HTTPError, url: str) -> DownloadError:
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "broke"
    return DownloadError(f"download of {url} {kind}: {type(exc).__name__}: {exc}", url=url)


def _from_data_url(
    url: str, limit: int, dest: str | os.PathLike[str] | None, expect: MediaKind | None
) -> Downloaded | None:
    decoded = decode_data_url(url)
    if decoded is None:
        return None
    content, media_type = decoded
    SizeBound(limit, url[:64]).add(content)
    check = MediaCheck(expect, url[:64])
    check.check_declared(media_type)
    check.add(content)
    check.finish()
    if dest is None:
        return Downloaded(url=url, size=len(content), content_type=media_type, content=content)
    sink = FileSink(target_path(dest, url, media_type))
    try:
        sink.write(content)
    except BaseException:
        sink.discard()
        raise
    return Downloaded(url=url, size=len(content), content_type=media_type, path=sink.commit())


class _Transfer:
    """One attempt's body: the sink (memory or file), the size bound and the media check."""

    def __init__(
        self, url: str, limit: int, dest: str | os.PathLike[str] | None, expect: MediaKind | None
    ) -> None:
        self.url = url
        self.bound = SizeBound(limit, url)
        self.check = MediaCheck(expect, url)
        self.dest = dest
        self.sink: FileSink | None = None
        self.buffer = bytearray()
        self.content_type: str | None = None
        self.started = False

    def start(self, response: httpx.Response) -> None:
        """Check the status, declared size and type; after this, an attempt is never retried."""
        if response.status_code >= 400:
            raise status_error(response, self.url)
        if response.status_code != 200 and response.status_code != 203:
            raise DownloadContentError(
                f"download of {self.url} answered HTTP {response.status_code}, not a body",
                url=self.url,
                status_code=response.status_code,
            )
        self.bound.check_declared(response.headers)
        self.started = True
        self.content_type = response.headers.get("content-type")
        self.check.check_declared(self.content_type)
        if self.dest is not None:
            self.sink = FileSink(target_path(self.dest, self.url, self.content_type))

    def write(self, chunk: bytes) -> None:
        self.bound.add(chunk)
        self.check.add(chunk)
        if self.sink is not None:
            self.sink.write(chunk)
        else:
            self.buffer.extend(chunk)

    def finish(self) -> Downloaded:
        self.check.finish()
        if self.sink is not None:
            path = self.sink.commit()
            return Downloaded(self.url, self.bound.size, self.content_type, path=path)
        return Downloaded(self.url, self.bound.size, self.content_type, content=bytes(self.buffer))

    def abandon(self) -> None:
        if self.sink is not None:
            self.sink.discard()


class _Run:
    """One download, sans-IO: a ``data:`` URL's answer (``result``) or the first request; the
    redirect hops; a fresh ``_Transfer`` per attempt; the deadline; the retry decision after a
    failure (before the first byte only: connection failures and 408/429/5xx)."""

    def __init__(
        self,
        url: str,
        dest: str | os.PathLike[str] | None,
        expect: MediaKind | None,
        owner: _DownloaderBase,
        max_bytes: int | None,
    ) -> None:
        self.url, self.dest, self.expect, self.owner = url, dest, expect, owner
        self.limit = owner.max_bytes if max_bytes is None else max_bytes
        self.deadline = time.monotonic() + owner.deadline
        self.result = _from_data_url(url, self.limit, dest, expect)
        self.request = None if self.result is not None else build_request(url, owner.timeout)
        self.transfer = _Transfer(url, self.limit, dest, expect)
        self.hops = 0
        self._flow = RetryFlow(owner.retry, owner.deadline, classify=self._failure)

    def next_transfer(self) -> tuple[httpx.Request, _Transfer]:
        assert self.request is not None
        self.left()
        self.hops = 0
        self.transfer = _Transfer(self.url, self.limit, self.dest, self.expect)
        return self.request, self.transfer

    def left(self) -> float:
        """Seconds left before the deadline; ``DownloadTimeoutError`` when none are."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise DownloadTimeoutError(
                f"download of {self.url} did not finish within its {self.owner.deadline:g} s "
                "deadline",
                url=self.url,
            )
        return remaining

    def redirect(self, response: httpx.Response) -> httpx.Request | None:
        """The next hop's request when ``response`` is a redirect (``None`` otherwise)."""
        location = response.headers.get("location")
        if response.status_code not in _REDIRECTS or location is None:
            return None
        self.hops += 1
        if self.hops > self.owner.max_redirects:
            raise DownloadError(
                f"download of {self.url} was redirected more than {self.owner.max_redirects} times",
                url=self.url,
            )
        try:
            target = response.url.join(location)
        except (httpx.InvalidURL, ValueError) as exc:
            raise DownloadError(f"bad redirect {location!r}: {exc}", url=self.url) from None
        return build_request(target, self.owner.timeout)

    def failed(self, exc: httpx.HTTPError) -> DownloadError:
        """The typed error for a transport failure (a timeout past the deadline says so)."""
        if isinstance(exc, httpx.TimeoutException) and time.monotonic() >= self.deadline:
            return DownloadTimeoutError(
                f"download of {self.url} did not finish within its {self.owner.deadline:g} s "
                "deadline",
                url=self.url,
            )
        return transport_error(exc, self.url)

    @contextmanager
    def receiving(self, response: httpx.Response) -> Iterator[None]:
        """Around reading one response's body: ``start`` first; a broken body is a typed
        error; on any failure the partial file is removed."""
        try:
            self.transfer.start(response)
            try:
                yield
            except httpx.HTTPError as exc:
                raise self.failed(exc) from exc
        except BaseException:
            self.transfer.abandon()
            raise

    def wait_after(self, error: DownloadError) -> float:
        """Seconds before the next attempt; raises ``error`` when there is none."""
        wait = self._flow.wait_after(error)
        if wait >= self.left():
            raise error
        return wait

    def _failure(self, error: Exception) -> Failure | None:
        if self.transfer.started or type(error) is not DownloadError:
            return None  # blocked, wrong content, too large, past the deadline: final
        if error.status_code is None:
            return Failure(connection_error=True)
        return Failure(status=error.status_code)


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
    ) -> _Run:
        return _Run(url, dest, expect, self, max_bytes)

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


def _keyword_options(kwargs: dict[str, Any]) -> dict[str, Any]:
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

    def __init__(self, *, http_client: httpx.Client | None = None, **options: Any) -> None:
        super().__init__(**_keyword_options(options), caller_client=http_client is not None)
        self._owns_http = http_client is None
        transport = GuardedTransport(self.policy, self.resolver, default_ssl_context())
        self._http = http_client or httpx.Client(transport=transport, trust_env=False)

    @classmethod
    def for_client(cls, client: WenwenClient | AsyncWenwenClient, **options: Any) -> Downloader:
        """A downloader that trusts ``client``'s relay origin and its ``allow_private_hosts``."""
        return cls(**{**client_download_options(client), **options})

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

    def _download(self, run: _Run) -> Downloaded:
        with deadline_scope(run.deadline):
            while run.result is None:
                try:
                    run.result = self._attempt(run)
                except DownloadError as error:
                    self.clock.sleep(run.wait_after(error))
        return run.result

    def _send(self, run: _Run, request: httpx.Request) -> httpx.Response:
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

    def _attempt(self, run: _Run) -> Downloaded:
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

    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **options: Any) -> None:
        super().__init__(**_keyword_options(options), caller_client=http_client is not None)
        self._owns_http = http_client is None
        transport = AsyncGuardedTransport(self.policy, self.resolver, default_ssl_context())
        self._http = http_client or httpx.AsyncClient(transport=transport, trust_env=False)

    @classmethod
    def for_client(
        cls, client: WenwenClient | AsyncWenwenClient, **options: Any
    ) -> AsyncDownloader:
        return cls(**{**client_download_options(client), **options})

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

    async def _download(self, run: _Run) -> Downloaded:
        with deadline_scope(run.deadline):
            while run.result is None:
                try:
                    run.result = await self._attempt(run)
                except DownloadError as error:
                    await self.clock.async_sleep(run.wait_after(error))
        return run.result

    async def _send(self, run: _Run, request: httpx.Request) -> httpx.Response:
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

    async def _attempt(self, run: _Run) -> Downloaded:
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


def client_download_options(client: WenwenClient | AsyncWenwenClient) -> dict[str, Any]:
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
    **options: Any,
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
    **options: Any,
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

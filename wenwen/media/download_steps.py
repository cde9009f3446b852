"""One download's steps, sans-IO: the requests (key-less, http(s) only), the redirect hops,
the body checks of each attempt (status, size, media kind, file sink), the deadline and the
retry decision. ``wenwen.media.download`` does the I/O around them."""

from __future__ import annotations

import binascii
import os
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from .._http.retry import Clock, Failure, RetryFlow, RetryPolicy
from .._version import __version__
from ..errors import (
    DownloadBlockedError,
    DownloadContentError,
    DownloadError,
    DownloadTimeoutError,
)
from .content import MediaKind
from .sinks import FileSink, MediaCheck, SizeBound, target_path


class Limits(Protocol):
    """What a run needs from its downloader."""

    max_bytes: int
    timeout: httpx.Timeout
    retry: RetryPolicy
    deadline: float
    max_redirects: int
    clock: Clock


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


class Transfer:
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


class Run:
    """One download, sans-IO: a ``data:`` URL's answer (``result``) or the first request; the
    redirect hops; a fresh ``Transfer`` per attempt; the deadline; the retry decision after a
    failure (before the first byte only: connection failures and 408/429/5xx)."""

    def __init__(
        self,
        url: str,
        dest: str | os.PathLike[str] | None,
        expect: MediaKind | None,
        owner: Limits,
        max_bytes: int | None,
    ) -> None:
        self.url, self.dest, self.expect, self.owner = url, dest, expect, owner
        self.limit = owner.max_bytes if max_bytes is None else max_bytes
        self.deadline = owner.clock.monotonic() + owner.deadline
        self.result = _from_data_url(url, self.limit, dest, expect)
        self.request = None if self.result is not None else build_request(url, owner.timeout)
        self.transfer = Transfer(url, self.limit, dest, expect)
        self.hops = 0
        self.final = False
        self._flow = RetryFlow(owner.retry, owner.deadline, classify=self._failure)

    def next_transfer(self) -> tuple[httpx.Request, Transfer]:
        assert self.request is not None
        self.left()
        self.hops, self.final = 0, False
        self.transfer = Transfer(self.url, self.limit, self.dest, self.expect)
        return self.request, self.transfer

    def left(self) -> float:
        """Seconds left before the deadline; ``DownloadTimeoutError`` when none are."""
        remaining = self.deadline - self.owner.clock.monotonic()
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
        self.final = True  # a bad or endless redirect is no transient failure
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
        if (
            isinstance(exc, httpx.TimeoutException)
            and self.owner.clock.monotonic() >= self.deadline
        ):
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
        if self.transfer.started or self.final or type(error) is not DownloadError:
            return None  # blocked, wrong content, too large, past the deadline: final
        if error.status_code is None:
            return Failure(connection_error=True)
        return Failure(status=error.status_code)

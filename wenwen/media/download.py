"""The one key-less download path for result URLs (images, audio, videos on third-party storage).

Result URLs point at storage that is not the relay, so a download never carries the Wenwen key:
it runs on its own HTTP client (no default headers, no auth), rejects URLs with embedded
credentials, is bounded in size (``Content-Length`` checked up front, bytes counted as they
arrive), streams to a temporary file that is renamed into place only when complete, and raises
``DownloadError`` / ``DownloadTooLargeError``. ``data:`` URLs are decoded without any request.

``Downloader`` and ``AsyncDownloader`` share everything here except ``send`` versus
``await send`` (and ``sleep`` versus ``await async_sleep`` on the injected ``Clock``); retries
go through the core's ``RetryFlow``.
"""

from __future__ import annotations

import binascii
import hashlib
import math
import mimetypes
import os
import re
import tempfile
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from .._http.retry import SYSTEM_CLOCK, Clock, Failure, RetryFlow, RetryPolicy
from .._http.transport import default_ssl_context
from .._version import __version__
from ..errors import DownloadError, DownloadTooLargeError

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
# Headers that carry credentials; none of them may leave on a download.
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "cookie"}
)
_USER_AGENT = f"wenwen-ai/{__version__} (python; httpx; download)"
# mimetypes' tables differ between systems (audio/wav is missing on some)
MEDIA_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/flac": ".flac",
    "audio/aac": ".aac",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/pcm": ".pcm",
    "video/mp4": ".mp4",
}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


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


def build_request(url: str, timeout: httpx.Timeout) -> httpx.Request:
    """A GET for ``url`` with no credentials; rejects what is not a plain http(s) URL."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise DownloadError(f"not a valid URL: {exc}", url=str(url)) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise DownloadError(f"cannot download {parsed.scheme or 'a relative'} URL {url!r}", url=url)
    if parsed.userinfo:
        # httpx would turn user:password@ into an Authorization header
        raise DownloadError("refusing a download URL that embeds credentials", url=url)
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


class SizeBound:
    """Counts bytes against a limit; checks a declared ``Content-Length`` before any byte."""

    def __init__(self, limit: int, url: str) -> None:
        self.limit = limit
        self.url = url
        self.size = 0

    def check_declared(self, headers: Mapping[str, str]) -> None:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            raise self._too_large(int(declared))

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise self._too_large(self.size)

    def _too_large(self, size: int) -> DownloadTooLargeError:
        return DownloadTooLargeError(
            f"download of {self.url} is larger than the {self.limit}-byte limit "
            f"({size} bytes or more)",
            url=self.url,
        )


class FileSink:
    """Writes to a temporary file beside ``path``; ``commit`` renames it into place, ``discard``
    removes it, so a failed transfer never leaves a partial file under the final name."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        self._temp = Path(temp)
        self._file: IO[bytes] = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)

    def commit(self) -> Path:
        self._file.close()
        os.replace(self._temp, self.path)
        return self.path

    def discard(self) -> None:
        self._file.close()
        self._temp.unlink(missing_ok=True)


def target_path(dest: str | os.PathLike[str], url: str, content_type: str | None) -> Path:
    """``dest`` itself, or a file inside it when ``dest`` is an existing directory (the name
    comes from the URL's last path segment, else from the content type)."""
    path = Path(dest)
    if not path.is_dir():
        return path
    name = _SAFE_NAME.sub("_", urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]).strip("._")
    if not name or url.startswith("data:"):
        media_type = (content_type or "").split(";")[0].strip()
        extension = MEDIA_EXTENSIONS.get(media_type) or mimetypes.guess_extension(media_type)
        name = "download" + (extension or ".bin")
    return path / name


def content_filename(content: bytes, media_type: str) -> str:
    """A stable file name for a result: a digest of its bytes plus the type's extension (so
    saving the same result twice writes one file)."""
    digest = hashlib.sha256(content).hexdigest()[:16]
    return digest + MEDIA_EXTENSIONS.get(media_type.split(";")[0].strip(), ".bin")


def _bound(limit: int | None, default: int) -> int:
    return default if limit is None else limit


def _from_data_url(url: str, limit: int, dest: str | os.PathLike[str] | None) -> Downloaded | None:
    decoded = decode_data_url(url)
    if decoded is None:
        return None
    content, media_type = decoded
    SizeBound(limit, url[:64]).add(content)
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
    """One download's state across attempts: the sink (memory or file) and the size bound."""

    def __init__(self, url: str, limit: int, dest: str | os.PathLike[str] | None) -> None:
        self.url = url
        self.bound = SizeBound(limit, url)
        self.dest = dest
        self.sink: FileSink | None = None
        self.buffer = bytearray()
        self.content_type: str | None = None
        self.started = False

    def start(self, response: httpx.Response) -> None:
        """Check the status and declared size; after this, an attempt is never retried."""
        if response.status_code >= 400:
            raise status_error(response, self.url)
        self.bound.check_declared(response.headers)
        self.started = True
        self.content_type = response.headers.get("content-type")
        if self.dest is not None:
            self.sink = FileSink(target_path(self.dest, self.url, self.content_type))

    @contextmanager
    def receiving(self, response: httpx.Response) -> Iterator[None]:
        """Around reading one response's body: ``start`` first; a broken body is a
        ``DownloadError``; on any failure the partial file is removed."""
        try:
            self.start(response)
            try:
                yield
            except httpx.HTTPError as exc:
                raise transport_error(exc, self.url) from exc
        except BaseException:
            self.abandon()
            raise

    def write(self, chunk: bytes) -> None:
        self.bound.add(chunk)
        if self.sink is not None:
            self.sink.write(chunk)
        else:
            self.buffer.extend(chunk)

    def finish(self) -> Downloaded:
        if self.sink is not None:
            path = self.sink.commit()
            return Downloaded(self.url, self.bound.size, self.content_type, path=path)
        return Downloaded(self.url, self.bound.size, self.content_type, content=bytes(self.buffer))

    def abandon(self) -> None:
        if self.sink is not None:
            self.sink.discard()


class _Run:
    """One download's attempts, sans-IO: a ``data:`` URL's answer (``result``) or the request
    to send; a fresh ``_Transfer`` per attempt; the retry decision after a failure (before the
    first byte only: connection failures and 408/429/5xx), through the core's ``RetryFlow``."""

    def __init__(
        self, url: str, limit: int, dest: str | os.PathLike[str] | None, owner: _DownloaderBase
    ) -> None:
        self.url, self.limit, self.dest = url, limit, dest
        self.result = _from_data_url(url, limit, dest)
        self.request = None if self.result is not None else build_request(url, owner.timeout)
        self.transfer = _Transfer(url, limit, dest)
        # downloads keep no overall wait budget (as before the flow was shared)
        self._flow = RetryFlow(owner.retry, math.inf, classify=self._failure)

    def next_transfer(self) -> tuple[httpx.Request, _Transfer]:
        assert self.request is not None
        self.transfer = _Transfer(self.url, self.limit, self.dest)
        return self.request, self.transfer

    def wait_after(self, error: DownloadError) -> float:
        """Seconds before the next attempt; raises ``error`` when there is none."""
        return self._flow.wait_after(error)

    def _failure(self, error: Exception) -> Failure | None:
        if self.transfer.started or not isinstance(error, DownloadError):
            return None
        if isinstance(error, DownloadTooLargeError):
            return None
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
    ) -> None:
        self.max_bytes = max_bytes
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = RetryPolicy(max_retries=max_retries)
        self.clock = clock or SYSTEM_CLOCK

    def _run(self, url: str, max_bytes: int | None, dest: str | os.PathLike[str] | None) -> _Run:
        return _Run(url, _bound(max_bytes, self.max_bytes), dest, self)


class Downloader(_DownloaderBase):
    """Key-less downloads (sync). An ``http_client`` passed in is used with ``auth=None`` and
    is not closed; by default a private client with no default headers is used. ``clock``
    replaces the waits between attempts (for simulations and tests)."""

    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(max_bytes=max_bytes, timeout=timeout, max_retries=max_retries, clock=clock)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(verify=default_ssl_context(), max_redirects=5)

    def fetch(self, url: str, *, max_bytes: int | None = None) -> Downloaded:
        """The whole body in memory (``.content``)."""
        return self._download(self._run(url, max_bytes, None))

    def to_file(
        self, url: str, dest: str | os.PathLike[str], *, max_bytes: int | None = None
    ) -> Downloaded:
        """Streamed to ``dest`` (a file path, or an existing directory); ``.path`` is set."""
        return self._download(self._run(url, max_bytes, dest))

    def _download(self, run: _Run) -> Downloaded:
        while run.result is None:
            try:
                run.result = self._attempt(*run.next_transfer())
            except DownloadError as error:
                self.clock.sleep(run.wait_after(error))
        return run.result

    def _attempt(self, request: httpx.Request, transfer: _Transfer) -> Downloaded:
        try:
            response = self._http.send(request, stream=True, auth=None, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise transport_error(exc, transfer.url) from exc
        try:
            with transfer.receiving(response):
                for chunk in response.iter_bytes():
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
    """Key-less downloads (async); the same rules as ``Downloader``."""

    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(max_bytes=max_bytes, timeout=timeout, max_retries=max_retries, clock=clock)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(verify=default_ssl_context(), max_redirects=5)

    async def fetch(self, url: str, *, max_bytes: int | None = None) -> Downloaded:
        return await self._download(self._run(url, max_bytes, None))

    async def to_file(
        self, url: str, dest: str | os.PathLike[str], *, max_bytes: int | None = None
    ) -> Downloaded:
        return await self._download(self._run(url, max_bytes, dest))

    async def _download(self, run: _Run) -> Downloaded:
        while run.result is None:
            try:
                run.result = await self._attempt(*run.next_transfer())
            except DownloadError as error:
                await self.clock.async_sleep(run.wait_after(error))
        return run.result

    async def _attempt(self, request: httpx.Request, transfer: _Transfer) -> Downloaded:
        try:
            response = await self._http.send(request, stream=True, auth=None, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise transport_error(exc, transfer.url) from exc
        try:
            with transfer.receiving(response):
                async for chunk in response.aiter_bytes():
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


def download(
    url: str,
    dest: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    clock: Clock | None = None,
) -> Downloaded:
    """One key-less download with a private client: to ``dest`` if given, else in memory."""
    with Downloader(max_bytes=max_bytes, clock=clock) as downloader:
        if dest is None:
            return downloader.fetch(url)
        return downloader.to_file(url, dest)


async def adownload(
    url: str,
    dest: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    clock: Clock | None = None,
) -> Downloaded:
    async with AsyncDownloader(max_bytes=max_bytes, clock=clock) as downloader:
        if dest is None:
            return await downloader.fetch(url)
        return await downloader.to_file(url, dest)


__all__ = [
    "CREDENTIAL_HEADERS",
    "DEFAULT_MAX_BYTES",
    "AsyncDownloader",
    "Downloaded",
    "Downloader",
    "FileSink",
    "SizeBound",
    "adownload",
    "content_filename",
    "download",
]

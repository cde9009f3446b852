"""The key-less download path: no credentials leave, sizes are bounded, errors are typed,
files appear only when complete; sync and async behave the same."""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._clock import RecordedWaits
from wenwen.errors import DownloadError, DownloadTooLargeError
from wenwen.media import download as dl
from wenwen.media.download import CREDENTIAL_HEADERS, AsyncDownloader, Downloaded, Downloader

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


def _public(host: str, port: int) -> list[str]:
    """Every test host name resolves to one public address (no DNS in tests)."""
    return ["93.184.215.14"]


def run(
    kind: str,
    handler: Handler,
    call: str,
    *args: Any,
    waits: RecordedWaits | None = None,
    **kwargs: Any,
) -> Downloaded:
    """``call`` ('fetch' or 'to_file') through a sync or async downloader on a mock transport
    whose client is set up to leak credentials if the download path let it; the waits between
    attempts go to ``waits`` (a fresh recorder when not given), never to the real clock."""
    clock = (waits if waits is not None else RecordedWaits()).clock
    options: dict[str, Any] = {
        "transport": None,
        "auth": ("user", "secret"),
        "headers": {"Authorization": "Bearer sk-wenwen", "x-api-key": "sk-wenwen"},
    }
    if kind == "sync":
        options["transport"] = httpx.MockTransport(handler)
        with (
            httpx.Client(**options) as http,
            Downloader(http_client=http, clock=clock, resolver=_public) as downloader,
        ):
            return getattr(downloader, call)(*args, **kwargs)

    async def main() -> Downloaded:
        options["transport"] = httpx.MockTransport(handler)
        async with (
            httpx.AsyncClient(**options) as http,
            AsyncDownloader(http_client=http, clock=clock, resolver=_public) as downloader,
        ):
            return await getattr(downloader, call)(*args, **kwargs)

    return asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def no_waits() -> RecordedWaits:
    return RecordedWaits()


def png_reply(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b"\x89PNG-bytes", headers={"content-type": "image/png"})


def test_no_credential_header_leaves_even_from_a_client_that_has_them(kind: str) -> None:
    recorder = Recorder(png_reply)
    result = run(kind, recorder, "fetch", "https://files.example-cdn.test/a/b.png?sig=1")
    assert result.content == b"\x89PNG-bytes"
    assert result.content_type == "image/png"
    (sent,) = recorder.requests
    assert sent.url.host == "files.example-cdn.test"
    assert not CREDENTIAL_HEADERS.intersection(k.lower() for k in sent.headers)


def test_credentials_are_not_added_across_a_redirect(kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "relay.test":
            return httpx.Response(302, headers={"location": "https://storage.test/x.png"})
        return png_reply(request)

    recorder = Recorder(handler)
    result = run(kind, recorder, "fetch", "https://relay.test/file/1")
    assert [r.url.host for r in recorder.requests] == ["relay.test", "storage.test"]
    for sent in recorder.requests:
        assert not CREDENTIAL_HEADERS.intersection(k.lower() for k in sent.headers)
    assert result.url == "https://relay.test/file/1"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://user:pw@storage.test/x.png", "embeds credentials"),
        ("ftp://storage.test/x.png", "cannot download ftp"),
        ("/relative/x.png", "cannot download a relative"),
        ("data:image/png;base64", "no ','"),
    ],
)
def test_bad_urls_fail_before_any_request(kind: str, url: str, problem: str) -> None:
    recorder = Recorder(png_reply)
    with pytest.raises(DownloadError, match=problem):
        run(kind, recorder, "fetch", url)
    assert recorder.requests == []


def test_data_urls_decode_without_a_request(kind: str, tmp_path: Path) -> None:
    recorder = Recorder(png_reply)
    result = run(kind, recorder, "to_file", "data:audio/wav;base64,UklGRg==", tmp_path)
    assert result.path == tmp_path / "download.wav"
    assert result.path.read_bytes() == b"RIFF"
    assert recorder.requests == []


def test_declared_size_over_the_bound_fails_before_reading(kind: str, tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 2048)

    with pytest.raises(DownloadTooLargeError, match="1024-byte limit"):
        run(kind, handler, "to_file", "https://s.test/big.bin", tmp_path, max_bytes=1024)
    assert list(tmp_path.iterdir()) == []


def test_undeclared_size_is_counted_and_no_partial_file_stays(kind: str, tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Chunks(b"a" * 600, b"b" * 600, b"c" * 600))

    with pytest.raises(DownloadTooLargeError):
        run(kind, handler, "to_file", "https://s.test/x.bin", tmp_path / "x.bin", max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


def test_streams_to_a_named_file_in_a_directory(kind: str, tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Chunks(b"one-", b"two-", b"three"))

    result = run(kind, handler, "to_file", "https://s.test/dir/speech%20out.mp3?x=1", tmp_path)
    assert result.path == tmp_path / "speech_20out.mp3"
    assert result.path.read_bytes() == b"one-two-three"
    assert result.size == 13
    assert result.content is None


def test_http_errors_are_typed_and_4xx_is_not_retried(kind: str, no_waits: RecordedWaits) -> None:
    recorder = Recorder(lambda r: httpx.Response(403, text="AccessDenied"))
    with pytest.raises(DownloadError) as info:
        run(kind, recorder, "fetch", "https://s.test/x.png", waits=no_waits)
    assert info.value.status_code == 403
    assert "HTTP 403" in str(info.value)
    assert len(recorder.requests) == 1
    assert no_waits == []


def test_transient_failures_are_retried_before_the_first_byte(
    kind: str, no_waits: RecordedWaits
) -> None:
    replies = iter([503, "connect", 200])

    def handler(request: httpx.Request) -> httpx.Response:
        reply = next(replies)
        if reply == "connect":
            raise httpx.ConnectError("refused", request=request)
        if reply == 503:
            return httpx.Response(503)
        return png_reply(request)

    result = run(kind, handler, "fetch", "https://s.test/x.png", waits=no_waits)
    assert result.content == b"\x89PNG-bytes"
    assert len(no_waits) == 2


def test_retries_stop_at_max_retries_and_say_so(kind: str, no_waits: RecordedWaits) -> None:
    recorder = Recorder(lambda r: httpx.Response(503))
    with pytest.raises(DownloadError) as info:
        run(kind, recorder, "fetch", "https://s.test/x.png", waits=no_waits)
    assert info.value.status_code == 503
    assert len(recorder.requests) == 3
    assert len(no_waits) == 2
    assert "gave up after 3 attempts" in str(info.value)
    assert "max_retries=2 reached" in str(info.value)


class _Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body in chunks with no Content-Length, readable by sync and async clients."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        for chunk in self.chunks:
            yield chunk


class _Broken(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b"partial"
        raise httpx.ReadError("connection reset")

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield b"partial"
        raise httpx.ReadError("connection reset")


def test_a_body_that_breaks_is_not_retried_and_leaves_no_file(
    kind: str, tmp_path: Path, no_waits: RecordedWaits
) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, stream=_Broken()))
    with pytest.raises(DownloadError, match="broke: ReadError"):
        run(kind, recorder, "to_file", "https://s.test/x.png", tmp_path / "x.png", waits=no_waits)
    assert len(recorder.requests) == 1
    assert no_waits == []
    assert list(tmp_path.iterdir()) == []


class _HeaderLog(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        body = b"RIFF....WAVE"
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_on_the_wire_a_foreign_host_sees_no_credentials(tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HeaderLog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/media/a.wav"
        # a loopback server is reachable only when allowed (or as the relay's own origin)
        saved = dl.download(url, tmp_path, allow_private_hosts=["127.0.0.1"])
        fetched = asyncio.run(dl.adownload(url, relay_url=f"http://127.0.0.1:{server.server_port}"))
    finally:
        server.shutdown()
        server.server_close()
    assert saved.path is not None and saved.path.read_bytes() == b"RIFF....WAVE"
    assert fetched.content == b"RIFF....WAVE"
    assert len(_HeaderLog.seen) == 2
    for headers in _HeaderLog.seen:
        assert not CREDENTIAL_HEADERS.intersection(headers)
        assert headers["user-agent"].startswith("wenwen-ai/")

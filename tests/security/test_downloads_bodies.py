"""What a download keeps: only the media kind expected (by content type and magic bytes), only
whole bodies within their size bound, only within the download's total deadline; content
routes of the relay answer with the media itself, not a redirect. Nothing partial or wrong is
ever saved. Hostile servers of our own on loopback, trusted as the relay's origin so that the
address policy lets them through."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.security._servers import (
    HTML,
    MP4,
    PNG,
    HostileServer,
    Reply,
    Seen,
    always,
    json_reply,
    stall,
    trickle,
)
from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.errors import (
    DownloadContentError,
    DownloadError,
    DownloadTimeoutError,
    DownloadTooLargeError,
)
from wenwen.media.download import AsyncDownloader, Downloaded, Downloader


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def save(kind: str, server: HostileServer, dest: Path, **options: Any) -> Downloaded:
    expect = options.pop("expect", "image")
    url = f"{server.url}/files/result.png"
    options = {"relay_url": server.url, "max_retries": 0, **options}
    if kind == "sync":
        with Downloader(**options) as downloader:
            return downloader.to_file(url, dest, expect=expect)

    async def main() -> Downloaded:
        async with AsyncDownloader(**options) as downloader:
            return await downloader.to_file(url, dest, expect=expect)

    return asyncio.run(main())


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, {"Content-Type": "text/html"}, HTML),
        Reply(200, {"Content-Type": "image/png"}, HTML),  # a type that lies about the body
        Reply(200, {"Content-Type": "application/octet-stream"}, HTML),
        Reply(200, {"Content-Type": "application/json"}, b'{"AccessKeyId": "AKIA..."}'),
        Reply(200, {"Content-Type": "video/mp4"}, MP4),  # media, but not an image
        Reply(200, {"Content-Type": "image/png"}, b""),
        Reply(200, {"Content-Type": "image/png"}, PNG[:4]),
    ],
    ids=["html", "html-as-png", "html-as-octets", "json", "mp4", "empty", "short"],
)
def test_a_body_that_is_not_the_expected_media_is_refused(
    kind: str, reply: Reply, tmp_path: Path
) -> None:
    with HostileServer(always(reply)) as server, pytest.raises(DownloadContentError):
        save(kind, server, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_generic_types_are_decided_by_the_magic_bytes(kind: str, tmp_path: Path) -> None:
    reply = Reply(200, {"Content-Type": "binary/octet-stream"}, PNG)
    with HostileServer(always(reply)) as server:
        saved = save(kind, server, tmp_path)
    assert saved.path == tmp_path / "result.png" and saved.path.read_bytes() == PNG


def test_a_declared_length_over_the_bound_ends_before_the_body(kind: str, tmp_path: Path) -> None:
    reply = Reply(200, {"Content-Type": "image/png", "Content-Length": str(10**12)}, PNG)
    with HostileServer(always(reply)) as server, pytest.raises(DownloadTooLargeError):
        save(kind, server, tmp_path, max_bytes=1024)
    assert list(tmp_path.iterdir()) == []


def test_a_body_shorter_than_its_declared_length_is_an_error(kind: str, tmp_path: Path) -> None:
    reply = Reply(
        200, {"Content-Type": "image/png", "Content-Length": "5000", "Connection": "close"}, PNG
    )
    with HostileServer(always(reply)) as server, pytest.raises(DownloadError):
        save(kind, server, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_undeclared_body_past_the_bound_is_cut(kind: str, tmp_path: Path) -> None:
    reply = Reply(200, {"Content-Type": "image/png"}, chunks=trickle(pause=0.0, first=PNG * 64))
    with HostileServer(always(reply)) as server, pytest.raises(DownloadTooLargeError):
        save(kind, server, tmp_path, max_bytes=4096)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("body", [trickle(pause=0.01), stall()], ids=["one-byte-a-tick", "stall"])
def test_a_slow_body_ends_at_the_deadline(kind: str, body: Any, tmp_path: Path) -> None:
    """A server sending one byte at a time (each read well inside the per-read timeout), or
    going silent, cannot hold a download past its total deadline."""
    reply = Reply(200, {"Content-Type": "image/png"}, chunks=body)
    with HostileServer(always(reply)) as server, pytest.raises(DownloadTimeoutError):
        save(kind, server, tmp_path, deadline=0.4, timeout=60.0)
    assert list(tmp_path.iterdir()) == []


def test_a_server_chosen_name_of_300_characters_is_shortened(kind: str, tmp_path: Path) -> None:
    name = "a" * 300 + ".png"
    with HostileServer(always(Reply(200, {"Content-Type": "image/png"}, PNG))) as server:
        url = f"{server.url}/files/{name}"
        with Downloader(relay_url=server.url) as downloader:
            saved = downloader.to_file(url, tmp_path, expect="image")
    assert saved.path is not None and saved.path.parent == tmp_path
    assert saved.path.suffix == ".png" and len(saved.path.name) <= 120


# --- the relay's content routes -------------------------------------------------------------


def relay(answer_content: Reply) -> Any:
    """A relay whose video object is complete and whose content route answers ``reply``."""

    def answer(seen: Seen) -> Reply:
        if seen.path.endswith("/content"):
            return answer_content
        return json_reply({"id": "video_1", "object": "video", "status": "completed"})

    return answer


@pytest.mark.parametrize(
    "reply",
    [
        Reply(302, {"Location": "https://login.example/", "Content-Type": "text/html"}, HTML),
        Reply(301, {"Location": "/elsewhere"}, b""),
        Reply(200, {"Content-Type": "text/html"}, HTML),
        Reply(200, {"Content-Type": "video/mp4"}, HTML),
        Reply(204, {}, b""),
    ],
    ids=["302-html", "301", "html", "html-as-mp4", "204"],
)
def test_a_content_route_that_does_not_answer_with_the_video_saves_nothing(
    reply: Reply, tmp_path: Path
) -> None:
    with HostileServer(relay(reply)) as server:
        with WenwenClient(api_key="sk-test", base_url=f"{server.url}/v1", max_retries=0) as client:
            with pytest.raises(DownloadContentError):
                client.videos.download("video_1", path=tmp_path / "v.mp4")
            with pytest.raises(DownloadContentError):
                client.videos.content("video_1")

        async def main() -> None:
            async with AsyncWenwenClient(
                api_key="sk-test", base_url=f"{server.url}/v1", max_retries=0
            ) as client:
                with pytest.raises(DownloadContentError):
                    await client.videos.download("video_1", path=tmp_path / "v.mp4")

        asyncio.run(main())
    assert list(tmp_path.iterdir()) == []


def test_a_content_route_with_the_video_saves_it(tmp_path: Path) -> None:
    server = HostileServer(relay(Reply(200, {"Content-Type": "video/mp4"}, MP4)))
    with server, WenwenClient(api_key="sk-test", base_url=f"{server.url}/v1") as client:
        saved = client.videos.download("video_1", path=tmp_path)
    assert saved == tmp_path / "video_1.mp4" and saved.read_bytes() == MP4


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, {"Content-Type": "text/html"}, HTML),
        Reply(200, {"Content-Type": "audio/mpeg"}, HTML),
        Reply(302, {"Location": "https://login.example/", "Content-Type": "text/html"}, HTML),
    ],
    ids=["html", "html-as-mp3", "302"],
)
def test_speech_that_is_not_audio_is_refused(reply: Reply, tmp_path: Path) -> None:
    server = HostileServer(always(reply))
    with server, WenwenClient(api_key="sk-test", base_url=server.url, max_retries=0) as client:
        with pytest.raises(DownloadContentError):
            client.audio.speech("hello")
        with pytest.raises(DownloadContentError):
            client.audio.speech_to_file("hello", path=tmp_path / "s.mp3")
    assert list(tmp_path.iterdir()) == []

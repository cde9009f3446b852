"""Keys never leave their form and never appear in errors, on every transport: a hostile
relay on loopback echoes the key, tears bodies off and logs are searched for the key."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests._hostile import HostileServer, Reply, Seen, chain_text, hostile_server
from wenwen import AsyncWenwenClient, ChatRequest, Message, WenwenClient, errors
from wenwen.connection import ConnectionOptions
from wenwen.redaction import MASK, Redactor, redact_headers, redact_urls

KEY = "sk-hostile-3c9e1f7a5b2d"
TRANSPORTS = ["sync", "httpx", "aiohttp"]
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"  # an MP4 file's first box
GEMINI_REPLY = {"candidates": [{"content": {"parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile_server() as running:
        yield running


def run(kind: str, base_url: str, call: Callable[[Any], Any], **options: Any) -> Any:
    """``call(client)`` on a sync client or an async one on the given transport."""
    options.setdefault("max_retries", 0)
    if kind == "sync":
        with WenwenClient(api_key=KEY, base_url=base_url, **options) as client:
            return call(client)

    async def go() -> Any:
        async with AsyncWenwenClient(
            api_key=KEY, base_url=base_url, async_transport=kind, **options
        ) as client:
            return await call(client)

    return asyncio.run(go())


def gemini(key_in_query: bool) -> ChatRequest:
    extra = {"key_in_query": True} if key_in_query else {}
    return ChatRequest(
        model="gemini-2.5-flash", messages=[Message.of("user", "hi")], extra_body=extra
    )


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_the_gemini_key_form_is_chosen_per_call(kind: str, server: HostileServer) -> None:
    server.route("/", Reply(body=json.dumps(GEMINI_REPLY).encode()))
    order = [False, True, False, True]

    def calls(client: Any) -> Any:
        if kind == "sync":
            return [client.chat(gemini(q), protocol="gemini").text for q in order]

        async def each() -> list[str]:
            return [(await client.chat(gemini(q), protocol="gemini")).text for q in order]

        return each()

    assert run(kind, server.base_url, calls) == ["ok"] * 4
    for in_query, seen in zip(order, server.seen, strict=True):
        query_key = f"key={KEY}" in seen.target
        header_key = seen.headers.get("x-goog-api-key") == KEY
        assert (query_key, header_key) == (in_query, not in_query)


@pytest.mark.parametrize("kind", TRANSPORTS)
@pytest.mark.parametrize("status", [404, 400, 500])
def test_an_error_body_echoing_the_key_is_masked(
    kind: str, status: int, server: HostileServer
) -> None:
    def echo(seen: Seen) -> Reply:
        body = {"error": {"message": f"no route {seen.target} for key {KEY}", "code": "x"}}
        return Reply(status, body=json.dumps(body).encode(), headers={"X-Echo": KEY})

    server.route("/", echo)
    with pytest.raises(errors.APIStatusError) as info:
        run(kind, server.base_url, lambda c: c.chat(gemini(True), protocol="gemini"))
    error = info.value
    assert error.status_code == status
    assert KEY not in chain_text(error)
    assert MASK in error.message
    assert KEY not in json.dumps(error.body)


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_torn_video_download_is_a_typed_error_without_the_request(
    kind: str, server: HostileServer, tmp_path: Any
) -> None:
    server.route(
        "/v1/videos/video_1/content",
        Reply(headers={"Content-Type": "video/mp4"}, body=MP4 + b"\x00" * 100_000, torn_after=1000),
    )

    def download(client: Any) -> Any:
        return client.videos.download("video_1", path=tmp_path / "v.mp4")

    with pytest.raises(errors.APIConnectionError) as info:
        run(kind, server.base_url, download)
    error = info.value
    assert error.__cause__ is None and error.__context__ is None
    assert KEY not in chain_text(error)
    assert not isinstance(error, httpx.HTTPError)
    assert list(tmp_path.iterdir()) == []  # nothing partial is left


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_refused_connection_names_no_key(kind: str) -> None:
    unreachable = "http://127.0.0.1:9"  # the discard port: nothing listens on loopback
    with pytest.raises(errors.APIConnectionError) as info:
        run(kind, unreachable, lambda c: c.chat(gemini(True), protocol="gemini"))
    assert info.value.__context__ is None and info.value.__cause__ is None
    assert KEY not in chain_text(info.value)


def test_no_key_in_any_log_line(server: HostileServer, caplog: pytest.LogCaptureFixture) -> None:
    server.route("/", Reply(body=json.dumps(GEMINI_REPLY).encode()))
    with caplog.at_level(logging.DEBUG):
        for kind in TRANSPORTS:
            run(kind, server.base_url, lambda c: c.chat(gemini(True), protocol="gemini"))
    assert "HTTP Request" in caplog.text  # httpx logged the URL, masked
    assert KEY not in caplog.text


def test_connection_options_repr_masks_credential_headers() -> None:
    options = ConnectionOptions.of(
        api_key=KEY, default_headers={"X-Api-Key": KEY, "X-Trace": "visible"}
    )
    text = repr(options)
    assert KEY not in text
    assert "visible" in text and MASK in text


def test_a_prepared_request_and_a_reply_show_no_key(server: HostileServer) -> None:
    server.route("/", Reply(body=b'{"data": []}'))
    with WenwenClient(api_key=KEY, base_url=server.base_url) as client:
        reply = client.request("GET", "/v1/models")
        assert KEY not in repr(reply) and KEY not in reply.url
        assert KEY not in repr(client) and KEY not in repr(client._core)


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("https://user:hunter2pass@files.example/x.mp4", "hunter2pass"),
        ("https://b.s3.amazonaws.com/x.mp4?X-Amz-Signature=abcdef0123&X-Amz-Date=1", "abcdef0123"),
        ("https://cdn.example/x.png?Expires=1&Signature=zzzsigzzz&Key-Pair-Id=K", "zzzsigzzz"),
        ("https://a.blob.core.windows.net/c/x.png?sv=1&sig=azuresig99", "azuresig99"),
        ("https://h/x?token=tok-123456&a=1", "tok-123456"),
        ("https://h/v1beta/models/m:generateContent?key=AIzaSyXYZ", "AIzaSyXYZ"),
    ],
)
def test_url_credentials_are_masked_everywhere_a_url_is_shown(url: str, secret: str) -> None:
    assert secret not in redact_urls(url)
    assert secret not in Redactor().text(f"GET {url} failed")
    error = errors.DownloadError(f"could not fetch {url}", url=url)
    Redactor().scrub(error)
    assert secret not in chain_text(error)


def test_credential_headers_are_masked_with_the_one_mask() -> None:
    shown = redact_headers({"Authorization": f"Bearer {KEY}", "Cookie": "s=1", "Accept": "x"})
    assert shown == {"Authorization": MASK, "Cookie": MASK, "Accept": "x"}


def test_a_bad_json_body_quoting_the_key_is_masked(server: HostileServer) -> None:
    server.route("/", Reply(body=f"oops {KEY} not json".encode()))
    with pytest.raises(errors.ProtocolError) as info:
        run("sync", server.base_url, lambda c: c.request_json("GET", "/v1/models"))
    assert KEY not in chain_text(info.value)


def test_a_download_error_never_quotes_url_credentials() -> None:
    url = "https://user:pw-secret-1@b.s3.amazonaws.com/v.mp4?X-Amz-Signature=sig-secret-2"
    error = errors.DownloadError(f"could not fetch {url}: HTTP 403", url=url, status_code=403)
    text = chain_text(error)
    assert "pw-secret-1" not in text and "sig-secret-2" not in text
    assert error.status_code == 403 and error.url.startswith("https://user:")

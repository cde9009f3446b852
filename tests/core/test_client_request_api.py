"""The clients' public request API (``send``, ``request``, ``request_json``): what every
resource uses, with the client's key, retries, deadline and typed errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from wenwen import AsyncWenwenClient, WenwenClient, errors
from wenwen.protocols import HttpRequest
from wenwen_emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]


def test_sync_request_send_and_stream(emu: Emulator) -> None:
    with WenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        reply = client.request("GET", "/v1/models")
        assert reply.status_code == 200
        ids = {row["id"] for row in reply.json()["data"]}
        assert ids == {row["id"] for row in client.request_json("GET", "/v1/models")["data"]}
        with client.send(HttpRequest("GET", "/v1/models"), stream=True) as streamed:
            body = b"".join(streamed.iter_bytes())
        assert body == reply.content
        with pytest.raises(errors.NotFoundError):
            client.request("GET", "/v1/no-such-route")


def test_async_request_send_and_stream(emu: Emulator) -> None:
    async def run() -> tuple[bytes, bytes]:
        async with AsyncWenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client:
            reply = await client.request("GET", "/v1/models")
            assert (await client.request_json("GET", "/v1/models")) == reply.json()
            streamed = await client.send(HttpRequest("GET", "/v1/models"), stream=True)
            async with streamed:
                chunks = [chunk async for chunk in streamed.aiter_bytes()]
            return reply.content, b"".join(chunks)

    whole, streamed = asyncio.run(run())
    assert whole == streamed


def test_an_unread_streamed_body_says_so(emu: Emulator) -> None:
    with (
        WenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client,
        client.send(HttpRequest("GET", "/v1/models"), stream=True) as reply,
    ):
        with pytest.raises(RuntimeError, match="read"):
            _ = reply.content
        assert reply.read() == reply.content


def test_no_resource_reaches_into_a_client() -> None:
    """Resources use the public request API only (the import contracts forbid importing the
    client modules; this also catches attribute access such as ``client._core``)."""
    offenders = []
    for folder in ("wenwen/media", "wenwen/tasks"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for private in ("_client._", "client._core", "client._send", "client._json"):
                if private in text:
                    offenders.append(f"{path.relative_to(ROOT)}: {private}")
    assert offenders == []

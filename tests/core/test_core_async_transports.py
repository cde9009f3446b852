"""The async client's two transports (httpx and native aiohttp) behave the same: choice,
typed failures before any byte (refused, TLS), no key in messages, retries, and a stream
cancelled part-way gives its connection back."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests._clock import RecordedWaits
from wenwen import AsyncWenwenClient, Settings, WenwenClient, errors
from wenwen.types import ChatRequest, Message, TextDelta
from wenwen_emulator import Emulator

TRANSPORTS = ["httpx", "aiohttp"]
KEY = "sk-canary-0123456789"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_auto_prefers_aiohttp_and_an_httpx_client_keeps_httpx() -> None:
    async def run() -> tuple[str, str, str]:
        auto = AsyncWenwenClient(api_key="k", base_url="http://127.0.0.1:1")
        plain = AsyncWenwenClient(
            api_key="k", base_url="http://127.0.0.1:1", async_transport="httpx"
        )
        async with httpx.AsyncClient() as http:
            given = AsyncWenwenClient(api_key="k", base_url="http://127.0.0.1:1", http_client=http)
            names = auto.async_transport, plain.async_transport, given.async_transport
        await auto.aclose()
        await plain.aclose()
        return names

    assert asyncio.run(run()) == ("aiohttp", "httpx", "httpx")


def test_transport_choices_are_checked() -> None:
    with pytest.raises(errors.ConfigurationError, match="async_transport"):
        AsyncWenwenClient(api_key="k", async_transport="curl")  # type: ignore[arg-type]
    with pytest.raises(errors.ConfigurationError, match="http_client"):
        AsyncWenwenClient(api_key="k", http_client=httpx.AsyncClient(), async_transport="aiohttp")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_connection_refused_is_typed_retried_and_keyless(transport: str) -> None:
    waits = RecordedWaits()

    async def run() -> None:
        async with AsyncWenwenClient(
            api_key=KEY,
            base_url=f"http://127.0.0.1:{closed_port()}",
            async_transport=transport,  # type: ignore[arg-type]
            max_retries=2,
            clock=waits.clock,
        ) as client:
            await client.list_models()

    with pytest.raises(errors.APIConnectionError) as info:
        asyncio.run(run())
    assert not isinstance(info.value, errors.APITimeoutError)
    assert len(waits) == 2
    assert "gave up after 3 attempts" in str(info.value)
    assert KEY not in str(info.value) and KEY not in repr(info.value.__cause__)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_tls_failure_is_a_connection_error(transport: str, emu: Emulator) -> None:
    # the emulator speaks plain HTTP: a TLS handshake with it fails
    base = emu.base_url.replace("http://", "https://")

    async def run() -> None:
        async with AsyncWenwenClient(
            api_key=KEY,
            base_url=base,
            async_transport=transport,
            max_retries=0,  # type: ignore[arg-type]
        ) as client:
            await client.list_models()

    with pytest.raises(errors.APIConnectionError) as info:
        asyncio.run(run())
    assert KEY not in str(info.value)


def in_use(client: AsyncWenwenClient) -> int:
    """Connections (aiohttp) or requests (httpx shards) still held by the client."""
    sender: Any = client._sender
    if client.async_transport == "aiohttp":
        return len(sender._session.connector._acquired)
    return sum(sender.client._transport._in_flight)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_cancelled_stream_releases_its_connection(transport: str, emu: Emulator) -> None:
    request = ChatRequest(
        model="gpt-4o-mini",
        messages=[Message.of("user", "Tell me a long story about the history of Rome please")],
    )

    async def run() -> tuple[int, int, str]:
        async with AsyncWenwenClient(
            api_key=emu.api_key,
            base_url=emu.base_url,
            async_transport=transport,  # type: ignore[arg-type]
            default_headers={"x-emulator-fault": "stall:3"},
            timeout=30,
        ) as client:
            got_one = asyncio.Event()

            async def consume() -> None:
                async with client.stream(request) as stream:
                    async for event in stream:
                        if isinstance(event, TextDelta):
                            got_one.set()

            task = asyncio.create_task(consume())
            await got_one.wait()
            held_during = in_use(client)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            held_after = in_use(client)
            quiet = AsyncWenwenClient(
                api_key=emu.api_key,
                base_url=emu.base_url,
                async_transport=transport,  # type: ignore[arg-type]
            )
            async with quiet:
                text = (await quiet.chat(request)).text
            return held_during, held_after, text

    held_during, held_after, text = asyncio.run(run())
    assert (held_during, held_after) == (1, 0)
    assert text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_read_timeout_before_the_first_byte_is_typed(transport: str, emu: Emulator) -> None:
    async def run() -> None:
        async with AsyncWenwenClient(
            api_key=emu.api_key,
            base_url=emu.base_url,
            async_transport=transport,  # type: ignore[arg-type]
            default_headers={"x-emulator-fault": "slow_first_byte:2"},
            timeout=0.3,
            max_retries=0,
        ) as client:
            await client.chat(ChatRequest(model="gpt-4o-mini", messages=[Message.of("user", "hi")]))

    with pytest.raises(errors.APITimeoutError):
        asyncio.run(run())


def chain_text(error: BaseException | None) -> str:
    seen: list[str] = []
    while error is not None and len(seen) < 20:
        seen.append(f"{error!r} {error}")
        error = error.__cause__ or error.__context__
    return " ".join(seen)


def _with_raw_key(client: Any, key: str) -> Any:
    """The settings reader strips and rejects such keys before any request; put one past it
    to check the transports' own messages (h11 and aiohttp quote an illegal header value)."""
    client._core.settings = Settings(
        api_key=SecretStr(key), base_url=client._core.settings.base_url
    )
    return client


@pytest.mark.parametrize("kind", ["sync", *TRANSPORTS])
def test_a_key_the_transport_refuses_stays_out_of_the_whole_chain(kind: str, emu: Emulator) -> None:
    key = KEY + "\n"  # an illegal header value: the transports quote it in their errors

    async def run_async() -> None:
        client = AsyncWenwenClient(
            api_key=KEY,
            base_url=emu.base_url,
            async_transport=kind,  # type: ignore[arg-type]
            max_retries=0,
        )
        async with _with_raw_key(client, key):
            await client.list_models()

    with pytest.raises(errors.APIConnectionError) as info:
        if kind == "sync":
            client = WenwenClient(api_key=KEY, base_url=emu.base_url, max_retries=0)
            _with_raw_key(client, key).list_models()
        else:
            asyncio.run(run_async())
    assert KEY not in chain_text(info.value)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_client_outlives_its_event_loop(transport: str, emu: Emulator) -> None:
    client = AsyncWenwenClient(
        api_key=emu.api_key,
        base_url=emu.base_url,
        async_transport=transport,  # type: ignore[arg-type]
    )
    first = asyncio.run(client.list_models())
    second = asyncio.run(client.list_models())  # a new loop: the old pool died with its loop
    assert [m.id for m in first] == [m.id for m in second]
    asyncio.run(client.aclose())

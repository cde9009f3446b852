"""Result URLs reach public addresses, the relay's own origin and what the user allowed:
nothing else, on the first hop or any redirect, after DNS resolution, in any spelling.

The tests may connect to loopback only (pytest-socket), so a refusal of any other address must
happen before a connection is tried: a private address that got through would fail with the
socket guard's error, not with ``DownloadBlockedError``. Test host names are mapped to
addresses by an injected resolver (or a patched ``socket.getaddrinfo``), never by DNS.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.security._servers import PNG, HostileServer, Reply, Seen, always
from wenwen import WenwenClient
from wenwen.errors import ConfigurationError, DownloadBlockedError, DownloadError
from wenwen.media.addresses import AddressPolicy, refusal_reason
from wenwen.media.download import AsyncDownloader, Downloaded, Downloader

PNG_REPLY = Reply(200, {"Content-Type": "image/png"}, PNG)

REFUSED = [
    "127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
    "169.254.170.2", "100.100.100.200", "100.64.0.1", "0.0.0.0", "224.0.0.1", "239.1.2.3",
    "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1", "::1", "::", "fe80::1",
    "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
    "::ffff:10.1.2.3", "2002:7f00:1::", "2002:a9fe:a9fe::1", "64:ff9b::a9fe:a9fe",
    "64:ff9b::7f00:1", "2001:db8::1",
]  # fmt: skip
PUBLIC = ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"]


@pytest.mark.parametrize("address", REFUSED)
def test_every_non_public_address_has_a_refusal_reason(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_reachable(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is None


def fetch(kind: str, url: str, **options: Any) -> Downloaded:
    """One download through the sync or async downloader (default transport)."""
    options = {"max_retries": 0, **options}
    if kind == "sync":
        with Downloader(**options) as downloader:
            return downloader.fetch(url, expect="image")

    async def main() -> Downloaded:
        async with AsyncDownloader(**options) as downloader:
            return await downloader.fetch(url, expect="image")

    return asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def resolver_to(*addresses: str) -> Callable[[str, int], list[str]]:
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return list(addresses)

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.mark.parametrize(
    "address", ["10.0.0.5", "169.254.169.254", "fd00:ec2::254", "::ffff:192.168.0.1", "0.0.0.0"]
)
def test_a_host_name_resolving_to_a_private_address_is_refused_before_connecting(
    kind: str, address: str
) -> None:
    with pytest.raises(DownloadBlockedError) as info:
        fetch(kind, "https://cdn.attacker.test/a.png", resolver=resolver_to(address))
    assert "cdn.attacker.test" in info.value.message


def test_the_system_resolver_is_checked_too(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(DownloadBlockedError):
        fetch(kind, "http://metadata.attacker.test/latest/meta-data/")


def test_a_host_with_one_private_address_among_public_ones_is_refused(kind: str) -> None:
    resolve = resolver_to("93.184.215.14", "127.0.0.1")
    with pytest.raises(DownloadBlockedError):
        fetch(kind, "https://mixed.attacker.test/a.png", resolver=resolve)


@pytest.mark.parametrize(
    "spelling", ["2130706433", "0x7f000001", "017700000001", "0x7f.1", "127.1", "[::ffff:7f00:1]"]
)
def test_other_spellings_of_loopback_are_refused(kind: str, spelling: str) -> None:
    with HostileServer(always(PNG_REPLY)) as server, pytest.raises(DownloadBlockedError):
        fetch(kind, f"http://{spelling}:{server.port}/a.png")
    assert server.requests == []


def test_the_relay_origin_is_trusted_and_another_port_on_it_is_not(kind: str) -> None:
    with HostileServer(always(PNG_REPLY)) as relay, HostileServer(always(PNG_REPLY)) as other:
        got = fetch(kind, f"{relay.url}/files/a.png", relay_url=f"{relay.url}/v1")
        assert got.content == PNG
        with pytest.raises(DownloadBlockedError):
            fetch(kind, f"{other.url}/files/a.png", relay_url=f"{relay.url}/v1")
        with pytest.raises(DownloadBlockedError):  # same host and port, another scheme
            fetch(kind, f"https://127.0.0.1:{relay.port}/a.png", relay_url=f"{relay.url}/v1")
    assert len(relay.requests) == 1
    assert other.requests == []


def redirecting_to(location: Callable[[], str]) -> Callable[[Seen], Reply]:
    return lambda seen: Reply(302, {"Location": location(), "Set-Cookie": "session=s3cr3t"})


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{other}/steal",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://10.0.0.1/admin",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{other}/x",
    ],
)
def test_every_redirect_hop_is_checked(kind: str, target: str) -> None:
    with HostileServer(always(PNG_REPLY)) as other:
        location = target.format(other=other.port)
        relay = HostileServer(redirecting_to(lambda: location))
        with relay, pytest.raises(DownloadBlockedError):
            fetch(kind, f"{relay.url}/files/a.png", relay_url=relay.url)
        assert len(relay.requests) == 1
    assert other.requests == []


def test_a_redirect_to_an_allowed_host_carries_no_cookie_or_credentials(kind: str) -> None:
    storage = HostileServer(always(PNG_REPLY))
    relay = HostileServer(redirecting_to(lambda: f"{storage.url}/a.png"))
    with storage, relay:
        got = fetch(
            kind,
            f"{relay.url}/files/a.png",
            relay_url=relay.url,
            allow_private_hosts=["127.0.0.1/32"],
        )
    assert got.content == PNG
    (seen,) = storage.requests
    assert "cookie" not in seen.headers and "authorization" not in seen.headers


def test_redirects_are_bounded(kind: str) -> None:
    relay = HostileServer(lambda seen: Reply(302, {"Location": seen.path + "x"}))
    with relay, pytest.raises(DownloadError, match="redirected more than"):
        fetch(kind, f"{relay.url}/a", relay_url=relay.url)
    assert len(relay.requests) == 6


@pytest.mark.parametrize("allowed", [True, ["127.0.0.1"], ["127.0.0.0/8"], ["LOCALHOST"]])
def test_allow_private_hosts_opens_what_it_names(kind: str, allowed: Any) -> None:
    with HostileServer(always(PNG_REPLY)) as storage:
        host = "localhost" if allowed == ["LOCALHOST"] else "127.0.0.1"
        got = fetch(kind, f"http://{host}:{storage.port}/a.png", allow_private_hosts=allowed)
    assert got.content == PNG


def test_allowing_one_network_does_not_allow_another(kind: str) -> None:
    with pytest.raises(DownloadBlockedError):
        fetch(
            kind,
            "http://internal.test/a.png",
            allow_private_hosts=["10.0.0.0/8"],
            resolver=resolver_to("192.168.0.7"),
        )


@pytest.mark.parametrize("value", ["10.0.0.0/8", 5, [None], ["user@host"], [""]])
def test_a_bad_allow_private_hosts_value_names_the_setting(value: Any) -> None:
    with pytest.raises(ConfigurationError, match="allow_private_hosts"):
        WenwenClient(api_key="sk-test", base_url="http://127.0.0.1:9", allow_private_hosts=value)
    with pytest.raises(ConfigurationError, match="allow_private_hosts"):
        AddressPolicy.of(None, value)


def test_the_connection_goes_to_the_address_that_was_checked(kind: str) -> None:
    """One resolution per connection, and the connection uses it (no second lookup that a
    rebinding DNS server could answer differently); the Host header stays the URL's."""
    resolve = resolver_to("127.0.0.1")
    with HostileServer(always(PNG_REPLY)) as storage:
        got = fetch(
            kind,
            f"http://media.test:{storage.port}/a.png",
            resolver=resolve,
            allow_private_hosts=["127.0.0.1/32"],
        )
    assert got.content == PNG
    assert resolve.calls == ["media.test"]  # type: ignore[attr-defined]
    assert storage.requests[0].headers["host"] == f"media.test:{storage.port}"


def test_a_client_downloads_from_its_relay_and_what_it_allows(tmp_path: Path) -> None:
    with HostileServer(always(PNG_REPLY)) as relay, HostileServer(always(PNG_REPLY)) as minio:
        client = WenwenClient(api_key="sk-test", base_url=f"{relay.url}/v1")
        with client, Downloader.for_client(client) as downloader:
            assert downloader.fetch(f"{relay.url}/f.png").content == PNG
            with pytest.raises(DownloadBlockedError):
                downloader.fetch(f"{minio.url}/f.png")
        allowed = WenwenClient(
            api_key="sk-test", base_url=f"{relay.url}/v1", allow_private_hosts=["127.0.0.1"]
        )
        with allowed, Downloader.for_client(allowed) as downloader:
            saved = downloader.to_file(f"{minio.url}/f.png", tmp_path, expect="image")
    assert saved.path is not None and saved.path.read_bytes() == PNG
    assert "authorization" not in minio.requests[0].headers


def test_an_endless_redirect_is_not_retried(kind: str) -> None:
    relay = HostileServer(lambda seen: Reply(302, {"Location": seen.path + "x"}))
    with relay, pytest.raises(DownloadError, match="redirected more than"):
        fetch(kind, f"{relay.url}/a", relay_url=relay.url, max_retries=2)
    assert len(relay.requests) == 6


def test_with_a_callers_http_client_the_connected_peer_is_checked_too() -> None:
    """A caller's own client resolves names itself; when its answer differs from the check's
    (here: the check was told ``localhost`` is public), the peer address it connected to is
    checked before any byte of the body is read."""
    with HostileServer(always(PNG_REPLY)) as storage:
        with (
            httpx.Client() as http,
            Downloader(http_client=http, resolver=resolver_to("93.184.215.14")) as downloader,
            pytest.raises(DownloadBlockedError),
        ):
            downloader.fetch(f"http://localhost:{storage.port}/a.png")
        with (
            httpx.Client() as http,
            Downloader(http_client=http) as downloader,
            pytest.raises(DownloadBlockedError),  # a literal address: refused before sending
        ):
            downloader.fetch(f"http://127.0.0.1:{storage.port}/a.png")
    assert len(storage.requests) == 1

"""The suite's network guard (pytest-socket, configured in pyproject.toml): loopback only."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketConnectBlockedError

from wenwen_emulator import Emulator


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_a_connection_to_a_non_loopback_address_is_blocked() -> None:
    # 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never routed, and the guard stops us before
    # any packet is sent
    with pytest.raises(SocketConnectBlockedError), socket.create_connection(("192.0.2.1", 443)):
        pass


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_connections_are_allowed(emu: Emulator, host: str) -> None:
    port = int(emu.base_url.rsplit(":", 1)[1].split("/")[0])
    with socket.create_connection((host, port), timeout=5) as conn:
        assert conn.getpeername()[1] == port
